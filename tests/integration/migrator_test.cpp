#include "storage/migrator.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "test_database.hpp"

namespace ticketd::storage {
namespace {

bool TableExists(pqxx::connection& connection, const std::string& table) {
  pqxx::read_transaction tx(connection);
  return tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", table)[0].as<bool>();
}

class MigratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    database_ = std::make_unique<testing::TestDatabase>(*testing::TestDatabase::BaseUrl());
    connection_ = std::make_unique<pqxx::connection>(database_->url());
  }

  std::unique_ptr<testing::TestDatabase> database_;
  std::unique_ptr<pqxx::connection> connection_;
};

TEST(EmbeddedMigrations, AreNumberedFromOneWithoutGaps) {
  const auto migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i + 1));
    EXPECT_FALSE(migrations[i].up_sql.empty());
    EXPECT_FALSE(migrations[i].down_sql.empty());
  }
}

TEST_F(MigratorTest, UpAppliesEverythingOnceAndRecordsIt) {
  Migrator migrator(*connection_, EmbeddedMigrations());
  EXPECT_EQ(migrator.CurrentVersion(), 0);

  const auto applied = migrator.Up();
  EXPECT_EQ(static_cast<int>(applied.size()), migrator.LatestVersion());
  EXPECT_EQ(migrator.CurrentVersion(), migrator.LatestVersion());
  EXPECT_TRUE(TableExists(*connection_, "tickets"));

  EXPECT_TRUE(migrator.Up().empty());
  for (const auto& state : migrator.Status())
    EXPECT_TRUE(state.applied_at) << state.version;
}

TEST_F(MigratorTest, DownRevertsTheNewestAndUpRestoresIt) {
  Migrator migrator(*connection_, EmbeddedMigrations());
  migrator.Up();
  const int latest = migrator.LatestVersion();

  EXPECT_EQ(migrator.Down(), latest);
  EXPECT_EQ(migrator.CurrentVersion(), latest - 1);
  if (latest == 1) {
    EXPECT_FALSE(TableExists(*connection_, "tickets"));
  }
  EXPECT_FALSE(migrator.Status().back().applied_at);

  EXPECT_EQ(migrator.Up(), std::vector<int>{latest});
  EXPECT_TRUE(TableExists(*connection_, "tickets"));
}

TEST_F(MigratorTest, DownOnAnEmptyDatabaseDoesNothing) {
  Migrator migrator(*connection_, EmbeddedMigrations());
  EXPECT_FALSE(migrator.Down());
}

TEST_F(MigratorTest, AFailingMigrationLeavesNoTrace) {
  const char* broken_up = "CREATE TABLE half_done (id int); SELECT no_such_function();";
  std::vector<Migration> migrations = EmbeddedMigrations();
  const int next = migrations.back().version + 1;
  migrations.push_back({next, "broken", broken_up, "DROP TABLE half_done;"});

  Migrator migrator(*connection_, migrations);
  EXPECT_THROW(migrator.Up(), pqxx::sql_error);
  EXPECT_EQ(migrator.CurrentVersion(), next - 1);
  EXPECT_FALSE(TableExists(*connection_, "half_done"));
}

// Blue and green migrating at once: both finish, the work is done once.
TEST_F(MigratorTest, ConcurrentRunsApplyEachMigrationOnce) {
  std::vector<int> applied_a;
  std::vector<int> applied_b;
  std::thread other([&] {
    pqxx::connection connection(database_->url());
    Migrator migrator(connection, EmbeddedMigrations());
    applied_b = migrator.Up();
  });
  Migrator migrator(*connection_, EmbeddedMigrations());
  applied_a = migrator.Up();
  other.join();

  EXPECT_EQ(static_cast<int>(applied_a.size() + applied_b.size()), migrator.LatestVersion());
  pqxx::read_transaction tx(*connection_);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(),
            migrator.LatestVersion());
}

}  // namespace
}  // namespace ticketd::storage
