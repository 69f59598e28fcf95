#include "ai/ticket_draft.hpp"

#include "ai/json_schema.hpp"

namespace ticketd::ai {
namespace {

using nlohmann::json;

json BuildSchema() {
  const json nullable_text = {{"type", json::array({"string", "null"})}, {"maxLength", 4000}};
  const json short_nullable = {{"type", json::array({"string", "null"})}, {"maxLength", 100}};
  const json text_list = {
      {"type", "array"}, {"items", {{"type", "string"}, {"maxLength", 2000}}}, {"maxItems", 50}};
  json properties = {
      {"title",
       {{"type", "string"},
        {"minLength", 1},
        {"maxLength", 255},
        {"description", "names the problem, at most 80 characters preferred"}}},
      {"description", {{"type", "string"}, {"minLength", 1}, {"maxLength", 20000}}},
      {"category", {{"type", "string"}, {"enum", EnumValues(domain::AllCategoryNames())}}},
      {"priority", {{"type", "string"}, {"enum", EnumValues(domain::AllPriorityNames())}}},
      {"urgency", {{"type", "string"}, {"enum", EnumValues(domain::AllPriorityNames())}}},
      {"subcategory", short_nullable},
      {"department", short_nullable},
      {"tags",
       {{"type", "array"}, {"items", {{"type", "string"}, {"maxLength", 50}}}, {"maxItems", 20}}},
      {"summary", nullable_text},
      {"steps_to_reproduce", text_list},
      {"expected_behavior", nullable_text},
      {"actual_behavior", nullable_text},
      {"environment", nullable_text},
      {"error_messages", text_list},
      {"language", {{"type", json::array({"string", "null"})}, {"maxLength", 16}}},
      {"confidence", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
      {"reasoning", {{"type", "string"}, {"maxLength", 4000}}},
  };
  json required = json::array();
  for (const auto& [name, unused] : properties.items())
    required.push_back(name);
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

std::optional<json> ParseObject(std::string_view text) {
  auto parsed = json::parse(text.begin(), text.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

}  // namespace

const json& TicketDraftSchema() {
  static const json schema = BuildSchema();
  return schema;
}

domain::FieldErrors ValidateTicketDraft(const json& draft) {
  return ValidateJson(TicketDraftSchema(), draft);
}

std::optional<json> ExtractJsonObject(std::string_view text) {
  if (auto whole = ParseObject(text)) return whole;

  const auto fence = text.find("```");
  if (fence != std::string_view::npos) {
    auto start = text.find('\n', fence);
    const auto close = start == std::string_view::npos ? start : text.find("```", start);
    if (close != std::string_view::npos) {
      if (auto fenced = ParseObject(text.substr(start + 1, close - start - 1))) return fenced;
    }
  }

  const auto first = text.find('{');
  const auto last = text.rfind('}');
  if (first == std::string_view::npos || last == std::string_view::npos || last < first)
    return std::nullopt;
  return ParseObject(text.substr(first, last - first + 1));
}

}  // namespace ticketd::ai
