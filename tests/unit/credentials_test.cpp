#include "domain/credentials.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ticketd::domain {
namespace {

TEST(Passwords, HashIsArgon2idAndVerifies) {
  const auto hash = HashPassword("correct horse battery");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery", hash));
  EXPECT_FALSE(VerifyPassword("correct horse batterY", hash));
  EXPECT_FALSE(VerifyPassword("", hash));
  EXPECT_NE(HashPassword("correct horse battery"), hash) << "hashes must be salted";
}

TEST(Passwords, MalformedHashesNeverVerify) {
  for (const std::string& bad :
       {std::string(""), std::string("plain"), std::string("$argon2id$v=19$m=1,t=1,p=1$x$y"),
        std::string(200, 'x')}) {
    EXPECT_FALSE(VerifyPassword("anything at all", bad)) << bad.substr(0, 20);
  }
}

TEST(OpaqueTokens, AreRandomAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto token = NewOpaqueToken();
    EXPECT_EQ(token.size(), 43u);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Digests, AreSha256) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  const auto digest = Digest("abc");
  ASSERT_EQ(digest.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(digest[0]), 0xBA);
  EXPECT_EQ(static_cast<unsigned char>(digest[31]), 0xAD);
}

TEST(ApiKeys, CarryARecognisablePrefix) {
  const auto made = MakeApiKey();
  EXPECT_EQ(made.key.rfind("tkd_" + made.prefix + "_", 0), 0u);
  EXPECT_EQ(ApiKeyPrefix(made.key), made.prefix);
  EXPECT_NE(MakeApiKey().key, made.key);
  for (const char* bad : {"", "tkd_", "tkd_abcdefgh", "tkd_abcdefgh_", "tkd_ABCDEFGH_x",
                          "xyz_abcdefgh_secret", "tkd_abc_secret"}) {
    EXPECT_FALSE(ApiKeyPrefix(bad)) << bad;
  }
}

TEST(Lockout, GrowsFromTheFifthFailureAndCaps) {
  using std::chrono::seconds;
  EXPECT_EQ(LockoutFor(0), seconds(0));
  EXPECT_EQ(LockoutFor(4), seconds(0));
  EXPECT_EQ(LockoutFor(5), seconds(60));
  EXPECT_EQ(LockoutFor(6), seconds(120));
  EXPECT_EQ(LockoutFor(7), seconds(240));
  EXPECT_EQ(LockoutFor(11), seconds(3600));
  EXPECT_EQ(LockoutFor(1000), seconds(3600));
}

}  // namespace
}  // namespace ticketd::domain
