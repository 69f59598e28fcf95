#include "storage/api_key_repository.hpp"

#include <gtest/gtest.h>

#include "storage/user_repository.hpp"
#include "test_database.hpp"

namespace ticketd::storage {
namespace {

class ApiKeyRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto statements = ApiKeyRepository::Statements();
    for (auto& statement : UserRepository::Statements())
      statements.push_back(std::move(statement));
    db_.Open(std::move(statements), 2);
  }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    keys_ = std::make_unique<ApiKeyRepository>(db_.pool());
    users_ = std::make_unique<UserRepository>(db_.pool());
    static int counter = 0;
    admin_id_ =
        std::get<User>(users_->Create("keyadmin" + std::to_string(++counter) + "@example.com",
                                      "Admin", "h", domain::Role::kAdmin))
            .id;
  }

  static inline testing::MigratedDatabase db_;
  std::unique_ptr<ApiKeyRepository> keys_;
  std::unique_ptr<UserRepository> users_;
  std::string admin_id_;  // a live admin, the creator of the keys
};

TEST_F(ApiKeyRepositoryTest, CreatesAKeyThatAuthenticatesUntilRevoked) {
  const auto created = *keys_->Create("ci pipeline", domain::Role::kAgent, admin_id_);
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
  const auto created = *keys_->Create("twice", domain::Role::kApiUser, admin_id_);
  const auto first = keys_->Revoke(created.key.id);
  const auto second = keys_->Revoke(created.key.id);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->newly_revoked);
  EXPECT_FALSE(second->newly_revoked);
  EXPECT_EQ(second->key.revoked_at, first->key.revoked_at);
  EXPECT_FALSE(keys_->Revoke("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"));
}

TEST_F(ApiKeyRepositoryTest, ListsNewestFirstAndLeavesRevokedOutWhenAsked) {
  const auto live = *keys_->Create("live", domain::Role::kApiUser, admin_id_);
  const auto dead = *keys_->Create("dead", domain::Role::kApiUser, admin_id_);
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

TEST_F(ApiKeyRepositoryTest, AKeyStopsWorkingWhenItsCreatorIsNoLongerAnActiveAdmin) {
  // Not revoked (as if the key were created in a race with the change):
  // authentication itself checks the creator.
  for (const UserUpdate& change :
       {UserUpdate{.is_active = false}, UserUpdate{.role = domain::Role::kManager}}) {
    const auto creator =
        std::get<User>(users_->Create("creator" + std::to_string(change.is_active.has_value()) +
                                          admin_id_.substr(0, 8) + "@example.com",
                                      "C", "h", domain::Role::kAdmin));
    const auto created = *keys_->Create("service", domain::Role::kApiUser, creator.id);
    ASSERT_TRUE(keys_->Authenticate(created.secret));
    ASSERT_TRUE(users_->Update(creator.id, change));
    EXPECT_FALSE(keys_->Authenticate(created.secret));
    EXPECT_FALSE(keys_->Find(created.key.id)->revoked_at);
  }
  // Nor can one be created for an account that is not an active admin.
  const auto agent = std::get<User>(users_->Create(
      "agent" + admin_id_.substr(0, 8) + "@example.com", "A", "h", domain::Role::kAgent));
  EXPECT_FALSE(keys_->Create("not an admin's", domain::Role::kApiUser, agent.id));
}

}  // namespace
}  // namespace ticketd::storage
