#include "storage/api_key_repository.hpp"

#include "domain/credentials.hpp"
#include "storage/pg_rows.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kColumns = R"sql(
  id::text, name, prefix, role, created_by_id::text,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
)sql";

constexpr const char* kInsertName = "api_key_insert";
constexpr const char* kAuthenticateName = "api_key_authenticate";
constexpr const char* kFindName = "api_key_find";
constexpr const char* kListName = "api_key_list";
constexpr const char* kCountName = "api_key_count";
constexpr const char* kRevokeName = "api_key_revoke";
constexpr const char* kRevokeCreatedByName = "api_key_revoke_created_by";

// Only for a creator who is an active admin at the moment of the insert: the
// share lock waits for a deactivation or demotion in flight and then sees
// its result, so no key is born after the sweep that revokes the creator's
// keys.
const std::string kInsert = std::string(R"sql(
WITH creator AS (
  SELECT id FROM users WHERE id = $5::uuid AND is_active AND role = 'admin' FOR SHARE
)
INSERT INTO api_keys (name, prefix, key_hash, role, created_by_id)
SELECT $1, $2, $3::bytea, $4, creator.id FROM creator RETURNING )sql") +
                            kColumns;
// One round trip: find the live key whose creator is still an active admin
// (a key lives on its creator's authority, whatever raced with revoking it)
// and, when its last use is older than a minute, stamp it.
const std::string kAuthenticate = std::string(R"sql(
WITH found AS (
  SELECT k.id FROM api_keys k
  JOIN users creator ON creator.id = k.created_by_id
  WHERE k.key_hash = $1::bytea AND k.revoked_at IS NULL
    AND creator.is_active AND creator.role = 'admin'
), touched AS (
  UPDATE api_keys SET last_used_at = now()
  WHERE id IN (SELECT id FROM found)
    AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
)
SELECT )sql") + kColumns + " FROM api_keys WHERE id IN (SELECT id FROM found)";
const std::string kFind = std::string("SELECT ") + kColumns + " FROM api_keys WHERE id = $1::uuid";
const std::string kList = std::string("SELECT ") + kColumns + R"sql( FROM api_keys
WHERE (NOT $1 OR revoked_at IS NULL)
ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3)sql";
constexpr const char* kCount = "SELECT count(*) FROM api_keys WHERE (NOT $1 OR revoked_at IS NULL)";
// The row lock makes two concurrent revocations see each other: only one
// of them finds the key live.
const std::string kRevoke = std::string(R"sql(
WITH before AS (
  SELECT id AS key_id, revoked_at IS NULL AS live FROM api_keys WHERE id = $1::uuid FOR UPDATE
)
UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
FROM before WHERE id = before.key_id RETURNING )sql") +
                            kColumns + ", before.live";

const std::string kRevokeCreatedBy = std::string(R"sql(
UPDATE api_keys SET revoked_at = now()
WHERE created_by_id = $1::uuid AND revoked_at IS NULL RETURNING )sql") +
                                     kColumns;

ApiKey FromRow(const pqxx::row& row) {
  ApiKey key;
  key.id = row[0].as<std::string>();
  key.name = row[1].as<std::string>();
  key.prefix = row[2].as<std::string>();
  // The CHECK constraint keeps roles within the enumeration.
  key.role = domain::ParseRole(row[3].c_str()).value_or(domain::Role::kApiUser);
  key.created_by_id = OptionalText(row[4]);
  key.created_at = row[5].as<std::string>();
  key.last_used_at = OptionalText(row[6]);
  key.revoked_at = OptionalText(row[7]);
  return key;
}

}  // namespace

std::vector<PreparedStatement> ApiKeyRepository::Statements() {
  return {{kInsertName, kInsert},
          {kAuthenticateName, kAuthenticate},
          {kFindName, kFind},
          {kListName, kList},
          {kCountName, kCount},
          {kRevokeName, kRevoke},
          {kRevokeCreatedByName, kRevokeCreatedBy}};
}

std::optional<CreatedApiKey> ApiKeyRepository::Create(const std::string& name, domain::Role role,
                                                      const std::string& created_by_id) {
  const auto made = domain::MakeApiKey();
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows =
      tx.exec_prepared(kInsertName, name, made.prefix, ByteaParam(domain::Digest(made.key)),
                       std::string(domain::ToString(role)), created_by_id);
  if (rows.empty()) return std::nullopt;
  return CreatedApiKey{FromRow(rows[0]), made.key};
}

std::optional<ApiKey> ApiKeyRepository::Authenticate(const std::string& secret) {
  if (!domain::ApiKeyPrefix(secret)) return std::nullopt;
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kAuthenticateName, ByteaParam(domain::Digest(secret)));
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

std::optional<ApiKey> ApiKeyRepository::Find(const std::string& id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kFindName, id);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

ApiKeyPage ApiKeyRepository::List(int page, int size, bool active_only) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  ApiKeyPage result;
  const auto offset = static_cast<std::int64_t>(page - 1) * size;
  for (const auto& row : tx.exec_prepared(kListName, active_only, size, offset))
    result.items.push_back(FromRow(row));
  result.total = tx.exec_prepared1(kCountName, active_only)[0].as<std::int64_t>();
  return result;
}

std::optional<RevokedApiKey> ApiKeyRepository::Revoke(const std::string& id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kRevokeName, id);
  if (rows.empty()) return std::nullopt;
  return RevokedApiKey{FromRow(rows[0]), rows[0][8].as<bool>()};
}

std::vector<ApiKey> ApiKeyRepository::RevokeCreatedBy(const std::string& user_id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  std::vector<ApiKey> revoked;
  for (const auto& row : tx.exec_prepared(kRevokeCreatedByName, user_id))
    revoked.push_back(FromRow(row));
  return revoked;
}

}  // namespace ticketd::storage
