// Request rate limits in Redis: a sliding window per identity and route
// class, decided atomically by one Lua script in one round trip.
//
// Each (class, identity) pair owns a sorted set `<prefix>:<class>:<identity>`
// whose members are the requests admitted in the last window, scored by the
// Redis server's clock in microseconds (so API instances with skewed clocks
// still share one window). The script drops members older than the window,
// admits the request while the set holds fewer than `limit` members, and sets
// the key to expire one window after its newest member.
//
// When Redis is unreachable, slow or answers an error, the decision is
// `degraded`: the request is let through (or refused when fail_open is
// false), degraded_decisions() grows and a warning is logged at most once per
// 10 s. `rediss://` URLs speak TLS (see RedisConnection).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/config.hpp"

namespace ticketd::storage {

enum class RouteClass { kGeneral, kAuth, kAi, kUpload };

inline constexpr std::array<RouteClass, 4> kRouteClasses = {RouteClass::kGeneral, RouteClass::kAuth,
                                                            RouteClass::kAi, RouteClass::kUpload};

// "general", "auth", "ai" or "upload": the name in keys and logs.
std::string_view RouteClassName(RouteClass route_class);

// The environment variable that overrides the class's limit, e.g. RATE_LIMIT_AUTH.
std::string_view RateLimitEnvName(RouteClass route_class);

// At most `limit` requests in any `window`.
struct RateLimit {
  int limit = 0;
  std::chrono::seconds window{0};

  friend bool operator==(const RateLimit&, const RateLimit&) = default;
};

inline constexpr int kMaxRateLimit = 1'000'000;  // bounds one key's sorted set
inline constexpr std::chrono::seconds kMaxRateWindow{86'400};

// The old backend's defaults.
struct RateLimitPolicy {
  RateLimit general{1000, std::chrono::hours(1)};
  RateLimit auth{100, std::chrono::minutes(5)};
  RateLimit ai{200, std::chrono::hours(1)};
  RateLimit upload{50, std::chrono::minutes(5)};

  const RateLimit& For(RouteClass route_class) const;
  RateLimit& For(RouteClass route_class);
};

// Parses "LIMIT/SECONDS", e.g. "100/300" for 100 requests per 300 s. LIMIT is
// 1..kMaxRateLimit and SECONDS 1..kMaxRateWindow, both plain decimal
// integers without sign or spaces. On failure, one line saying what is wrong.
std::variant<RateLimit, std::string> ParseRateLimit(std::string_view text);

// The defaults, each overridden by its RateLimitEnvName variable when set.
// On failure, one line that starts with the variable's name.
std::variant<RateLimitPolicy, std::string> LoadRateLimitPolicy(const config::EnvLookup& env);

// One request's outcome. `reset` is the time until the oldest admitted request
// leaves the window (one more request fits then); `retry_after` is zero when
// allowed. A degraded decision was made without Redis: it carries `limit`
// but no meaningful `remaining` or `reset`.
struct RateDecision {
  bool allowed = true;
  int limit = 0;
  int remaining = 0;
  std::chrono::seconds reset{0};
  std::chrono::seconds retry_after{0};
  bool degraded = false;
};

// What a refusal made without Redis asks the client to wait.
inline constexpr std::chrono::seconds kDegradedRetryAfter{5};

// The decision for what the script answered: `reset` is rounded up to whole
// seconds, and a refusal waits at least 1 s.
RateDecision DecisionFromWindow(int limit, bool allowed, int remaining,
                                std::chrono::milliseconds reset);

// The decision without Redis, per fail_open.
RateDecision DegradedDecision(int limit, bool fail_open);

// The old backend's headers for `decision`: X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (whole seconds), plus
// Retry-After when refused. A degraded decision has no counts to report, so
// it gets only Retry-After, and only when refused.
using HeaderList = std::vector<std::pair<std::string, std::string>>;
HeaderList RateLimitHeaders(const RateDecision& decision);

// `<prefix>:<class>:<identity>`.
std::string RateLimitKey(std::string_view prefix, RouteClass route_class,
                         std::string_view identity);

struct RateLimiterOptions {
  std::string redis_url;    // redis:// or rediss://, see ParseRedisUrl
  std::string tls_ca_file;  // rediss://: CAs trusted besides the system's (RedisConnectOptions)
  RateLimitPolicy policy;
  std::string key_prefix = "ratelimit";
  bool fail_open = true;  // a degraded decision lets the request through
  int pool_size = 4;
  std::chrono::milliseconds connect_timeout{1000};  // resolve, TCP connect and TLS handshake
  std::chrono::milliseconds command_timeout{250};   // each read and write
  std::chrono::milliseconds acquire_timeout{100};   // waiting for a pooled connection
  // After a failed connect, new connections are not tried for this long, so
  // an outage costs requests no connect timeout each.
  std::chrono::milliseconds reconnect_backoff{1000};
};

class RateLimiter {
 public:
  // Opens no connection yet. Throws std::invalid_argument when a policy limit
  // is outside ParseRateLimit's ranges or pool_size < 1 (programming errors).
  // A redis_url that ParseRedisUrl refuses does not throw: every decision is
  // then degraded and one error line says why; the caller should have
  // validated the URL at startup.
  explicit RateLimiter(RateLimiterOptions options);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Counts one request of `identity` against `route_class`'s limit. Blocking:
  // at worst acquire_timeout + connect_timeout + 5 command timeouts (AUTH,
  // SELECT, SCRIPT LOAD on a new connection; EVALSHA, then EVAL after
  // NOSCRIPT), so call it off the I/O threads. Never throws for Redis
  // failures: they give a degraded decision. `identity` is a short id the
  // caller built (e.g. "user:<uuid>", "key:<prefix>", "ip:<address>"), not
  // raw client input. Thread-safe.
  RateDecision Decide(RouteClass route_class, std::string_view identity);

  // Decisions made without Redis since construction. Thread-safe.
  std::uint64_t degraded_decisions() const {
    return degraded_decisions_.load(std::memory_order_relaxed);
  }

  const RateLimitPolicy& policy() const { return options_.policy; }

 private:
  struct Impl;

  RateDecision Degrade(int limit, std::string_view reason);

  RateLimiterOptions options_;
  std::string unusable_reason_;  // why impl_ is null: the URL cannot be used
  std::unique_ptr<Impl> impl_;
  std::atomic<std::uint64_t> degraded_decisions_{0};
  std::atomic<std::int64_t> next_warning_ns_{0};  // steady clock
};

}  // namespace ticketd::storage
