#include "api/audit_trail.hpp"

#include <chrono>
#include <exception>

#include "api/rate_limit_guard.hpp"
#include "api/reply.hpp"
#include "common/log.hpp"

namespace ticketd::api {
namespace {

constexpr std::chrono::seconds kWarningInterval{10};

}  // namespace

storage::AuditEvent MakeAuditEvent(const http::RequestContext& context,
                                   const std::vector<std::string>& trusted_proxies,
                                   std::string name, std::optional<std::string> target,
                                   nlohmann::json detail) {
  storage::AuditEvent event;
  event.event = std::move(name);
  const auto& principal = context.principal;
  if (principal.Authenticated()) event.actor_id = principal.id;
  event.actor_kind = std::string(principal.KindName());
  event.target = std::move(target);
  if (auto address = ClientAddress(context, trusted_proxies); !address.empty()) {
    event.client_ip = std::move(address);
  }
  if (!context.request_id.empty()) event.request_id = context.request_id;
  event.detail = std::move(detail);
  return event;
}

boost::asio::awaitable<void> AuditTrail::Record(storage::AuditEvent event) {
  // The error text travels back instead of the exception: a lost audit row
  // must not turn the audited request into a 500 or 503.
  const auto error = co_await Offload(blocking_, [&]() -> std::optional<std::string> {
    try {
      events_.Record(event);
      return std::nullopt;
    } catch (const std::exception& failure) {
      return std::string(failure.what());
    }
  });
  if (error) Warn(event, error->c_str());
}

void AuditTrail::Warn(const storage::AuditEvent& event, const char* error) {
  const auto count = failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t next = next_warning_ns_.load(std::memory_order_relaxed);
  if (now < next || !next_warning_ns_.compare_exchange_strong(
                        next, now + std::chrono::nanoseconds(kWarningInterval).count(),
                        std::memory_order_relaxed)) {
    return;
  }
  log::Warn("audit", "audit event not stored",
            {{"event", event.event},
             {"request_id", event.request_id.value_or("")},
             {"error", error},
             {"failures", count}});
}

}  // namespace ticketd::api
