#include "storage/api_key_repository.hpp"

#include <gtest/gtest.h>

#include "test_database.hpp"

namespace ticketd::storage {
namespace {

class ApiKeyRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_.Open(ApiKeyRepository::Statements(), 2); }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    keys_ = std::make_unique<ApiKeyRepository>(db_.pool());
  }

  static inline testing::MigratedDatabase db_;
  std::unique_ptr<ApiKeyRepository> keys_;
};

TEST_F(ApiKeyRepositoryTest, CreatesAKeyThatAuthenticatesUntilRevoked) {
  const auto created = keys_->Create("ci pipeline", domain::Role::kAgent, std::nullopt);
  EXPECT_EQ(created.key.role, domain::Role::kAgent);
  EXPECT_FALSE(created.key.revoked_at);
  EXPECT_NE(created.secret.find(created.key.prefix), std::string::npos);

  const auto authenticated = keys_->Authenticate(created.secret);
  ASSERT_TRUE(authenticated);
  EXPECT_EQ(authenticated->id, created.key.id);
  EXPECT_TRUE(keys_->Find(created.key.id)->last_used_at);

  const auto revoked = keys_->Revoke(created.key.id);
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(revoked->newly_revoked);
  EXPECT_TRUE(revoked->key.revoked_at);
  EXPECT_FALSE(keys_->Authenticate(created.secret));
}

TEST_F(ApiKeyRepositoryTest, RevokingAgainKeepsTheFirstTimeAndSaysSo) {
  const auto created = keys_->Create("twice", domain::Role::kApiUser, std::nullopt);
  const auto first = keys_->Revoke(created.key.id);
  const auto second = keys_->Revoke(created.key.id);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->newly_revoked);
  EXPECT_FALSE(second->newly_revoked);
  EXPECT_EQ(second->key.revoked_at, first->key.revoked_at);
  EXPECT_FALSE(keys_->Revoke("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"));
}

TEST_F(ApiKeyRepositoryTest, ListsNewestFirstAndLeavesRevokedOutWhenAsked) {
  const auto live = keys_->Create("live", domain::Role::kApiUser, std::nullopt);
  const auto dead = keys_->Create("dead", domain::Role::kApiUser, std::nullopt);
  keys_->Revoke(dead.key.id);

  const auto all = keys_->List(1, 100, false);
  ASSERT_GE(all.items.size(), 2u);
  EXPECT_EQ(all.items[0].id, dead.key.id);
  EXPECT_EQ(all.items[1].id, live.key.id);
  const auto active = keys_->List(1, 100, true);
  EXPECT_EQ(active.total, all.total - static_cast<std::int64_t>(std::count_if(
                                          all.items.begin(), all.items.end(),
                                          [](const ApiKey& key) { return key.revoked_at; })));
  for (const auto& key : active.items)
    EXPECT_FALSE(key.revoked_at) << key.name;
}

}  // namespace
}  // namespace ticketd::storage
