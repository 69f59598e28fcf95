// Authentication of every request (issue #3): reads a bearer access token
// (JWT) or an API key, resolves the caller's current role from storage, and
// guards every route that is not public. Authorization checks for handlers
// (Require) live here too.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "domain/access.hpp"
#include "domain/jwt.hpp"
#include "http/problem.hpp"
#include "http/types.hpp"
#include "storage/api_key_repository.hpp"
#include "storage/user_repository.hpp"

namespace ticketd::api {

struct TokenSettings {
  std::string jwt_key;  // JWT_SECRET_KEY
  domain::JwtExpectations expect{"ticketd", "ticketd-api", 30};
  std::chrono::seconds access_lifetime{30 * 60};
};

// The credential a request carries. One of `Authorization: Bearer <JWT>`,
// `Authorization: Bearer tkd_...` or `X-API-Key: tkd_...`; two at once, an
// empty one or another scheme are kMalformed, with `value` saying why.
struct Credential {
  enum class Kind { kNone, kAccessToken, kApiKey, kMalformed };
  Kind kind = Kind::kNone;
  std::string value;
};
Credential CredentialOf(const http::Request& request);

// Who may call a route without credentials.
enum class RouteAccess { kPublic, kAuthenticated };
// Public: everything outside /api/ (health, version, docs; /metrics unless
// `metrics_public` is false) and the sign-in routes of /api/v1/auth.
RouteAccess AccessOf(std::string_view route, bool metrics_public);

// 401 problems: the credential is missing, or not valid (with why).
http::Problem Unauthenticated(std::string code, std::string detail);

// std::nullopt when the request's principal may perform `action`; else the
// problem to answer: 401 for anonymous callers, 403 for a role without it.
std::optional<http::Problem> Require(const http::RequestContext& context, domain::Action action);

// Require, and then that the caller is a signed-in account, not an API key
// (403 NOT_A_USER): for changes to accounts, keys and the AI configuration,
// so that a key cannot mint keys, restore a deactivated account, or point a
// provider at a server of its choosing.
std::optional<http::Problem> RequireAccount(const http::RequestContext& context,
                                            domain::Action action);

// A problem answer; 401s carry WWW-Authenticate: Bearer.
http::Response Refuse(const http::RequestContext& context, const http::Problem& problem);

class Authenticator {
 public:
  // Facts read from storage (role, active, revoked) are kept for
  // `cache_ttl`; a role change, deactivation or revocation made through
  // this instance applies at once (Forget), through another within it.
  Authenticator(storage::UserRepository& users, storage::ApiKeyRepository& keys,
                boost::asio::thread_pool& blocking, TokenSettings tokens,
                std::chrono::milliseconds cache_ttl = std::chrono::seconds(5));

  // The principal the request's credential names: anonymous without one,
  // a 401 problem for one that is not valid (bad signature, expired,
  // revoked key, disabled account...).
  boost::asio::awaitable<std::variant<http::Principal, http::Problem>> Resolve(
      const http::RequestContext& context);

  // Forgets what is cached about a user or API key (by id).
  void Forget(const std::string& id);

  const TokenSettings& Tokens() const { return tokens_; }

 private:
  struct Known {
    http::Principal principal;  // without expires_at
    bool usable = false;        // false: a disabled user
    std::chrono::steady_clock::time_point fetched;
  };
  std::optional<Known> Cached(const std::string& key);
  void Remember(const std::string& key, Known known);

  storage::UserRepository& users_;
  storage::ApiKeyRepository& keys_;
  boost::asio::thread_pool& blocking_;
  TokenSettings tokens_;
  std::chrono::milliseconds cache_ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, Known> cache_;  // "u:<id>" or "k:<digest>"
};

// The request guard: authenticates, spends the rate budget of the caller
// (user, key, or client address) through `rate_limit`, then refuses
// unauthenticated calls to non-public routes with 401. A caller over its
// budget gets 429 even when its credential is bad, so guessing tokens is
// rate limited too. `authenticator` must outlive the guard.
http::Guard MakeRequestGuard(Authenticator& authenticator, http::Guard rate_limit,
                             bool metrics_public);

}  // namespace ticketd::api
