// The audit trail (issue #3): who signed in, failed, was locked out, changed
// roles or API keys, appended to `audit_events` and read back by admins.
// Rows are never changed or deleted here. Thread-safe: every call leases its
// own connection; database failures surface as pqxx exceptions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/account_requests.hpp"
#include "storage/pg_pool.hpp"

namespace ticketd::storage {

struct AuditEvent {
  std::int64_t id = 0;                  // assigned by storage
  std::string occurred_at;              // RFC 3339 UTC, assigned by storage
  std::string event;                    // e.g. "auth.login_failed"
  std::optional<std::string> actor_id;  // a user's or API key's id
  std::string actor_kind = "system";    // user, api_key, anonymous or system
  std::optional<std::string> target;    // what the event is about, e.g. a user's id
  std::optional<std::string> client_ip;
  std::optional<std::string> request_id;
  nlohmann::json detail = nlohmann::json::object();  // never secrets
};

struct AuditPage {
  std::vector<AuditEvent> items;
  std::int64_t total = 0;
};

class AuditRepository {
 public:
  explicit AuditRepository(PgPool& pool) : pool_(pool) {}

  static std::vector<PreparedStatement> Statements();

  // Appends `event` (its id and occurred_at are ignored) and returns it as
  // stored. `actor_kind` must be one the schema accepts, `actor_id` a UUID
  // and `detail` an object; otherwise pqxx throws.
  AuditEvent Record(const AuditEvent& event);

  // One page of the events matching every filter of `query`, newest first,
  // with the number of matches.
  AuditPage List(const domain::AuditQuery& query);

 private:
  PgPool& pool_;
};

}  // namespace ticketd::storage
