#include "storage/audit_repository.hpp"

#include <gtest/gtest.h>

#include "test_database.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kActor = "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10";
constexpr const char* kOtherActor = "3b9a1f4e-0c55-4d2a-8e11-7f6a2b9c0d34";

class AuditRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_.Open(AuditRepository::Statements(), 2); }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    audit_ = std::make_unique<AuditRepository>(db_.pool());
  }

  // A name no other test uses, so that each test filters to its own rows.
  static std::string UniqueEvent(const std::string& stem) {
    static int counter = 0;
    return "test." + stem + std::to_string(++counter);
  }

  static inline testing::MigratedDatabase db_;
  std::unique_ptr<AuditRepository> audit_;
};

TEST_F(AuditRepositoryTest, RecordsEveryMemberAndReadsItBack) {
  AuditEvent event{.event = UniqueEvent("recorded"),
                   .actor_id = kActor,
                   .actor_kind = "user",
                   .target = "api-key-1",
                   .client_ip = "192.0.2.7",
                   .request_id = "req-1",
                   .detail = {{"from", "user"}, {"to", "agent"}}};
  const auto stored = audit_->Record(event);
  EXPECT_GT(stored.id, 0);
  EXPECT_FALSE(stored.occurred_at.empty());
  EXPECT_EQ(stored.occurred_at.back(), 'Z');
  EXPECT_EQ(stored.actor_id, kActor);
  EXPECT_EQ(stored.detail, event.detail);

  const auto page = audit_->List({.event = event.event});
  ASSERT_EQ(page.total, 1);
  ASSERT_EQ(page.items.size(), 1u);
  const auto& read = page.items[0];
  EXPECT_EQ(read.id, stored.id);
  EXPECT_EQ(read.event, event.event);
  EXPECT_EQ(read.actor_kind, "user");
  EXPECT_EQ(read.target, "api-key-1");
  EXPECT_EQ(read.client_ip, "192.0.2.7");
  EXPECT_EQ(read.request_id, "req-1");
  EXPECT_EQ(read.detail, event.detail);
}

TEST_F(AuditRepositoryTest, OptionalMembersMayBeAbsent) {
  const auto stored = audit_->Record({.event = UniqueEvent("bare"), .actor_kind = "anonymous"});
  EXPECT_FALSE(stored.actor_id);
  EXPECT_FALSE(stored.target);
  EXPECT_FALSE(stored.client_ip);
  EXPECT_FALSE(stored.request_id);
  EXPECT_EQ(stored.detail, nlohmann::json::object());
}

TEST_F(AuditRepositoryTest, TheSchemaRefusesAnUnknownActorKind) {
  EXPECT_THROW(audit_->Record({.event = UniqueEvent("bad"), .actor_kind = "robot"}),
               pqxx::check_violation);
}

TEST_F(AuditRepositoryTest, ListsNewestFirstAndPages) {
  const auto name = UniqueEvent("paged");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(audit_->Record({.event = name, .actor_kind = "system"}).id);

  const auto first = audit_->List({.page = 1, .size = 2, .event = name});
  EXPECT_EQ(first.total, 5);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].id, ids[4]);
  EXPECT_EQ(first.items[1].id, ids[3]);
  const auto last = audit_->List({.page = 3, .size = 2, .event = name});
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_EQ(last.items[0].id, ids[0]);
  const auto past = audit_->List({.page = 4, .size = 2, .event = name});
  EXPECT_EQ(past.total, 5);
  EXPECT_TRUE(past.items.empty());
}

TEST_F(AuditRepositoryTest, FiltersByActorTargetAndTime) {
  const auto name = UniqueEvent("filtered");
  const auto mine =
      audit_->Record({.event = name, .actor_id = kActor, .actor_kind = "user", .target = "t-1"});
  audit_->Record({.event = name, .actor_id = kOtherActor, .actor_kind = "user", .target = "t-2"});

  const auto by_actor = audit_->List({.event = name, .actor_id = kActor});
  ASSERT_EQ(by_actor.total, 1);
  EXPECT_EQ(by_actor.items[0].id, mine.id);
  const auto by_target = audit_->List({.event = name, .target = "t-2"});
  ASSERT_EQ(by_target.total, 1);
  EXPECT_EQ(by_target.items[0].actor_id, kOtherActor);

  // since is inclusive, until exclusive.
  const auto at =
      audit_->List({.event = name, .since = mine.occurred_at, .until = mine.occurred_at});
  EXPECT_EQ(at.total, 0);
  const auto from = audit_->List({.event = name, .since = mine.occurred_at});
  EXPECT_EQ(from.total, 2);
  const auto before = audit_->List({.event = name, .until = "2000-01-01T00:00:00Z"});
  EXPECT_EQ(before.total, 0);
}

}  // namespace
}  // namespace ticketd::storage
