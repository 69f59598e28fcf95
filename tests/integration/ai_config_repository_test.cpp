#include "storage/ai_config_repository.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/live_ai_config.hpp"
#include "test_database.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kAdmin = "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10";

class AiConfigRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_.Open(AiConfigRepository::Statements(), 2); }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    versions_ = std::make_unique<AiConfigRepository>(db_.pool());
    Exec("TRUNCATE ai_config_versions");
  }

  static void Exec(const std::string& sql) {
    pqxx::connection connection(db_.url());
    pqxx::work tx(connection);
    tx.exec0(sql);
    tx.commit();
  }

  static ai::AiConfig WithIterations(int iterations) {
    ai::AiConfig config;
    config.prompts.system = std::string(ai::DefaultSystemPrompt());
    config.agent.max_iterations = iterations;
    return config;
  }

  AiConfigVersion Store(int iterations, std::optional<int> from = {}) {
    AiConfigVersion draft;
    draft.config = ai::ToJson(WithIterations(iterations));
    draft.author_id = kAdmin;
    draft.author_kind = "user";
    draft.comment = "iterations " + std::to_string(iterations);
    draft.rolled_back_from = from;
    return std::get<AiConfigVersion>(versions_->Append(draft, std::nullopt));
  }

  static inline testing::MigratedDatabase db_;
  std::unique_ptr<AiConfigRepository> versions_;
};

TEST_F(AiConfigRepositoryTest, EmptyTableMeansTheDefaultsFile) {
  EXPECT_EQ(versions_->LatestNumber(), 0);
  EXPECT_FALSE(versions_->Latest());
  EXPECT_FALSE(versions_->Find(1));
  EXPECT_EQ(versions_->History(1, 20).total, 0);
}

TEST_F(AiConfigRepositoryTest, AppendsNumberedVersionsWithAuthorAndTime) {
  const auto first = Store(2);
  const auto second = Store(3, 1);
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(second.version, 2);
  EXPECT_EQ(second.author_id, kAdmin);
  EXPECT_EQ(second.author_kind, "user");
  EXPECT_EQ(second.comment, "iterations 3");
  EXPECT_EQ(second.rolled_back_from, 1);
  EXPECT_FALSE(first.rolled_back_from);
  EXPECT_EQ(second.created_at.size(), 27u);  // YYYY-MM-DDTHH:MM:SS.uuuuuuZ
  EXPECT_EQ(versions_->LatestNumber(), 2);
  EXPECT_EQ(versions_->Latest()->config, second.config);
  EXPECT_EQ(versions_->Find(1)->config, first.config);

  const auto page = versions_->History(1, 1);
  EXPECT_EQ(page.total, 2);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].version, 2);
  EXPECT_EQ(versions_->History(2, 1).items.at(0).version, 1);
  EXPECT_TRUE(versions_->History(3, 1).items.empty());
}

TEST_F(AiConfigRepositoryTest, PreconditionNamesTheCurrentVersion) {
  Store(2);
  AiConfigVersion draft;
  draft.config = ai::ToJson(WithIterations(5));
  const auto stale = versions_->Append(draft, domain::VersionPrecondition{{0}});
  ASSERT_TRUE(std::holds_alternative<VersionMismatch>(stale));
  EXPECT_EQ(std::get<VersionMismatch>(stale).current, 1);
  EXPECT_EQ(versions_->LatestNumber(), 1);
  const auto fresh = versions_->Append(draft, domain::VersionPrecondition{{1}});
  ASSERT_TRUE(std::holds_alternative<AiConfigVersion>(fresh));
  EXPECT_EQ(std::get<AiConfigVersion>(fresh).version, 2);
  EXPECT_EQ(std::get<AiConfigVersion>(fresh).author_kind, "system");
}

TEST_F(AiConfigRepositoryTest, ConcurrentAppendsGetDistinctVersions) {
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i)
    writers.emplace_back([this, i] { Store(i + 1); });
  for (auto& writer : writers)
    writer.join();
  const auto page = versions_->History(1, 10);
  ASSERT_EQ(page.total, 4);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(page.items[static_cast<std::size_t>(i)].version, 4 - i);
}

TEST_F(AiConfigRepositoryTest, LiveConfigurationFollowsTheNewestValidVersion) {
  api::LiveAiConfig live(WithIterations(4), *versions_);
  EXPECT_EQ(live.Current()->version, 0);
  EXPECT_EQ(live.Current()->source, "file");
  int changes = 0;
  live.OnChange([&changes](const api::AiConfigSnapshot&) { ++changes; });

  EXPECT_FALSE(live.Refresh());  // nothing stored: the file stays
  Store(7);
  EXPECT_TRUE(live.Refresh());
  EXPECT_EQ(live.Current()->version, 1);
  EXPECT_EQ(live.Current()->source, "database");
  EXPECT_EQ(live.Current()->config.agent.max_iterations, 7);
  EXPECT_EQ(changes, 1);
  EXPECT_FALSE(live.Refresh());

  // A row this release cannot decode is skipped; the current one stays.
  Exec(
      "INSERT INTO ai_config_versions (version, config, author_kind) "
      "VALUES (2, '{\"providers\": \"many\"}', 'system')");
  EXPECT_FALSE(live.Refresh());
  EXPECT_EQ(live.Current()->version, 1);
  EXPECT_FALSE(api::SnapshotOf(*versions_->Find(2)));
  Store(9);
  EXPECT_TRUE(live.Refresh());
  EXPECT_EQ(live.Current()->version, 3);
  EXPECT_EQ(changes, 2);

  Exec("TRUNCATE ai_config_versions");
  EXPECT_TRUE(live.Refresh());
  EXPECT_EQ(live.Current()->version, 0);
  EXPECT_EQ(live.Current()->config.agent.max_iterations, 4);
}

TEST_F(AiConfigRepositoryTest, PollingPicksUpAChangeWithinTheInterval) {
  api::LiveAiConfig live(WithIterations(4), *versions_);
  std::atomic<int> seen{0};
  live.OnChange([&seen](const api::AiConfigSnapshot& next) { seen = next.version; });
  live.Start(std::chrono::milliseconds(50));
  Store(6);
  for (int i = 0; i < 200 && seen.load() != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  live.Stop();
  EXPECT_EQ(seen.load(), 1);
  EXPECT_EQ(live.Current()->config.agent.max_iterations, 6);
}

}  // namespace
}  // namespace ticketd::storage
