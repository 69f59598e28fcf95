// A throwaway PostgreSQL database per test suite, created next to the one
// DATABASE_URL names and dropped afterwards. Suites skip when DATABASE_URL is
// not set.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "storage/migrator.hpp"
#include "storage/pg_pool.hpp"

namespace ticketd::testing {

class TestDatabase {
 public:
  // Returns std::nullopt when DATABASE_URL is unset.
  static std::optional<std::string> BaseUrl() {
    const char* url = std::getenv("DATABASE_URL");
    if (url == nullptr || *url == '\0') return std::nullopt;
    return config::NormalizeDatabaseUrl(url);
  }

  explicit TestDatabase(const std::string& base_url) : base_url_(base_url) {
    std::random_device random;
    name_ = "ticketd_test_" + std::to_string(random() % 1'000'000'000);
    pqxx::connection admin(base_url_);
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
    url_ = config::AppendUrlParameter(base_url_, "dbname", name_);
  }

  ~TestDatabase() {
    try {
      pqxx::connection admin(base_url_);
      pqxx::nontransaction tx(admin);
      tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception& error) {
      std::fprintf(stderr, "could not drop %s: %s\n", name_.c_str(), error.what());
    }
  }

  const std::string& url() const { return url_; }

 private:
  std::string base_url_;
  std::string name_;
  std::string url_;
};

// A suite's migrated throwaway database and a pool on it: call Open() from
// SetUpTestSuite (it does nothing without DATABASE_URL) and Close() from
// TearDownTestSuite.
class MigratedDatabase {
 public:
  void Open(std::vector<storage::PreparedStatement> statements, int pool_size = 4) {
    const auto base = TestDatabase::BaseUrl();
    if (!base) return;
    database_ = std::make_unique<TestDatabase>(*base);
    pqxx::connection connection(database_->url());
    storage::Migrator(connection, storage::EmbeddedMigrations()).Up();
    pool_ = std::make_unique<storage::PgPool>(storage::PoolOptions{
        .url = database_->url(), .size = pool_size, .statements = std::move(statements)});
  }

  void Close() {
    pool_.reset();
    database_.reset();
  }

  const std::string& url() const { return database_->url(); }
  storage::PgPool& pool() { return *pool_; }

 private:
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<storage::PgPool> pool_;
};

}  // namespace ticketd::testing

#define TICKETD_REQUIRE_DATABASE()                                       \
  if (!::ticketd::testing::TestDatabase::BaseUrl()) {                    \
    GTEST_SKIP() << "DATABASE_URL is not set; `make test` provides one"; \
  }
