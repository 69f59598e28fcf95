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
constexpr const char* kLockRowName = "user_lock_row";
constexpr const char* kLockedNowName = "user_locked_now";
// Locks the row; true when the account is locked at this moment.
constexpr const char* kLockedNow =
    "SELECT coalesce(locked_until > now(), false) FROM users WHERE id = $1::uuid FOR UPDATE";
constexpr const char* kAdminsLockName = "user_admins_lock";
constexpr const char* kOtherAdminsName = "user_other_admins";
constexpr const char* kActiveAdminName = "user_active_admin";
constexpr const char* kActiveAdmin =
    "SELECT 1 FROM users WHERE id = $1::uuid AND is_active AND role = 'admin'";
// Serialises the changes that may remove an admin (two classes of advisory
// keys: the migrator uses the one-argument form).
constexpr const char* kAdminsLock = "SELECT pg_advisory_xact_lock(7469, 1)";
constexpr const char* kOtherAdmins =
    "SELECT count(*) FROM users WHERE role = 'admin' AND is_active AND id <> $1::uuid";
constexpr const char* kListName = "user_list";
constexpr const char* kCountName = "user_count";

// The unique index on email answers a duplicate with no row instead of an error.
const std::string kInsert = std::string(R"sql(
INSERT INTO users (email, full_name, password_hash, role) VALUES ($1, $2, $3, $4)
ON CONFLICT (email) DO NOTHING
RETURNING )sql") + kColumns;
const std::string kByEmail = std::string("SELECT ") + kColumns + " FROM users WHERE email = $1";
const std::string kById = std::string("SELECT ") + kColumns + " FROM users WHERE id = $1::uuid";
const std::string kLockRow = kById + " FOR UPDATE";
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

// Filters of GET /users, NULL when not asked for. `q` matches a part of the
// email or name (strpos, so that % and _ are plain characters).
constexpr const char* kListWhere = R"sql(
FROM users
WHERE ($1::text IS NULL OR role = $1)
  AND ($2::boolean IS NULL OR is_active = $2::boolean)
  AND ($3::text IS NULL OR strpos(email, lower($3)) > 0
       OR strpos(lower(full_name), lower($3)) > 0)
)sql";
const std::string kList = std::string("SELECT ") + kColumns + kListWhere +
                          "ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5";
const std::string kCount = std::string("SELECT count(*) ") + kListWhere;

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
  return {{kInsertName, kInsert},
          {kByEmailName, kByEmail},
          {kByIdName, kById},
          {kFailureName, kFailure},
          {kLockName, kLock},
          {kLoginName, kLogin},
          {kUpdateName, kUpdate},
          {kLockRowName, kLockRow},
          {kAdminsLockName, kAdminsLock},
          {kLockedNowName, kLockedNow},
          {kOtherAdminsName, kOtherAdmins},
          {kActiveAdminName, kActiveAdmin},
          {kListName, kList},
          {kCountName, kCount}};
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

std::optional<PasswordAttempt> UserRepository::BeginPasswordAttempt(const std::string& id) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  const auto rows = tx.exec_prepared(kLockedNowName, id);
  if (rows.empty()) return std::nullopt;
  if (rows[0][0].as<bool>()) return PasswordAttempt{.locked = true};

  PasswordAttempt attempt;
  attempt.failed_logins = FromRow(tx.exec_prepared1(kFailureName, id)).failed_logins;
  const auto lockout = domain::LockoutFor(attempt.failed_logins);
  if (lockout.count() > 0) {
    tx.exec_prepared0(kLockName, id, static_cast<double>(lockout.count()));
    attempt.locked_until = FromRow(tx.exec_prepared1(kByIdName, id)).locked_until;
  }
  tx.commit();
  return attempt;
}

void UserRepository::RecordLogin(const std::string& id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  tx.exec_prepared0(kLoginName, id);
}

namespace {

std::optional<std::string> RoleParam(const std::optional<domain::Role>& role) {
  if (!role) return std::nullopt;
  return std::string(domain::ToString(*role));
}

}  // namespace

std::optional<User> UserRepository::Update(const std::string& id, const UserUpdate& update) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kUpdateName, id, update.full_name, update.password_hash,
                                     RoleParam(update.role), update.is_active);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

std::optional<UserChange> UserRepository::Change(const std::string& id, const UserUpdate& update,
                                                 const std::optional<std::string>& actor_id) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  tx.exec_prepared(kAdminsLockName);
  const auto locked = tx.exec_prepared(kLockRowName, id);
  if (locked.empty()) return std::nullopt;
  UserChange change{FromRow(locked[0]), {}};
  const auto& before = change.before;
  // Under the same advisory lock as every other change: an actor deactivated
  // or demoted a moment ago is seen as such.
  if (actor_id && tx.exec_prepared(kActiveAdminName, *actor_id).empty()) {
    change.after = change.before;
    change.actor_not_admin = true;
    return change;
  }
  const bool removes_admin = before.role == domain::Role::kAdmin && before.is_active &&
                             ((update.role && *update.role != domain::Role::kAdmin) ||
                              (update.is_active && !*update.is_active));
  if (removes_admin && tx.exec_prepared1(kOtherAdminsName, id)[0].as<std::int64_t>() == 0) {
    change.after = change.before;
    change.last_admin = true;
    return change;
  }
  change.after = FromRow(tx.exec_prepared1(kUpdateName, id, update.full_name, update.password_hash,
                                           RoleParam(update.role), update.is_active));
  tx.commit();
  return change;
}

UserPage UserRepository::List(const domain::UserQuery& query) {
  const auto role = RoleParam(query.role);
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  UserPage page;
  page.total =
      tx.exec_prepared1(kCountName, role, query.is_active, query.text)[0].as<std::int64_t>();
  if (query.Offset() >= page.total) return page;

  const auto rows =
      tx.exec_prepared(kListName, role, query.is_active, query.text, query.size, query.Offset());
  page.items.reserve(rows.size());
  for (const auto& row : rows)
    page.items.push_back(FromRow(row));
  return page;
}

}  // namespace ticketd::storage
