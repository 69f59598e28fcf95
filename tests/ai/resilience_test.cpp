#include "ai/resilience.hpp"

#include <gtest/gtest.h>

#include "fake_clock.hpp"

namespace ticketd::ai {
namespace {

using std::chrono::milliseconds;
using testing_support::FakeClock;

TEST(CircuitBreaker, OpensAfterThresholdConsecutiveFailures) {
  FakeClock clock;
  CircuitBreaker breaker({.failure_threshold = 3, .open_ms = 1000}, clock);
  breaker.RecordFailure();
  breaker.RecordFailure();
  EXPECT_EQ(breaker.State(), CircuitState::kClosed);
  EXPECT_TRUE(breaker.Allow());
  breaker.RecordFailure();
  EXPECT_EQ(breaker.State(), CircuitState::kOpen);
  EXPECT_FALSE(breaker.Allow());
}

TEST(CircuitBreaker, SuccessResetsTheFailureCount) {
  FakeClock clock;
  CircuitBreaker breaker({.failure_threshold = 2, .open_ms = 1000}, clock);
  breaker.RecordFailure();
  breaker.RecordSuccess();
  breaker.RecordFailure();
  EXPECT_EQ(breaker.State(), CircuitState::kClosed);
}

TEST(CircuitBreaker, HalfOpenAfterOpenTimeLetsOneTrialThrough) {
  FakeClock clock;
  CircuitBreaker breaker({.failure_threshold = 1, .open_ms = 1000}, clock);
  breaker.RecordFailure();
  clock.Advance(milliseconds(999));
  EXPECT_FALSE(breaker.Allow());
  clock.Advance(milliseconds(1));
  EXPECT_EQ(breaker.State(), CircuitState::kHalfOpen);
  EXPECT_TRUE(breaker.Allow());
  EXPECT_FALSE(breaker.Allow());  // only one trial at a time
}

TEST(CircuitBreaker, TrialSuccessClosesAndTrialFailureReopens) {
  FakeClock clock;
  CircuitBreaker breaker({.failure_threshold = 1, .open_ms = 1000}, clock);
  breaker.RecordFailure();
  clock.Advance(milliseconds(1000));
  ASSERT_TRUE(breaker.Allow());
  breaker.RecordFailure();
  EXPECT_EQ(breaker.State(), CircuitState::kOpen);
  clock.Advance(milliseconds(500));
  EXPECT_FALSE(breaker.Allow());  // open again for a full period
  clock.Advance(milliseconds(500));
  ASSERT_TRUE(breaker.Allow());
  breaker.RecordSuccess();
  EXPECT_EQ(breaker.State(), CircuitState::kClosed);
  EXPECT_TRUE(breaker.Allow());
  EXPECT_TRUE(breaker.Allow());
}

TEST(BackoffDelay, GrowsExponentiallyUnderTheCapWithFullJitter) {
  const RetryConfig config{
      .initial_backoff_ms = 100, .max_backoff_ms = 1000, .max_retry_after_ms = 5000};
  EXPECT_EQ(BackoffDelay(1, config, 0.5, std::nullopt), milliseconds(50));
  EXPECT_EQ(BackoffDelay(2, config, 0.5, std::nullopt), milliseconds(100));
  EXPECT_EQ(BackoffDelay(3, config, 0.5, std::nullopt), milliseconds(200));
  EXPECT_EQ(BackoffDelay(10, config, 0.5, std::nullopt), milliseconds(500));  // capped at 1000
  EXPECT_EQ(BackoffDelay(3, config, 0.0, std::nullopt), milliseconds(0));
}

TEST(BackoffDelay, RetryAfterReplacesBackoffUpToItsCap) {
  const RetryConfig config{
      .initial_backoff_ms = 100, .max_backoff_ms = 1000, .max_retry_after_ms = 5000};
  EXPECT_EQ(BackoffDelay(1, config, 0.5, milliseconds(3000)), milliseconds(3000));
  EXPECT_EQ(BackoffDelay(1, config, 0.5, milliseconds(60000)), milliseconds(5000));
}

TEST(ParseRetryAfter, SecondsAndDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 21 Oct 2015 07:28:00
  EXPECT_EQ(ParseRetryAfter("7", now), milliseconds(7000));
  EXPECT_EQ(ParseRetryAfter(" 1.5 ", now), milliseconds(1500));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), milliseconds(30000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-3", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("5s", now), std::nullopt);
}

// provider_response_fuzzer: a year outside 1678 to 2262 overflowed the
// conversion of the date to system_clock's nanoseconds (UBSan).
TEST(ParseRetryAfter, DatesOfAnyYear) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 21 Oct 2015 07:28:00
  EXPECT_EQ(ParseRetryAfter("Wed,1Oct2 7:8:0GMT", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Mon, 01 Jan 0001 00:00:00 GMT", now), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Fri, 21 Oct 2016 07:28:00 GMT", now), std::nullopt);  // 366 days
  EXPECT_EQ(ParseRetryAfter("Thu, 20 Oct 2016 07:28:00 GMT", now),
            milliseconds(86400LL * 365 * 1000));
}

}  // namespace
}  // namespace ticketd::ai
