#include "domain/article.hpp"

#include <array>

#include "domain/account_requests.hpp"
#include "domain/ticket_json.hpp"
#include "domain/time_format.hpp"

namespace ticketd::domain {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxSearchBytes = 200;

std::string CategoryList() {
  std::string names;
  for (const auto name : AllCategoryNames())
    names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

// A required-looking text member: storable, not blank, at most `max` characters.
std::optional<std::string> NonBlankText(const json& value, const char* path, std::size_t max,
                                        FieldErrors& errors) {
  auto text = DecodeText(value, path, max, errors);
  if (text && IsBlank(*text)) {
    errors.push_back({path, "must not be empty or blank"});
    return std::nullopt;
  }
  return text;
}

}  // namespace

FieldErrors DecodeArticle(const json& body, bool create, ArticleChanges& out) {
  static constexpr std::array<std::string_view, 4> kKnown = {"title", "content", "category",
                                                             "tags"};
  FieldErrors errors;
  if (!CheckMembers(body, kKnown, errors)) return errors;

  for (const auto* member : {"title", "content"}) {
    const bool is_title = std::string_view(member) == "title";
    const auto found = body.find(member);
    if (found == body.end()) {
      if (create) errors.push_back({member, "is required"});
      continue;
    }
    auto text =
        NonBlankText(*found, member, is_title ? kArticleTitleMax : kArticleContentMax, errors);
    (is_title ? out.title : out.content) = std::move(text);
  }
  if (const auto category = body.find("category"); category != body.end()) {
    if (category->is_null()) {
      out.category = std::optional<Category>{};
    } else if (const auto parsed = category->is_string()
                                       ? ParseCategory(category->get_ref<const std::string&>())
                                       : std::nullopt) {
      out.category = parsed;
    } else {
      errors.push_back({"category", "must be one of " + CategoryList() + ", or null"});
    }
  }
  if (const auto tags = body.find("tags"); tags != body.end()) {
    out.tags = DecodeTags(*tags, "tags", errors);
  }
  if (!create && errors.empty() && body.empty()) {
    errors.push_back({"body", "must name at least one of title, content, category, tags"});
  }
  return errors;
}

bool ApplyArticleChanges(Article& article, const ArticleChanges& changes) {
  Article next = article;
  if (changes.title) next.title = *changes.title;
  if (changes.content) next.content = *changes.content;
  if (changes.category) next.category = *changes.category;
  if (changes.tags) next.tags = *changes.tags;
  if (next.title == article.title && next.content == article.content &&
      next.category == article.category && next.tags == article.tags) {
    return false;
  }
  article = std::move(next);
  return true;
}

FieldErrors DecodeArticleQuery(const QueryParams& params, ArticleQuery& out) {
  FieldErrors errors;
  if (!DecodeStorableParams(params, errors)) return errors;
  DecodePaging(params, out.page, out.size, errors);
  if (const auto* q = SingleParam(params, "q"); q && !IsBlank(*q)) {
    if (q->size() > kMaxSearchBytes) {
      errors.push_back({"q", "must be at most " + std::to_string(kMaxSearchBytes) + " bytes"});
    } else {
      out.text = *q;
    }
  }
  if (const auto* category = SingleParam(params, "category")) {
    out.category = ParseCategory(*category);
    if (!out.category) errors.push_back({"category", "must be one of " + CategoryList()});
  }
  if (const auto* tag = SingleParam(params, "tag"); tag && !tag->empty()) {
    if (CodePointCount(*tag) > 64) {
      errors.push_back({"tag", "must be at most 64 characters"});
    } else {
      out.tag = *tag;
    }
  }
  return errors;
}

json ToJson(const Article& article) {
  return {{"id", article.id},
          {"title", article.title},
          {"content", article.content},
          {"category", article.category ? json(ToString(*article.category)) : json(nullptr)},
          {"tags", article.tags},
          {"created_by_id", article.created_by_id ? json(*article.created_by_id) : json(nullptr)},
          {"updated_by_id", article.updated_by_id ? json(*article.updated_by_id) : json(nullptr)},
          {"created_at", article.created_at},
          {"updated_at", article.updated_at},
          {"version", article.version}};
}

}  // namespace ticketd::domain
