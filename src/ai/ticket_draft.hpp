// The ticket draft a language model must answer with: its JSON Schema (sent
// to the model and checked here), validation and the lifting of a JSON
// object out of a model's text.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "domain/ticket.hpp"

namespace ticketd::ai {

// The schema: title (1-255 characters), description, category, priority and
// urgency (the product's enumerations), subcategory and department (string
// or null), tags (up to 20 strings), summary, steps_to_reproduce (strings),
// expected_behavior, actual_behavior, environment, error_messages (strings),
// language (string or null), confidence (0 to 1) and reasoning. Every member
// is required and no other is allowed (OpenAI's strict structured output
// demands that shape; "absent" is null or an empty list).
const nlohmann::json& TicketDraftSchema();

// The violations of TicketDraftSchema, one per invalid member.
domain::FieldErrors ValidateTicketDraft(const nlohmann::json& draft);

// The JSON object in a model's answer: the whole text, or the text inside a
// ``` fence, or the span from the first '{' to the last '}'. std::nullopt
// when none of these parses as an object.
std::optional<nlohmann::json> ExtractJsonObject(std::string_view text);

}  // namespace ticketd::ai
