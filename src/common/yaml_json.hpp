// YAML documents as JSON values, for files (the OpenAPI document, the AI
// defaults) that are written in YAML and read through nlohmann::json.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <variant>

namespace YAML {
class Node;
}

namespace ticketd::common {

// Maps a YAML node to JSON. Quoted scalars stay strings; plain scalars follow
// YAML's core schema (booleans, null, integers, reals, else strings).
nlohmann::json YamlToJson(const YAML::Node& node);

// Parses YAML text. A syntax error returns its message (with line and
// column) instead of a value.
std::variant<nlohmann::json, std::string> ParseYaml(std::string_view text);

}  // namespace ticketd::common
