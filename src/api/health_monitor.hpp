// Background checks of the service's dependencies, so that /health and
// /health/ready answer from memory and never touch a dependency themselves.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <stop_token>
#include <string>
#include <thread>

namespace ticketd::api {

struct CheckResult {
  bool ok = false;
  std::string detail;  // why it failed; empty when ok
  std::optional<double> latency_ms;
};

struct HealthSnapshot {
  bool checked = false;   // false until the first round finished
  double checked_at = 0;  // epoch seconds
  CheckResult database;
  CheckResult redis;
  CheckResult schema;
  CheckResult mcp;
  std::optional<int> schema_version;
  int expected_schema_version = 0;
};

struct HealthOptions {
  std::string database_url;  // libpq URL, already normalised
  std::string redis_url;
  std::string redis_tls_ca_file;  // rediss://: CAs trusted besides the system's
  std::string mcp_server_url;     // empty: nothing to probe, reported healthy
  int expected_schema_version = 0;
  std::chrono::seconds interval{5};
  std::chrono::milliseconds timeout{2000};
};

class HealthMonitor {
 public:
  explicit HealthMonitor(HealthOptions options);
  ~HealthMonitor();

  // Runs one round now, then keeps checking every interval on a thread of
  // its own until Stop() or destruction.
  void Start();
  void Stop();

  HealthSnapshot Get() const;

  // One round, synchronously.
  void CheckNow();

 private:
  CheckResult CheckDatabase(std::optional<int>& schema_version);
  CheckResult CheckRedis();
  CheckResult CheckMcp();

  HealthOptions options_;
  std::unique_ptr<pqxx::connection> connection_;  // used by the checking thread only
  mutable std::mutex mutex_;
  HealthSnapshot snapshot_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace ticketd::api
