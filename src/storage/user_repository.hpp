// Users in PostgreSQL (issue #3). Expected outcomes are values; database
// failures surface as pqxx exceptions. Thread-safe: every call leases its
// own connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/access.hpp"
#include "domain/account_requests.hpp"
#include "storage/pg_pool.hpp"

namespace ticketd::storage {

struct User {
  std::string id;
  std::string email;  // lower case
  std::string full_name;
  domain::Role role = domain::Role::kUser;
  bool is_active = true;
  int failed_logins = 0;
  std::optional<std::string> locked_until;  // RFC 3339, when locked
  std::optional<std::string> last_login_at;
  std::string created_at;
  std::string password_hash;  // never leaves storage and the auth code
};

struct EmailTaken {};

struct PasswordAttempt {
  bool locked = false;                      // refused: the account was already locked
  int failed_logins = 0;                    // counting this attempt
  std::optional<std::string> locked_until;  // set when this attempt locked the account
};

// Members to change; std::nullopt keeps the current value. A new password
// hash also clears failed logins and any lock.
struct UserUpdate {
  std::optional<std::string> full_name;
  std::optional<std::string> password_hash;
  std::optional<domain::Role> role;
  std::optional<bool> is_active;
};

struct UserPage {
  std::vector<User> items;
  std::int64_t total = 0;
};

// A user as it was before a change and as it is after it. When the change
// would have left no active admin, nothing changed and `last_admin` is set;
// when the acting account was no longer an active admin, nothing changed
// and `actor_not_admin` is set.
struct UserChange {
  User before;
  User after;
  bool last_admin = false;
  bool actor_not_admin = false;
};

class UserRepository {
 public:
  explicit UserRepository(PgPool& pool) : pool_(pool) {}

  static std::vector<PreparedStatement> Statements();

  // `email` must already be lower case and validated.
  std::variant<User, EmailTaken> Create(const std::string& email, const std::string& full_name,
                                        const std::string& password_hash, domain::Role role);

  std::optional<User> FindByEmail(const std::string& email);
  std::optional<User> FindById(const std::string& id);

  // Counts a password attempt against the account before the password is
  // checked, under the row lock, so that parallel guesses cannot outrun the
  // lockout: from the fifth attempt the account locks per
  // domain::LockoutFor, and attempts on a locked account are refused
  // without counting. A correct password then clears the count
  // (RecordLogin, or Update with a new password hash). std::nullopt when
  // the account does not exist.
  std::optional<PasswordAttempt> BeginPasswordAttempt(const std::string& id);

  // Clears the failure count and lock and stamps last_login_at.
  void RecordLogin(const std::string& id);

  // Applies `update`; returns the user as stored, or std::nullopt when there
  // is no such user.
  std::optional<User> Update(const std::string& id, const UserUpdate& update);

  // Update under a row lock, so that `before` is exactly what the change
  // replaced even when two admins change one account at once.
  std::optional<UserChange> Change(const std::string& id, const UserUpdate& update,
                                   const std::optional<std::string>& actor_id = std::nullopt);

  // One page of the users matching every filter of `query`, newest first,
  // with the number of matches.
  UserPage List(const domain::UserQuery& query);

 private:
  // The user a one-parameter lookup statement finds, or std::nullopt.
  std::optional<User> FindOne(const char* statement, const std::string& key);

  PgPool& pool_;
};

}  // namespace ticketd::storage
