// API keys (issue #3): created by admins for services, stored as SHA-256
// digests of the whole key, recognisable by their prefix, scoped to one
// role, revocable, with the time of last use. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/access.hpp"
#include "storage/pg_pool.hpp"

namespace ticketd::storage {

struct ApiKey {
  std::string id;
  std::string name;
  std::string prefix;
  domain::Role role = domain::Role::kApiUser;
  std::optional<std::string> created_by_id;
  std::string created_at;  // RFC 3339 UTC
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
};

struct CreatedApiKey {
  ApiKey key;
  std::string secret;  // the whole key, shown once
};

struct ApiKeyPage {
  std::vector<ApiKey> items;
  std::int64_t total = 0;
};

struct RevokedApiKey {
  ApiKey key;
  bool newly_revoked = false;  // false when it was revoked before this call
};

class ApiKeyRepository {
 public:
  explicit ApiKeyRepository(PgPool& pool) : pool_(pool) {}

  static std::vector<PreparedStatement> Statements();

  // A new key created by the admin `created_by_id`; std::nullopt when that
  // account is not an active admin when the key would be stored.
  std::optional<CreatedApiKey> Create(const std::string& name, domain::Role role,
                                      const std::string& created_by_id);

  // The key that `secret` is, when it exists, is not revoked and its creator
  // is still an active admin; stamps its
  // last use (at most once a minute, so that busy keys do not write on
  // every request).
  std::optional<ApiKey> Authenticate(const std::string& secret);

  std::optional<ApiKey> Find(const std::string& id);

  // Newest first; revoked keys are listed unless `active_only`.
  ApiKeyPage List(int page, int size, bool active_only);

  // Revokes the key; returns it, or std::nullopt when there is no such key.
  // Revoking a revoked key keeps the first revocation time.
  std::optional<RevokedApiKey> Revoke(const std::string& id);

  // Revokes every live key `user_id` created (its creator was deactivated
  // or lost the admin role); returns those keys.
  std::vector<ApiKey> RevokeCreatedBy(const std::string& user_id);

 private:
  PgPool& pool_;
};

}  // namespace ticketd::storage
