#include "storage/refresh_token_repository.hpp"

#include "domain/credentials.hpp"
#include "storage/pg_rows.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kInsertName = "refresh_insert";
constexpr const char* kFindName = "refresh_find";
constexpr const char* kRotateName = "refresh_mark_rotated";
constexpr const char* kRevokeFamilyName = "refresh_revoke_family";
constexpr const char* kRevokeUserName = "refresh_revoke_user";

constexpr const char* kInsert = R"sql(
INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
VALUES ($1::uuid, coalesce($2::uuid, gen_random_uuid()), $3::bytea,
        now() + make_interval(secs => $4)))sql";
constexpr const char* kFind = R"sql(
SELECT id::text, user_id::text, family_id::text, expires_at < now(),
       rotated_at IS NOT NULL OR revoked_at IS NOT NULL
FROM refresh_tokens WHERE token_hash = $1::bytea FOR UPDATE)sql";
constexpr const char* kRotate = "UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1::uuid";
constexpr const char* kRevokeFamily = R"sql(
UPDATE refresh_tokens SET revoked_at = now()
WHERE family_id = $1::uuid AND revoked_at IS NULL)sql";
constexpr const char* kRevokeUser = R"sql(
UPDATE refresh_tokens SET revoked_at = now()
WHERE user_id = $1::uuid AND revoked_at IS NULL)sql";

}  // namespace

std::vector<PreparedStatement> RefreshTokenRepository::Statements() {
  return {{kInsertName, kInsert},
          {kFindName, kFind},
          {kRotateName, kRotate},
          {kRevokeFamilyName, kRevokeFamily},
          {kRevokeUserName, kRevokeUser}};
}

IssuedRefresh RefreshTokenRepository::Issue(const std::string& user_id) {
  const std::string token = domain::NewOpaqueToken();
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  tx.exec_prepared0(kInsertName, user_id, std::optional<std::string>(),
                    ByteaParam(domain::Digest(token)), static_cast<double>(lifetime_.count()));
  return {token, user_id};
}

std::variant<IssuedRefresh, RefreshRejected> RefreshTokenRepository::Rotate(
    const std::string& token) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  const auto rows = tx.exec_prepared(kFindName, ByteaParam(domain::Digest(token)));
  if (rows.empty()) return RefreshRejected{};
  const auto id = rows[0][0].as<std::string>();
  const auto user_id = rows[0][1].as<std::string>();
  const auto family = rows[0][2].as<std::string>();
  if (rows[0][4].as<bool>()) {
    // A used token presented again: someone holds a copy. End the family.
    tx.exec_prepared0(kRevokeFamilyName, family);
    tx.commit();
    return RefreshRejected{.reused = true, .user_id = user_id};
  }
  if (rows[0][3].as<bool>()) return RefreshRejected{};

  const std::string next = domain::NewOpaqueToken();
  tx.exec_prepared0(kRotateName, id);
  tx.exec_prepared0(kInsertName, user_id, family, ByteaParam(domain::Digest(next)),
                    static_cast<double>(lifetime_.count()));
  tx.commit();
  return IssuedRefresh{next, user_id};
}

std::optional<std::string> RefreshTokenRepository::Revoke(const std::string& token) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  const auto rows = tx.exec_prepared(kFindName, ByteaParam(domain::Digest(token)));
  if (rows.empty()) return std::nullopt;
  tx.exec_prepared0(kRevokeFamilyName, rows[0][2].as<std::string>());
  tx.commit();
  return rows[0][1].as<std::string>();
}

int RefreshTokenRepository::RevokeAllFor(const std::string& user_id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  return static_cast<int>(tx.exec_prepared0(kRevokeUserName, user_id).affected_rows());
}

}  // namespace ticketd::storage
