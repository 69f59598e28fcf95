// What callers send to the account administration endpoints (issue #3):
// the query parameters of the user, API key and audit lists, and the bodies
// that change an account's access, create an API key or change one's own
// profile. Pure decoding with one FieldError per invalid parameter or member;
// unknown body members are errors, unknown query parameters are ignored (as
// for tickets).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/access.hpp"
#include "domain/list_query.hpp"

namespace ticketd::domain {

// GET /api/v1/users: newest first.
struct UserQuery {
  int page = 1;
  int size = 20;
  std::optional<Role> role;
  std::optional<bool> is_active;
  std::optional<std::string> text;  // `q`: a case-insensitive part of the email or full name

  std::int64_t Offset() const { return static_cast<std::int64_t>(page - 1) * size; }
};
FieldErrors DecodeUserQuery(const QueryParams& params, UserQuery& out);

// GET /api/v1/api-keys: newest first.
struct ApiKeyQuery {
  int page = 1;
  int size = 20;
  bool active_only = false;  // leave out revoked keys

  std::int64_t Offset() const { return static_cast<std::int64_t>(page - 1) * size; }
};
FieldErrors DecodeApiKeyQuery(const QueryParams& params, ApiKeyQuery& out);

// GET /api/v1/audit-events: newest first; every filter given must match.
struct AuditQuery {
  int page = 1;
  int size = 20;
  std::optional<std::string> event;     // exact name, e.g. "auth.login_failed"
  std::optional<std::string> actor_id;  // a UUID
  std::optional<std::string> target;    // exact, e.g. a user's or key's id
  std::optional<std::string> since;     // RFC 3339, inclusive
  std::optional<std::string> until;     // RFC 3339, exclusive

  std::int64_t Offset() const { return static_cast<std::int64_t>(page - 1) * size; }
};
FieldErrors DecodeAuditQuery(const QueryParams& params, AuditQuery& out);

// PATCH /api/v1/users/{id}: {role?, is_active?}. Neither may be null.
struct AccessChange {
  std::optional<Role> role;
  std::optional<bool> is_active;
};
FieldErrors DecodeAccessChange(const nlohmann::json& body, AccessChange& out);

// POST /api/v1/api-keys: {name, role}; the name has 1 to 100 characters and
// is not blank.
struct ApiKeyRequest {
  std::string name;
  Role role = Role::kApiUser;
};
FieldErrors DecodeApiKeyRequest(const nlohmann::json& body, ApiKeyRequest& out);

// PUT /api/v1/auth/me: {full_name?, password?, current_password?}. A new
// password needs current_password; its strength is checked by the caller
// (CheckPassword needs the account's email).
inline constexpr std::size_t kMaxFullName = 200;

struct ProfileChange {
  std::optional<std::string> full_name;
  std::optional<std::string> password;
  std::optional<std::string> current_password;
};
FieldErrors DecodeProfileChange(const nlohmann::json& body, ProfileChange& out);

// Building blocks of the body decoders here and in domain/article.hpp.

// Text a client sends: a string of storable text of at most `max` code
// points (0: no limit); otherwise std::nullopt with one error at `path`.
std::optional<std::string> DecodeText(const nlohmann::json& value, const char* path,
                                      std::size_t max, FieldErrors& errors);

// A name people see (an account's full name, an API key's name): text of
// 1 to `max` code points, not blank, on one line without control characters
// or direction overrides (IsPlainLine).
std::optional<std::string> DecodeDisplayName(const nlohmann::json& value, const char* path,
                                             std::size_t max, FieldErrors& errors);

// False (with a `body` error) when `body` is not an object; otherwise adds
// one error per member not in `known` and answers true.
bool CheckMembers(const nlohmann::json& body, std::span<const std::string_view> known,
                  FieldErrors& errors);

// The part of `email` after its last '@' ("example.com"), or "" when there
// is none: what the audit trail keeps of an address that names no account.
std::string EmailDomain(std::string_view email);

}  // namespace ticketd::domain
