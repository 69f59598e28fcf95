#include "api/auth_routes.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace ticketd::api {
namespace {

using nlohmann::json;

std::vector<std::string> Paths(const domain::FieldErrors& errors) {
  std::vector<std::string> paths;
  for (const auto& error : errors)
    paths.push_back(error.path);
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(Registration, NormalisesTheEmail) {
  Registration out;
  ASSERT_TRUE(DecodeRegistration({{"email", "Ana@Example.COM"},
                                  {"full_name", "Ana"},
                                  {"password", "a long passphrase here"}},
                                 out)
                  .empty());
  EXPECT_EQ(out.email, "ana@example.com");
  EXPECT_EQ(out.full_name, "Ana");
  EXPECT_EQ(out.password, "a long passphrase here");
}

TEST(Registration, ReportsEveryWrongMember) {
  Registration out;
  const auto errors = DecodeRegistration(
      {{"email", "not an address"}, {"full_name", " "}, {"password", 7}, {"role", "admin"}}, out);
  EXPECT_EQ(Paths(errors), (std::vector<std::string>{"email", "full_name", "password", "role"}));
  EXPECT_TRUE(out.email.empty());
}

TEST(Registration, NamesWhatIsWrongWithTheEmail) {
  const struct {
    std::string email;
    const char* reason;
  } cases[] = {
      {std::string(250, 'a') + "@example.com",
       "must be at most 254 characters long; this one has 262"},
      {"not an address", "must be an email address such as name@example.com"},
      {"a@b@example.com", "must hold exactly one @"},
      {"ana@localhost", "must have a domain with a dot after the @"},
      {"ana @example.com", "must not contain spaces or control characters"},
  };
  for (const auto& c : cases) {
    Registration out;
    const auto errors = DecodeRegistration(
        {{"email", c.email}, {"full_name", "Ana"}, {"password", "a long passphrase here"}}, out);
    ASSERT_EQ(errors.size(), 1u) << c.email;
    EXPECT_EQ(errors[0].path, "email");
    EXPECT_TRUE(errors[0].reason.starts_with(c.reason)) << errors[0].reason;
  }
}

TEST(Email, CountsTheLimitInCharactersAsTheUsersTableDoes) {
  // 200 two-byte characters: with the domain 412 bytes, but 212 characters.
  std::string local;
  for (int i = 0; i < 200; ++i)
    local += "\xC3\xA9";
  const std::string fits = local + "@example.com";
  EXPECT_FALSE(EmailProblem(fits).has_value());
  EXPECT_EQ(NormalizeEmail(fits), fits);
  const std::string over = std::string(243, 'x') + "\xC3\xA9@example.com";  // 256 characters
  EXPECT_NE(EmailProblem(over).value_or("").find("at most 254 characters"), std::string::npos);
}

TEST(Registration, RefusesABodyThatIsNoObject) {
  Registration out;
  EXPECT_EQ(Paths(DecodeRegistration(json::array(), out)), std::vector<std::string>{"body"});
}

TEST(SignIn, LeavesTheEmailEmptyWhenItIsNoAddress) {
  SignIn out;
  ASSERT_TRUE(DecodeSignIn({{"email", "nobody"}, {"password", "x"}}, out).empty());
  EXPECT_EQ(out.email, "");
  EXPECT_EQ(out.password, "x");
}

TEST(SignIn, RequiresBothMembersAsStrings) {
  SignIn out;
  EXPECT_EQ(Paths(DecodeSignIn({{"email", nullptr}}, out)),
            (std::vector<std::string>{"email", "password"}));
  EXPECT_EQ(Paths(DecodeSignIn("text", out)), std::vector<std::string>{"body"});
}

}  // namespace
}  // namespace ticketd::api
