#include "ai/ai_config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ticketd::ai {
namespace {

using nlohmann::json;

domain::FieldErrors ErrorsOf(const std::variant<AiConfig, domain::FieldErrors>& result) {
  const auto* errors = std::get_if<domain::FieldErrors>(&result);
  return errors ? *errors : domain::FieldErrors{};
}

std::string Describe(const domain::FieldErrors& errors) {
  std::string out;
  for (const auto& error : errors)
    out += error.path + ": " + error.reason + "\n";
  return out;
}

json OpenAiProvider() {
  return {{"name", "openai"},
          {"kind", "openai"},
          {"model", "gpt-4o-mini"},
          {"api_key_env", "OPENAI_API_KEY"}};
}

TEST(AiConfig, EmptyDocumentMeansOfflineOnlyWithDefaults) {
  const auto result = DecodeAiConfig(json::object());
  ASSERT_TRUE(std::holds_alternative<AiConfig>(result)) << Describe(ErrorsOf(result));
  const auto& config = std::get<AiConfig>(result);
  EXPECT_TRUE(config.providers.empty());
  EXPECT_TRUE(config.fallback_chain.empty());
  EXPECT_EQ(config.prompts.system, DefaultSystemPrompt());
  EXPECT_EQ(config.agent.max_iterations, 4);
  EXPECT_TRUE(config.redaction.emails && config.redaction.cards && config.redaction.passwords);
}

TEST(AiConfig, ShippedDefaultsFileIsOfflineOnlyAndMatchesTheBuiltInDefaults) {
  const auto result = LoadAiConfigFile(std::string(TICKETD_SOURCE_DIR) + "/config/ai_config.yaml");
  ASSERT_TRUE(std::holds_alternative<AiConfig>(result)) << Describe(ErrorsOf(result));
  const auto& config = std::get<AiConfig>(result);
  EXPECT_TRUE(config.providers.empty());
  EXPECT_EQ(config, std::get<AiConfig>(DecodeAiConfig(json::object())));
}

TEST(AiConfig, DecodesEveryProviderMember) {
  json provider = OpenAiProvider();
  provider["base_url"] = "http://127.0.0.1:9000/v1/";
  provider["temperature"] = 1.5;
  provider["max_tokens"] = 300;
  provider["connect_timeout_ms"] = 50;
  provider["total_timeout_ms"] = 400;
  provider["max_retries"] = 0;
  provider["prices"] = {{"gpt-4o-mini", {{"input_per_1m_usd", 0.15}, {"output_per_1m_usd", 0.6}}}};
  const auto result =
      DecodeAiConfig({{"providers", json::array({provider})}, {"fallback_chain", {"openai"}}});
  ASSERT_TRUE(std::holds_alternative<AiConfig>(result)) << Describe(ErrorsOf(result));
  const auto& decoded = std::get<AiConfig>(result).providers.at(0);
  EXPECT_EQ(decoded.kind, ProviderKind::kOpenAi);
  EXPECT_EQ(decoded.base_url, "http://127.0.0.1:9000/v1");  // trailing slash dropped
  EXPECT_DOUBLE_EQ(decoded.temperature, 1.5);
  EXPECT_EQ(decoded.max_tokens, 300);
  EXPECT_EQ(decoded.connect_timeout_ms, 50);
  EXPECT_EQ(decoded.total_timeout_ms, 400);
  EXPECT_EQ(decoded.max_retries, 0);
  EXPECT_EQ(decoded.prices.at("gpt-4o-mini"), (ModelPrice{0.15, 0.6}));
}

TEST(AiConfig, RoundTripsThroughJson) {
  json ollama = {{"name", "ollama"},
                 {"kind", "openai_compatible"},
                 {"base_url", "http://127.0.0.1:11434/v1"},
                 {"model", "llama3.1:8b"}};
  const json document = {{"providers", json::array({OpenAiProvider(), ollama})},
                         {"fallback_chain", {"ollama", "openai"}},
                         {"agent", {{"max_iterations", 7}, {"deadline_ms", 1500}}},
                         {"redaction", {{"phones", false}}},
                         {"prompts", {{"system", "Write tickets."}}}};
  const auto first = DecodeAiConfig(document);
  ASSERT_TRUE(std::holds_alternative<AiConfig>(first)) << Describe(ErrorsOf(first));
  const auto second = DecodeAiConfig(ToJson(std::get<AiConfig>(first)));
  ASSERT_TRUE(std::holds_alternative<AiConfig>(second)) << Describe(ErrorsOf(second));
  EXPECT_EQ(std::get<AiConfig>(first), std::get<AiConfig>(second));
  EXPECT_FALSE(std::get<AiConfig>(second).redaction.phones);
  EXPECT_EQ(std::get<AiConfig>(second).fallback_chain,
            (std::vector<std::string>{"ollama", "openai"}));
}

TEST(AiConfig, ToJsonNeverCarriesAKey) {
  const auto config = std::get<AiConfig>(DecodeAiConfig({{"providers", {OpenAiProvider()}}}));
  const auto text = ToJson(config).dump();
  EXPECT_NE(text.find("\"api_key_env\":\"OPENAI_API_KEY\""), std::string::npos);
  EXPECT_EQ(text.find("\"api_key\":"), std::string::npos);
}

struct Invalid {
  std::string name;
  json document;
  std::string path;
  std::string reason_part;
};

json WithProvider(const std::string& member, json value) {
  json provider = OpenAiProvider();
  provider[member] = std::move(value);
  return {{"providers", {provider}}};
}

class AiConfigRejects : public testing::TestWithParam<Invalid> {};

TEST_P(AiConfigRejects, NamesTheFieldOnce) {
  const auto& c = GetParam();
  const auto errors = ErrorsOf(DecodeAiConfig(c.document));
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].path, c.path);
  EXPECT_NE(errors[0].reason.find(c.reason_part), std::string::npos) << errors[0].reason;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AiConfigRejects,
    testing::Values(
        Invalid{"UnknownKind", WithProvider("kind", "mistral"), "providers[0].kind", "unknown"},
        Invalid{"KindCased", WithProvider("kind", "OpenAI"), "providers[0].kind", "unknown"},
        Invalid{"TemperatureAbove2", WithProvider("temperature", 2.01), "providers[0].temperature",
                "0 to 2"},
        Invalid{"TemperatureNegative", WithProvider("temperature", -0.1),
                "providers[0].temperature", "0 to 2"},
        Invalid{"TemperatureText", WithProvider("temperature", "hot"), "providers[0].temperature",
                "0 to 2"},
        Invalid{"EmptyPrompt", {{"prompts", {{"system", ""}}}}, "prompts.system", "empty"},
        Invalid{"BlankPrompt", {{"prompts", {{"system", " \n\t"}}}}, "prompts.system", "empty"},
        Invalid{"PromptNotText", {{"prompts", {{"system", 5}}}}, "prompts.system", "string"},
        Invalid{"ChainNamesUnconfigured",
                {{"fallback_chain", {"openai"}}},
                "fallback_chain[0]",
                "not configured"},
        Invalid{"ChainNamesOffline",
                {{"providers", {OpenAiProvider()}}, {"fallback_chain", {"openai", "offline"}}},
                "fallback_chain[1]",
                "always the last"},
        Invalid{"ChainRepeats",
                {{"providers", {OpenAiProvider()}}, {"fallback_chain", {"openai", "openai"}}},
                "fallback_chain[1]",
                "twice"},
        Invalid{"ChainNotList", {{"fallback_chain", "openai"}}, "fallback_chain", "list"},
        Invalid{"KeyInsteadOfEnvName", WithProvider("api_key_env", "sk-abc123"),
                "providers[0].api_key_env", "NAME"},
        Invalid{"KeyEnvNamesTheSigningKey", WithProvider("api_key_env", "JWT_SECRET_KEY"),
                "providers[0].api_key_env", "_API_KEY"},
        Invalid{"KeyEnvNamesTheDatabaseUrl", WithProvider("api_key_env", "DATABASE_URL"),
                "providers[0].api_key_env", "never sent"},
        Invalid{"HostedKindWithoutKeyEnv", WithProvider("api_key_env", ""),
                "providers[0].api_key_env", "required"},
        Invalid{
            "CompatibleWithoutBaseUrl",
            {{"providers", {{{"name", "local"}, {"kind", "openai_compatible"}, {"model", "m"}}}}},
            "providers[0].base_url",
            "required"},
        Invalid{"BaseUrlNotHttp", WithProvider("base_url", "ftp://x"), "providers[0].base_url",
                "http"},
        Invalid{"EmptyModel", WithProvider("model", ""), "providers[0].model", "required"},
        Invalid{"BadName", WithProvider("name", "Open AI"), "providers[0].name", "a-z"},
        Invalid{"NameNotText", WithProvider("name", 3), "providers[0].name", "string"},
        Invalid{"MaxTokensZero", WithProvider("max_tokens", 0), "providers[0].max_tokens", "1 to"},
        Invalid{"RetriesTooMany", WithProvider("max_retries", 11), "providers[0].max_retries",
                "0 to 10"},
        Invalid{"RetriesFractional", WithProvider("max_retries", 1.5), "providers[0].max_retries",
                "integer"},
        Invalid{"ConnectAboveTotal",
                [] {
                  auto d = WithProvider("connect_timeout_ms", 5000);
                  d["providers"][0]["total_timeout_ms"] = 1000;
                  return d;
                }(),
                "providers[0].connect_timeout_ms", "total_timeout_ms"},
        Invalid{"NegativePrice",
                WithProvider("prices", {{"gpt-4o-mini", {{"input_per_1m_usd", -1}}}}),
                "providers[0].prices.gpt-4o-mini.input_per_1m_usd", "0 to"},
        Invalid{"UnknownProviderMember", WithProvider("api_key", "sk-secret"),
                "providers[0].api_key", "not a known"},
        Invalid{"UnknownTopMember", {{"provider", json::array()}}, "provider", "not a known"},
        Invalid{"ProviderNotObject", {{"providers", {"openai"}}}, "providers[0]", "object"},
        Invalid{"DuplicateName",
                {{"providers", {OpenAiProvider(), OpenAiProvider()}}},
                "providers[1].name",
                "duplicates"},
        Invalid{"IterationsZero",
                {{"agent", {{"max_iterations", 0}}}},
                "agent.max_iterations",
                "1 to 50"},
        Invalid{
            "DeadlineTooShort", {{"agent", {{"deadline_ms", 5}}}}, "agent.deadline_ms", "100 to"},
        Invalid{"RedactionNotBool",
                {{"redaction", {{"emails", "yes"}}}},
                "redaction.emails",
                "true or false"},
        Invalid{"CircuitThresholdZero",
                {{"circuit", {{"failure_threshold", 0}}}},
                "circuit.failure_threshold",
                "1 to"},
        Invalid{"NotAnObject", json::array(), "", "object"}),
    [](const testing::TestParamInfo<Invalid>& info) { return info.param.name; });

struct BaseUrlCase {
  const char* what;
  ProviderKind kind;
  const char* configured;  // providers[].base_url
  const char* openai_base_url;
  const char* expected;
};

class EffectiveBaseUrlResolves : public ::testing::TestWithParam<BaseUrlCase> {};

TEST_P(EffectiveBaseUrlResolves, ExplicitThenDeploymentDefaultThenPublic) {
  ProviderConfig provider;
  provider.kind = GetParam().kind;
  provider.base_url = GetParam().configured;
  EXPECT_EQ(EffectiveBaseUrl(provider, GetParam().openai_base_url), GetParam().expected)
      << GetParam().what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EffectiveBaseUrlResolves,
    ::testing::Values(
        BaseUrlCase{"openai, nothing set", ProviderKind::kOpenAi, "", "",
                    "https://api.openai.com/v1"},
        BaseUrlCase{"openai takes OPENAI_BASE_URL", ProviderKind::kOpenAi, "",
                    "https://proxy.example.com/openai/v1", "https://proxy.example.com/openai/v1"},
        BaseUrlCase{"an explicit base_url wins", ProviderKind::kOpenAi, "http://127.0.0.1:9000/v1",
                    "https://proxy.example.com/openai/v1", "http://127.0.0.1:9000/v1"},
        BaseUrlCase{"gemini ignores OPENAI_BASE_URL", ProviderKind::kGemini, "",
                    "https://proxy.example.com/openai/v1",
                    "https://generativelanguage.googleapis.com/v1beta"},
        BaseUrlCase{"anthropic ignores OPENAI_BASE_URL", ProviderKind::kAnthropic, "",
                    "https://proxy.example.com/openai/v1", "https://api.anthropic.com/v1"},
        // openai_compatible always names its own (the decoder requires it).
        BaseUrlCase{"openai_compatible keeps its own", ProviderKind::kOpenAiCompatible,
                    "http://127.0.0.1:11434/v1", "https://proxy.example.com/openai/v1",
                    "http://127.0.0.1:11434/v1"}));

TEST(AiConfig, ReportsEveryInvalidFieldAtOnce) {
  json provider = OpenAiProvider();
  provider["kind"] = "nope";
  provider["temperature"] = 3;
  const auto errors = ErrorsOf(DecodeAiConfig(
      {{"providers", {provider}}, {"fallback_chain", {"missing"}}, {"prompts", {{"system", ""}}}}));
  std::vector<std::string> paths;
  for (const auto& error : errors)
    paths.push_back(error.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"providers[0].kind", "providers[0].temperature",
                                             "fallback_chain[0]", "prompts.system"}));
}

TEST(AiConfig, YamlSyntaxErrorIsOneErrorWithTheParserMessage) {
  const auto errors = ErrorsOf(DecodeAiConfigYaml("providers: [\n  - {name: a"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "");
  EXPECT_NE(errors[0].reason.find("not valid YAML"), std::string::npos);
}

TEST(AiConfig, YamlQuotedNumbersStayStrings) {
  const auto errors = ErrorsOf(DecodeAiConfigYaml(
      "providers:\n  - {name: a, kind: openai, model: m, api_key_env: K_API_KEY, temperature: "
      "'1'}\n"));
  ASSERT_EQ(errors.size(), 1u) << Describe(errors);
  EXPECT_EQ(errors[0].path, "providers[0].temperature");
}

TEST(AiConfig, MissingFileNamesIt) {
  const auto errors = ErrorsOf(LoadAiConfigFile("/nonexistent/ai.yaml"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].reason.find("/nonexistent/ai.yaml"), std::string::npos);
}

}  // namespace
}  // namespace ticketd::ai
