// A JSON Schema validator for the subset our schemas use (tool inputs and
// outputs, the ticket draft). Debian bookworm packages no validator for
// nlohmann::json, so this one is small and pure. Supported keywords: type (a
// name or a list of names), properties, required, additionalProperties
// (boolean or schema), items, enum, minLength/maxLength (in code points),
// minimum/maximum, minItems/maxItems. Annotation keywords (description,
// title, format...) are ignored; any other keyword is a schema error found
// by CheckSchemaSubset, so a schema never silently promises more than is
// checked.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "domain/ticket.hpp"

namespace ticketd::ai {

// Checks `value` against `schema`. Returns one error per violation found,
// each naming the value's path from `root` (members as `a.b`, items as
// `a[2]`; the root itself is `root`, possibly empty). An empty list means
// the value conforms. Stops descending into a value whose type is wrong.
domain::FieldErrors ValidateJson(const nlohmann::json& schema, const nlohmann::json& value,
                                 const std::string& root = "");

// The JSON array of `names`, for an `enum` keyword.
nlohmann::json EnumValues(std::span<const std::string_view> names);

// Returns the keywords of `schema` (at any depth) that ValidateJson does not
// understand, as paths such as `properties.title.pattern`. Empty when the
// schema stays within the subset. Used to vet tool schemas at registration.
std::vector<std::string> CheckSchemaSubset(const nlohmann::json& schema);

}  // namespace ticketd::ai
