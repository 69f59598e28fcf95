#include "api/authentication.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "api/reply.hpp"
#include "common/log.hpp"
#include "domain/credentials.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;

constexpr std::size_t kCacheCapacity = 10000;
constexpr const char* kApiKeyHeader = "X-API-Key";

constexpr std::array<std::string_view, 4> kPublicAuthRoutes = {
    "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout"};

std::int64_t EpochSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Credential Malformed(std::string why) {
  return {Credential::Kind::kMalformed, std::move(why)};
}

}  // namespace

Credential CredentialOf(const http::Request& request) {
  if (request.count(beast_http::field::authorization) > 1 || request.count(kApiKeyHeader) > 1) {
    return Malformed("Send one Authorization or X-API-Key header, not several.");
  }
  const auto authorization = request.find(beast_http::field::authorization);
  const auto api_key = request.find(kApiKeyHeader);
  const bool has_authorization = authorization != request.end();
  const bool has_api_key = api_key != request.end();
  if (has_authorization && has_api_key) {
    return Malformed("Send either Authorization or X-API-Key, not both.");
  }
  if (has_api_key) {
    const auto key = http::ToStd(api_key->value());
    if (key.empty()) return Malformed("X-API-Key is empty.");
    return {Credential::Kind::kApiKey, std::string(key)};
  }
  if (!has_authorization) return {};

  const auto header = http::ToStd(authorization->value());
  const auto space = header.find(' ');
  if (space == std::string_view::npos || !EqualsIgnoringCase(header.substr(0, space), "Bearer")) {
    return Malformed("Use Authorization: Bearer <access token or API key>.");
  }
  auto token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  if (token.empty()) return Malformed("The bearer token is empty.");
  if (domain::ApiKeyPrefix(token)) return {Credential::Kind::kApiKey, std::string(token)};
  return {Credential::Kind::kAccessToken, std::string(token)};
}

RouteAccess AccessOf(std::string_view route, bool metrics_public) {
  if (route == "/metrics")
    return metrics_public ? RouteAccess::kPublic : RouteAccess::kAuthenticated;
  if (!route.starts_with("/api/")) return RouteAccess::kPublic;
  if (std::find(kPublicAuthRoutes.begin(), kPublicAuthRoutes.end(), route) !=
      kPublicAuthRoutes.end()) {
    return RouteAccess::kPublic;
  }
  return RouteAccess::kAuthenticated;
}

http::Problem Unauthenticated(std::string code, std::string detail) {
  return {http::Status::unauthorized, std::move(code), "Unauthorized", std::move(detail), {}};
}

std::optional<http::Problem> Require(const http::RequestContext& context, domain::Action action) {
  if (!context.principal.Authenticated()) {
    return Unauthenticated("MISSING_CREDENTIALS",
                           "Send Authorization: Bearer <access token> or X-API-Key.");
  }
  if (domain::Allows(context.principal.role, action)) return std::nullopt;
  return http::Forbidden("FORBIDDEN",
                         "The role " + std::string(domain::ToString(context.principal.role)) +
                             " may not " + std::string(domain::ToString(action)) + ".");
}

std::optional<http::Problem> RequireAccount(const http::RequestContext& context,
                                            domain::Action action) {
  if (auto refused = Require(context, action)) return refused;
  if (context.principal.kind == http::PrincipalKind::kUser) return std::nullopt;
  return http::Forbidden(
      "NOT_A_USER",
      "API keys cannot change accounts, API keys or the AI configuration; sign in as an "
      "admin.");
}

http::Response Refuse(const http::RequestContext& context, const http::Problem& problem) {
  auto response = Reply(context, problem);
  if (problem.status == http::Status::unauthorized) {
    response.set(beast_http::field::www_authenticate, "Bearer realm=\"ticketd\"");
  }
  return response;
}

Authenticator::Authenticator(storage::UserRepository& users, storage::ApiKeyRepository& keys,
                             boost::asio::thread_pool& blocking, TokenSettings tokens,
                             std::chrono::milliseconds cache_ttl)
    : users_(users),
      keys_(keys),
      blocking_(blocking),
      tokens_(std::move(tokens)),
      cache_ttl_(cache_ttl) {}

awaitable<std::variant<http::Principal, http::Problem>> Authenticator::Resolve(
    const http::RequestContext& context) {
  const auto credential = CredentialOf(context.request);
  switch (credential.kind) {
    case Credential::Kind::kNone:
      co_return http::Principal{};
    case Credential::Kind::kMalformed:
      co_return Unauthenticated("MALFORMED_CREDENTIALS", credential.value);
    case Credential::Kind::kAccessToken:
      break;
    case Credential::Kind::kApiKey: {
      const std::string cache_key = "k:" + domain::Digest(credential.value);
      auto known = Cached(cache_key);
      if (!known) {
        const auto key =
            co_await Offload(blocking_, [&] { return keys_.Authenticate(credential.value); });
        if (!key) {
          co_return Unauthenticated("INVALID_API_KEY", "The API key is unknown or revoked.");
        }
        known = Known{{http::PrincipalKind::kApiKey, key->id, key->role, 0}, true, {}};
        Remember(cache_key, *known);
      }
      co_return known->principal;
    }
  }

  const auto verified =
      domain::VerifyJwt(credential.value, tokens_.jwt_key, tokens_.expect, EpochSeconds());
  if (!verified.ok()) {
    co_return Unauthenticated("INVALID_TOKEN", std::string(domain::Describe(verified.error)) + ".");
  }
  if (!domain::IsUuid(verified.claims->subject)) {
    co_return Unauthenticated("INVALID_TOKEN", "The token's subject is not an account.");
  }
  const std::string cache_key = "u:" + verified.claims->subject;
  auto known = Cached(cache_key);
  if (!known) {
    const auto user =
        co_await Offload(blocking_, [&] { return users_.FindById(verified.claims->subject); });
    if (!user) co_return Unauthenticated("INVALID_TOKEN", "The account no longer exists.");
    known = Known{{http::PrincipalKind::kUser, user->id, user->role, 0}, user->is_active, {}};
    Remember(cache_key, *known);
  }
  if (!known->usable) {
    co_return Unauthenticated("ACCOUNT_DISABLED", "The account is deactivated.");
  }
  auto principal = known->principal;
  principal.expires_at = verified.claims->expires_at;
  co_return principal;
}

std::optional<Authenticator::Known> Authenticator::Cached(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto found = cache_.find(key);
  if (found == cache_.end()) return std::nullopt;
  if (std::chrono::steady_clock::now() - found->second.fetched >= cache_ttl_) {
    cache_.erase(found);
    return std::nullopt;
  }
  return found->second;
}

void Authenticator::Remember(const std::string& key, Known known) {
  if (cache_ttl_.count() <= 0) return;
  known.fetched = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kCacheCapacity) {
    std::erase_if(cache_, [&](const auto& entry) {
      return known.fetched - entry.second.fetched >= cache_ttl_;
    });
    if (cache_.size() >= kCacheCapacity) cache_.clear();
  }
  cache_[key] = std::move(known);
}

void Authenticator::Forget(const std::string& id) {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.id == id; });
}

http::Guard MakeRequestGuard(Authenticator& authenticator, http::Guard rate_limit,
                             bool metrics_public) {
  return [&authenticator, rate_limit = std::move(rate_limit),
          metrics_public](http::RequestContext& context) -> awaitable<http::GuardDecision> {
    const bool is_public = AccessOf(context.route, metrics_public) == RouteAccess::kPublic;
    // Public routes (sign-in, registration, health...) neither need nor use
    // credentials: they are not even read, so that a token cannot move
    // sign-in attempts off the client address's budget.
    std::optional<http::Problem> refusal;
    if (!is_public) {
      auto resolved = co_await authenticator.Resolve(context);
      if (auto* principal = std::get_if<http::Principal>(&resolved)) {
        context.principal = std::move(*principal);
      } else {
        refusal = std::get<http::Problem>(std::move(resolved));
        log::Warn("auth", "credential refused",
                  {{"error_code", refusal->error_code},
                   {"route", context.route},
                   {"request_id", context.request_id}});
      }
      if (!refusal && !context.principal.Authenticated()) {
        refusal = Unauthenticated("MISSING_CREDENTIALS",
                                  "Send Authorization: Bearer <access token> or X-API-Key.");
      }
    }

    http::GuardDecision decision;
    if (rate_limit) decision = co_await rate_limit(context);
    if (!decision.refusal && refusal) decision.refusal = Refuse(context, *refusal);
    co_return decision;
  };
}

}  // namespace ticketd::api
