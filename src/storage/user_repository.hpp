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

// Members to change; std::nullopt keeps the current value. A new password
// hash also clears failed logins and any lock.
struct UserUpdate {
  std::optional<std::string> full_name;
  std::optional<std::string> password_hash;
  std::optional<domain::Role> role;
  std::optional<bool> is_active;
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

  // Counts a failed login and locks the account per domain::LockoutFor.
  // Returns the updated user, or std::nullopt when it does not exist.
  std::optional<User> RecordFailedLogin(const std::string& id);

  // Clears the failure count and lock and stamps last_login_at.
  void RecordLogin(const std::string& id);

  // Applies `update`; returns the user as stored, or std::nullopt when there
  // is no such user.
  std::optional<User> Update(const std::string& id, const UserUpdate& update);

 private:
  // The user a one-parameter lookup statement finds, or std::nullopt.
  std::optional<User> FindOne(const char* statement, const std::string& key);

  PgPool& pool_;
};

}  // namespace ticketd::storage
