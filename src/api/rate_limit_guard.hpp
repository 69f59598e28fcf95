// Rate limiting of the API (issue #3): every /api/ request spends from the
// caller's general budget, and auth, AI and upload routes also from their
// class's budget. Refusals are 429 problems with Retry-After; every limited
// answer carries the old backend's X-RateLimit-* headers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "http/types.hpp"
#include "storage/rate_limiter.hpp"

namespace ticketd::api {

// The class a route template spends from besides `general`, std::nullopt
// for routes outside the limits (health, version, metrics, documentation).
// `limited` is false for those.
struct RouteBudget {
  bool limited = false;
  std::optional<storage::RouteClass> route_class;
};
RouteBudget BudgetOf(std::string_view route);

// The client's address: the TCP peer, or the nearest address in
// X-Forwarded-For that is not a trusted proxy when the peer is one.
std::string ClientAddress(const http::RequestContext& context,
                          const std::vector<std::string>& trusted_proxies);

// A guard that asks `limiter` (on `pool`, since its calls block). Both must
// outlive the guard. It spends the budget of the authenticated user or API
// key, else of the client's address; run it after authentication.
http::Guard MakeRateLimitGuard(storage::RateLimiter& limiter, boost::asio::thread_pool& pool,
                               std::vector<std::string> trusted_proxies);

}  // namespace ticketd::api
