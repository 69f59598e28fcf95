#include "storage/ai_config_repository.hpp"

#include "storage/pg_rows.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kColumns = R"sql(
  version, config::text, author_id::text, author_kind, comment, rolled_back_from,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
)sql";

constexpr const char* kLatestNumber = "SELECT coalesce(max(version), 0) FROM ai_config_versions";
const std::string kLatest =
    std::string("SELECT ") + kColumns + " FROM ai_config_versions ORDER BY version DESC LIMIT 1";
const std::string kFind =
    std::string("SELECT ") + kColumns + " FROM ai_config_versions WHERE version = $1";
const std::string kHistory = std::string("SELECT ") + kColumns +
                             " FROM ai_config_versions ORDER BY version DESC LIMIT $1 OFFSET $2";
constexpr const char* kCount = "SELECT count(*) FROM ai_config_versions";
// Serialises appends across processes; released at commit.
constexpr const char* kLock = "SELECT pg_advisory_xact_lock(hashtext('ai_config_versions'))";
const std::string kInsert = std::string(R"sql(
INSERT INTO ai_config_versions (version, config, author_id, author_kind, comment, rolled_back_from)
VALUES ($1, $2::jsonb, $3::uuid, $4, $5, $6)
RETURNING )sql") + kColumns;

constexpr const char* kLatestNumberName = "ai_config_latest_number";
constexpr const char* kLatestName = "ai_config_latest";
constexpr const char* kFindName = "ai_config_find";
constexpr const char* kHistoryName = "ai_config_history";
constexpr const char* kCountName = "ai_config_count";
constexpr const char* kLockName = "ai_config_lock";
constexpr const char* kInsertName = "ai_config_insert";

AiConfigVersion FromRow(const pqxx::row& row) {
  AiConfigVersion version;
  version.version = row[0].as<int>();
  version.config = nlohmann::json::parse(row[1].c_str());
  version.author_id = OptionalText(row[2]);
  version.author_kind = row[3].as<std::string>();
  version.comment = OptionalText(row[4]);
  if (!row[5].is_null()) version.rolled_back_from = row[5].as<int>();
  version.created_at = row[6].as<std::string>();
  return version;
}

}  // namespace

std::vector<PreparedStatement> AiConfigRepository::Statements() {
  return {{kLatestNumberName, kLatestNumber},
          {kLatestName, kLatest},
          {kFindName, kFind},
          {kHistoryName, kHistory},
          {kCountName, kCount},
          {kLockName, kLock},
          {kInsertName, kInsert}};
}

int AiConfigRepository::LatestNumber() {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  return tx.exec_prepared1(kLatestNumberName)[0].as<int>();
}

std::optional<AiConfigVersion> AiConfigRepository::Latest() {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kLatestName);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

std::optional<AiConfigVersion> AiConfigRepository::Find(int version) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kFindName, version);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

AiConfigPage AiConfigRepository::History(int page, int size) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  AiConfigPage result;
  result.total = tx.exec_prepared1(kCountName)[0].as<std::int64_t>();
  const std::int64_t offset = static_cast<std::int64_t>(page - 1) * size;
  if (offset >= result.total) return result;
  for (const auto& row : tx.exec_prepared(kHistoryName, size, offset))
    result.items.push_back(FromRow(row));
  return result;
}

std::variant<AiConfigVersion, VersionMismatch> AiConfigRepository::Append(
    const AiConfigVersion& draft, const std::optional<domain::VersionPrecondition>& precondition) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  tx.exec_prepared(kLockName);
  const int current = tx.exec_prepared1(kLatestNumberName)[0].as<int>();
  if (precondition && !precondition->Accepts(current)) return VersionMismatch{current};
  const auto row = tx.exec_prepared1(kInsertName, current + 1, draft.config.dump(), draft.author_id,
                                     draft.author_kind, draft.comment, draft.rolled_back_from);
  tx.commit();
  return FromRow(row);
}

}  // namespace ticketd::storage
