#include "http/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace ticketd::http {
namespace {

const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("http_requests_total")
                    .Help("HTTP requests answered, by method, route template and status")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("http_request_duration_seconds")
                   .Help("Time from a complete request to its answer, by method and route")
                   .Register(*registry_)),
      open_connections_(&prometheus::BuildGauge()
                             .Name("http_connections_open")
                             .Help("Client connections currently open")
                             .Register(*registry_)
                             .Add({})),
      rejected_connections_(&prometheus::BuildCounter()
                                 .Name("http_connections_rejected_total")
                                 .Help("Connections closed at once because the limit was reached")
                                 .Register(*registry_)
                                 .Add({})),
      pool_(prometheus::BuildGauge()
                .Name("db_pool_connections")
                .Help("PostgreSQL pool connections by state (max, open, in_use)")
                .Register(*registry_)),
      pool_timeouts_(&prometheus::BuildGauge()
                          .Name("db_pool_acquire_timeouts")
                          .Help("Requests that found no free database connection in time")
                          .Register(*registry_)
                          .Add({})),
      dependency_up_(prometheus::BuildGauge()
                         .Name("dependency_up")
                         .Help("1 when the last background check of a dependency passed")
                         .Register(*registry_)),
      rate_limit_degraded_(&prometheus::BuildGauge()
                                .Name("rate_limit_degraded_decisions")
                                .Help("Rate-limit decisions made without Redis since the start")
                                .Register(*registry_)
                                .Add({})),
      audit_failures_(&prometheus::BuildGauge()
                           .Name("audit_write_failures")
                           .Help("Audit events that could not be stored since the start")
                           .Register(*registry_)
                           .Add({})) {}

void Metrics::ObserveRequest(std::string_view method, std::string_view route, unsigned status,
                             double seconds) {
  const std::string method_label(method);
  const std::string route_label(route);
  requests_
      .Add({{"method", method_label}, {"route", route_label}, {"status", std::to_string(status)}})
      .Increment();
  latency_.Add({{"method", method_label}, {"route", route_label}}, kLatencyBuckets)
      .Observe(seconds);
}

void Metrics::SetPool(int size, int open, int in_use, double timeouts) {
  pool_.Add({{"state", "max"}}).Set(size);
  pool_.Add({{"state", "open"}}).Set(open);
  pool_.Add({{"state", "in_use"}}).Set(in_use);
  pool_timeouts_->Set(timeouts);
}

void Metrics::SetDependency(std::string_view name, bool healthy) {
  dependency_up_.Add({{"dependency", std::string(name)}}).Set(healthy ? 1 : 0);
}

std::string Metrics::Serialize() {
  if (scrape_hook_) scrape_hook_(*this);
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace ticketd::http
