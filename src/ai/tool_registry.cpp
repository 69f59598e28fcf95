#include "ai/tool_registry.hpp"

#include <exception>

#include "ai/json_schema.hpp"
#include "common/log.hpp"

namespace ticketd::ai {
namespace {

using nlohmann::json;

bool IsToolName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> CheckObjectSchema(const json& schema, std::string_view which) {
  if (!schema.is_object() || schema.value("type", json()) != "object") {
    return std::string(which) + " must be a JSON Schema of type object";
  }
  const auto unknown = CheckSchemaSubset(schema);
  if (!unknown.empty()) {
    return std::string(which) + " uses unsupported keyword " + unknown.front();
  }
  return std::nullopt;
}

json ErrorContent(std::string message, const domain::FieldErrors& errors = {}) {
  json out = {{"error", std::move(message)}};
  if (!errors.empty()) {
    json list = json::array();
    for (const auto& error : errors)
      list.push_back({{"path", error.path}, {"reason", error.reason}});
    out["errors"] = std::move(list);
  }
  return out;
}

}  // namespace

std::optional<std::string> ToolRegistry::Add(ToolDefinition tool) {
  if (!IsToolName(tool.name))
    return "tool name '" + tool.name + "' must be 1 to 64 of a-z, A-Z, 0-9, _ and -";
  if (Find(tool.name) != nullptr) return "a tool named '" + tool.name + "' exists already";
  if (tool.description.empty()) return "tool '" + tool.name + "' needs a description";
  if (!tool.handler) return "tool '" + tool.name + "' needs a handler";
  if (auto error = CheckObjectSchema(tool.input_schema, "input_schema")) return *error;
  if (auto error = CheckObjectSchema(tool.output_schema, "output_schema")) return *error;
  tools_.push_back(std::move(tool));
  return std::nullopt;
}

const ToolDefinition* ToolRegistry::Find(std::string_view name) const {
  for (const auto& tool : tools_) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

std::vector<ToolSpec> ToolRegistry::Specs() const {
  std::vector<ToolSpec> specs;
  specs.reserve(tools_.size());
  for (const auto& tool : tools_)
    specs.push_back({tool.name, tool.description, tool.input_schema});
  return specs;
}

ToolOutcome ToolRegistry::Call(std::string_view name, const json& arguments) const {
  const auto* tool = Find(name);
  if (tool == nullptr) return {false, ErrorContent("no tool is named '" + std::string(name) + "'")};

  const auto invalid = ValidateJson(tool->input_schema, arguments);
  if (!invalid.empty()) {
    return {false, ErrorContent("the arguments do not match the tool's input schema", invalid)};
  }

  json output;
  try {
    output = tool->handler(arguments);
  } catch (const std::exception& error) {
    log::Error("ai.tools", "tool handler failed", {{"tool", tool->name}, {"error", error.what()}});
    return {false, ErrorContent("the tool failed; try another approach")};
  }

  const auto bad_output = ValidateJson(tool->output_schema, output);
  if (!bad_output.empty()) {
    log::Error("ai.tools", "tool output breaks its schema",
               {{"tool", tool->name},
                {"path", bad_output.front().path},
                {"reason", bad_output.front().reason}});
    return {false, ErrorContent("the tool failed; try another approach")};
  }
  return {true, std::move(output)};
}

}  // namespace ticketd::ai
