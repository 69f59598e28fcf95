#include "ai/provider.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "ai/resilience.hpp"

namespace ticketd::ai {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 13> kErrorKindNames = {
    "timeout", "connect", "rate_limited", "server_error", "truncated",      "malformed",     "auth",
    "request", "no_key",  "circuit_open", "deadline",     "invalid_answer", "max_iterations"};

constexpr std::array<std::string_view, 6> kConstraintKeywords = {
    "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems"};

ProviderError Malformed(std::string message) {
  return ProviderError{.kind = ErrorKind::kMalformed, .message = std::move(message)};
}

// Model arguments arrive as a JSON text (OpenAI) or an object (others).
ToolCall MakeToolCall(std::string id, std::string name, const json& arguments) {
  ToolCall call{.id = std::move(id), .name = std::move(name)};
  if (arguments.is_object()) {
    call.arguments = arguments;
    return call;
  }
  if (arguments.is_string()) {
    const auto& text = arguments.get_ref<const std::string&>();
    auto parsed = json::parse(text.empty() ? std::string("{}") : text, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) {
      call.arguments = std::move(parsed);
      return call;
    }
  }
  call.arguments_error = "the arguments were not a JSON object";
  return call;
}

// More tokens than any call can use (a billion): a larger count is the
// server's error, and taken as sent it would overflow the sums over a draft's
// calls and a provider's lifetime.
constexpr std::int64_t kMaxTokensPerCall = 1'000'000'000;

// A token count of the answer, 0 when absent or negative, at most
// kMaxTokensPerCall.
std::int64_t Count(const json& object, std::string_view name) {
  if (!object.is_object()) return 0;
  const auto found = object.find(name);
  if (found == object.end() || !found->is_number_integer()) return 0;
  if (found->is_number_unsigned()) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(
        found->get<std::uint64_t>(), static_cast<std::uint64_t>(kMaxTokensPerCall)));
  }
  return std::clamp<std::int64_t>(found->get<std::int64_t>(), 0, kMaxTokensPerCall);
}

std::string TextOf(const json& object, std::string_view name) {
  if (!object.is_object()) return {};
  const auto found = object.find(name);
  if (found == object.end() || !found->is_string()) return {};
  return found->get<std::string>();
}

json ParseBody(std::string_view body) {
  return json::parse(body.begin(), body.end(), nullptr, false);
}

class HttpProvider final : public Provider {
 public:
  HttpProvider(ProviderConfig config, std::string api_key, std::shared_ptr<HttpTransport> transport)
      : config_(std::move(config)),
        api_key_(std::move(api_key)),
        transport_(std::move(transport)) {}

  const ProviderConfig& Config() const override { return config_; }

  ChatResult Complete(const ChatRequest& request,
                      std::chrono::milliseconds total_timeout) override {
    HttpRequest http;
    switch (config_.kind) {
      case ProviderKind::kOpenAi:
      case ProviderKind::kOpenAiCompatible:
        http = BuildOpenAiRequest(config_, api_key_, request);
        break;
      case ProviderKind::kGemini:
        http = BuildGeminiRequest(config_, api_key_, request);
        break;
      case ProviderKind::kAnthropic:
        http = BuildAnthropicRequest(config_, api_key_, request);
        break;
    }
    const auto total = std::min(total_timeout, std::chrono::milliseconds(config_.total_timeout_ms));
    http.total_timeout = std::max(total, std::chrono::milliseconds(1));
    http.connect_timeout =
        std::min(http.total_timeout, std::chrono::milliseconds(config_.connect_timeout_ms));

    const auto response = transport_->Post(http);
    if (auto failure = ClassifyHttpFailure(response, std::chrono::system_clock::now())) {
      return *failure;
    }
    switch (config_.kind) {
      case ProviderKind::kGemini:
        return ParseGeminiResponse(response.body, config_);
      case ProviderKind::kAnthropic:
        return ParseAnthropicResponse(response.body, config_);
      default:
        return ParseOpenAiResponse(response.body, config_);
    }
  }

 private:
  ProviderConfig config_;
  std::string api_key_;
  std::shared_ptr<HttpTransport> transport_;
};

// ---- OpenAI Chat Completions

json OpenAiMessages(const ChatRequest& request) {
  json messages = json::array();
  if (!request.system.empty())
    messages.push_back({{"role", "system"}, {"content", request.system}});
  for (const auto& message : request.messages) {
    switch (message.role) {
      case ChatMessage::Role::kUser:
        messages.push_back({{"role", "user"}, {"content", message.text}});
        break;
      case ChatMessage::Role::kAssistant: {
        json out = {{"role", "assistant"}};
        out["content"] = message.text.empty() ? json(nullptr) : json(message.text);
        if (!message.tool_calls.empty()) {
          json calls = json::array();
          for (const auto& call : message.tool_calls) {
            calls.push_back(
                {{"id", call.id},
                 {"type", "function"},
                 {"function", {{"name", call.name}, {"arguments", call.arguments.dump()}}}});
          }
          out["tool_calls"] = std::move(calls);
        }
        messages.push_back(std::move(out));
        break;
      }
      case ChatMessage::Role::kTool:
        messages.push_back(
            {{"role", "tool"}, {"tool_call_id", message.tool_call_id}, {"content", message.text}});
        break;
    }
  }
  return messages;
}

// ---- Gemini generateContent

json GeminiContents(const ChatRequest& request) {
  json contents = json::array();
  auto append = [&contents](std::string_view role, json part) {
    if (!contents.empty() && contents.back()["role"] == role) {
      contents.back()["parts"].push_back(std::move(part));
      return;
    }
    contents.push_back({{"role", role}, {"parts", json::array({std::move(part)})}});
  };
  for (const auto& message : request.messages) {
    switch (message.role) {
      case ChatMessage::Role::kUser:
        append("user", {{"text", message.text}});
        break;
      case ChatMessage::Role::kAssistant:
        if (!message.text.empty()) append("model", {{"text", message.text}});
        for (const auto& call : message.tool_calls)
          append("model", {{"functionCall", {{"name", call.name}, {"args", call.arguments}}}});
        break;
      case ChatMessage::Role::kTool: {
        auto content = ParseBody(message.text);
        if (content.is_discarded() || !content.is_object()) content = {{"result", message.text}};
        append("user", {{"functionResponse",
                         {{"name", message.tool_name}, {"response", std::move(content)}}}});
        break;
      }
    }
  }
  return contents;
}

// ---- Anthropic Messages

json AnthropicMessages(const ChatRequest& request) {
  json messages = json::array();
  auto append = [&messages](std::string_view role, json block) {
    if (!messages.empty() && messages.back()["role"] == role) {
      messages.back()["content"].push_back(std::move(block));
      return;
    }
    messages.push_back({{"role", role}, {"content", json::array({std::move(block)})}});
  };
  for (const auto& message : request.messages) {
    switch (message.role) {
      case ChatMessage::Role::kUser:
        append("user", {{"type", "text"}, {"text", message.text}});
        break;
      case ChatMessage::Role::kAssistant:
        if (!message.text.empty()) append("assistant", {{"type", "text"}, {"text", message.text}});
        for (const auto& call : message.tool_calls) {
          append("assistant", {{"type", "tool_use"},
                               {"id", call.id},
                               {"name", call.name},
                               {"input", call.arguments}});
        }
        break;
      case ChatMessage::Role::kTool: {
        json block = {{"type", "tool_result"},
                      {"tool_use_id", message.tool_call_id},
                      {"content", message.text}};
        if (message.tool_error) block["is_error"] = true;
        append("user", std::move(block));
        break;
      }
    }
  }
  return messages;
}

std::string JoinUrl(const ProviderConfig& config, std::string_view path) {
  return EffectiveBaseUrl(config) + std::string(path);
}

}  // namespace

std::string_view ToString(ErrorKind kind) {
  return kErrorKindNames[static_cast<std::size_t>(kind)];
}

bool ProviderError::Retryable() const {
  switch (kind) {
    case ErrorKind::kTimeout:
    case ErrorKind::kConnect:
    case ErrorKind::kRateLimited:
    case ErrorKind::kServer:
    case ErrorKind::kTruncated:
      return true;
    default:
      return false;
  }
}

std::unique_ptr<Provider> MakeProvider(ProviderConfig config, std::string api_key,
                                       std::shared_ptr<HttpTransport> transport) {
  return std::make_unique<HttpProvider>(std::move(config), std::move(api_key),
                                        std::move(transport));
}

json WithoutConstraintKeywords(const json& schema) {
  if (schema.is_array()) {
    json out = json::array();
    for (const auto& item : schema)
      out.push_back(WithoutConstraintKeywords(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  json out = json::object();
  for (const auto& [key, value] : schema.items()) {
    if (std::find(kConstraintKeywords.begin(), kConstraintKeywords.end(), key) !=
        kConstraintKeywords.end())
      continue;
    if (key == "properties" && value.is_object()) {
      json properties = json::object();
      for (const auto& [name, member] : value.items())
        properties[name] = WithoutConstraintKeywords(member);
      out[key] = std::move(properties);
    } else if (key == "items" || key == "additionalProperties") {
      out[key] = WithoutConstraintKeywords(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

json ToGeminiSchema(const json& schema) {
  if (!schema.is_object()) return schema;
  json out = json::object();
  for (const auto& [key, value] : schema.items()) {
    if (key == "type") {
      auto upper = [](std::string name) {
        for (auto& c : name)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return name;
      };
      if (value.is_string()) {
        out["type"] = upper(value.get<std::string>());
      } else if (value.is_array()) {
        for (const auto& name : value) {
          if (name == "null") {
            out["nullable"] = true;
          } else if (name.is_string()) {
            out["type"] = upper(name.get<std::string>());
          }
        }
      }
    } else if (key == "properties" && value.is_object()) {
      json properties = json::object();
      for (const auto& [name, member] : value.items())
        properties[name] = ToGeminiSchema(member);
      out["properties"] = std::move(properties);
    } else if (key == "items") {
      out["items"] = ToGeminiSchema(value);
    } else if (key == "additionalProperties" || key == "$schema" || key == "title" ||
               key == "default" || key == "examples") {
      continue;
    } else {
      out[key] = value;
    }
  }
  return WithoutConstraintKeywords(out);
}

std::optional<ProviderError> ClassifyHttpFailure(const HttpResponse& response,
                                                 std::chrono::system_clock::time_point now) {
  ProviderError error;
  error.http_status = response.status;
  switch (response.error) {
    case TransportError::kNone:
      break;
    case TransportError::kTimeout:
      error.kind = ErrorKind::kTimeout;
      error.message = response.error_message;
      return error;
    case TransportError::kConnect:
      error.kind = ErrorKind::kConnect;
      error.message = response.error_message;
      return error;
    case TransportError::kTruncated:
      error.kind = ErrorKind::kTruncated;
      error.message = response.error_message;
      return error;
    case TransportError::kTooLarge:
      error.kind = ErrorKind::kMalformed;
      error.message = response.error_message;
      return error;
    case TransportError::kOther:
      // A reset mid-body reads like a cut-off answer: worth another try.
      error.kind = ErrorKind::kTruncated;
      error.message = response.error_message;
      return error;
  }
  const long status = response.status;
  if (status >= 200 && status < 300) return std::nullopt;
  if (response.retry_after) error.retry_after = ParseRetryAfter(*response.retry_after, now);
  if (status == 429) {
    error.kind = ErrorKind::kRateLimited;
  } else if (status >= 500) {
    error.kind = ErrorKind::kServer;
  } else if (status == 401 || status == 403) {
    error.kind = ErrorKind::kAuth;
  } else {
    error.kind = ErrorKind::kRequest;
  }
  // The provider's own error message helps operators; bodies never echo keys.
  const auto body = ParseBody(response.body);
  std::string detail;
  if (!body.is_discarded() && body.is_object()) {
    const auto found = body.find("error");
    if (found != body.end()) {
      detail = found->is_object() ? TextOf(*found, "message") : TextOf(body, "error");
    }
  }
  error.message =
      "HTTP " + std::to_string(status) + (detail.empty() ? "" : ": " + detail.substr(0, 300));
  return error;
}

HttpRequest BuildOpenAiRequest(const ProviderConfig& config, const std::string& api_key,
                               const ChatRequest& request) {
  json body = {{"model", config.model},
               {"messages", OpenAiMessages(request)},
               {"temperature", config.temperature}};
  // OpenAI's newer models take only max_completion_tokens; compatible
  // servers (Ollama, vLLM) know max_tokens.
  body[config.kind == ProviderKind::kOpenAi ? "max_completion_tokens" : "max_tokens"] =
      config.max_tokens;
  if (!request.tools.empty()) {
    json tools = json::array();
    for (const auto& tool : request.tools) {
      tools.push_back({{"type", "function"},
                       {"function",
                        {{"name", tool.name},
                         {"description", tool.description},
                         {"parameters", tool.input_schema}}}});
    }
    body["tools"] = std::move(tools);
  }
  if (!request.response_schema.is_null()) {
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema",
                                {{"name", request.response_name},
                                 {"strict", true},
                                 {"schema", WithoutConstraintKeywords(request.response_schema)}}}};
  }
  HttpRequest http{.url = JoinUrl(config, "/chat/completions"), .body = body.dump()};
  http.headers.emplace_back("Content-Type", "application/json");
  if (!api_key.empty()) http.headers.emplace_back("Authorization", "Bearer " + api_key);
  return http;
}

ChatResult ParseOpenAiResponse(std::string_view body, const ProviderConfig& config) {
  const auto document = ParseBody(body);
  if (document.is_discarded() || !document.is_object())
    return Malformed("the body is not a JSON object");
  const auto choices = document.find("choices");
  if (choices == document.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object())
    return Malformed("no choices in the answer");
  const auto& choice = (*choices)[0];
  const auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) return Malformed("no message in choice 0");

  ChatReply reply;
  reply.text = TextOf(*message, "content");
  reply.finish_reason = TextOf(choice, "finish_reason");
  reply.model = TextOf(document, "model");
  if (reply.model.empty()) reply.model = config.model;
  if (const auto usage = document.find("usage"); usage != document.end()) {
    reply.usage.input_tokens = Count(*usage, "prompt_tokens");
    reply.usage.output_tokens = Count(*usage, "completion_tokens");
  }
  if (const auto calls = message->find("tool_calls");
      calls != message->end() && calls->is_array()) {
    for (std::size_t i = 0; i < calls->size(); ++i) {
      const auto& call = (*calls)[i];
      const auto function = call.find("function");
      if (function == call.end() || !function->is_object())
        return Malformed("a tool call has no function");
      std::string id = TextOf(call, "id");
      if (id.empty()) id = "call_" + std::to_string(i);
      const auto arguments = function->find("arguments");
      reply.tool_calls.push_back(MakeToolCall(std::move(id), TextOf(*function, "name"),
                                              arguments == function->end() ? json() : *arguments));
    }
  }
  return reply;
}

HttpRequest BuildGeminiRequest(const ProviderConfig& config, const std::string& api_key,
                               const ChatRequest& request) {
  json generation = {{"temperature", config.temperature}, {"maxOutputTokens", config.max_tokens}};
  json body = {{"contents", GeminiContents(request)}};
  if (!request.system.empty())
    body["systemInstruction"] = {{"parts", {{{"text", request.system}}}}};
  if (!request.tools.empty()) {
    json declarations = json::array();
    for (const auto& tool : request.tools) {
      declarations.push_back({{"name", tool.name},
                              {"description", tool.description},
                              {"parameters", ToGeminiSchema(tool.input_schema)}});
    }
    body["tools"] = {{{"functionDeclarations", std::move(declarations)}}};
  } else if (!request.response_schema.is_null()) {
    // Gemini refuses a JSON response type together with function calling,
    // so the schema is set only on turns without tools.
    generation["responseMimeType"] = "application/json";
    generation["responseSchema"] = ToGeminiSchema(request.response_schema);
  }
  body["generationConfig"] = std::move(generation);
  HttpRequest http{.url = JoinUrl(config, "/models/" + config.model + ":generateContent"),
                   .body = body.dump()};
  http.headers.emplace_back("Content-Type", "application/json");
  if (!api_key.empty()) http.headers.emplace_back("x-goog-api-key", api_key);
  return http;
}

ChatResult ParseGeminiResponse(std::string_view body, const ProviderConfig& config) {
  const auto document = ParseBody(body);
  if (document.is_discarded() || !document.is_object())
    return Malformed("the body is not a JSON object");
  const auto candidates = document.find("candidates");
  if (candidates == document.end() || !candidates->is_array() || candidates->empty() ||
      !(*candidates)[0].is_object())
    return Malformed("no candidates in the answer");
  const auto& candidate = (*candidates)[0];

  ChatReply reply;
  reply.finish_reason = TextOf(candidate, "finishReason");
  reply.model = TextOf(document, "modelVersion");
  if (reply.model.empty()) reply.model = config.model;
  if (const auto usage = document.find("usageMetadata"); usage != document.end()) {
    reply.usage.input_tokens = Count(*usage, "promptTokenCount");
    reply.usage.output_tokens = Count(*usage, "candidatesTokenCount");
  }
  const auto content = candidate.find("content");
  if (content == candidate.end() || !content->is_object()) return reply;  // e.g. SAFETY: no text
  const auto parts = content->find("parts");
  if (parts == content->end() || !parts->is_array()) return reply;
  for (const auto& part : *parts) {
    if (!part.is_object()) continue;
    reply.text += TextOf(part, "text");
    if (const auto call = part.find("functionCall"); call != part.end() && call->is_object()) {
      std::string id = TextOf(*call, "id");
      if (id.empty()) id = "call_" + std::to_string(reply.tool_calls.size());
      const auto args = call->find("args");
      reply.tool_calls.push_back(MakeToolCall(std::move(id), TextOf(*call, "name"),
                                              args == call->end() ? json::object() : *args));
    }
  }
  return reply;
}

HttpRequest BuildAnthropicRequest(const ProviderConfig& config, const std::string& api_key,
                                  const ChatRequest& request) {
  json body = {{"model", config.model},
               {"max_tokens", config.max_tokens},
               {"temperature", std::min(config.temperature, 1.0)},  // Anthropic's range is 0 to 1
               {"messages", AnthropicMessages(request)}};
  if (!request.system.empty()) body["system"] = request.system;
  json tools = json::array();
  for (const auto& tool : request.tools) {
    tools.push_back({{"name", tool.name},
                     {"description", tool.description},
                     {"input_schema", tool.input_schema}});
  }
  if (!request.response_schema.is_null()) {
    tools.push_back({{"name", kAnthropicAnswerTool},
                     {"description", "Submit the final answer. Call it exactly once, when done."},
                     {"input_schema", request.response_schema}});
    // Without other tools the answer tool is required; with them, any tool.
    body["tool_choice"] = request.tools.empty()
                              ? json{{"type", "tool"}, {"name", kAnthropicAnswerTool}}
                              : json{{"type", "any"}};
  }
  if (!tools.empty()) body["tools"] = std::move(tools);
  HttpRequest http{.url = JoinUrl(config, "/messages"), .body = body.dump()};
  http.headers.emplace_back("Content-Type", "application/json");
  http.headers.emplace_back("anthropic-version", "2023-06-01");
  if (!api_key.empty()) http.headers.emplace_back("x-api-key", api_key);
  return http;
}

ChatResult ParseAnthropicResponse(std::string_view body, const ProviderConfig& config) {
  const auto document = ParseBody(body);
  if (document.is_discarded() || !document.is_object())
    return Malformed("the body is not a JSON object");
  const auto content = document.find("content");
  if (content == document.end() || !content->is_array())
    return Malformed("no content in the answer");

  ChatReply reply;
  reply.finish_reason = TextOf(document, "stop_reason");
  reply.model = TextOf(document, "model");
  if (reply.model.empty()) reply.model = config.model;
  if (const auto usage = document.find("usage"); usage != document.end()) {
    reply.usage.input_tokens = Count(*usage, "input_tokens");
    reply.usage.output_tokens = Count(*usage, "output_tokens");
  }
  std::string prose;
  bool answered = false;
  for (const auto& block : *content) {
    if (!block.is_object()) continue;
    const auto type = TextOf(block, "type");
    if (type == "text") {
      prose += TextOf(block, "text");
    } else if (type == "tool_use") {
      const auto input = block.find("input");
      const auto name = TextOf(block, "name");
      if (name == kAnthropicAnswerTool) {
        reply.text = input == block.end() ? std::string() : input->dump();
        answered = true;
        continue;
      }
      reply.tool_calls.push_back(
          MakeToolCall(TextOf(block, "id"), name, input == block.end() ? json::object() : *input));
    }
  }
  if (!answered) reply.text = std::move(prose);
  return reply;
}

}  // namespace ticketd::ai
