// The pure parts of the rate limiter: limits from text, the default policy,
// decisions from the script's answer, headers, keys, and Redis URLs.
#include <gtest/gtest.h>

#include <map>

#include "storage/rate_limiter.hpp"
#include "storage/redis_url.hpp"

namespace ticketd::storage {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string ErrorOf(const std::variant<RateLimit, std::string>& parsed) {
  const auto* error = std::get_if<std::string>(&parsed);
  return error ? *error : "";
}

TEST(RateLimitPolicy, DefaultsAreTheOldBackends) {
  const RateLimitPolicy policy;
  EXPECT_EQ(policy.For(RouteClass::kGeneral), (RateLimit{1000, seconds(3600)}));
  EXPECT_EQ(policy.For(RouteClass::kAuth), (RateLimit{100, seconds(300)}));
  EXPECT_EQ(policy.For(RouteClass::kAi), (RateLimit{200, seconds(3600)}));
  EXPECT_EQ(policy.For(RouteClass::kUpload), (RateLimit{50, seconds(300)}));
}

TEST(RateLimitPolicy, NamesEachClassForKeysAndEnvironment) {
  EXPECT_EQ(RouteClassName(RouteClass::kGeneral), "general");
  EXPECT_EQ(RouteClassName(RouteClass::kAuth), "auth");
  EXPECT_EQ(RouteClassName(RouteClass::kAi), "ai");
  EXPECT_EQ(RouteClassName(RouteClass::kUpload), "upload");
  EXPECT_EQ(RateLimitEnvName(RouteClass::kAuth), "RATE_LIMIT_AUTH");
  EXPECT_EQ(RateLimitEnvName(RouteClass::kUpload), "RATE_LIMIT_UPLOAD");
}

struct ValidLimitCase {
  const char* text;
  RateLimit expected;
};

class ParseRateLimitValid : public ::testing::TestWithParam<ValidLimitCase> {};

TEST_P(ParseRateLimitValid, ReadsLimitPerSeconds) {
  const auto parsed = ParseRateLimit(GetParam().text);
  ASSERT_TRUE(std::holds_alternative<RateLimit>(parsed)) << ErrorOf(parsed);
  EXPECT_EQ(std::get<RateLimit>(parsed), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Table, ParseRateLimitValid,
                         ::testing::Values(ValidLimitCase{"100/300", {100, seconds(300)}},
                                           ValidLimitCase{"1/1", {1, seconds(1)}},
                                           ValidLimitCase{"1000000/86400",
                                                          {1'000'000, seconds(86'400)}},
                                           ValidLimitCase{"007/060", {7, seconds(60)}}));

struct InvalidLimitCase {
  const char* text;
  const char* error_part;
};

class ParseRateLimitInvalid : public ::testing::TestWithParam<InvalidLimitCase> {};

TEST_P(ParseRateLimitInvalid, ExplainsWhatIsWrong) {
  const auto parsed = ParseRateLimit(GetParam().text);
  ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << GetParam().text;
  EXPECT_NE(ErrorOf(parsed).find(GetParam().error_part), std::string::npos) << ErrorOf(parsed);
}

INSTANTIATE_TEST_SUITE_P(Table, ParseRateLimitInvalid,
                         ::testing::Values(InvalidLimitCase{"", "expected LIMIT/SECONDS"},
                                           InvalidLimitCase{"100", "expected LIMIT/SECONDS"},
                                           InvalidLimitCase{"100/300/5", "expected LIMIT/SECONDS"},
                                           InvalidLimitCase{"/300", "limit before '/'"},
                                           InvalidLimitCase{"0/300", "limit before '/'"},
                                           InvalidLimitCase{"-1/300", "limit before '/'"},
                                           InvalidLimitCase{"+5/300", "limit before '/'"},
                                           InvalidLimitCase{" 5/300", "limit before '/'"},
                                           InvalidLimitCase{"1e3/300", "limit before '/'"},
                                           InvalidLimitCase{"1000001/300", "from 1 to 1000000"},
                                           InvalidLimitCase{"99999999999999999999/300",
                                                            "limit before '/'"},
                                           InvalidLimitCase{"100/", "window after '/'"},
                                           InvalidLimitCase{"100/0", "window after '/'"},
                                           InvalidLimitCase{"100/5m", "window after '/'"},
                                           InvalidLimitCase{"100/300 ", "window after '/'"},
                                           InvalidLimitCase{"100/86401", "from 1 to 86400"}));

using Env = std::map<std::string, std::string, std::less<>>;

config::EnvLookup LookupIn(const Env& env) {
  return [&env](std::string_view name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  };
}

TEST(RateLimitPolicy, LoadsOverridesFromTheEnvironment) {
  const Env env = {{"RATE_LIMIT_AUTH", "5/60"}, {"RATE_LIMIT_AI", ""}};
  const auto loaded = LoadRateLimitPolicy(LookupIn(env));
  ASSERT_TRUE(std::holds_alternative<RateLimitPolicy>(loaded));
  const auto& policy = std::get<RateLimitPolicy>(loaded);
  EXPECT_EQ(policy.auth, (RateLimit{5, seconds(60)}));
  EXPECT_EQ(policy.ai, RateLimitPolicy{}.ai) << "an empty value keeps the default";
  EXPECT_EQ(policy.general, RateLimitPolicy{}.general);
}

TEST(RateLimitPolicy, NamesTheVariableInLoadErrors) {
  const Env env = {{"RATE_LIMIT_UPLOAD", "fifty"}};
  const auto loaded = LoadRateLimitPolicy(LookupIn(env));
  ASSERT_TRUE(std::holds_alternative<std::string>(loaded));
  EXPECT_EQ(std::get<std::string>(loaded).rfind("RATE_LIMIT_UPLOAD: ", 0), 0u)
      << std::get<std::string>(loaded);
}

TEST(RateDecisionFromWindow, RoundsResetUpToWholeSeconds) {
  const auto decision = DecisionFromWindow(100, true, 42, milliseconds(1001));
  EXPECT_TRUE(decision.allowed);
  EXPECT_FALSE(decision.degraded);
  EXPECT_EQ(decision.limit, 100);
  EXPECT_EQ(decision.remaining, 42);
  EXPECT_EQ(decision.reset, seconds(2));
  EXPECT_EQ(decision.retry_after, seconds(0));
}

TEST(RateDecisionFromWindow, RefusalWaitsUntilTheOldestRequestLeaves) {
  const auto decision = DecisionFromWindow(100, false, 0, milliseconds(299'500));
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.remaining, 0);
  EXPECT_EQ(decision.retry_after, seconds(300));
  EXPECT_EQ(decision.reset, seconds(300));
}

TEST(RateDecisionFromWindow, RefusalWaitsAtLeastOneSecond) {
  EXPECT_EQ(DecisionFromWindow(1, false, 0, milliseconds(0)).retry_after, seconds(1));
}

TEST(RateDecisionFromWindow, DegradedFollowsFailOpen) {
  const auto open = DegradedDecision(50, true);
  EXPECT_TRUE(open.allowed);
  EXPECT_TRUE(open.degraded);
  EXPECT_EQ(open.limit, 50);
  EXPECT_EQ(open.retry_after, seconds(0));

  const auto closed = DegradedDecision(50, false);
  EXPECT_FALSE(closed.allowed);
  EXPECT_TRUE(closed.degraded);
  EXPECT_EQ(closed.retry_after, kDegradedRetryAfter);
}

TEST(RateLimitHeaders, AllowedCarriesLimitRemainingAndReset) {
  const HeaderList expected = {{"X-RateLimit-Limit", "1000"},
                               {"X-RateLimit-Remaining", "999"},
                               {"X-RateLimit-Reset", "3600"}};
  EXPECT_EQ(RateLimitHeaders(DecisionFromWindow(1000, true, 999, milliseconds(3'600'000))),
            expected);
}

TEST(RateLimitHeaders, RefusedAddsRetryAfter) {
  const HeaderList expected = {{"X-RateLimit-Limit", "100"},
                               {"X-RateLimit-Remaining", "0"},
                               {"X-RateLimit-Reset", "17"},
                               {"Retry-After", "17"}};
  EXPECT_EQ(RateLimitHeaders(DecisionFromWindow(100, false, 0, milliseconds(16'001))), expected);
}

TEST(RateLimitHeaders, DegradedReportsNoCounts) {
  EXPECT_TRUE(RateLimitHeaders(DegradedDecision(100, true)).empty());
  const HeaderList refused = {{"Retry-After", std::to_string(kDegradedRetryAfter.count())}};
  EXPECT_EQ(RateLimitHeaders(DegradedDecision(100, false)), refused);
}

TEST(RateLimitKey, JoinsPrefixClassAndIdentity) {
  EXPECT_EQ(RateLimitKey("ratelimit", RouteClass::kAuth, "ip:203.0.113.9"),
            "ratelimit:auth:ip:203.0.113.9");
}

TEST(RateLimiterConstruction, RefusesAnOutOfRangeLimit) {
  RateLimiterOptions options{.redis_url = "redis://127.0.0.1:1/0"};
  options.policy.ai = {0, seconds(60)};
  EXPECT_THROW(RateLimiter{options}, std::invalid_argument);
}

TEST(RedisUrlForRateLimits, ParsesEveryPart) {
  const auto parsed = ParseRedisUrl("redis://app:p%40ss@cache.internal:6380/2");
  ASSERT_TRUE(std::holds_alternative<RedisAddress>(parsed)) << std::get<std::string>(parsed);
  const auto& address = std::get<RedisAddress>(parsed);
  EXPECT_EQ(address.host, "cache.internal");
  EXPECT_EQ(address.port, 6380);
  EXPECT_EQ(address.user, "app");
  EXPECT_EQ(address.password, "p@ss");
  EXPECT_EQ(address.db, 2);
  EXPECT_FALSE(address.tls);
}

TEST(RedisUrlForRateLimits, DefaultsMissingParts) {
  for (const char* url : {"redis://", "redis:///", "redis://:6379", "redis://127.0.0.1"}) {
    const auto parsed = ParseRedisUrl(url);
    ASSERT_TRUE(std::holds_alternative<RedisAddress>(parsed)) << url;
    const auto& address = std::get<RedisAddress>(parsed);
    EXPECT_EQ(address.host, "127.0.0.1") << url;
    EXPECT_EQ(address.port, 6379) << url;
    EXPECT_EQ(address.db, 0) << url;
    EXPECT_TRUE(address.password.empty()) << url;
  }
}

TEST(RedisUrlForRateLimits, ReadsPasswordWithoutUserAndIpv6) {
  const auto parsed = ParseRedisUrl("rediss://:secret@[::1]:6390");
  ASSERT_TRUE(std::holds_alternative<RedisAddress>(parsed)) << std::get<std::string>(parsed);
  const auto& address = std::get<RedisAddress>(parsed);
  EXPECT_TRUE(address.tls);
  EXPECT_EQ(address.host, "::1");
  EXPECT_EQ(address.port, 6390);
  EXPECT_TRUE(address.user.empty());
  EXPECT_EQ(address.password, "secret");
}

TEST(RedisUrlForRateLimits, RefusesMalformedUrlsWithoutEchoingThePassword) {
  for (const char* url :
       {"http://cache:6379", "redis://cache:0", "redis://cache:65536", "redis://cache:63x9",
        "redis://cache:6379/one", "redis://cache:6379/-1", "redis://cache:6379/0?ssl=true",
        "redis://u:bad%zzsecret@cache", "redis://[::1"}) {
    const auto parsed = ParseRedisUrl(url);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << url;
    EXPECT_EQ(std::get<std::string>(parsed).find("secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace ticketd::storage
