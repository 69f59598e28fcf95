#include "storage/user_repository.hpp"

#include "domain/credentials.hpp"
#include "storage/pg_rows.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kColumns = R"sql(
  id::text, email, full_name, role, is_active, failed_logins,
  to_char(locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(last_login_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  password_hash
)sql";

constexpr const char* kInsertName = "user_insert";
constexpr const char* kByEmailName = "user_by_email";
constexpr const char* kByIdName = "user_by_id";
constexpr const char* kFailureName = "user_login_failed";
constexpr const char* kLockName = "user_lock";
constexpr const char* kLoginName = "user_login";
constexpr const char* kUpdateName = "user_update";

// The unique index on email answers a duplicate with no row instead of an error.
const std::string kInsert = std::string(R"sql(
INSERT INTO users (email, full_name, password_hash, role) VALUES ($1, $2, $3, $4)
ON CONFLICT (email) DO NOTHING
RETURNING )sql") + kColumns;
const std::string kByEmail = std::string("SELECT ") + kColumns + " FROM users WHERE email = $1";
const std::string kById = std::string("SELECT ") + kColumns + " FROM users WHERE id = $1::uuid";
const std::string kFailure = std::string(R"sql(
UPDATE users SET failed_logins = failed_logins + 1, updated_at = now()
WHERE id = $1::uuid RETURNING )sql") +
                             kColumns;
constexpr const char* kLock =
    "UPDATE users SET locked_until = now() + make_interval(secs => $2) WHERE id = $1::uuid";
constexpr const char* kLogin = R"sql(
UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now(), updated_at = now()
WHERE id = $1::uuid)sql";

const std::string kUpdate = std::string(R"sql(
UPDATE users SET
  full_name = coalesce($2, full_name),
  password_hash = coalesce($3, password_hash),
  role = coalesce($4, role),
  is_active = coalesce($5, is_active),
  failed_logins = CASE WHEN $3 IS NULL THEN failed_logins ELSE 0 END,
  locked_until = CASE WHEN $3 IS NULL THEN locked_until END,
  updated_at = now()
WHERE id = $1::uuid RETURNING )sql") +
                            kColumns;

User FromRow(const pqxx::row& row) {
  User user;
  user.id = row[0].as<std::string>();
  user.email = row[1].as<std::string>();
  user.full_name = row[2].as<std::string>();
  // The CHECK constraint keeps roles within the enumeration.
  user.role = domain::ParseRole(row[3].c_str()).value_or(domain::Role::kUser);
  user.is_active = row[4].as<bool>();
  user.failed_logins = row[5].as<int>();
  user.locked_until = OptionalText(row[6]);
  user.last_login_at = OptionalText(row[7]);
  user.created_at = row[8].as<std::string>();
  user.password_hash = row[9].as<std::string>();
  return user;
}

}  // namespace

std::vector<PreparedStatement> UserRepository::Statements() {
  return {{kInsertName, kInsert},   {kByEmailName, kByEmail}, {kByIdName, kById},
          {kFailureName, kFailure}, {kLockName, kLock},       {kLoginName, kLogin},
          {kUpdateName, kUpdate}};
}

std::variant<User, EmailTaken> UserRepository::Create(const std::string& email,
                                                      const std::string& full_name,
                                                      const std::string& password_hash,
                                                      domain::Role role) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kInsertName, email, full_name, password_hash,
                                     std::string(domain::ToString(role)));
  if (rows.empty()) return EmailTaken{};
  return FromRow(rows[0]);
}

std::optional<User> UserRepository::FindByEmail(const std::string& email) {
  return FindOne(kByEmailName, email);
}

std::optional<User> UserRepository::FindById(const std::string& id) {
  return FindOne(kByIdName, id);
}

std::optional<User> UserRepository::FindOne(const char* statement, const std::string& key) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(statement, key);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

std::optional<User> UserRepository::RecordFailedLogin(const std::string& id) {
  auto lease = pool_.Acquire();
  {
    pqxx::work tx(*lease);
    const auto rows = tx.exec_prepared(kFailureName, id);
    if (rows.empty()) return std::nullopt;
    const auto lockout = domain::LockoutFor(FromRow(rows[0]).failed_logins);
    if (lockout.count() > 0) tx.exec_prepared0(kLockName, id, static_cast<double>(lockout.count()));
    tx.commit();
  }
  pqxx::nontransaction read(*lease);
  return FromRow(read.exec_prepared1(kByIdName, id));
}

void UserRepository::RecordLogin(const std::string& id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  tx.exec_prepared0(kLoginName, id);
}

std::optional<User> UserRepository::Update(const std::string& id, const UserUpdate& update) {
  std::optional<std::string> role;
  if (update.role) role = std::string(domain::ToString(*update.role));
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kUpdateName, id, update.full_name, update.password_hash, role,
                                     update.is_active);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

}  // namespace ticketd::storage
