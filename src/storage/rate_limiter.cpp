#include "storage/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>

#include "common/log.hpp"
#include "storage/redis_connection.hpp"
#include "storage/redis_url.hpp"

namespace ticketd::storage {
namespace {

constexpr std::string_view kComponent = "rate_limit";
constexpr std::chrono::seconds kWarningInterval{10};
constexpr std::size_t kMaxReasonBytes = 200;

// KEYS[1]: the window's sorted set. ARGV: limit, window in ms, a random member
// suffix. Returns {allowed (0/1), remaining, ms until the oldest member leaves
// the window}. The server's clock keeps every API instance on one timeline;
// replicate_commands lets Redis before 5 write after reading TIME.
constexpr std::string_view kSlidingWindowScript = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local limit = tonumber(ARGV[1])
local window_ms = tonumber(ARGV[2])
local window_us = window_ms * 1000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window_us)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  local member = string.format('%s%06d-%s', time[1], tonumber(time[2]), ARGV[3])
  redis.call('ZADD', KEYS[1], now, member)
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', KEYS[1], window_ms)
local reset_ms = 0
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #oldest == 2 then
  reset_ms = math.ceil((tonumber(oldest[2]) + window_us - now) / 1000)
end
return {allowed, math.max(limit - count, 0), reset_ms}
)lua";

std::string Truncated(std::string text) {
  if (text.size() > kMaxReasonBytes) text.resize(kMaxReasonBytes);
  return text;
}

std::string NoReply(std::string_view command, const RedisConnection& connection) {
  return Truncated(std::string(command) + ": no reply (" + connection.error() + ")");
}

bool IsError(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ERROR;
}

std::string_view Text(const redisReply* reply) {
  return {reply->str, reply->len};
}

// Unique per request together with the server's microsecond clock.
std::string RandomSuffix() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(generator()));
  return buffer;
}

std::optional<int> ParseBoundedInt(std::string_view text, int max) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > max)
    return std::nullopt;
  return value;
}

bool IsValid(const RateLimit& rule) {
  return rule.limit >= 1 && rule.limit <= kMaxRateLimit && rule.window >= std::chrono::seconds(1) &&
         rule.window <= kMaxRateWindow;
}

struct WindowReply {
  bool allowed = false;
  int remaining = 0;
  std::chrono::milliseconds reset{0};
};

std::variant<WindowReply, std::string> ReadWindow(const redisReply* reply) {
  if (IsError(reply)) return Truncated("script error: " + std::string(Text(reply)));
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3)
    return std::string("unexpected script reply");
  for (std::size_t i = 0; i < 3; ++i) {
    if (reply->element[i]->type != REDIS_REPLY_INTEGER)
      return std::string("unexpected script reply");
  }
  return WindowReply{reply->element[0]->integer == 1, static_cast<int>(reply->element[1]->integer),
                     std::chrono::milliseconds(reply->element[2]->integer)};
}

}  // namespace

std::string_view RouteClassName(RouteClass route_class) {
  switch (route_class) {
    case RouteClass::kGeneral:
      return "general";
    case RouteClass::kAuth:
      return "auth";
    case RouteClass::kAi:
      return "ai";
    case RouteClass::kUpload:
      return "upload";
  }
  return "general";
}

std::string_view RateLimitEnvName(RouteClass route_class) {
  switch (route_class) {
    case RouteClass::kGeneral:
      return "RATE_LIMIT_GENERAL";
    case RouteClass::kAuth:
      return "RATE_LIMIT_AUTH";
    case RouteClass::kAi:
      return "RATE_LIMIT_AI";
    case RouteClass::kUpload:
      return "RATE_LIMIT_UPLOAD";
  }
  return "RATE_LIMIT_GENERAL";
}

const RateLimit& RateLimitPolicy::For(RouteClass route_class) const {
  switch (route_class) {
    case RouteClass::kGeneral:
      return general;
    case RouteClass::kAuth:
      return auth;
    case RouteClass::kAi:
      return ai;
    case RouteClass::kUpload:
      return upload;
  }
  return general;
}

RateLimit& RateLimitPolicy::For(RouteClass route_class) {
  return const_cast<RateLimit&>(std::as_const(*this).For(route_class));
}

std::variant<RateLimit, std::string> ParseRateLimit(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos)
    return std::string("expected LIMIT/SECONDS, e.g. 100/300");

  const auto limit = ParseBoundedInt(text.substr(0, slash), kMaxRateLimit);
  if (!limit) {
    return "the limit before '/' must be an integer from 1 to " + std::to_string(kMaxRateLimit);
  }
  const auto window =
      ParseBoundedInt(text.substr(slash + 1), static_cast<int>(kMaxRateWindow.count()));
  if (!window) {
    return "the window after '/' must be a whole number of seconds from 1 to " +
           std::to_string(kMaxRateWindow.count());
  }
  return RateLimit{*limit, std::chrono::seconds(*window)};
}

std::variant<RateLimitPolicy, std::string> LoadRateLimitPolicy(const config::EnvLookup& env) {
  RateLimitPolicy policy;
  for (const RouteClass route_class : kRouteClasses) {
    const std::string_view name = RateLimitEnvName(route_class);
    const auto value = env(name);
    if (!value || value->empty()) continue;
    auto parsed = ParseRateLimit(*value);
    if (auto* error = std::get_if<std::string>(&parsed)) return std::string(name) + ": " + *error;
    policy.For(route_class) = std::get<RateLimit>(parsed);
  }
  return policy;
}

RateDecision DecisionFromWindow(int limit, bool allowed, int remaining,
                                std::chrono::milliseconds reset) {
  auto reset_seconds = std::chrono::ceil<std::chrono::seconds>(reset);
  if (reset_seconds < std::chrono::seconds(0)) reset_seconds = std::chrono::seconds(0);
  RateDecision decision{.allowed = allowed,
                        .limit = limit,
                        .remaining = std::max(remaining, 0),
                        .reset = reset_seconds};
  if (!allowed) {
    decision.retry_after = std::max(reset_seconds, std::chrono::seconds(1));
    decision.reset = decision.retry_after;
  }
  return decision;
}

RateDecision DegradedDecision(int limit, bool fail_open) {
  return {.allowed = fail_open,
          .limit = limit,
          .remaining = 0,
          .reset = std::chrono::seconds(0),
          .retry_after = fail_open ? std::chrono::seconds(0) : kDegradedRetryAfter,
          .degraded = true};
}

HeaderList RateLimitHeaders(const RateDecision& decision) {
  HeaderList headers;
  if (!decision.degraded) {
    headers.emplace_back("X-RateLimit-Limit", std::to_string(decision.limit));
    headers.emplace_back("X-RateLimit-Remaining", std::to_string(decision.remaining));
    headers.emplace_back("X-RateLimit-Reset", std::to_string(decision.reset.count()));
  }
  if (!decision.allowed)
    headers.emplace_back("Retry-After", std::to_string(decision.retry_after.count()));
  return headers;
}

std::string RateLimitKey(std::string_view prefix, RouteClass route_class,
                         std::string_view identity) {
  std::string key;
  key.reserve(prefix.size() + identity.size() + 10);
  key.append(prefix).append(":").append(RouteClassName(route_class)).append(":").append(identity);
  return key;
}

// A bounded pool of Redis connections, each authenticated, on its database
// and with the script loaded.
struct RateLimiter::Impl {
  struct Connection {
    RedisConnection redis;
    std::string script_sha;
  };

  // Returns the connection to the pool when destroyed; one not marked
  // healthy (it failed or timed out, so its stream may be out of step) is
  // closed instead and reopened by a later Acquire().
  class Lease {
   public:
    Lease(Impl& pool, Connection connection) : pool_(&pool), connection_(std::move(connection)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_->Release(std::move(connection_), healthy_); }

    Connection& operator*() { return connection_; }
    Connection* operator->() { return &connection_; }
    void MarkHealthy() { healthy_ = true; }

   private:
    Impl* pool_;
    Connection connection_;
    bool healthy_ = false;
  };

  // `options` must outlive the pool (it is the owning RateLimiter's).
  Impl(RedisAddress address, const RateLimiterOptions& options)
      : address_(std::move(address)), options_(options) {
    // Release() runs in Lease's destructor and must not allocate.
    idle_.reserve(static_cast<std::size_t>(options_.pool_size));
  }

  // Waits up to the acquire timeout for an idle connection, or opens one.
  // On failure, the reason without secrets.
  std::variant<Connection, std::string> Acquire() {
    std::unique_lock lock(mutex_);
    const bool ready = available_.wait_for(lock, options_.acquire_timeout, [this] {
      return !idle_.empty() || open_ < options_.pool_size;
    });
    if (!ready) return std::string("no Redis connection free within the acquire timeout");

    if (!idle_.empty()) {
      Connection connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    if (std::chrono::steady_clock::now() < next_connect_at_) return last_connect_error_;

    // Connect outside the lock: it can take up to the connect timeout.
    ++open_;
    lock.unlock();
    auto opened = Open();
    lock.lock();
    if (auto* error = std::get_if<std::string>(&opened)) {
      --open_;
      next_connect_at_ = std::chrono::steady_clock::now() + options_.reconnect_backoff;
      last_connect_error_ = *error;
      available_.notify_one();
    }
    return opened;
  }

  void Release(Connection connection, bool healthy) {
    std::optional<Connection> closing;  // closed outside the lock
    {
      std::lock_guard lock(mutex_);
      if (healthy && !connection.redis.broken()) {
        idle_.push_back(std::move(connection));
      } else {
        closing = std::move(connection);
        --open_;
      }
    }
    available_.notify_one();
  }

  std::variant<Connection, std::string> Open() const {
    auto opened = RedisConnection::Open(address_, {.connect_timeout = options_.connect_timeout,
                                                   .command_timeout = options_.command_timeout,
                                                   .tls_ca_file = options_.tls_ca_file});
    if (auto* failed = std::get_if<std::string>(&opened)) return Truncated(std::move(*failed));
    auto& redis = std::get<RedisConnection>(opened);

    const RedisReplyPtr reply = redis.Command({"SCRIPT", "LOAD", kSlidingWindowScript});
    if (!reply) return NoReply("SCRIPT LOAD", redis);
    if (reply->type != REDIS_REPLY_STRING)
      return Truncated("SCRIPT LOAD failed: " + std::string(Text(reply.get())));
    std::string sha(Text(reply.get()));
    return Connection{std::move(redis), std::move(sha)};
  }

  const RedisAddress address_;
  const RateLimiterOptions& options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Connection> idle_;
  int open_ = 0;  // idle and leased
  std::chrono::steady_clock::time_point next_connect_at_;
  std::string last_connect_error_;
};

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(std::move(options)) {
  for (const RouteClass route_class : kRouteClasses) {
    if (!IsValid(options_.policy.For(route_class))) {
      throw std::invalid_argument("rate limit for " + std::string(RouteClassName(route_class)) +
                                  " is out of range");
    }
  }
  if (options_.pool_size < 1)
    throw std::invalid_argument("rate limiter pool size must be at least 1");

  auto parsed = ParseRedisUrl(options_.redis_url);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    unusable_reason_ = "REDIS_URL is not a valid Redis URL: " + *error;
  } else {
    impl_ = std::make_unique<Impl>(std::get<RedisAddress>(std::move(parsed)), options_);
    return;
  }
  log::Error(kComponent, "rate limits cannot reach Redis; every decision is degraded",
             {{"reason", unusable_reason_}, {"fail_open", options_.fail_open}});
}

RateLimiter::~RateLimiter() = default;

RateDecision RateLimiter::Decide(RouteClass route_class, std::string_view identity) {
  const RateLimit& rule = options_.policy.For(route_class);
  if (!impl_) return Degrade(rule.limit, unusable_reason_);

  auto acquired = impl_->Acquire();
  if (auto* error = std::get_if<std::string>(&acquired)) return Degrade(rule.limit, *error);
  Impl::Lease lease(*impl_, std::get<Impl::Connection>(std::move(acquired)));

  const std::string key = RateLimitKey(options_.key_prefix, route_class, identity);
  const std::string limit = std::to_string(rule.limit);
  const std::string window_ms =
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(rule.window).count());
  const std::string suffix = RandomSuffix();
  RedisReplyPtr reply =
      lease->redis.Command({"EVALSHA", lease->script_sha, "1", key, limit, window_ms, suffix});
  // NOSCRIPT after SCRIPT FLUSH or a failover; EVAL caches the script again.
  if (IsError(reply.get()) && Text(reply.get()).starts_with("NOSCRIPT")) {
    reply =
        lease->redis.Command({"EVAL", kSlidingWindowScript, "1", key, limit, window_ms, suffix});
  }
  if (!reply) return Degrade(rule.limit, NoReply("EVAL", lease->redis));

  const auto window = ReadWindow(reply.get());
  if (auto* error = std::get_if<std::string>(&window)) return Degrade(rule.limit, *error);
  lease.MarkHealthy();
  const auto& counted = std::get<WindowReply>(window);
  return DecisionFromWindow(rule.limit, counted.allowed, counted.remaining, counted.reset);
}

RateDecision RateLimiter::Degrade(int limit, std::string_view reason) {
  const std::uint64_t count = degraded_decisions_.fetch_add(1, std::memory_order_relaxed) + 1;

  // One warning per interval, however many threads degrade at once.
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t next = next_warning_ns_.load(std::memory_order_relaxed);
  if (now >= next && next_warning_ns_.compare_exchange_strong(
                         next, now + std::chrono::nanoseconds(kWarningInterval).count(),
                         std::memory_order_relaxed)) {
    log::Warn(kComponent,
              options_.fail_open ? "Redis unavailable; letting requests through unlimited"
                                 : "Redis unavailable; refusing requests",
              {{"reason", reason}, {"degraded_decisions", count}});
  }
  return DegradedDecision(limit, options_.fail_open);
}

}  // namespace ticketd::storage
