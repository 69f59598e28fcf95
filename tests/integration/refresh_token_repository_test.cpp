#include "storage/refresh_token_repository.hpp"

#include <gtest/gtest.h>

#include "storage/migrator.hpp"
#include "storage/user_repository.hpp"
#include "test_database.hpp"

namespace ticketd::storage {
namespace {

class RefreshTokenRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto base = testing::TestDatabase::BaseUrl();
    if (!base) return;
    database_ = new testing::TestDatabase(*base);
    pqxx::connection connection(database_->url());
    Migrator(connection, EmbeddedMigrations()).Up();
    auto statements = RefreshTokenRepository::Statements();
    for (auto& s : UserRepository::Statements())
      statements.push_back(s);
    pool_ = new PgPool({.url = database_->url(), .size = 2, .statements = statements});
  }
  static void TearDownTestSuite() {
    delete pool_;
    delete database_;
    pool_ = nullptr;
    database_ = nullptr;
  }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    static int counter = 0;
    UserRepository users(*pool_);
    user_id_ = std::get<User>(users.Create("refresh" + std::to_string(++counter) + "@example.com",
                                           "R", "h", domain::Role::kUser))
                   .id;
  }

  static inline testing::TestDatabase* database_ = nullptr;
  static inline PgPool* pool_ = nullptr;
  std::string user_id_;
};

TEST_F(RefreshTokenRepositoryTest, RotationReplacesTheToken) {
  RefreshTokenRepository tokens(*pool_, std::chrono::hours(1));
  const auto first = tokens.Issue(user_id_);
  const auto rotated = tokens.Rotate(first.token);
  ASSERT_TRUE(std::holds_alternative<IssuedRefresh>(rotated));
  const auto& second = std::get<IssuedRefresh>(rotated);
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(second.user_id, user_id_);
  EXPECT_TRUE(std::holds_alternative<IssuedRefresh>(tokens.Rotate(second.token)));
}

TEST_F(RefreshTokenRepositoryTest, ReusingARotatedTokenRevokesTheWholeFamily) {
  RefreshTokenRepository tokens(*pool_, std::chrono::hours(1));
  const auto first = tokens.Issue(user_id_);
  const auto second = std::get<IssuedRefresh>(tokens.Rotate(first.token));

  const auto replay = tokens.Rotate(first.token);
  ASSERT_TRUE(std::holds_alternative<RefreshRejected>(replay));
  EXPECT_TRUE(std::get<RefreshRejected>(replay).reused);
  // The legitimate holder's newer token died with the family.
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(second.token)));
  // Another login's family is untouched.
  const auto other = tokens.Issue(user_id_);
  EXPECT_TRUE(std::holds_alternative<IssuedRefresh>(tokens.Rotate(other.token)));
}

TEST_F(RefreshTokenRepositoryTest, UnknownExpiredAndRevokedTokensAreRejected) {
  RefreshTokenRepository tokens(*pool_, std::chrono::hours(1));
  const auto unknown = tokens.Rotate("no-such-token");
  ASSERT_TRUE(std::holds_alternative<RefreshRejected>(unknown));
  EXPECT_FALSE(std::get<RefreshRejected>(unknown).reused);

  RefreshTokenRepository short_lived(*pool_, std::chrono::seconds(0));
  const auto expired = short_lived.Issue(user_id_);
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(expired.token)));

  const auto logged_out = tokens.Issue(user_id_);
  tokens.Revoke(logged_out.token);
  EXPECT_TRUE(std::holds_alternative<RefreshRejected>(tokens.Rotate(logged_out.token)));
  tokens.Revoke("no-such-token");  // ignored
}

}  // namespace
}  // namespace ticketd::storage
