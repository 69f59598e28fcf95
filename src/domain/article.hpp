// Knowledge base articles (issue #4): the record, the bodies that create and
// change one, the list and search query, and the JSON answers. Pure decoding
// with one FieldError per invalid member or parameter; unknown body members
// are errors, unknown query parameters are ignored (as for tickets).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/list_query.hpp"
#include "domain/ticket.hpp"

namespace ticketd::domain {

inline constexpr std::size_t kArticleTitleMax = 255;
inline constexpr std::size_t kArticleContentMax = 100'000;

struct Article {
  std::string id;
  std::string title;
  std::string content;  // Markdown
  std::optional<Category> category;
  std::vector<std::string> tags;
  std::optional<std::string> created_by_id;
  std::optional<std::string> updated_by_id;
  std::string created_at;
  std::string updated_at;
  std::int64_t version = 1;
};

// What a request asks to change; absent members stay as they are.
struct ArticleChanges {
  std::optional<std::string> title;
  std::optional<std::string> content;
  std::optional<std::optional<Category>> category;  // inner empty: set to null
  std::optional<std::vector<std::string>> tags;
};

// POST takes {title, content, category?, tags?} with title and content
// required; PUT and PATCH take any non-empty subset. Title 1-255 and content
// 1-100,000 characters, neither blank; category one of the ticket
// categories or null.
FieldErrors DecodeArticle(const nlohmann::json& body, bool create, ArticleChanges& out);

// Applies decoded changes; answers false (and leaves `article` alone) when
// they change nothing.
bool ApplyArticleChanges(Article& article, const ArticleChanges& changes);

// GET /api/v1/knowledge-base/articles: with `q`, ranked by relevance;
// without it, the most recently updated first.
struct ArticleQuery {
  int page = 1;
  int size = 20;
  std::optional<std::string> text;  // `q`, at most 200 bytes
  std::optional<Category> category;
  std::optional<std::string> tag;  // articles carrying this exact tag

  std::int64_t Offset() const { return static_cast<std::int64_t>(page - 1) * size; }
};
FieldErrors DecodeArticleQuery(const QueryParams& params, ArticleQuery& out);

nlohmann::json ToJson(const Article& article);

}  // namespace ticketd::domain
