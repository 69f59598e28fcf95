// Retry pacing and circuit breaking for provider calls. The clock is
// injected so that tests drive time by hand; nothing here does I/O.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include "ai/ai_config.hpp"

namespace ticketd::ai {

// Monotonic time and waiting. Implementations must be thread-safe.
class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() = 0;
  // Blocks for `duration` (a fake clock advances instead).
  virtual void SleepFor(std::chrono::milliseconds duration) = 0;
  // Wall-clock time, for Retry-After dates and error timestamps.
  virtual std::chrono::system_clock::time_point WallNow() = 0;
};

// The process clock.
Clock& SystemClock();

enum class CircuitState { kClosed, kOpen, kHalfOpen };
std::string_view ToString(CircuitState state);  // closed, open, half_open

// One provider's breaker. Closed: calls pass; `failure_threshold`
// consecutive failures open it. Open: calls are refused until `open_ms` has
// passed, then it is half-open. Half-open: one trial call at a time passes;
// its success closes the circuit, its failure opens it again for `open_ms`.
// Thread-safe.
class CircuitBreaker {
 public:
  CircuitBreaker(CircuitConfig config, Clock& clock) : config_(config), clock_(clock) {}

  // True when a call may be made now; in half-open state the caller that
  // gets true holds the single trial and must report its outcome.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  // The state as of now (an open circuit whose time is up reads half_open).
  CircuitState State();
  void Reconfigure(CircuitConfig config);

 private:
  CircuitState StateLocked(Clock::TimePoint now);

  std::mutex mutex_;
  CircuitConfig config_;
  Clock& clock_;
  CircuitState state_ = CircuitState::kClosed;
  int consecutive_failures_ = 0;
  Clock::TimePoint opened_at_{};
  bool trial_in_flight_ = false;
};

// The wait before retry number `retry` (1 for the first retry): full jitter
// over initial * 2^(retry-1), capped at max_backoff_ms. `unit` is a number in
// [0, 1) from the caller's random source. When the server sent Retry-After,
// that wait is used instead, capped at max_retry_after_ms.
std::chrono::milliseconds BackoffDelay(int retry, const RetryConfig& config, double unit,
                                       std::optional<std::chrono::milliseconds> retry_after);

// Parses a Retry-After value: delta-seconds ("7", fractions allowed) or an
// IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT", relative to `now`). A
// malformed value, or one more than a year ahead, returns std::nullopt; a
// date in the past (of any year) returns 0.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace ticketd::ai
