// What `ticketd analyze` prints for one input: a pure mapping from an input
// record to one JSON object, so the command's loop only reads and writes.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "analysis/analyzer.hpp"

namespace ticketd::analysis {

// The ticket fields and the ai_analysis of a successful analysis:
// {title, description (Markdown), category, subcategory, priority, urgency,
// department, tags, ai_analysis}.
nlohmann::json TicketFieldsJson(const Analysis& analysis);

// One output record for a JSON line of input: an object with `title` and
// `body`, or `user_input` (an optional `title` beside it), an optional
// `page_context` object and an optional `id` that is echoed back. Answers
// {id?, ok: true, ...TicketFieldsJson} or {id?, ok: false, errors: [{path,
// reason}]} for a line that is not such an object or is refused.
nlohmann::json AnalyzeJsonRecord(std::string_view line, const AnalyzerOptions& options);

// One output record for a plain-text report (the whole text is the body).
nlohmann::json AnalyzeTextRecord(std::string_view text, const AnalyzerOptions& options);

}  // namespace ticketd::analysis
