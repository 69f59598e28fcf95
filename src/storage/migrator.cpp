#include "storage/migrator.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "common/embedded_files.hpp"
#include "common/log.hpp"

namespace ticketd::storage {
namespace {

// "ticketd:migrate" folded into a bigint; any constant unique to us will do.
constexpr long long kAdvisoryLockKey = 7'316'985'453'214'001'201LL;

constexpr const char* kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";
constexpr const char* kSelectApplied = R"sql(
SELECT version, name, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM schema_migrations ORDER BY version)sql";
constexpr const char* kInsertApplied =
    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";
constexpr const char* kDeleteApplied = "DELETE FROM schema_migrations WHERE version = $1";
constexpr const char* kSelectCurrent = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* kTableExists = "SELECT to_regclass('schema_migrations') IS NOT NULL";
constexpr const char* kLock = "SELECT pg_advisory_lock($1)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock($1)";
// Migrations may rewrite large tables; they get their own, longer deadline.
constexpr const char* kMigrationTimeout = "SET statement_timeout = '15min'";

// Holds the advisory lock for its lifetime.
class MigrationLock {
 public:
  explicit MigrationLock(pqxx::connection& connection) : connection_(connection) {
    pqxx::nontransaction tx(connection_);
    tx.exec0(kMigrationTimeout);
    tx.exec_params(kLock, kAdvisoryLockKey);
  }
  ~MigrationLock() {
    try {
      pqxx::nontransaction tx(connection_);
      tx.exec_params(kUnlock, kAdvisoryLockKey);
    } catch (const std::exception& error) {
      // The lock dies with the session anyway; say so and go on.
      log::Warn("migrate", "advisory unlock failed", {{"error", error.what()}});
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  pqxx::connection& connection_;
};

}  // namespace

std::vector<Migration> EmbeddedMigrations() {
  constexpr std::string_view kDir = "migrations/";
  std::map<int, Migration> by_version;
  std::map<int, std::string_view> downs;
  for (const auto& [path, contents] : embedded::All()) {
    if (path.substr(0, kDir.size()) != kDir) continue;
    const std::string_view file = path.substr(kDir.size());
    const bool up = file.ends_with(".up.sql");
    if (!up && !file.ends_with(".down.sql")) {
      throw std::logic_error("migration file without .up.sql or .down.sql: " + std::string(file));
    }
    const auto underscore = file.find('_');
    int version = 0;
    try {
      version = std::stoi(std::string(file.substr(0, underscore)));
    } catch (const std::exception&) {
      throw std::logic_error("migration file without a leading number: " + std::string(file));
    }
    const auto stem = file.substr(0, file.size() - (up ? 7 : 9));
    if (up) {
      by_version[version] = {version, std::string(stem.substr(underscore + 1)), contents, {}};
    } else {
      downs[version] = contents;
    }
  }

  std::vector<Migration> migrations;
  for (auto& [version, migration] : by_version) {
    const auto down = downs.find(version);
    if (down == downs.end()) {
      throw std::logic_error("migration " + std::to_string(version) + " has no down file");
    }
    migration.down_sql = down->second;
    migrations.push_back(std::move(migration));
  }
  return migrations;
}

Migrator::Migrator(pqxx::connection& connection, std::vector<Migration> migrations)
    : connection_(connection), migrations_(std::move(migrations)) {
  std::sort(migrations_.begin(), migrations_.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
}

void Migrator::EnsureTable() {
  pqxx::work tx(connection_);
  tx.exec0(kCreateTable);
  tx.commit();
}

std::vector<int> Migrator::Up() {
  MigrationLock lock(connection_);
  EnsureTable();

  // Read the applied set under the lock: another release may just have migrated.
  const int current = CurrentVersion();
  std::vector<int> applied;
  for (const auto& migration : migrations_) {
    if (migration.version <= current) continue;
    pqxx::work tx(connection_);
    tx.exec0(std::string(migration.up_sql));
    tx.exec_params0(kInsertApplied, migration.version, migration.name);
    tx.commit();
    log::Info("migrate", "applied",
              {{"version", migration.version}, {"migration_name", migration.name}});
    applied.push_back(migration.version);
  }
  return applied;
}

std::optional<int> Migrator::Down() {
  MigrationLock lock(connection_);
  EnsureTable();

  const int current = CurrentVersion();
  if (current == 0) return std::nullopt;
  const auto migration =
      std::find_if(migrations_.begin(), migrations_.end(),
                   [current](const Migration& m) { return m.version == current; });
  if (migration == migrations_.end()) {
    throw std::runtime_error("the database is at version " + std::to_string(current) +
                             ", which this binary does not know; use the newer release to revert");
  }
  pqxx::work tx(connection_);
  tx.exec0(std::string(migration->down_sql));
  tx.exec_params0(kDeleteApplied, migration->version);
  tx.commit();
  log::Info("migrate", "reverted",
            {{"version", migration->version}, {"migration_name", migration->name}});
  return current;
}

std::vector<MigrationState> Migrator::Status() {
  EnsureTable();
  std::map<int, MigrationState> states;
  for (const auto& migration : migrations_) {
    states[migration.version] = {migration.version, migration.name, std::nullopt};
  }
  pqxx::read_transaction tx(connection_);
  for (const auto& row : tx.exec(kSelectApplied)) {
    const int version = row[0].as<int>();
    auto& state = states[version];
    state.version = version;
    state.name = row[1].as<std::string>();
    state.applied_at = row[2].as<std::string>();
  }
  std::vector<MigrationState> out;
  for (auto& [version, state] : states)
    out.push_back(std::move(state));
  return out;
}

int Migrator::CurrentVersion() {
  pqxx::read_transaction tx(connection_);
  if (!tx.exec1(kTableExists)[0].as<bool>()) return 0;
  return tx.exec1(kSelectCurrent)[0].as<int>();
}

int Migrator::LatestVersion() const {
  return migrations_.empty() ? 0 : migrations_.back().version;
}

}  // namespace ticketd::storage
