// The audit trail as route handlers write it (issue #3): who did what to
// which account or key, from which address, in which request. Recording never
// fails the request being audited.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "http/types.hpp"
#include "storage/audit_repository.hpp"

namespace ticketd::api {

// An event named `name` done by the request's principal (its id and
// KindName()), with the client's address (ClientAddress with
// `trusted_proxies`) and the request id. Callers replace the actor where the
// principal is not who acted, as on the sign-in routes.
storage::AuditEvent MakeAuditEvent(const http::RequestContext& context,
                                   const std::vector<std::string>& trusted_proxies,
                                   std::string name, std::optional<std::string> target = {},
                                   nlohmann::json detail = nlohmann::json::object());

class AuditTrail {
 public:
  // `events` and `blocking` must outlive the trail.
  AuditTrail(storage::AuditRepository& events, boost::asio::thread_pool& blocking,
             std::vector<std::string> trusted_proxies)
      : events_(events), blocking_(blocking), trusted_proxies_(std::move(trusted_proxies)) {}

  // MakeAuditEvent with this trail's trusted proxies.
  storage::AuditEvent EventFor(const http::RequestContext& context, std::string name,
                               std::optional<std::string> target = {},
                               nlohmann::json detail = nlohmann::json::object()) const {
    return MakeAuditEvent(context, trusted_proxies_, std::move(name), std::move(target),
                          std::move(detail));
  }

  // Stores `event` on the blocking pool and resumes when it is stored. When
  // storing fails, a warning is logged (at most one per 10 s), Failures()
  // grows, and the caller goes on as if it had succeeded. Build the event in
  // a statement of its own: GCC 12 cannot compile a braced JSON initializer
  // inside a co_await expression ("array used as initializer").
  boost::asio::awaitable<void> Record(storage::AuditEvent event);

  // Events that could not be stored since the start (a metric).
  std::uint64_t Failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void Warn(const storage::AuditEvent& event, const char* error);

  storage::AuditRepository& events_;
  boost::asio::thread_pool& blocking_;
  std::vector<std::string> trusted_proxies_;
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::int64_t> next_warning_ns_{0};  // steady clock
};

}  // namespace ticketd::api
