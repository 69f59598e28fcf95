#include "domain/jwt.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ticketd::domain {
namespace {

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t kNow = 1'800'000'000;
const JwtExpectations kExpect{"ticketd", "ticketd-api", 30};

JwtClaims Claims() {
  return {.subject = "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10",
          .role = "agent",
          .issuer = "ticketd",
          .audience = "ticketd-api",
          .token_id = "t1",
          .issued_at = kNow,
          .not_before = kNow,
          .expires_at = kNow + 1800};
}

// Rebuilds a token with a replaced header or payload, keeping the original
// signature: what an attacker without the key can do.
std::string Forge(const std::string& token, const nlohmann::json* header,
                  const nlohmann::json* payload) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  const std::string head = header ? Base64UrlEncode(header->dump()) : token.substr(0, first);
  const std::string body =
      payload ? Base64UrlEncode(payload->dump()) : token.substr(first + 1, second - first - 1);
  return head + "." + body + token.substr(second);
}

TEST(Jwt, SignedTokenVerifies) {
  const auto token = SignJwt(Claims(), kKey);
  const auto result = VerifyJwt(token, kKey, kExpect, kNow + 10);
  ASSERT_TRUE(result.ok()) << Describe(result.error);
  EXPECT_EQ(result.claims->subject, Claims().subject);
  EXPECT_EQ(result.claims->role, "agent");
  EXPECT_EQ(result.claims->token_id, "t1");
}

TEST(Jwt, RejectsAnotherKey) {
  const auto token = SignJwt(Claims(), kKey);
  EXPECT_EQ(VerifyJwt(token, "another-key-another-key-another-k", kExpect, kNow).error,
            JwtError::kSignature);
}

TEST(Jwt, RejectsAlgNoneAndOtherAlgorithms) {
  const auto token = SignJwt(Claims(), kKey);
  for (const char* alg : {"none", "None", "HS512", "RS256", ""}) {
    const nlohmann::json header = {{"alg", alg}, {"typ", "JWT"}};
    auto forged = Forge(token, &header, nullptr);
    EXPECT_EQ(VerifyJwt(forged, kKey, kExpect, kNow).error, JwtError::kAlgorithm) << alg;
    // An unsigned token (empty signature) is refused the same way.
    forged = forged.substr(0, forged.rfind('.') + 1);
    EXPECT_EQ(VerifyJwt(forged, kKey, kExpect, kNow).error, JwtError::kAlgorithm) << alg;
  }
  const nlohmann::json no_alg = {{"typ", "JWT"}};
  EXPECT_EQ(VerifyJwt(Forge(token, &no_alg, nullptr), kKey, kExpect, kNow).error,
            JwtError::kAlgorithm);
}

TEST(Jwt, RejectsATamperedPayload) {
  const auto token = SignJwt(Claims(), kKey);
  auto claims = Claims();
  const nlohmann::json payload = {{"sub", claims.subject}, {"role", "admin"}, {"iss", "ticketd"},
                                  {"aud", "ticketd-api"},  {"iat", kNow},     {"nbf", kNow},
                                  {"exp", kNow + 1800}};
  EXPECT_EQ(VerifyJwt(Forge(token, nullptr, &payload), kKey, kExpect, kNow).error,
            JwtError::kSignature);
}

TEST(Jwt, ChecksTimeWithLeeway) {
  const auto token = SignJwt(Claims(), kKey);
  EXPECT_TRUE(VerifyJwt(token, kKey, kExpect, kNow + 1800 + 30).ok());
  EXPECT_EQ(VerifyJwt(token, kKey, kExpect, kNow + 1800 + 31).error, JwtError::kExpired);
  EXPECT_TRUE(VerifyJwt(token, kKey, kExpect, kNow - 30).ok());
  EXPECT_EQ(VerifyJwt(token, kKey, kExpect, kNow - 31).error, JwtError::kNotYetValid);
}

TEST(Jwt, ChecksIssuerAndAudience) {
  auto claims = Claims();
  claims.audience = "someone-else";
  EXPECT_EQ(VerifyJwt(SignJwt(claims, kKey), kKey, kExpect, kNow).error, JwtError::kAudience);
  claims = Claims();
  claims.issuer = "evil";
  EXPECT_EQ(VerifyJwt(SignJwt(claims, kKey), kKey, kExpect, kNow).error, JwtError::kIssuer);
}

TEST(Jwt, ExtremeClaimValuesDoNotOverflow) {
  auto claims = Claims();
  claims.expires_at = INT64_MAX;
  claims.not_before = INT64_MIN;
  claims.issued_at = INT64_MIN;
  EXPECT_TRUE(VerifyJwt(SignJwt(claims, kKey), kKey, kExpect, kNow).ok());
}

TEST(Jwt, RejectsMalformedTokens) {
  const auto token = SignJwt(Claims(), kKey);
  for (const std::string& bad :
       {std::string(""), std::string("a.b"), std::string("a.b.c.d"), std::string("..."),
        token + "x", "!" + token, std::string(9000, 'a'), token.substr(0, token.size() - 4)}) {
    EXPECT_FALSE(VerifyJwt(bad, kKey, kExpect, kNow).ok()) << bad.substr(0, 40);
  }
}

TEST(Base64Url, RoundTripsAndRefusesPadding) {
  for (const std::string& bytes : {std::string(""), std::string("f"), std::string("fo"),
                                   std::string("foo"), std::string("\xFF\xFE\x00", 3)}) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
  }
  EXPECT_EQ(Base64UrlEncode("\xFB\xFF"), "-_8");
  EXPECT_FALSE(Base64UrlDecode("Zm8="));
  EXPECT_FALSE(Base64UrlDecode("Zm+v"));
}

}  // namespace
}  // namespace ticketd::domain
