#include "storage/refresh_token_repository.hpp"

#include <gtest/gtest.h>

#include "storage/user_repository.hpp"
#include "test_database.hpp"

namespace ticketd::storage {
namespace {

class RefreshTokenRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto statements = RefreshTokenRepository::Statements();
    for (auto& statement : UserRepository::Statements())
      statements.push_back(statement);
    db_.Open(statements, 2);
  }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    static int counter = 0;
    UserRepository users(db_.pool());
    user_id_ = std::get<User>(users.Create("refresh" + std::to_string(++counter) + "@example.com",
                                           "R", "h", domain::Role::kUser))
                   .id;
  }

  static inline testing::MigratedDatabase db_;
  std::string user_id_;
};

TEST_F(RefreshTokenRepositoryTest, RotationReplacesTheToken) {
  RefreshTokenRepository tokens(db_.pool(), std::chrono::hours(1));
  const auto first = tokens.Issue(user_id_);
  const auto rotated = tokens.Rotate(first.token);
  ASSERT_TRUE(std::holds_alternative<IssuedRefresh>(rotated));
  const auto& second = std::get<IssuedRefresh>(rotated);
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(second.user_id, user_id_);
  EXPECT_TRUE(std::holds_alternative<IssuedRefresh>(tokens.Rotate(second.token)));
}

TEST_F(RefreshTokenRepositoryTest, ReusingARotatedTokenRevokesTheWholeFamily) {
  RefreshTokenRepository tokens(db_.pool(), std::chrono::hours(1));
  const auto first = tokens.Issue(user_id_);
  const auto second = std::get<IssuedRefresh>(tokens.Rotate(first.token));

  const auto replay = tokens.Rotate(first.token);
  ASSERT_TRUE(std::holds_alternative<RefreshRejected>(replay));
  EXPECT_TRUE(std::get<RefreshRejected>(replay).reused);
  EXPECT_EQ(std::get<RefreshRejected>(replay).user_id, user_id_);
  // The legitimate holder's newer token died with the family.
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(second.token)));
  // Another login's family is untouched.
  const auto other = tokens.Issue(user_id_);
  EXPECT_TRUE(std::holds_alternative<IssuedRefresh>(tokens.Rotate(other.token)));
}

TEST_F(RefreshTokenRepositoryTest, UnknownExpiredAndRevokedTokensAreRejected) {
  RefreshTokenRepository tokens(db_.pool(), std::chrono::hours(1));
  const auto unknown = tokens.Rotate("no-such-token");
  ASSERT_TRUE(std::holds_alternative<RefreshRejected>(unknown));
  EXPECT_FALSE(std::get<RefreshRejected>(unknown).reused);

  RefreshTokenRepository short_lived(db_.pool(), std::chrono::seconds(0));
  const auto expired = short_lived.Issue(user_id_);
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(expired.token)));

  const auto logged_out = tokens.Issue(user_id_);
  EXPECT_EQ(tokens.Revoke(logged_out.token), user_id_);
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(logged_out.token)));
  EXPECT_FALSE(tokens.Revoke("no-such-token"));
}

TEST_F(RefreshTokenRepositoryTest, RevokeAllForEndsEveryLoginOfOneUserOnly) {
  RefreshTokenRepository tokens(db_.pool(), std::chrono::hours(1));
  const auto first = tokens.Issue(user_id_);
  const auto second = tokens.Issue(user_id_);
  const auto rotated = std::get<IssuedRefresh>(tokens.Rotate(second.token));
  UserRepository users(db_.pool());
  const auto other_user =
      std::get<User>(users.Create("other-revoke@example.com", "O", "h", domain::Role::kUser));
  const auto others = tokens.Issue(other_user.id);

  // A rotated token is dead but not yet revoked, so all three count.
  EXPECT_EQ(tokens.RevokeAllFor(user_id_), 3);
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(first.token)));
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(rotated.token)));
  EXPECT_TRUE(std::holds_alternative<IssuedRefresh>(tokens.Rotate(others.token)));
  EXPECT_EQ(tokens.RevokeAllFor(user_id_), 0);
}

}  // namespace
}  // namespace ticketd::storage
