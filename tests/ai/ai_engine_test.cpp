// AiEngine against local test servers that speak each provider's documented
// JSON (OpenAI Chat Completions, Gemini generateContent, Anthropic Messages).
// No real provider is reachable from the test machine; these doubles are.
#include "ai/ai_engine.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <limits>

#include "ai/ticket_draft.hpp"
#include "fake_clock.hpp"
#include "fake_provider_server.hpp"

namespace ticketd::ai {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing_support::FakeClock;
using testing_support::FakeProviderServer;
using testing_support::ScriptedResponse;

constexpr std::string_view kOpenAiKey = "sk-test-0penAiSecretValue1234567890";
constexpr std::string_view kGeminiKey = "AIzaTestGeminiSecretValue_1234567890abc";
constexpr std::string_view kAnthropicKey = "sk-ant-test-AnthropicSecretValue123456";

json ValidDraft(std::string title = "VPN drops every five minutes for the sales team") {
  return {{"title", std::move(title)},
          {"description", "Since this morning the VPN disconnects every five minutes."},
          {"category", "technical"},
          {"priority", "high"},
          {"urgency", "high"},
          {"subcategory", "vpn"},
          {"department", "IT"},
          {"tags", {"vpn", "network"}},
          {"summary", "VPN unstable"},
          {"steps_to_reproduce", json::array()},
          {"expected_behavior", "A stable connection"},
          {"actual_behavior", "Drops every five minutes"},
          {"environment", nullptr},
          {"error_messages", json::array()},
          {"language", "en"},
          {"confidence", 0.8},
          {"reasoning", "Many people are affected by a network outage."}};
}

// ---- documented answer shapes

std::string OpenAiAnswer(const std::string& content, int prompt_tokens = 120,
                         int completion_tokens = 80) {
  return json{{"id", "chatcmpl-1"},
              {"object", "chat.completion"},
              {"created", 1733300000},
              {"model", "gpt-4o-mini-2024-07-18"},
              {"choices",
               {{{"index", 0},
                 {"message", {{"role", "assistant"}, {"content", content}}},
                 {"finish_reason", "stop"}}}},
              {"usage",
               {{"prompt_tokens", prompt_tokens},
                {"completion_tokens", completion_tokens},
                {"total_tokens", prompt_tokens + completion_tokens}}}}
      .dump();
}

std::string OpenAiToolCall(const std::string& name, const std::string& arguments,
                           const std::string& id = "call_1") {
  return json{{"id", "chatcmpl-2"},
              {"object", "chat.completion"},
              {"model", "gpt-4o-mini-2024-07-18"},
              {"choices",
               {{{"index", 0},
                 {"message",
                  {{"role", "assistant"},
                   {"content", nullptr},
                   {"tool_calls",
                    {{{"id", id},
                      {"type", "function"},
                      {"function", {{"name", name}, {"arguments", arguments}}}}}}}},
                 {"finish_reason", "tool_calls"}}}},
              {"usage", {{"prompt_tokens", 50}, {"completion_tokens", 10}, {"total_tokens", 60}}}}
      .dump();
}

std::string GeminiAnswer(const json& part) {
  return json{{"candidates",
               {{{"content", {{"parts", {part}}, {"role", "model"}}},
                 {"finishReason", "STOP"},
                 {"index", 0}}}},
              {"usageMetadata",
               {{"promptTokenCount", 100}, {"candidatesTokenCount", 50}, {"totalTokenCount", 150}}},
              {"modelVersion", "gemini-1.5-flash-002"}}
      .dump();
}

std::string AnthropicAnswer(const json& content) {
  return json{{"id", "msg_1"},
              {"type", "message"},
              {"role", "assistant"},
              {"model", "claude-3-5-haiku-20241022"},
              {"content", content},
              {"stop_reason", "tool_use"},
              {"usage", {{"input_tokens", 90}, {"output_tokens", 40}}}}
      .dump();
}

// ---- configuration helpers

ProviderConfig Provider(std::string name, ProviderKind kind, const FakeProviderServer& server) {
  ProviderConfig provider;
  provider.name = std::move(name);
  provider.kind = kind;
  provider.base_url = server.BaseUrl() + (kind == ProviderKind::kAnthropic ? "/v1" : "/v1");
  switch (kind) {
    case ProviderKind::kOpenAi:
      provider.model = "gpt-4o-mini";
      provider.api_key_env = "TEST_OPENAI_KEY";
      provider.prices["gpt-4o-mini"] = {.input_per_1m_usd = 0.15, .output_per_1m_usd = 0.60};
      break;
    case ProviderKind::kGemini:
      provider.model = "gemini-1.5-flash";
      provider.api_key_env = "TEST_GEMINI_KEY";
      break;
    case ProviderKind::kAnthropic:
      provider.model = "claude-3-5-haiku-latest";
      provider.api_key_env = "TEST_ANTHROPIC_KEY";
      break;
    case ProviderKind::kOpenAiCompatible:
      provider.model = "llama3.1:8b";
      break;
  }
  provider.connect_timeout_ms = 500;
  provider.total_timeout_ms = 2000;
  provider.max_retries = 2;
  return provider;
}

AiConfig Chain(std::vector<ProviderConfig> providers) {
  AiConfig config;
  config.prompts.system = std::string(DefaultSystemPrompt());
  for (const auto& provider : providers)
    config.fallback_chain.push_back(provider.name);
  config.providers = std::move(providers);
  config.retry = {.initial_backoff_ms = 1, .max_backoff_ms = 5, .max_retry_after_ms = 50};
  config.circuit = {.failure_threshold = 100, .open_ms = 1000};
  config.agent = {.max_iterations = 4, .deadline_ms = 10000};
  return config;
}

std::optional<std::string> TestKeys(std::string_view name) {
  if (name == "TEST_OPENAI_KEY") return std::string(kOpenAiKey);
  if (name == "TEST_GEMINI_KEY") return std::string(kGeminiKey);
  if (name == "TEST_ANTHROPIC_KEY") return std::string(kAnthropicKey);
  return std::nullopt;
}

struct OfflineDouble {
  std::atomic<int> calls{0};
  std::string last_text;

  OfflineAnalyzer Analyzer() {
    return [this](const std::string& text) {
      ++calls;
      last_text = text;
      return json{{"title", "offline title"}, {"engine", "offline"}};
    };
  }
};

AiEngine MakeEngine(AiConfig config, OfflineDouble& offline, Clock* clock = nullptr,
                    const ToolRegistry* tools = nullptr) {
  AiEngine::Options options;
  options.keys = TestKeys;
  options.clock = clock;
  options.random = [] { return 0.5; };
  return AiEngine(std::move(config), offline.Analyzer(), tools, std::move(options));
}

json BodyOf(const testing_support::RecordedRequest& request) {
  return json::parse(request.body);
}

std::vector<std::string> Reasons(const DraftOutcome& outcome) {
  std::vector<std::string> out;
  for (const auto& fallback : outcome.fallbacks)
    out.push_back(fallback.provider + ":" + fallback.reason);
  return out;
}

// ---- normal answers, one per API

TEST(AiEngineOpenAi, ValidAnswerBecomesTheDraftWithUsageAndCost) {
  FakeProviderServer server;
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("openai", ProviderKind::kOpenAi, server)}), offline);

  const auto outcome = engine.Draft({.user_text = "The VPN drops every five minutes."});

  EXPECT_FALSE(outcome.offline);
  EXPECT_EQ(outcome.provider, "openai");
  EXPECT_EQ(outcome.model, "gpt-4o-mini-2024-07-18");
  EXPECT_EQ(outcome.draft, ValidDraft());
  EXPECT_EQ(outcome.usage, (Usage{120, 80}));
  EXPECT_NEAR(outcome.cost_usd, (120 * 0.15 + 80 * 0.60) / 1e6, 1e-12);
  EXPECT_EQ(outcome.attempts, 1);
  EXPECT_EQ(offline.calls, 0);

  const auto analysis = outcome.AnalysisJson();
  EXPECT_EQ(analysis["usage"]["input_tokens"], 120);
  EXPECT_EQ(analysis["provider"], "openai");

  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/chat/completions");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer " + std::string(kOpenAiKey));
  const auto body = BodyOf(requests[0]);
  EXPECT_EQ(body["model"], "gpt-4o-mini");
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["strict"], true);
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"]["properties"]["category"]["enum"],
            TicketDraftSchema()["properties"]["category"]["enum"]);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], std::string(DefaultSystemPrompt()));
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["messages"][1]["content"], "The VPN drops every five minutes.");
}

TEST(AiEngineOpenAi, ProviderWithoutBaseUrlIsCalledAtOpenAiBaseUrl) {
  FakeProviderServer server;
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  auto provider = Provider("openai", ProviderKind::kOpenAi, server);
  provider.base_url.clear();
  OfflineDouble offline;
  AiEngine::Options options;
  options.keys = TestKeys;
  options.random = [] { return 0.5; };
  options.openai_base_url = server.BaseUrl() + "/proxy/v1";
  AiEngine engine(Chain({provider}), offline.Analyzer(), nullptr, std::move(options));

  const auto outcome = engine.Draft({.user_text = "VPN drops."});

  EXPECT_EQ(outcome.provider, "openai") << outcome.AnalysisJson().dump();
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/proxy/v1/chat/completions");
}

TEST(AiEngineOpenAi, ExplicitBaseUrlWinsOverOpenAiBaseUrl) {
  FakeProviderServer configured;
  FakeProviderServer deployment_default;
  configured.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  OfflineDouble offline;
  AiEngine::Options options;
  options.keys = TestKeys;
  options.random = [] { return 0.5; };
  options.openai_base_url = deployment_default.BaseUrl() + "/v1";
  AiEngine engine(Chain({Provider("openai", ProviderKind::kOpenAi, configured)}),
                  offline.Analyzer(), nullptr, std::move(options));

  const auto outcome = engine.Draft({.user_text = "VPN drops."});

  EXPECT_EQ(outcome.provider, "openai");
  EXPECT_EQ(configured.RequestCount(), 1u);
  EXPECT_EQ(deployment_default.RequestCount(), 0u);
}

TEST(AiEngineGemini, ValidAnswerWithSchemaAndKeyHeader) {
  FakeProviderServer server;
  server.EnqueueJson(GeminiAnswer({{"text", ValidDraft().dump()}}));
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("gemini", ProviderKind::kGemini, server)}), offline);

  const auto outcome = engine.Draft({.user_text = "Export to CSV fails with error 500."});

  EXPECT_EQ(outcome.provider, "gemini");
  EXPECT_EQ(outcome.model, "gemini-1.5-flash-002");
  EXPECT_EQ(outcome.usage, (Usage{100, 50}));
  EXPECT_EQ(outcome.cost_usd, 0);  // no price configured
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/models/gemini-1.5-flash:generateContent");
  EXPECT_EQ(requests[0].headers.at("x-goog-api-key"), kGeminiKey);
  EXPECT_EQ(requests[0].target.find("key="), std::string::npos);
  const auto body = BodyOf(requests[0]);
  EXPECT_EQ(body["systemInstruction"]["parts"][0]["text"], std::string(DefaultSystemPrompt()));
  EXPECT_EQ(body["contents"][0]["role"], "user");
  EXPECT_EQ(body["contents"][0]["parts"][0]["text"], "Export to CSV fails with error 500.");
  EXPECT_EQ(body["generationConfig"]["responseMimeType"], "application/json");
  EXPECT_EQ(body["generationConfig"]["responseSchema"]["properties"]["title"]["type"], "STRING");
  EXPECT_EQ(body["generationConfig"]["responseSchema"]["properties"]["environment"]["nullable"],
            true);
}

TEST(AiEngineAnthropic, AnswerThroughTheSubmitToolWithVersionHeader) {
  FakeProviderServer server;
  server.EnqueueJson(AnthropicAnswer({{{"type", "tool_use"},
                                       {"id", "toolu_1"},
                                       {"name", "submit_answer"},
                                       {"input", ValidDraft()}}}));
  OfflineDouble offline;
  auto engine =
      MakeEngine(Chain({Provider("anthropic", ProviderKind::kAnthropic, server)}), offline);

  const auto outcome = engine.Draft({.user_text = "I was charged twice this month."});

  EXPECT_EQ(outcome.provider, "anthropic");
  EXPECT_EQ(outcome.draft, ValidDraft());
  EXPECT_EQ(outcome.usage, (Usage{90, 40}));
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/v1/messages");
  EXPECT_EQ(requests[0].headers.at("x-api-key"), kAnthropicKey);
  EXPECT_EQ(requests[0].headers.at("anthropic-version"), "2023-06-01");
  EXPECT_EQ(requests[0].headers.count("authorization"), 0u);
  const auto body = BodyOf(requests[0]);
  EXPECT_EQ(body["system"], std::string(DefaultSystemPrompt()));
  EXPECT_EQ(body["messages"][0]["role"], "user");
  EXPECT_EQ(body["messages"][0]["content"][0]["text"], "I was charged twice this month.");
  EXPECT_EQ(body["tool_choice"]["name"], "submit_answer");
  EXPECT_EQ(body["tools"][0]["input_schema"], TicketDraftSchema());
}

TEST(AiEngineOpenAiCompatible, NoKeyMeansNoAuthorizationHeader) {
  FakeProviderServer server;
  server.EnqueueJson(OpenAiAnswer("```json\n" + ValidDraft().dump() + "\n```"));
  OfflineDouble offline;
  auto engine =
      MakeEngine(Chain({Provider("ollama", ProviderKind::kOpenAiCompatible, server)}), offline);

  const auto outcome = engine.Draft({.user_text = "Printer offline."});

  EXPECT_EQ(outcome.provider, "ollama");
  EXPECT_EQ(outcome.draft, ValidDraft());  // lifted out of the fence
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.count("authorization"), 0u);
  EXPECT_TRUE(BodyOf(requests[0]).contains("max_tokens"));
}

// ---- validation and the corrective retry

// provider_response_fuzzer: token counts were taken as the server sent
// them, and adding up the two calls of a corrected draft overflowed (UBSan).
TEST(AiEngineValidation, TokenCountsBeyondAnyCallAreCappedBeforeTheyAddUp) {
  FakeProviderServer server;
  auto invalid = ValidDraft();
  invalid.erase("urgency");
  for (const auto& draft : {invalid, ValidDraft()}) {
    auto answer = json::parse(OpenAiAnswer(draft.dump()));
    answer["usage"]["prompt_tokens"] = std::numeric_limits<std::int64_t>::max();
    answer["usage"]["completion_tokens"] = std::numeric_limits<std::uint64_t>::max();
    server.EnqueueJson(answer.dump());
  }
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("openai", ProviderKind::kOpenAi, server)}), offline);

  const auto outcome = engine.Draft({.user_text = "Laptop will not boot."});

  EXPECT_EQ(outcome.draft, ValidDraft());
  // A billion tokens per call at most.
  EXPECT_EQ(outcome.usage, (Usage{2'000'000'000, 2'000'000'000}));
}

TEST(AiEngineValidation, SecondInvalidAnswerMovesToTheNextLink) {
  FakeProviderServer first;
  FakeProviderServer second;
  first.EnqueueJson(OpenAiAnswer("I think it is a network problem."));
  first.EnqueueJson(OpenAiAnswer(ValidDraft("").dump()));  // empty title
  second.EnqueueJson(GeminiAnswer({{"text", ValidDraft().dump()}}));
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("openai", ProviderKind::kOpenAi, first),
                                  Provider("gemini", ProviderKind::kGemini, second)}),
                           offline);

  const auto outcome = engine.Draft({.user_text = "Wi-Fi is slow."});

  EXPECT_EQ(outcome.provider, "gemini");
  EXPECT_EQ(first.RequestCount(), 2u);  // one answer, one corrective retry, no more
  EXPECT_EQ(Reasons(outcome), (std::vector<std::string>{"openai:invalid_answer"}));
  const std::string corrective = BodyOf(first.Requests()[1])["messages"][3]["content"];
  EXPECT_NE(corrective.find("not a JSON object"), std::string::npos);
}

// ---- retries

TEST(AiEngineRetries, ServerErrorsAreRetriedThenTheNextLinkAnswers) {
  FakeProviderServer first;
  FakeProviderServer second;
  for (int i = 0; i < 3; ++i)
    first.EnqueueJson(R"({"error":{"message":"internal"}})", 500);
  second.EnqueueJson(AnthropicAnswer(
      {{{"type", "tool_use"}, {"id", "t"}, {"name", "submit_answer"}, {"input", ValidDraft()}}}));
  FakeClock clock;
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("openai", ProviderKind::kOpenAi, first),
                                  Provider("anthropic", ProviderKind::kAnthropic, second)}),
                           offline, &clock);

  const auto outcome = engine.Draft({.user_text = "Orders page is blank."});

  EXPECT_EQ(first.RequestCount(), 3u);  // 1 + max_retries
  EXPECT_EQ(second.RequestCount(), 1u);
  EXPECT_EQ(outcome.provider, "anthropic");
  EXPECT_EQ(Reasons(outcome), (std::vector<std::string>{"openai:server_error"}));
  // Full jitter at 0.5 over 1 ms then 2 ms.
  EXPECT_EQ(clock.Sleeps(), (std::vector<milliseconds>{milliseconds(0), milliseconds(1)}));
  EXPECT_NE(outcome.fallbacks[0].detail.find("internal"), std::string::npos);
}

TEST(AiEngineRetries, ClientErrorIsNotRetried) {
  FakeProviderServer server;
  server.EnqueueJson(R"({"error":{"message":"Invalid schema"}})", 400);
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("openai", ProviderKind::kOpenAi, server)}), offline);

  const auto outcome = engine.Draft({.user_text = "x"});

  EXPECT_EQ(server.RequestCount(), 1u);
  EXPECT_EQ(Reasons(outcome), (std::vector<std::string>{"openai:request"}));
  EXPECT_TRUE(outcome.offline);
}

TEST(AiEngineRetries, AgentDeadlineStopsWaitingAndTheOfflineAnalyzerAnswers) {
  FakeProviderServer server;
  for (int i = 0; i < 3; ++i)
    server.Enqueue(
        {.status = 200, .body = OpenAiAnswer(ValidDraft().dump()), .delay = milliseconds(700)});
  OfflineDouble offline;
  auto config = Chain({Provider("openai", ProviderKind::kOpenAi, server)});
  config.agent.deadline_ms = 200;
  auto engine = MakeEngine(config, offline);

  const auto outcome = engine.Draft({.user_text = "Everything is slow."});

  EXPECT_TRUE(outcome.offline);
  EXPECT_EQ(offline.calls, 1);
  ASSERT_FALSE(outcome.fallbacks.empty());
  EXPECT_EQ(outcome.fallbacks[0].provider, "openai");
  // The first exchange is cut at the deadline; no retry fits after it.
  EXPECT_EQ(outcome.calls.at(0).outcome, "timeout");
  EXPECT_LE(outcome.calls.size(), 2u);
}

// ---- failures every wire format meets, one table across the three APIs

// What differs between the APIs in the failure cases: how an answer, an
// error and a broken body look on the wire, and how the conversation is
// sent back on the corrective turn.
struct WireFormat {
  std::string name;      // test name suffix
  std::string provider;  // the configured provider's name
  ProviderKind kind;
  std::string path;                                // request target below the base URL
  std::function<std::string(const json&)> answer;  // a 200 body whose answer is `draft`
  Usage usage;                                     // what answer() reports per call
  std::string rate_limited;                        // the API's documented 429 body
  std::string malformed;                           // a 200 body that is not the API's JSON
  // The request's conversation as (role, text) turns, system prompt left
  // out, roles as user or assistant.
  std::function<std::vector<std::pair<std::string, std::string>>(const json&)> turns;
};

std::vector<std::pair<std::string, std::string>> OpenAiTurns(const json& body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& message : body["messages"]) {
    if (message["role"] == "system") continue;
    const auto& content = message["content"];  // null beside tool calls
    out.emplace_back(message["role"].get<std::string>(),
                     content.is_string() ? content.get<std::string>() : std::string());
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> GeminiTurns(const json& body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& content : body["contents"]) {
    std::string text;
    for (const auto& part : content["parts"])
      text += part.value("text", "");
    out.emplace_back(content["role"] == "model" ? "assistant" : "user", text);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> AnthropicTurns(const json& body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& message : body["messages"]) {
    std::string text;
    for (const auto& block : message["content"]) {
      if (block["type"] == "text") text += block["text"].get<std::string>();
    }
    out.emplace_back(message["role"].get<std::string>(), text);
  }
  return out;
}

const std::vector<WireFormat>& WireFormats() {
  static const std::vector<WireFormat> formats = {
      {.name = "OpenAi",
       .provider = "openai",
       .kind = ProviderKind::kOpenAi,
       .path = "/v1/chat/completions",
       .answer = [](const json& draft) { return OpenAiAnswer(draft.dump()); },
       .usage = {120, 80},
       .rate_limited =
           R"({"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests",)"
           R"("param":null,"code":"rate_limit_exceeded"}})",
       .malformed = R"({"id":"chatcmpl-1","object":"chat.completion","choices": [)",
       .turns = OpenAiTurns},
      {.name = "Gemini",
       .provider = "gemini",
       .kind = ProviderKind::kGemini,
       .path = "/v1/models/gemini-1.5-flash:generateContent",
       .answer =
           [](const json& draft) {
             return GeminiAnswer({{"text", draft.dump()}});
           },
       .usage = {100, 50},
       .rate_limited = R"({"error":{"code":429,"message":"Resource has been exhausted )"
                       R"((e.g. check quota).","status":"RESOURCE_EXHAUSTED"}})",
       .malformed = R"({"candidates": [{"content": {"parts": [{"text": "{\"title\")",
       .turns = GeminiTurns},
      {.name = "Anthropic",
       .provider = "anthropic",
       .kind = ProviderKind::kAnthropic,
       .path = "/v1/messages",
       .answer =
           [](const json& draft) {
             return AnthropicAnswer({{{"type", "tool_use"},
                                      {"id", "toolu_1"},
                                      {"name", "submit_answer"},
                                      {"input", draft}}});
           },
       .usage = {90, 40},
       .rate_limited = R"({"type":"error","error":{"type":"rate_limit_error","message":)"
                       R"("Number of request tokens has exceeded your per-minute rate limit"}})",
       .malformed = R"({"id":"msg_1","type":"message","role":"assistant","content": [)",
       .turns = AnthropicTurns},
  };
  return formats;
}

class AiEngineFailures : public ::testing::TestWithParam<WireFormat> {
 protected:
  ProviderConfig ProviderFor(const FakeProviderServer& server) const {
    return Provider(GetParam().provider, GetParam().kind, server);
  }
};

TEST_P(AiEngineFailures, MalformedBodyIsNotRetriedAndFallsBack) {
  FakeProviderServer server;
  server.Enqueue({.status = 200,
                  .body = GetParam().malformed,
                  .headers = {{"Content-Type", "application/json"}}});
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({ProviderFor(server)}), offline);

  const auto outcome = engine.Draft({.user_text = "Cannot log in."});

  EXPECT_TRUE(outcome.offline);
  EXPECT_EQ(offline.calls, 1);
  EXPECT_EQ(server.RequestCount(), 1u);
  EXPECT_EQ(server.Requests()[0].target, GetParam().path);
  EXPECT_EQ(Reasons(outcome), (std::vector<std::string>{GetParam().provider + ":malformed"}));
}

TEST_P(AiEngineFailures, SchemaViolationGetsOneCorrectiveRetryCarryingTheErrors) {
  FakeProviderServer server;
  auto invalid = ValidDraft();
  invalid["category"] = "hardware";
  invalid.erase("urgency");
  server.EnqueueJson(GetParam().answer(invalid));
  server.EnqueueJson(GetParam().answer(ValidDraft()));
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({ProviderFor(server)}), offline);

  const auto outcome = engine.Draft({.user_text = "Laptop will not boot."});

  EXPECT_EQ(outcome.provider, GetParam().provider);
  EXPECT_EQ(outcome.draft, ValidDraft());
  const auto& usage = GetParam().usage;
  EXPECT_EQ(outcome.usage, (Usage{2 * usage.input_tokens, 2 * usage.output_tokens}))
      << "both calls are paid for";
  ASSERT_EQ(outcome.calls.size(), 2u);
  EXPECT_EQ(outcome.calls[0].outcome, "invalid_answer");
  EXPECT_EQ(outcome.calls[1].outcome, "ok");

  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto turns = GetParam().turns(BodyOf(requests[1]));
  ASSERT_EQ(turns.size(), 3u) << requests[1].body;
  EXPECT_EQ(turns[0], (std::pair<std::string, std::string>{"user", "Laptop will not boot."}));
  EXPECT_EQ(turns[1], (std::pair<std::string, std::string>{"assistant", invalid.dump()}));
  EXPECT_EQ(turns[2].first, "user");
  const auto& corrective = turns[2].second;
  EXPECT_NE(corrective.find("\"path\":\"urgency\""), std::string::npos) << corrective;
  EXPECT_NE(corrective.find("\"path\":\"category\""), std::string::npos) << corrective;
  EXPECT_NE(corrective.find("must be one of"), std::string::npos) << corrective;
}

TEST_P(AiEngineFailures, RateLimitHonoursRetryAfterUpToTheCap) {
  FakeProviderServer server;
  server.Enqueue({.status = 429,
                  .body = GetParam().rate_limited,
                  .headers = {{"Retry-After", "20"}, {"Content-Type", "application/json"}}});
  server.Enqueue({.status = 429,
                  .body = GetParam().rate_limited,
                  .headers = {{"Retry-After", "0.03"}, {"Content-Type", "application/json"}}});
  server.EnqueueJson(GetParam().answer(ValidDraft()));
  FakeClock clock;
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({ProviderFor(server)}), offline, &clock);

  const auto outcome = engine.Draft({.user_text = "Checkout page times out."});

  EXPECT_EQ(outcome.provider, GetParam().provider);
  EXPECT_EQ(server.RequestCount(), 3u);
  EXPECT_EQ(outcome.attempts, 3);
  // 20 s asked for, capped at max_retry_after_ms (50); then 30 ms as asked,
  // never the jittered backoff (which would be 0 and 1 ms here).
  EXPECT_EQ(clock.Sleeps(), (std::vector<milliseconds>{milliseconds(50), milliseconds(30)}));
  ASSERT_EQ(outcome.calls.size(), 3u);
  EXPECT_EQ(outcome.calls[0].outcome, "rate_limited");
  EXPECT_EQ(outcome.calls[0].http_status, 429);
  EXPECT_EQ(outcome.calls[2].outcome, "ok");
  // The provider's own message reaches the status page.
  const auto status = engine.Status();
  ASSERT_EQ(status.size(), 1u);
  ASSERT_FALSE(status[0].recent_errors.empty());
  const auto documented =
      json::parse(GetParam().rate_limited)["error"]["message"].get<std::string>();
  EXPECT_NE(status[0].recent_errors[0].message.find(documented), std::string::npos)
      << status[0].recent_errors[0].message;
}

TEST_P(AiEngineFailures, AnswerSlowerThanTheTimeoutIsRetriedAsTimeout) {
  FakeProviderServer server;
  server.Enqueue({.status = 200,
                  .body = GetParam().answer(ValidDraft()),
                  .headers = {{"Content-Type", "application/json"}},
                  .delay = milliseconds(700)});
  server.EnqueueJson(GetParam().answer(ValidDraft()));
  OfflineDouble offline;
  auto provider = ProviderFor(server);
  provider.total_timeout_ms = 150;
  provider.connect_timeout_ms = 100;
  auto engine = MakeEngine(Chain({provider}), offline);

  const auto outcome = engine.Draft({.user_text = "Slow dashboard."});

  EXPECT_EQ(outcome.provider, GetParam().provider);
  EXPECT_EQ(outcome.draft, ValidDraft());
  ASSERT_EQ(outcome.calls.size(), 2u);
  EXPECT_EQ(outcome.calls[0].outcome, "timeout");
  EXPECT_LT(outcome.calls[0].duration_ms, 700) << "the exchange was cut at its deadline";
  EXPECT_EQ(outcome.calls[1].outcome, "ok");
}

TEST_P(AiEngineFailures, BodyCutOffMidStreamIsRetried) {
  FakeProviderServer server;
  server.Enqueue({.status = 200, .body = GetParam().answer(ValidDraft()), .cut_off = true});
  server.EnqueueJson(GetParam().answer(ValidDraft()));
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({ProviderFor(server)}), offline);

  const auto outcome = engine.Draft({.user_text = "Upload stalls."});

  EXPECT_EQ(outcome.provider, GetParam().provider);
  EXPECT_EQ(outcome.draft, ValidDraft());
  ASSERT_EQ(outcome.calls.size(), 2u);
  EXPECT_EQ(outcome.calls[0].outcome, "truncated");
  EXPECT_EQ(outcome.calls[1].outcome, "ok");
}

INSTANTIATE_TEST_SUITE_P(WireFormats, AiEngineFailures, ::testing::ValuesIn(WireFormats()),
                         [](const ::testing::TestParamInfo<WireFormat>& info) {
                           return info.param.name;
                         });

// ---- fallback and the offline analyzer

TEST(AiEngineFallback, EveryProviderFailingStillProducesTheOfflineDraft) {
  FakeProviderServer a;
  FakeProviderServer b;
  FakeProviderServer c;
  for (int i = 0; i < 3; ++i) {
    a.EnqueueJson("{}", 503);
    b.EnqueueJson("{}", 500);
  }
  c.Enqueue({.status = 200, .body = "<html>gateway</html>"});
  FakeClock clock;
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("gemini", ProviderKind::kGemini, a),
                                  Provider("anthropic", ProviderKind::kAnthropic, b),
                                  Provider("openai", ProviderKind::kOpenAi, c)}),
                           offline, &clock);

  const auto outcome = engine.Draft({.user_text = "mail me at ann@example.com"});

  EXPECT_TRUE(outcome.offline);
  EXPECT_EQ(outcome.provider, "offline");
  EXPECT_EQ(outcome.model, "offline");
  EXPECT_EQ(outcome.draft["engine"], "offline");
  EXPECT_EQ(offline.calls, 1);
  EXPECT_EQ(offline.last_text, "mail me at ann@example.com");  // local: not redacted
  EXPECT_EQ(Reasons(outcome),
            (std::vector<std::string>{"gemini:server_error", "anthropic:server_error",
                                      "openai:malformed"}));
  EXPECT_EQ(outcome.attempts, 7);
  const auto fallbacks = outcome.AnalysisJson()["fallbacks"];
  ASSERT_EQ(fallbacks.size(), 3u);
  for (const auto& fallback : fallbacks)
    EXPECT_FALSE(fallback.contains("detail")) << "a provider's error text reaches no ticket";
}

TEST(AiEngineFallback, NoConfiguredProviderIsOfflineWithoutAnyCall) {
  OfflineDouble offline;
  auto engine = MakeEngine(AiConfig{}, offline);
  const auto outcome = engine.Draft({.user_text = "hello"});
  EXPECT_TRUE(outcome.offline);
  EXPECT_EQ(outcome.attempts, 0);
  EXPECT_TRUE(outcome.fallbacks.empty());
  EXPECT_EQ(engine.StatusJson()["fallback_chain"], json::array({"offline"}));
}

TEST(AiEngineFallback, MissingKeySkipsTheProviderWithoutCallingIt) {
  FakeProviderServer server;
  OfflineDouble offline;
  auto provider = Provider("openai", ProviderKind::kOpenAi, server);
  provider.api_key_env = "TEST_UNSET_KEY";
  auto engine = MakeEngine(Chain({provider}), offline);

  const auto outcome = engine.Draft({.user_text = "x"});

  EXPECT_EQ(server.RequestCount(), 0u);
  EXPECT_EQ(Reasons(outcome), (std::vector<std::string>{"openai:no_key"}));
  EXPECT_FALSE(engine.Status()[0].key_present);
}

// ---- circuit breaker

TEST(AiEngineCircuit, OpensAfterRepeatedFailuresThenClosesAfterASuccessfulTrial) {
  FakeProviderServer server;
  FakeClock clock;
  OfflineDouble offline;
  auto provider = Provider("openai", ProviderKind::kOpenAi, server);
  provider.max_retries = 0;
  auto config = Chain({provider});
  config.circuit = {.failure_threshold = 2, .open_ms = 30000};
  auto engine = MakeEngine(config, offline, &clock);

  server.EnqueueJson("{}", 500);
  server.EnqueueJson("{}", 502);
  engine.Draft({.user_text = "one"});
  engine.Draft({.user_text = "two"});
  EXPECT_EQ(engine.Status()[0].circuit, "open");

  const auto refused = engine.Draft({.user_text = "three"});
  EXPECT_EQ(server.RequestCount(), 2u);  // the open circuit made no call
  EXPECT_EQ(Reasons(refused), (std::vector<std::string>{"openai:circuit_open"}));
  EXPECT_TRUE(refused.offline);

  clock.Advance(milliseconds(30000));
  EXPECT_EQ(engine.Status()[0].circuit, "half_open");
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  const auto trial = engine.Draft({.user_text = "four"});
  EXPECT_EQ(trial.provider, "openai");
  EXPECT_EQ(engine.Status()[0].circuit, "closed");
  EXPECT_EQ(server.RequestCount(), 3u);
}

TEST(AiEngineCircuit, FailedTrialReopens) {
  FakeProviderServer server;
  FakeClock clock;
  OfflineDouble offline;
  auto provider = Provider("openai", ProviderKind::kOpenAi, server);
  provider.max_retries = 3;
  auto config = Chain({provider});
  config.circuit = {.failure_threshold = 1, .open_ms = 1000};
  auto engine = MakeEngine(config, offline, &clock);

  server.EnqueueJson("{}", 500);
  engine.Draft({.user_text = "one"});
  EXPECT_EQ(server.RequestCount(), 1u);  // retries stop at the open circuit
  clock.Advance(milliseconds(1000));
  server.EnqueueJson("{}", 500);
  engine.Draft({.user_text = "two"});
  EXPECT_EQ(server.RequestCount(), 2u);  // one trial only
  EXPECT_EQ(engine.Status()[0].circuit, "open");
}

// ---- agent tools

ToolRegistry LookupRegistry(std::atomic<int>& handler_calls, json& last_arguments) {
  ToolRegistry registry;
  const auto error = registry.Add(
      {.name = "search_knowledge_base",
       .description = "Finds knowledge-base articles for a query.",
       .input_schema = {{"type", "object"},
                        {"properties",
                         {{"query", {{"type", "string"}, {"minLength", 1}}},
                          {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 10}}}}},
                        {"required", {"query"}},
                        {"additionalProperties", false}},
       .output_schema = {{"type", "object"},
                         {"properties", {{"articles", {{"type", "array"}}}}},
                         {"required", {"articles"}}},
       .handler = [&handler_calls, &last_arguments](const json& arguments) {
         ++handler_calls;
         last_arguments = arguments;
         return json{{"articles", {{{"title", "Reset the VPN client"}}}}};
       }});
  EXPECT_FALSE(error.has_value()) << *error;
  return registry;
}

TEST(AiEngineTools, OpenAiToolCallRunsTheHandlerAndSendsItsResultBack) {
  FakeProviderServer server;
  server.EnqueueJson(
      OpenAiToolCall("search_knowledge_base", R"({"query":"vpn drops"})", "call_42"));
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  std::atomic<int> handler_calls{0};
  json last_arguments;
  const auto registry = LookupRegistry(handler_calls, last_arguments);
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("openai", ProviderKind::kOpenAi, server)}), offline,
                           nullptr, &registry);

  const auto outcome = engine.Draft({.user_text = "VPN drops"});

  EXPECT_EQ(outcome.provider, "openai");
  EXPECT_EQ(handler_calls, 1);
  EXPECT_EQ(last_arguments, (json{{"query", "vpn drops"}}));
  ASSERT_EQ(outcome.tools.size(), 1u);
  EXPECT_TRUE(outcome.tools[0].ok);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto first = BodyOf(requests[0]);
  EXPECT_EQ(first["tools"][0]["type"], "function");
  EXPECT_EQ(first["tools"][0]["function"]["name"], "search_knowledge_base");
  EXPECT_EQ(first["tools"][0]["function"]["parameters"], registry.All()[0].input_schema);
  const auto messages = BodyOf(requests[1])["messages"];
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[2]["tool_calls"][0]["id"], "call_42");
  EXPECT_EQ(messages[3]["role"], "tool");
  EXPECT_EQ(messages[3]["tool_call_id"], "call_42");
  EXPECT_EQ(json::parse(messages[3]["content"].get<std::string>())["articles"][0]["title"],
            "Reset the VPN client");
}

TEST(AiEngineTools, InvalidArgumentsGoBackAsAnErrorAndTheHandlerNeverRuns) {
  FakeProviderServer server;
  server.EnqueueJson(OpenAiToolCall("search_knowledge_base", R"({"query":"","limit":99})"));
  server.EnqueueJson(OpenAiToolCall("search_knowledge_base", "not json at all", "call_2"));
  server.EnqueueJson(OpenAiToolCall("drop_database", "{}", "call_3"));
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  std::atomic<int> handler_calls{0};
  json last_arguments;
  const auto registry = LookupRegistry(handler_calls, last_arguments);
  OfflineDouble offline;
  auto config = Chain({Provider("openai", ProviderKind::kOpenAi, server)});
  config.agent.max_iterations = 5;
  auto engine = MakeEngine(config, offline, nullptr, &registry);

  const auto outcome = engine.Draft({.user_text = "VPN drops"});

  EXPECT_EQ(outcome.provider, "openai");
  EXPECT_EQ(handler_calls, 0);
  ASSERT_EQ(outcome.tools.size(), 3u);
  for (const auto& tool : outcome.tools)
    EXPECT_FALSE(tool.ok);
  const auto messages = BodyOf(server.Requests().back())["messages"];
  const auto first_result = json::parse(messages[3]["content"].get<std::string>());
  // Members are checked in name order.
  EXPECT_EQ(first_result["errors"][0]["path"], "limit");
  EXPECT_EQ(first_result["errors"][1]["path"], "query");
  EXPECT_NE(messages[5]["content"].get<std::string>().find("not a JSON object"), std::string::npos);
  EXPECT_NE(messages[7]["content"].get<std::string>().find("no tool is named"), std::string::npos);
}

TEST(AiEngineTools, GeminiFunctionCallRoundTrip) {
  FakeProviderServer server;
  server.EnqueueJson(GeminiAnswer(
      {{"functionCall", {{"name", "search_knowledge_base"}, {"args", {{"query", "vpn"}}}}}}));
  server.EnqueueJson(GeminiAnswer({{"text", ValidDraft().dump()}}));
  std::atomic<int> handler_calls{0};
  json last_arguments;
  const auto registry = LookupRegistry(handler_calls, last_arguments);
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("gemini", ProviderKind::kGemini, server)}), offline,
                           nullptr, &registry);

  const auto outcome = engine.Draft({.user_text = "VPN drops"});

  EXPECT_EQ(outcome.provider, "gemini");
  EXPECT_EQ(handler_calls, 1);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto first = BodyOf(requests[0]);
  const auto declaration = first["tools"][0]["functionDeclarations"][0];
  EXPECT_EQ(declaration["name"], "search_knowledge_base");
  EXPECT_EQ(declaration["parameters"]["type"], "OBJECT");
  EXPECT_FALSE(declaration["parameters"].contains("additionalProperties"));
  EXPECT_FALSE(first["generationConfig"].contains("responseSchema"));  // not with tools
  const auto contents = BodyOf(requests[1])["contents"];
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[1]["role"], "model");
  EXPECT_EQ(contents[1]["parts"][0]["functionCall"]["name"], "search_knowledge_base");
  EXPECT_EQ(contents[2]["parts"][0]["functionResponse"]["name"], "search_knowledge_base");
  EXPECT_EQ(contents[2]["parts"][0]["functionResponse"]["response"]["articles"][0]["title"],
            "Reset the VPN client");
}

TEST(AiEngineTools, AnthropicToolUseRoundTrip) {
  FakeProviderServer server;
  server.EnqueueJson(AnthropicAnswer({{{"type", "text"}, {"text", "Let me look that up."}},
                                      {{"type", "tool_use"},
                                       {"id", "toolu_7"},
                                       {"name", "search_knowledge_base"},
                                       {"input", {{"query", "vpn"}}}}}));
  server.EnqueueJson(AnthropicAnswer({{{"type", "tool_use"},
                                       {"id", "toolu_8"},
                                       {"name", "submit_answer"},
                                       {"input", ValidDraft()}}}));
  std::atomic<int> handler_calls{0};
  json last_arguments;
  const auto registry = LookupRegistry(handler_calls, last_arguments);
  OfflineDouble offline;
  auto engine = MakeEngine(Chain({Provider("anthropic", ProviderKind::kAnthropic, server)}),
                           offline, nullptr, &registry);

  const auto outcome = engine.Draft({.user_text = "VPN drops"});

  EXPECT_EQ(outcome.provider, "anthropic");
  EXPECT_EQ(handler_calls, 1);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto first = BodyOf(requests[0]);
  EXPECT_EQ(first["tools"].size(), 2u);  // the tool and submit_answer
  EXPECT_EQ(first["tool_choice"]["type"], "any");
  const auto messages = BodyOf(requests[1])["messages"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1]["role"], "assistant");
  EXPECT_EQ(messages[1]["content"][1]["type"], "tool_use");
  EXPECT_EQ(messages[1]["content"][1]["id"], "toolu_7");
  EXPECT_EQ(messages[2]["role"], "user");
  EXPECT_EQ(messages[2]["content"][0]["type"], "tool_result");
  EXPECT_EQ(messages[2]["content"][0]["tool_use_id"], "toolu_7");
}

TEST(AiEngineTools, LastIterationOffersNoToolsSoTheModelMustAnswer) {
  FakeProviderServer server;
  server.EnqueueJson(OpenAiToolCall("search_knowledge_base", R"({"query":"a"})"));
  server.EnqueueJson(OpenAiToolCall("search_knowledge_base", R"({"query":"b"})", "call_2"));
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  std::atomic<int> handler_calls{0};
  json last_arguments;
  const auto registry = LookupRegistry(handler_calls, last_arguments);
  OfflineDouble offline;
  auto config = Chain({Provider("openai", ProviderKind::kOpenAi, server)});
  config.agent.max_iterations = 2;
  auto engine = MakeEngine(config, offline, nullptr, &registry);

  const auto outcome = engine.Draft({.user_text = "VPN drops"});

  // Turn 1 ran a tool; turn 2 had no tools, so its tool call counts as an
  // invalid answer; the corrective turn answers.
  EXPECT_EQ(handler_calls, 1);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(BodyOf(requests[0]).contains("tools"));
  EXPECT_FALSE(BodyOf(requests[1]).contains("tools"));
  EXPECT_FALSE(BodyOf(requests[2]).contains("tools"));
  EXPECT_EQ(outcome.provider, "openai");
}

// ---- privacy

TEST(AiEnginePrivacy, NoSecretOrUnredactedPersonalDataReachesTheProviderBody) {
  FakeProviderServer openai;
  FakeProviderServer gemini;
  FakeProviderServer anthropic;
  openai.EnqueueJson("{}", 500);
  gemini.EnqueueJson("{}", 500);
  anthropic.EnqueueJson(AnthropicAnswer(
      {{{"type", "tool_use"}, {"id", "t"}, {"name", "submit_answer"}, {"input", ValidDraft()}}}));
  OfflineDouble offline;
  auto a = Provider("openai", ProviderKind::kOpenAi, openai);
  auto g = Provider("gemini", ProviderKind::kGemini, gemini);
  auto c = Provider("anthropic", ProviderKind::kAnthropic, anthropic);
  a.max_retries = g.max_retries = 0;
  auto engine = MakeEngine(Chain({a, g, c}), offline);

  const std::string text =
      "I am jane.roe@example.com, card 4111 1111 1111 1111, password=Hunter22, call +1 415 555 "
      "2671. Authorization: Bearer abcdefghijklmnop";
  const auto outcome =
      engine.Draft({.user_text = text,
                    .context = {{"page_url", "https://shop.example/?u=jane.roe@example.com"}}});

  EXPECT_EQ(outcome.provider, "anthropic");
  EXPECT_EQ(outcome.redactions.emails, 2);
  EXPECT_EQ(outcome.redactions.cards, 1);
  const std::vector<std::string> forbidden = {"jane.roe@example.com",
                                              "4111 1111 1111 1111",
                                              "Hunter22",
                                              "415 555",
                                              "abcdefghijklmnop",
                                              std::string(kOpenAiKey),
                                              std::string(kGeminiKey),
                                              std::string(kAnthropicKey)};
  for (const auto* server : {&openai, &gemini, &anthropic}) {
    const auto requests = server->Requests();
    ASSERT_EQ(requests.size(), 1u);
    for (const auto& secret : forbidden) {
      EXPECT_EQ(requests[0].body.find(secret), std::string::npos) << secret;
      EXPECT_EQ(requests[0].target.find(secret), std::string::npos) << secret;
    }
    EXPECT_NE(requests[0].body.find("[email]"), std::string::npos);
    EXPECT_NE(requests[0].body.find("[card]"), std::string::npos);
  }
  // Keys only in their authentication headers.
  EXPECT_EQ(openai.Requests()[0].headers.at("authorization"), "Bearer " + std::string(kOpenAiKey));
  EXPECT_EQ(gemini.Requests()[0].headers.at("x-goog-api-key"), kGeminiKey);
  EXPECT_EQ(anthropic.Requests()[0].headers.at("x-api-key"), kAnthropicKey);
  // The system prompt carries no user text.
  const auto body = json::parse(openai.Requests()[0].body);
  EXPECT_EQ(body["messages"][0]["content"], std::string(DefaultSystemPrompt()));
}

TEST(AiEnginePrivacy, RedactionSwitchedOffSendsTheTextAsWritten) {
  FakeProviderServer server;
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  OfflineDouble offline;
  auto config = Chain({Provider("openai", ProviderKind::kOpenAi, server)});
  config.redaction.emails = false;
  auto engine = MakeEngine(config, offline);
  engine.Draft({.user_text = "reply to bob@example.com"});
  EXPECT_NE(server.Requests()[0].body.find("bob@example.com"), std::string::npos);
}

// ---- status and live reconfiguration

TEST(AiEngineStatus, SnapshotCountsCallsAndKeepsRecentErrors) {
  FakeProviderServer server;
  FakeClock clock;
  server.EnqueueJson(R"({"error":{"message":"overloaded"}})", 503);
  server.EnqueueJson(OpenAiAnswer(ValidDraft().dump()));
  OfflineDouble offline;
  auto engine =
      MakeEngine(Chain({Provider("openai", ProviderKind::kOpenAi, server)}), offline, &clock);
  engine.Draft({.user_text = "x"});

  const auto status = engine.Status();
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].name, "openai");
  EXPECT_EQ(status[0].kind, "openai");
  EXPECT_EQ(status[0].model, "gpt-4o-mini");
  EXPECT_EQ(status[0].circuit, "closed");
  EXPECT_TRUE(status[0].key_present);
  EXPECT_EQ(status[0].calls, 2);
  EXPECT_EQ(status[0].successes, 1);
  EXPECT_EQ(status[0].failures, 1);
  ASSERT_EQ(status[0].recent_errors.size(), 1u);
  EXPECT_EQ(status[0].recent_errors[0].kind, "server_error");
  EXPECT_EQ(status[0].recent_errors[0].http_status, 503);
  const auto json_status = engine.StatusJson();
  EXPECT_EQ(json_status["fallback_chain"], json::array({"openai", "offline"}));
  EXPECT_EQ(json_status["providers"][0]["usage"]["input_tokens"], 120);
  EXPECT_EQ(json_status.dump().find(kOpenAiKey), std::string::npos);
}

TEST(AiEngineStatus, ReconfigureKeepsCircuitStateOfAnUnchangedProvider) {
  FakeProviderServer server;
  FakeClock clock;
  OfflineDouble offline;
  auto provider = Provider("openai", ProviderKind::kOpenAi, server);
  provider.max_retries = 0;
  auto config = Chain({provider});
  config.circuit = {.failure_threshold = 1, .open_ms = 60000};
  auto engine = MakeEngine(config, offline, &clock);
  server.EnqueueJson("{}", 500);
  engine.Draft({.user_text = "x"});
  ASSERT_EQ(engine.Status()[0].circuit, "open");

  config.providers[0].temperature = 0.7;
  engine.Reconfigure(config);
  EXPECT_EQ(engine.Status()[0].circuit, "open");
  EXPECT_EQ(engine.Status()[0].calls, 1);

  config.providers[0].base_url += "/other";
  engine.Reconfigure(config);
  EXPECT_EQ(engine.Status()[0].circuit, "closed");  // another endpoint: a new breaker
}

}  // namespace
}  // namespace ticketd::ai
