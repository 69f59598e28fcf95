// Schema migrations: numbered SQL files (migrations/NNNN_name.up.sql and
// .down.sql) compiled into the binary, applied one transaction each, under a
// PostgreSQL advisory lock so that two releases migrating at once (blue and
// green) run one after the other instead of racing.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

namespace ticketd::storage {

struct Migration {
  int version = 0;
  std::string name;
  std::string_view up_sql;
  std::string_view down_sql;
};

// The embedded migrations, ordered by version. Throws std::logic_error when
// a file is misnamed or an up file has no down file (a build defect).
std::vector<Migration> EmbeddedMigrations();

struct MigrationState {
  int version = 0;
  std::string name;
  std::optional<std::string> applied_at;  // empty when pending
};

class Migrator {
 public:
  // `connection` must outlive the migrator; it is used exclusively.
  Migrator(pqxx::connection& connection, std::vector<Migration> migrations);

  // Applies every pending migration in order; returns the versions applied.
  std::vector<int> Up();

  // Reverts the newest applied migration; returns its version, or
  // std::nullopt when nothing is applied.
  std::optional<int> Down();

  // Every known migration with its applied time, plus applied versions this
  // binary does not know (a newer release migrated the database).
  std::vector<MigrationState> Status();

  // The highest applied version, 0 when none.
  int CurrentVersion();

  // The highest version this binary carries.
  int LatestVersion() const;

 private:
  void EnsureTable();

  pqxx::connection& connection_;
  std::vector<Migration> migrations_;
};

}  // namespace ticketd::storage
