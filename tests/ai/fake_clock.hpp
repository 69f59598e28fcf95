// A clock the test moves by hand; SleepFor advances it and records the wait.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "ai/resilience.hpp"

namespace ticketd::ai::testing_support {

class FakeClock final : public Clock {
 public:
  TimePoint Now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void SleepFor(std::chrono::milliseconds duration) override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(duration);
    now_ += duration;
  }
  std::chrono::system_clock::time_point WallNow() override {
    std::lock_guard lock(mutex_);
    return std::chrono::system_clock::time_point(now_.time_since_epoch());
  }
  void Advance(std::chrono::milliseconds duration) {
    std::lock_guard lock(mutex_);
    now_ += duration;
  }
  std::vector<std::chrono::milliseconds> Sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }

 private:
  std::mutex mutex_;
  TimePoint now_ = TimePoint(std::chrono::hours(1000));
  std::vector<std::chrono::milliseconds> sleeps_;
};

}  // namespace ticketd::ai::testing_support
