// Accounts under /api/v1/auth (issue #3): register, login, refresh, logout,
// GET and PUT /me and GET /verify (the last three behind the request guard).
// Access tokens are HS256 JWTs; refresh tokens are opaque, stored hashed and
// rotated on every use. Sign-ins, failures, lockouts, refresh-token reuse,
// logouts and password changes go to the audit trail.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "api/audit_trail.hpp"
#include "api/authentication.hpp"
#include "domain/ticket.hpp"
#include "http/router.hpp"
#include "storage/refresh_token_repository.hpp"
#include "storage/user_repository.hpp"

namespace ticketd::api {

// The longest address accounts accept, in characters as the users table's
// CHECK counts them (RFC 5321 allows 254 octets).
inline constexpr std::size_t kMaxEmail = 254;

// Why `email` is not an address accounts accept, as a field error's reason
// ("must be at most 254 characters long; this one has 300"), or
// std::nullopt when it is one: one '@', a non-empty local part, a dotted
// domain, 3 to kMaxEmail characters, no spaces or control characters.
std::optional<std::string> EmailProblem(std::string_view email);

// The address lower-cased, or std::nullopt when EmailProblem refuses it.
std::optional<std::string> NormalizeEmail(std::string_view email);

// A POST /api/v1/auth/register body {email, full_name, password}: `email`
// normalised (NormalizeEmail), `full_name` a display name, `password` strong
// enough for that address (domain::CheckPassword). One error per wrong
// member; `out` is filled only when there is none.
struct Registration {
  std::string email;
  std::string full_name;
  std::string password;
};
domain::FieldErrors DecodeRegistration(const nlohmann::json& body, Registration& out);

// A POST /api/v1/auth/login body {email, password}, both strings. `email` is
// normalised, or "" when it is no address: such a sign-in is refused like a
// wrong password, so that the answer does not tell which addresses exist.
struct SignIn {
  std::string email;
  std::string password;
};
domain::FieldErrors DecodeSignIn(const nlohmann::json& body, SignIn& out);

// Registers the routes. Database calls run on `blocking`; password hashing
// and verification (argon2id, about 64 MiB each) on `hashing`, a small pool
// that bounds their memory and keeps database threads free. Every
// referenced object must outlive the router.
void AddAuthRoutes(http::Router& router, storage::UserRepository& users,
                   storage::RefreshTokenRepository& refresh_tokens, AuditTrail& audit,
                   boost::asio::thread_pool& blocking, boost::asio::thread_pool& hashing,
                   TokenSettings settings);

}  // namespace ticketd::api
