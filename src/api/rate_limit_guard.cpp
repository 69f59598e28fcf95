#include "api/rate_limit_guard.hpp"

#include <algorithm>

#include "api/reply.hpp"
#include "common/config.hpp"

namespace ticketd::api {
namespace {

bool IsTrusted(std::string_view address, const std::vector<std::string>& trusted) {
  return std::find(trusted.begin(), trusted.end(), address) != trusted.end();
}

// Of two decisions, the one to report: a refusal, else the tighter budget.
const storage::RateDecision& Tighter(const storage::RateDecision& a,
                                     const storage::RateDecision& b) {
  if (!a.allowed) return a;
  if (!b.allowed) return b;
  return b.remaining < a.remaining ? b : a;
}

}  // namespace

RouteBudget BudgetOf(std::string_view route) {
  if (!route.starts_with("/api/")) return {};
  if (route.starts_with("/api/v1/auth/")) return {true, storage::RouteClass::kAuth};
  if (route.starts_with("/api/v1/ai/") || route == "/api/v1/tickets/ai-create") {
    return {true, storage::RouteClass::kAi};
  }
  if (route.starts_with("/api/v1/files")) return {true, storage::RouteClass::kUpload};
  return {true, std::nullopt};
}

std::string ClientAddress(const http::RequestContext& context,
                          const std::vector<std::string>& trusted_proxies) {
  if (!IsTrusted(context.peer_address, trusted_proxies)) return context.peer_address;
  // Walk X-Forwarded-For from the right: each trusted hop vouches for the
  // address before it; the first untrusted one is the client.
  std::string_view forwarded = http::ToStd(context.request["X-Forwarded-For"]);
  while (!forwarded.empty()) {
    const auto comma = forwarded.rfind(',');
    const auto hop =
        config::Trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
    forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
    if (hop.empty()) continue;
    if (!IsTrusted(hop, trusted_proxies)) return std::string(hop);
  }
  return context.peer_address;
}

http::Guard MakeRateLimitGuard(storage::RateLimiter& limiter, boost::asio::thread_pool& pool,
                               std::vector<std::string> trusted_proxies) {
  return [&limiter, &pool, trusted = std::move(trusted_proxies)](
             http::RequestContext& context) -> boost::asio::awaitable<http::GuardDecision> {
    const auto budget = BudgetOf(context.route);
    if (!budget.limited) co_return http::GuardDecision{};

    const std::string identity =
        context.principal.Authenticated()
            ? std::string(context.principal.KindName()) + ":" + context.principal.id
            : "ip:" + ClientAddress(context, trusted);
    const auto decision = co_await Offload(pool, [&] {
      auto general = limiter.Decide(storage::RouteClass::kGeneral, identity);
      if (!budget.route_class || !general.allowed) return general;
      const auto specific = limiter.Decide(*budget.route_class, identity);
      return Tighter(general, specific);
    });

    http::GuardDecision guarded;
    for (auto& header : storage::RateLimitHeaders(decision))
      guarded.headers.push_back(header);
    if (!decision.allowed) {
      const auto problem =
          decision.degraded
              ? http::ServiceUnavailable("Rate limits cannot be checked right now; retry shortly.")
              : http::TooManyRequests("Too many requests; retry in " +
                                      std::to_string(decision.retry_after.count()) + " s.");
      guarded.refusal = Reply(context, problem);
    }
    co_return guarded;
  };
}

}  // namespace ticketd::api
