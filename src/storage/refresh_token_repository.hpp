// Refresh tokens (issue #3): stored as SHA-256 digests, rotated on every use;
// presenting a token that was already rotated or revoked revokes its whole
// family (one login's chain). Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/pg_pool.hpp"

namespace ticketd::storage {

struct IssuedRefresh {
  std::string token;  // the secret, shown to the client once
  std::string user_id;
};
struct RefreshRejected {
  bool reused = false;                 // true when a family was revoked because of this attempt
  std::optional<std::string> user_id;  // the family's owner, when reused
};

class RefreshTokenRepository {
 public:
  RefreshTokenRepository(PgPool& pool, std::chrono::seconds lifetime)
      : pool_(pool), lifetime_(lifetime) {}

  static std::vector<PreparedStatement> Statements();

  // Starts a new family for `user_id` (a login).
  IssuedRefresh Issue(const std::string& user_id);

  // Rotates `token`: the old one stops working and a new one of the same
  // family is returned. An unknown, expired, rotated or revoked token is
  // rejected; a rotated or revoked one also revokes its family.
  std::variant<IssuedRefresh, RefreshRejected> Rotate(const std::string& token);

  // Revokes the family of `token` (logout) and returns its user's id;
  // unknown tokens are ignored (std::nullopt).
  std::optional<std::string> Revoke(const std::string& token);

  // Revokes every token of `user_id` (deactivation, a new password) and
  // returns how many were still unrevoked.
  int RevokeAllFor(const std::string& user_id);

 private:
  PgPool& pool_;
  std::chrono::seconds lifetime_;
};

}  // namespace ticketd::storage
