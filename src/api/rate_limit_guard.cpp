#include "api/rate_limit_guard.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <optional>

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

// `text` as an IP address in its canonical spelling (IPv4-mapped IPv6 as
// plain IPv4, no zone), or std::nullopt when it is not one.
std::optional<std::string> CanonicalAddress(std::string_view text) {
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  if (address.is_v4()) return address.to_string();
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  v6.scope_id(0);  // "fe80::1%7" and "fe80::1" are one client
  return v6.to_string();
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
  // Proxies may add their own X-Forwarded-For line instead of extending the
  // last one: every line counts, in order, as one list (RFC 9110, 5.3).
  std::string forwarded_lines;
  const auto [first, last] = context.request.equal_range("X-Forwarded-For");
  for (auto line = first; line != last; ++line) {
    if (!forwarded_lines.empty()) forwarded_lines += ',';
    forwarded_lines += http::ToStd(line->value());
  }
  // Walk from the right: each trusted hop vouches for the address before it;
  // the first untrusted one is the client. A hop that is not an address
  // ends the walk at the last hop that could be believed.
  std::string believed = context.peer_address;
  std::string_view forwarded = forwarded_lines;
  while (!forwarded.empty()) {
    const auto comma = forwarded.rfind(',');
    const auto hop =
        config::Trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
    forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
    if (hop.empty()) continue;
    const auto address = CanonicalAddress(hop);
    if (!address) return believed;
    if (!IsTrusted(*address, trusted_proxies)) return *address;
    believed = *address;
  }
  return believed;
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
