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
