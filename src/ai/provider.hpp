// One interface over the language-model APIs we speak: OpenAI Chat
// Completions (and any OpenAI-compatible server such as Ollama or vLLM),
// Gemini generateContent and Anthropic Messages. A provider performs ONE
// exchange per Complete() call; retries, the circuit breaker, fallback and
// the agent loop live in AiEngine. The wire codecs (Build*/Parse*) are pure
// so that each API's JSON is unit-tested without a socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ai/ai_config.hpp"
#include "ai/http_client.hpp"

namespace ticketd::ai {

struct ToolCall {
  std::string id;  // the provider's id, or one we made up (Gemini gives none)
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();
  // Non-empty when the model's arguments were not a JSON object; the call
  // is then answered with an error and never run.
  std::string arguments_error;
};

struct ChatMessage {
  enum class Role { kUser, kAssistant, kTool };
  Role role = Role::kUser;
  std::string text;                  // user or assistant text; a tool's result as JSON text
  std::vector<ToolCall> tool_calls;  // assistant turns that called tools
  std::string tool_call_id;          // tool results: the call answered
  std::string tool_name;             // tool results: the tool's name
  bool tool_error = false;           // tool results: the call failed
};

struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json input_schema;
};

struct ChatRequest {
  std::string system;  // the configured system prompt, never user text
  std::vector<ChatMessage> messages;
  std::vector<ToolSpec> tools;  // empty: the model must answer
  // JSON Schema the final answer must follow, or null for free text.
  nlohmann::json response_schema;
  std::string response_name = "ticket_draft";
};

struct Usage {
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;

  Usage& operator+=(const Usage& other) {
    input_tokens += other.input_tokens;
    output_tokens += other.output_tokens;
    return *this;
  }
  bool operator==(const Usage&) const = default;
};

struct ChatReply {
  std::string text;  // the answer (JSON text when a response schema was given)
  std::vector<ToolCall> tool_calls;
  Usage usage;
  std::string model;  // as reported by the provider, else the configured one
  std::string finish_reason;
};

enum class ErrorKind {
  kTimeout,        // a deadline passed
  kConnect,        // no connection
  kRateLimited,    // HTTP 429
  kServer,         // HTTP 5xx (and Anthropic's 529)
  kTruncated,      // the body ended early
  kMalformed,      // the body was not the API's JSON
  kAuth,           // HTTP 401 or 403
  kRequest,        // another HTTP 4xx: our request was refused
  kNoKey,          // the key's environment variable is unset
  kCircuitOpen,    // not called: the provider's circuit is open
  kDeadline,       // not called: the agent's deadline left no time
  kInvalidAnswer,  // the answer failed the schema, also after the corrective retry
  kIterations,     // the agent loop used every iteration without an answer
};
std::string_view ToString(ErrorKind kind);  // snake_case names

struct ProviderError {
  ErrorKind kind = ErrorKind::kServer;
  long http_status = 0;
  std::string message;  // never holds a key or request text
  std::optional<std::chrono::milliseconds> retry_after;

  // True for the kinds worth another attempt at the same provider: timeouts,
  // connection failures, 429, 5xx and cut-off bodies.
  bool Retryable() const;
};

using ChatResult = std::variant<ChatReply, ProviderError>;

// A configured provider. Thread-safe: Complete() may run concurrently.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual const ProviderConfig& Config() const = 0;
  // One HTTP exchange within `total_timeout` (connect timeout from the
  // configuration, capped by it).
  virtual ChatResult Complete(const ChatRequest& request,
                              std::chrono::milliseconds total_timeout) = 0;
};

// A provider speaking its kind's API through `transport`. `api_key` is the
// key's value (empty when the provider needs none); it goes only into the
// authentication header.
std::unique_ptr<Provider> MakeProvider(ProviderConfig config, std::string api_key,
                                       std::shared_ptr<HttpTransport> transport);

// ---- wire codecs, pure

// The HTTP request for `request` (timeouts left at their defaults).
HttpRequest BuildOpenAiRequest(const ProviderConfig& config, const std::string& api_key,
                               const ChatRequest& request);
HttpRequest BuildGeminiRequest(const ProviderConfig& config, const std::string& api_key,
                               const ChatRequest& request);
HttpRequest BuildAnthropicRequest(const ProviderConfig& config, const std::string& api_key,
                                  const ChatRequest& request);

// Reads a 2xx body. A body that is not the API's JSON is kMalformed.
ChatResult ParseOpenAiResponse(std::string_view body, const ProviderConfig& config);
ChatResult ParseGeminiResponse(std::string_view body, const ProviderConfig& config);
ChatResult ParseAnthropicResponse(std::string_view body, const ProviderConfig& config);

// Maps a failed exchange (transport error or non-2xx status) to an error,
// reading Retry-After relative to `now`. Returns std::nullopt for a 2xx.
std::optional<ProviderError> ClassifyHttpFailure(const HttpResponse& response,
                                                 std::chrono::system_clock::time_point now);

// The name of the tool Anthropic is asked to call with the final answer
// (its Messages API has no response-schema setting; a tool's input_schema
// is how a JSON answer is requested). Parse turns that call into text.
inline constexpr std::string_view kAnthropicAnswerTool = "submit_answer";

// JSON Schema without the length and range keywords that OpenAI's strict
// mode and Gemini's schema refuse; AiEngine validates them locally instead.
nlohmann::json WithoutConstraintKeywords(const nlohmann::json& schema);

// JSON Schema as Gemini's OpenAPI-style Schema object: type names upper
// case, ["x", "null"] as nullable, additionalProperties dropped.
nlohmann::json ToGeminiSchema(const nlohmann::json& schema);

}  // namespace ticketd::ai
