// The tools a model may call while it writes a ticket. Each tool is defined
// once (name, description, input and output JSON Schema, handler); the agent
// loop offers them to models and the MCP server exposes the same
// definitions. Arguments are validated against the input schema before a
// handler runs; a handler's result is checked against the output schema.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/provider.hpp"
#include "domain/ticket.hpp"

namespace ticketd::ai {

struct ToolDefinition {
  std::string name;  // [a-zA-Z0-9_-]{1,64}, unique
  std::string description;
  nlohmann::json input_schema;   // an object schema within ValidateJson's subset
  nlohmann::json output_schema;  // likewise
  // Called with arguments that passed input_schema. May be called from
  // several threads at once. An exception is caught and reported to the
  // model as a failed call (never thrown out of Call()).
  std::function<nlohmann::json(const nlohmann::json& arguments)> handler;
};

struct ToolOutcome {
  bool ok = false;
  // The handler's output when ok; otherwise {"error": <words>, "errors":
  // [{path, reason}]} (errors only for invalid arguments).
  nlohmann::json content;
};

// Not thread-safe while tools are being added; Find/Call/Specs are safe to
// use concurrently afterwards.
class ToolRegistry {
 public:
  // Adds a tool. Returns why it was refused: a bad or duplicate name, an
  // empty description, a missing handler, or a schema that is not an object
  // schema or uses keywords outside ValidateJson's subset.
  std::optional<std::string> Add(ToolDefinition tool);

  // nullptr when no tool has that name.
  const ToolDefinition* Find(std::string_view name) const;
  const std::vector<ToolDefinition>& All() const { return tools_; }
  bool Empty() const { return tools_.empty(); }

  // What providers are sent: name, description and input schema of each.
  std::vector<ToolSpec> Specs() const;

  // Runs a tool: an unknown name, arguments failing input_schema, a handler
  // exception or an output failing output_schema give ok == false and the
  // handler is not run (or its result is withheld).
  ToolOutcome Call(std::string_view name, const nlohmann::json& arguments) const;

 private:
  std::vector<ToolDefinition> tools_;
};

}  // namespace ticketd::ai
