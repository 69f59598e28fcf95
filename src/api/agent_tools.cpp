#include "api/agent_tools.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "ai/json_schema.hpp"
#include "analysis/analyzer.hpp"

namespace ticketd::api {
namespace {

using nlohmann::json;

thread_local const ToolCallerScope* current_scope = nullptr;

json Text(int min, int max) {
  return {{"type", "string"}, {"minLength", min}, {"maxLength", max}};
}

json Limit(int max) {
  return {{"type", "integer"}, {"minimum", 1}, {"maximum", max}};
}

int LimitOf(const json& arguments, int fallback) {
  const auto found = arguments.find("limit");
  return found == arguments.end() ? fallback : found->get<int>();
}

std::string TextOf(const json& arguments, const char* name) {
  const auto found = arguments.find(name);
  return found == arguments.end() ? std::string() : found->get<std::string>();
}

ai::ToolDefinition SearchKnowledgeBase(storage::ArticleRepository& articles) {
  const json article = {{"type", "object"},
                        {"required", json::array({"id", "title", "category", "rank", "snippet"})},
                        {"properties",
                         {{"id", {{"type", "string"}}},
                          {"title", {{"type", "string"}}},
                          {"category", {{"type", json::array({"string", "null"})}}},
                          {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                          {"rank", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
                          {"snippet", {{"type", json::array({"string", "null"})}}}}}};
  return {
      .name = "search_knowledge_base",
      .description =
          "Search the support knowledge base for articles that answer or explain a "
          "problem. Give the problem's key words; any of them may match.",
      .input_schema = {{"type", "object"},
                       {"required", json::array({"query"})},
                       {"additionalProperties", false},
                       {"properties",
                        {{"query", Text(1, 500)},
                         {"category",
                          {{"type", "string"},
                           {"enum", ai::EnumValues(domain::AllCategoryNames())}}},
                         {"limit", Limit(10)}}}},
      .output_schema = {{"type", "object"},
                        {"required", json::array({"articles"})},
                        {"properties", {{"articles", {{"type", "array"}, {"items", article}}}}}},
      .handler =
          [&articles](const json& arguments) {
            domain::ArticleQuery query;
            query.size = LimitOf(arguments, 5);
            query.text = AnyWordQuery(TextOf(arguments, "query"));
            if (query.text->empty()) return json{{"articles", json::array()}};
            if (const auto category = arguments.find("category"); category != arguments.end())
              query.category = domain::ParseCategory(category->get<std::string>());
            json found = json::array();
            for (const auto& hit : articles.List(query).items)
              found.push_back(ArticleMatchJson(hit));
            return json{{"articles", std::move(found)}};
          },
  };
}

ai::ToolDefinition FindSimilarTickets(storage::TicketRepository& tickets) {
  const json ticket = {
      {"type", "object"},
      {"required", json::array({"id", "title", "status", "similarity", "likely_duplicate"})},
      {"properties",
       {{"id", {{"type", "string"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "string"}}},
        {"category", {{"type", "string"}}},
        {"created_at", {{"type", "string"}}},
        {"similarity", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
        {"text_match", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
        {"likely_duplicate", {{"type", "boolean"}}}}}};
  return {
      .name = "find_similar_tickets",
      .description =
          "Find existing tickets that describe the same problem (likely duplicates), "
          "by title similarity and full-text match over titles and descriptions.",
      .input_schema =
          {{"type", "object"},
           {"required", json::array({"title"})},
           {"additionalProperties", false},
           {"properties",
            {{"title", Text(1, 255)}, {"description", Text(0, 5000)}, {"limit", Limit(10)}}}},
      .output_schema = {{"type", "object"},
                        {"required", json::array({"tickets"})},
                        {"properties", {{"tickets", {{"type", "array"}, {"items", ticket}}}}}},
      .handler =
          [&tickets](const json& arguments) {
            const auto* scope = ToolCallerScope::Current();
            if (scope == nullptr) {
              throw std::runtime_error("find_similar_tickets ran without a caller scope");
            }
            json found = json::array();
            for (const auto& similar :
                 tickets.FindSimilar(TextOf(arguments, "title"), TextOf(arguments, "description"),
                                     scope->owner_id(), LimitOf(arguments, 5))) {
              found.push_back(SimilarTicketJson(similar));
            }
            return json{{"tickets", std::move(found)}};
          },
  };
}

ai::ToolDefinition CategorizeIssue(std::size_t max_input_chars) {
  return {
      .name = "categorize_issue",
      .description =
          "Classify a problem description with the built-in analyzer: category, "
          "priority, urgency and department, each with its confidence and signals.",
      .input_schema = {{"type", "object"},
                       {"required", json::array({"text"})},
                       {"additionalProperties", false},
                       {"properties", {{"text", Text(1, 50'000)}, {"title", Text(0, 255)}}}},
      .output_schema = {{"type", "object"},
                        {"required", json::array({"category", "priority", "urgency", "fields"})},
                        {"properties",
                         {{"category", {{"type", "string"}}},
                          {"subcategory", {{"type", json::array({"string", "null"})}}},
                          {"priority", {{"type", "string"}}},
                          {"urgency", {{"type", "string"}}},
                          {"department", {{"type", json::array({"string", "null"})}}},
                          {"language", {{"type", "string"}}},
                          {"confidence", {{"type", "number"}}},
                          {"fields", {{"type", "object"}}}}}},
      .handler =
          [max_input_chars](const json& arguments) {
            const analysis::AnalyzerOptions options{.max_input_chars = max_input_chars};
            const auto result = analysis::Analyze(
                {.text = TextOf(arguments, "text"), .title = TextOf(arguments, "title")}, options);
            if (const auto* error = std::get_if<analysis::AnalysisError>(&result)) {
              throw std::invalid_argument(error->path + " " + error->reason);
            }
            const auto& decided = std::get<analysis::Analysis>(result);
            const auto ai = analysis::ToAiAnalysisJson(decided);
            const auto nullable = [](const std::string& text) {
              return text.empty() ? json(nullptr) : json(text);
            };
            return json{{"category", decided.category.value},
                        {"subcategory", nullable(decided.subcategory.value)},
                        {"priority", decided.priority.value},
                        {"urgency", decided.urgency.value},
                        {"department", nullable(decided.department.value)},
                        {"language", decided.language.value},
                        {"confidence", decided.confidence_score},
                        {"fields", ai.at("fields")}};
          },
  };
}

}  // namespace

ToolCallerScope::ToolCallerScope(std::optional<std::string> owner_id)
    : owner_id_(std::move(owner_id)), previous_(current_scope) {
  current_scope = this;
}

ToolCallerScope::~ToolCallerScope() {
  current_scope = previous_;
}

const ToolCallerScope* ToolCallerScope::Current() {
  return current_scope;
}

json ArticleMatchJson(const storage::ArticleHit& hit) {
  const auto& article = hit.article;
  return {{"id", article.id},
          {"title", article.title},
          {"category", article.category ? json(domain::ToString(*article.category)) : json()},
          {"tags", article.tags},
          {"rank", std::clamp(hit.rank.value_or(0.0), 0.0, 1.0)},
          {"snippet", hit.snippet ? json(*hit.snippet) : json()}};
}

bool IsLikelyDuplicate(const storage::SimilarTicket& ticket) {
  return ticket.title_similarity >= kLikelyDuplicate ||
         (ticket.title_similarity >= kRelated && ticket.text_rank >= kRewordedDuplicate);
}

bool IsRelated(const storage::SimilarTicket& ticket) {
  return ticket.title_similarity >= kRelated || ticket.text_rank >= kRelatedText;
}

json SimilarTicketJson(const storage::SimilarTicket& ticket) {
  const auto round = [](double value) {
    return std::round(std::clamp(value, 0.0, 1.0) * 1000) / 1000;
  };
  return {{"id", ticket.id},
          {"title", ticket.title},
          {"status", domain::ToString(ticket.status)},
          {"category", domain::ToString(ticket.category)},
          {"created_at", ticket.created_at},
          {"similarity", round(ticket.title_similarity)},
          {"text_match", round(ticket.text_rank)},
          {"likely_duplicate", IsLikelyDuplicate(ticket)}};
}

std::string AnyWordQuery(std::string_view text, std::size_t max_words) {
  // Letters, digits and the bytes of non-ASCII characters make words; the
  // search language's stemming and stop words do the rest.
  std::string out;
  std::set<std::string> seen;
  std::string word;
  auto flush = [&] {
    if (word.size() >= 3 && seen.size() < max_words && seen.insert(word).second) {
      if (!out.empty()) out += " or ";
      out += word;
    }
    word.clear();
  };
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || byte >= 0x80) {
      if (word.size() < 64) word += static_cast<char>(std::tolower(byte));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

void AddAgentTools(ai::ToolRegistry& registry, AgentToolDeps deps) {
  for (auto tool : {SearchKnowledgeBase(deps.articles), FindSimilarTickets(deps.tickets),
                    CategorizeIssue(deps.max_input_chars)}) {
    const auto name = tool.name;
    if (auto refused = registry.Add(std::move(tool))) {
      throw std::logic_error("tool " + name + " refused: " + *refused);
    }
  }
}

}  // namespace ticketd::api
