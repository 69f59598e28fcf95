// Prometheus metrics of the HTTP layer and the database pool. Thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ticketd::http {

class Metrics {
 public:
  Metrics();

  // One finished request. `route` is the template (or "unmatched"), never
  // the raw path, so that label values stay bounded.
  void ObserveRequest(std::string_view method, std::string_view route, unsigned status,
                      double seconds);

  void ConnectionOpened() { open_connections_->Increment(); }
  void ConnectionClosed() { open_connections_->Decrement(); }
  void ConnectionRejected() { rejected_connections_->Increment(); }

  // Called at every scrape to refresh gauges owned by other components.
  void SetScrapeHook(std::function<void(Metrics&)> hook) { scrape_hook_ = std::move(hook); }

  void SetPool(int size, int open, int in_use, double timeouts);
  void SetDependency(std::string_view name, bool healthy);
  void SetRateLimitDegraded(double decisions) { rate_limit_degraded_->Set(decisions); }
  void SetAuditFailures(double events) { audit_failures_->Set(events); }

  // The Prometheus text exposition format (version 0.0.4).
  std::string Serialize();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Gauge* open_connections_;
  prometheus::Counter* rejected_connections_;
  prometheus::Family<prometheus::Gauge>& pool_;
  prometheus::Gauge* pool_timeouts_;
  prometheus::Family<prometheus::Gauge>& dependency_up_;
  prometheus::Gauge* rate_limit_degraded_;
  prometheus::Gauge* audit_failures_;
  std::function<void(Metrics&)> scrape_hook_;
};

}  // namespace ticketd::http
