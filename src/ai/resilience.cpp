#include "ai/resilience.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <string>
#include <thread>

namespace ticketd::ai {
namespace {

// The longest wait a Retry-After may ask for; anything longer is taken as
// malformed, so that the caller's own backoff applies.
constexpr std::int64_t kMaxRetryAfterSeconds = 86400LL * 365;

class ProcessClock final : public Clock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(std::chrono::milliseconds duration) override {
    if (duration.count() > 0) std::this_thread::sleep_for(duration);
  }
  std::chrono::system_clock::time_point WallNow() override {
    return std::chrono::system_clock::now();
  }
};

}  // namespace

Clock& SystemClock() {
  static ProcessClock clock;
  return clock;
}

std::string_view ToString(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitState CircuitBreaker::StateLocked(Clock::TimePoint now) {
  if (state_ == CircuitState::kOpen &&
      now - opened_at_ >= std::chrono::milliseconds(config_.open_ms)) {
    state_ = CircuitState::kHalfOpen;
    trial_in_flight_ = false;
  }
  return state_;
}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mutex_);
  switch (StateLocked(clock_.Now())) {
    case CircuitState::kClosed:
      return true;
    case CircuitState::kOpen:
      return false;
    case CircuitState::kHalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mutex_);
  state_ = CircuitState::kClosed;
  consecutive_failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mutex_);
  const auto now = clock_.Now();
  const auto state = StateLocked(now);
  ++consecutive_failures_;
  if (state == CircuitState::kHalfOpen || consecutive_failures_ >= config_.failure_threshold) {
    state_ = CircuitState::kOpen;
    opened_at_ = now;
    trial_in_flight_ = false;
  }
}

CircuitState CircuitBreaker::State() {
  std::lock_guard lock(mutex_);
  return StateLocked(clock_.Now());
}

void CircuitBreaker::Reconfigure(CircuitConfig config) {
  std::lock_guard lock(mutex_);
  config_ = config;
}

std::chrono::milliseconds BackoffDelay(int retry, const RetryConfig& config, double unit,
                                       std::optional<std::chrono::milliseconds> retry_after) {
  if (retry_after) {
    return std::min(*retry_after, std::chrono::milliseconds(config.max_retry_after_ms));
  }
  const int exponent = std::clamp(retry - 1, 0, 30);
  const double ceiling =
      std::min(static_cast<double>(config.max_backoff_ms),
               static_cast<double>(config.initial_backoff_ms) * std::pow(2.0, exponent));
  const double clamped_unit = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(ceiling * clamped_unit));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  if (value.empty()) return std::nullopt;

  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    double seconds = 0;
    const auto* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, seconds);
    if (ec != std::errc() || ptr != end || !std::isfinite(seconds) || seconds < 0 ||
        seconds > static_cast<double>(kMaxRetryAfterSeconds)) {
      return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
  }

  std::tm parts{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  // Compared in whole seconds before anything is converted: the server picks
  // the year, and system_clock's nanoseconds hold only 1678 to 2262.
  const std::int64_t at_seconds = timegm(&parts);
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::int64_t now_seconds = now_ms / 1000;
  if (at_seconds <= now_seconds) return std::chrono::milliseconds(0);
  if (at_seconds - now_seconds > kMaxRetryAfterSeconds) return std::nullopt;
  return std::chrono::milliseconds(at_seconds * 1000 - now_ms);
}

}  // namespace ticketd::ai
