#include "api/config_audit.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ticketd::api {
namespace {

config::EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    const auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

TEST(ConfiguredSettings, KeepsPlainValuesAndHidesSecrets) {
  const auto settings = ConfiguredSettings(FakeEnv({
      {"PORT", "8000"},
      {"JWT_SECRET_KEY", "a-very-secret-signing-key-of-32-bytes"},
      {"OPENAI_API_KEY", "sk-something"},
      {"DATABASE_URL", "postgresql://ticketd:hunter2hunter2@db:5432/ticketd"},
      {"LOG_LEVEL", ""},
      {"NOT_A_SETTING", "ignored"},
  }));
  EXPECT_EQ(settings.at("PORT"), "8000");
  EXPECT_EQ(settings.at("JWT_SECRET_KEY"), "(set)");
  EXPECT_EQ(settings.at("OPENAI_API_KEY"), "(set)");
  const auto url = settings.at("DATABASE_URL").get<std::string>();
  EXPECT_EQ(url.find("hunter2"), std::string::npos) << url;
  EXPECT_NE(url.find("db:5432"), std::string::npos) << url;
  EXPECT_FALSE(settings.contains("LOG_LEVEL")) << "empty values are unset";
  EXPECT_FALSE(settings.contains("NOT_A_SETTING"));
  EXPECT_EQ(settings.dump().find("secret-signing"), std::string::npos);
}

TEST(ChangedSettings, NamesAddedRemovedAndChangedValues) {
  const nlohmann::json before = {{"PORT", "8000"}, {"LOG_LEVEL", "info"}, {"HOST", "0.0.0.0"}};
  const nlohmann::json after = {{"PORT", "8000"}, {"LOG_LEVEL", "debug"}, {"CORS_ORIGINS", "x"}};
  EXPECT_EQ(ChangedSettings(before, after),
            (std::vector<std::string>{"CORS_ORIGINS", "HOST", "LOG_LEVEL"}));
  EXPECT_TRUE(ChangedSettings(after, after).empty());
  EXPECT_EQ(ChangedSettings(nlohmann::json(), after).size(), 3U);
}

}  // namespace
}  // namespace ticketd::api
