#include "common/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace ticketd::config {
namespace {

using Env = std::map<std::string, std::string, std::less<>>;

LoadResult LoadFrom(const Env& env, Needs needs = {}) {
  return Load(
      [&env](std::string_view name) -> std::optional<std::string> {
        const auto found = env.find(name);
        if (found == env.end()) return std::nullopt;
        return found->second;
      },
      needs);
}

const Env kMinimal = {{"DATABASE_URL", "postgresql://u:p@db:5432/tickets"},
                      {"REDIS_URL", "redis://cache:6379/0"}};

std::string ErrorOf(const LoadResult& result) {
  const auto* error = std::get_if<std::string>(&result);
  return error ? *error : "";
}

TEST(Config, LoadsDefaults) {
  const auto result = LoadFrom(kMinimal);
  ASSERT_TRUE(std::holds_alternative<Config>(result)) << ErrorOf(result);
  const auto& config = std::get<Config>(result);
  EXPECT_EQ(config.port, 8000);
  EXPECT_EQ(config.mcp_port, 8001);
  EXPECT_EQ(config.monitor_port, 5555);
  EXPECT_EQ(config.environment, "development");
  EXPECT_EQ(config.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(config.shutdown_grace, std::chrono::seconds(20));
}

TEST(Config, MissingRequiredValueNamesTheVariable) {
  EXPECT_EQ(ErrorOf(LoadFrom({{"REDIS_URL", "redis://x"}})).rfind("DATABASE_URL:", 0), 0u);
  EXPECT_EQ(ErrorOf(LoadFrom({{"DATABASE_URL", "postgresql://h/db"}})).rfind("REDIS_URL:", 0), 0u);
  // migrate needs no Redis.
  EXPECT_TRUE(std::holds_alternative<Config>(
      LoadFrom({{"DATABASE_URL", "postgresql://h/db"}}, {.database = true, .redis = false})));
}

struct BadValue {
  const char* name;
  const char* value;
};

class MalformedSetting : public ::testing::TestWithParam<BadValue> {};

TEST_P(MalformedSetting, StopsWithOneLineNamingIt) {
  auto env = kMinimal;
  env[GetParam().name] = GetParam().value;
  const auto error = ErrorOf(LoadFrom(env));
  EXPECT_EQ(error.rfind(std::string(GetParam().name) + ":", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Values, MalformedSetting,
    ::testing::Values(BadValue{"PORT", "eighty"}, BadValue{"PORT", "70000"}, BadValue{"PORT", "0"},
                      BadValue{"HTTP_MAX_BODY_BYTES", "-1"}, BadValue{"DATABASE_POOL_SIZE", "1e3"},
                      BadValue{"ENVIRONMENT", "prod"}, BadValue{"LOG_LEVEL", "loud"},
                      BadValue{"DATABASE_URL", "mysql://h/db"},
                      BadValue{"REDIS_URL", "http://cache"},
                      BadValue{"OPENAI_BASE_URL", "api.openai.com/v1"},
                      BadValue{"OPENAI_BASE_URL", "ftp://proxy.example.com/v1"},
                      BadValue{"OPENAI_BASE_URL", "https://"},
                      BadValue{"OPENAI_BASE_URL", "https://proxy.example.com/v 1"}));

TEST(Config, StrictEnvironmentsRequireJwtSecret) {
  auto env = kMinimal;
  env["ENVIRONMENT"] = "production";
  EXPECT_EQ(ErrorOf(LoadFrom(env)).rfind("JWT_SECRET_KEY:", 0), 0u);
  env["JWT_SECRET_KEY"] = "too-short";
  EXPECT_EQ(ErrorOf(LoadFrom(env)).rfind("JWT_SECRET_KEY:", 0), 0u);
  env["JWT_SECRET_KEY"] = std::string(32, 'k');
  EXPECT_TRUE(std::holds_alternative<Config>(LoadFrom(env)));
  env["ENVIRONMENT"] = "development";
  env["JWT_SECRET_KEY"] = "k";  // development accepts any key
  EXPECT_TRUE(std::holds_alternative<Config>(LoadFrom(env)));
}

TEST(DatabaseUrl, AcceptsAsyncpgSchemeAndSslParameter) {
  EXPECT_EQ(NormalizeDatabaseUrl("postgresql+asyncpg://u:p@db:5432/t"),
            "postgresql://u:p@db:5432/t");
  EXPECT_EQ(NormalizeDatabaseUrl("postgres://db/t"), "postgresql://db/t");
  EXPECT_EQ(NormalizeDatabaseUrl("postgresql+asyncpg://db/t?ssl=require&x=1"),
            "postgresql://db/t?sslmode=require&x=1");
  EXPECT_EQ(NormalizeDatabaseUrl("postgresql://db/t?ssl=true"),
            "postgresql://db/t?sslmode=require");
  EXPECT_FALSE(NormalizeDatabaseUrl("mysql://db/t"));
  EXPECT_FALSE(NormalizeDatabaseUrl("postgresql://"));
}

TEST(DatabaseUrl, AppendsEncodedParameters) {
  EXPECT_EQ(AppendUrlParameter("postgresql://db/t", "options", "-c a=1"),
            "postgresql://db/t?options=-c%20a%3D1");
  EXPECT_EQ(AppendUrlParameter("postgresql://db/t?x=1", "k", "v"), "postgresql://db/t?x=1&k=v");
}

TEST(DatabaseUrl, RedactsPasswords) {
  EXPECT_EQ(RedactUrl("postgresql://user:secret@db/t"), "postgresql://user:***@db/t");
  EXPECT_EQ(RedactUrl("postgresql://db/t"), "postgresql://db/t");
}

TEST(Settings, RolesThatSignNothingRunWithoutTheKeyInProduction) {
  const Env production = {{"ENVIRONMENT", "production"},
                          {"DATABASE_URL", "postgresql://u:p@db/t"},
                          {"REDIS_URL", "redis://cache:6379/0"}};
  EXPECT_TRUE(std::holds_alternative<std::string>(LoadFrom(production)));
  EXPECT_TRUE(std::holds_alternative<Config>(
      LoadFrom(production, {.database = true, .redis = false, .signing = false})));
}

TEST(Settings, AiSettingsAreReadAndBounded) {
  const auto read = [](Env values) {
    return LoadFrom(values, {.database = false, .redis = false});
  };
  const auto loaded =
      read({{"AI_CONFIG_REFRESH_MS", "750"}, {"AI_MAX_INPUT_CHARS", "1000"}, {"AI_THREADS", "3"}});
  ASSERT_TRUE(std::holds_alternative<Config>(loaded));
  EXPECT_EQ(std::get<Config>(loaded).ai_config_refresh, std::chrono::milliseconds(750));
  EXPECT_EQ(std::get<Config>(loaded).ai_max_input_chars, 1000u);
  EXPECT_EQ(std::get<Config>(loaded).ai_threads, 3);
  for (const auto& [name, value] :
       Env{{"AI_CONFIG_REFRESH_MS", "50"}, {"AI_MAX_INPUT_CHARS", "0"}, {"AI_THREADS", "x"}}) {
    const auto refused = read({{name, value}});
    ASSERT_TRUE(std::holds_alternative<std::string>(refused)) << name;
    EXPECT_NE(std::get<std::string>(refused).find(name), std::string::npos);
  }
}

TEST(Settings, OpenAiBaseUrlIsKeptWithoutTrailingSlashes) {
  auto env = kMinimal;
  EXPECT_EQ(std::get<Config>(LoadFrom(env)).openai_base_url, "");
  env["OPENAI_BASE_URL"] = "https://openai-proxy.internal.example:8443/v1/";
  const auto loaded = LoadFrom(env);
  ASSERT_TRUE(std::holds_alternative<Config>(loaded)) << ErrorOf(loaded);
  EXPECT_EQ(std::get<Config>(loaded).openai_base_url,
            "https://openai-proxy.internal.example:8443/v1");
  env["OPENAI_BASE_URL"] = "http://127.0.0.1:11434/v1";
  EXPECT_EQ(std::get<Config>(LoadFrom(env)).openai_base_url, "http://127.0.0.1:11434/v1");
}

TEST(Settings, EveryReadVariableIsListedOnce) {
  std::set<std::string_view> names;
  for (const auto& setting : AllSettings()) {
    EXPECT_TRUE(names.insert(setting.name).second) << setting.name;
    EXPECT_FALSE(setting.description.empty()) << setting.name;
  }
  for (const char* name : {"DATABASE_URL",       "REDIS_URL",      "JWT_SECRET_KEY",
                           "ENVIRONMENT",        "LOG_LEVEL",      "PORT",
                           "MCP_PORT",           "MONITOR_PORT",   "OPENAI_API_KEY",
                           "OPENAI_BASE_URL",    "GEMINI_API_KEY", "ANTHROPIC_API_KEY",
                           "AI_CONFIG_PATH",     "CORS_ORIGINS",   "TRUSTED_PROXIES",
                           "UPLOAD_DIR",         "DEPLOY_COLOR",   "AI_CONFIG_REFRESH_MS",
                           "AI_MAX_INPUT_CHARS", "AI_THREADS"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }
}

// `NAME=value` lines of .env.example, split at the line that opens the
// compose-only section: {settings of ticketd, compose-only}, with values.
struct EnvExample {
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<std::pair<std::string, std::string>> compose_only;
};

EnvExample ReadEnvExample(const std::string& path) {
  static const std::regex kAssignment("^([A-Z][A-Z0-9_]*)=(.*)$");
  constexpr std::string_view kComposeMarker = "# docker compose only";
  EnvExample out;
  auto* section = &out.settings;
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with(kComposeMarker)) section = &out.compose_only;
    std::smatch match;
    if (std::regex_match(line, match, kAssignment)) section->emplace_back(match[1], match[2]);
  }
  return out;
}

TEST(Settings, EnvExampleListsExactlyTheSettingsOfHelp) {
  const auto example = ReadEnvExample(TICKETD_ENV_EXAMPLE);
  ASSERT_FALSE(example.settings.empty()) << "cannot read " << TICKETD_ENV_EXAMPLE;

  std::map<std::string, std::string_view, std::less<>> help;
  for (const auto& setting : AllSettings())
    help.emplace(setting.name, setting.default_value);
  std::set<std::string, std::less<>> listed;
  for (const auto& [name, value] : example.settings) {
    EXPECT_TRUE(listed.insert(name).second) << name << " is listed twice in .env.example";
    const auto found = help.find(name);
    if (found == help.end()) {
      ADD_FAILURE() << name << " is in .env.example but ticketd --help does not list it (a "
                    << "compose-only variable belongs below '# docker compose only')";
      continue;
    }
    // Required settings show an example, HTTP_THREADS ("cores") is left
    // empty; every other value shown is the default --help names.
    if (!value.empty() && !found->second.empty()) {
      EXPECT_EQ(value, found->second) << name << ": .env.example and --help disagree";
    }
  }
  for (const auto& [name, default_value] : help) {
    EXPECT_TRUE(listed.contains(name)) << name << " is listed by ticketd --help but missing from "
                                       << ".env.example";
  }

  ASSERT_FALSE(example.compose_only.empty()) << "no '# docker compose only' section";
  for (const auto& [name, value] : example.compose_only) {
    EXPECT_FALSE(help.contains(name)) << name << " is a ticketd setting, not a compose-only one";
  }
}

}  // namespace
}  // namespace ticketd::config
