#include "analysis/batch.hpp"

namespace ticketd::analysis {

namespace {

nlohmann::json Refusal(nlohmann::json id, std::string path, std::string reason) {
  nlohmann::json out = {{"ok", false},
                        {"errors", nlohmann::json::array({{{"path", path}, {"reason", reason}}})}};
  if (!id.is_null()) out["id"] = std::move(id);
  return out;
}

nlohmann::json Record(const AnalysisInput& input, const AnalyzerOptions& options,
                      nlohmann::json id) {
  const auto result = Analyze(input, options);
  if (const auto* error = std::get_if<AnalysisError>(&result)) {
    return Refusal(std::move(id), error->path, error->reason);
  }
  auto out = TicketFieldsJson(std::get<Analysis>(result));
  out["ok"] = true;
  if (!id.is_null()) out["id"] = std::move(id);
  return out;
}

}  // namespace

nlohmann::json TicketFieldsJson(const Analysis& a) {
  return {{"title", a.title.value},
          {"description", RenderDescriptionMarkdown(a)},
          {"category", a.category.value},
          {"subcategory", a.subcategory.value},
          {"priority", a.priority.value},
          {"urgency", a.urgency.value},
          {"department", a.department.value},
          {"tags", a.tags},
          {"ai_analysis", ToAiAnalysisJson(a)}};
}

nlohmann::json AnalyzeJsonRecord(std::string_view line, const AnalyzerOptions& options) {
  const auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Refusal(nullptr, "", "must be a JSON object with `title` and `body`, or `user_input`");
  }
  nlohmann::json id = parsed.contains("id") ? parsed["id"] : nlohmann::json(nullptr);
  AnalysisInput input;
  for (const char* name : {"title", "body", "user_input"}) {
    if (!parsed.contains(name)) continue;
    if (!parsed[name].is_string()) return Refusal(id, name, "must be a string");
  }
  if (parsed.contains("page_context") && !parsed["page_context"].is_object()) {
    return Refusal(id, "page_context", "must be an object");
  }
  if (parsed.contains("user_input") && parsed.contains("body")) {
    return Refusal(id, "body", "give `body` or `user_input`, not both");
  }
  if (!parsed.contains("user_input") && !parsed.contains("body") && !parsed.contains("title")) {
    return Refusal(id, "user_input", "is required (or `title` and `body`)");
  }
  input.title = parsed.value("title", "");
  input.text = parsed.contains("user_input") ? parsed["user_input"].get<std::string>()
                                             : parsed.value("body", "");
  if (parsed.contains("page_context")) input.page_context = parsed["page_context"];
  return Record(input, options, std::move(id));
}

nlohmann::json AnalyzeTextRecord(std::string_view text, const AnalyzerOptions& options) {
  return Record({.text = std::string(text), .title = ""}, options, nullptr);
}

}  // namespace ticketd::analysis
