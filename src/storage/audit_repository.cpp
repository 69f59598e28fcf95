#include "storage/audit_repository.hpp"

#include "storage/pg_rows.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kColumns = R"sql(
  id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  event, actor_id::text, actor_kind, target, client_ip, request_id, detail::text
)sql";

constexpr const char* kInsertName = "audit_insert";
constexpr const char* kListName = "audit_list";
constexpr const char* kCountName = "audit_count";

const std::string kInsert = std::string(R"sql(
INSERT INTO audit_events (event, actor_id, actor_kind, target, client_ip, request_id, detail)
VALUES ($1, $2::uuid, $3, $4, $5, $6, $7::jsonb) RETURNING )sql") +
                            kColumns;

// Filters are NULL when not asked for, so the statement never depends on input.
constexpr const char* kWhere = R"sql(
FROM audit_events
WHERE ($1::text IS NULL OR event = $1)
  AND ($2::uuid IS NULL OR actor_id = $2::uuid)
  AND ($3::text IS NULL OR target = $3)
  AND ($4::timestamptz IS NULL OR occurred_at >= $4::timestamptz)
  AND ($5::timestamptz IS NULL OR occurred_at < $5::timestamptz)
)sql";
const std::string kList = std::string("SELECT ") + kColumns + kWhere +
                          "ORDER BY occurred_at DESC, id DESC LIMIT $6 OFFSET $7";
const std::string kCount = std::string("SELECT count(*) ") + kWhere;

AuditEvent FromRow(const pqxx::row& row) {
  AuditEvent event;
  event.id = row[0].as<std::int64_t>();
  event.occurred_at = row[1].as<std::string>();
  event.event = row[2].as<std::string>();
  event.actor_id = OptionalText(row[3]);
  event.actor_kind = row[4].as<std::string>();
  event.target = OptionalText(row[5]);
  event.client_ip = OptionalText(row[6]);
  event.request_id = OptionalText(row[7]);
  event.detail = nlohmann::json::parse(row[8].c_str());
  return event;
}

}  // namespace

std::vector<PreparedStatement> AuditRepository::Statements() {
  return {{kInsertName, kInsert}, {kListName, kList}, {kCountName, kCount}};
}

AuditEvent AuditRepository::Record(const AuditEvent& event) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto row = tx.exec_prepared1(
      kInsertName, event.event, event.actor_id, event.actor_kind, event.target, event.client_ip,
      event.request_id,
      event.detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return FromRow(row);
}

AuditPage AuditRepository::List(const domain::AuditQuery& query) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  AuditPage page;
  page.total = tx.exec_prepared1(kCountName, query.event, query.actor_id, query.target, query.since,
                                 query.until)[0]
                   .as<std::int64_t>();
  if (query.Offset() >= page.total) return page;

  const auto rows = tx.exec_prepared(kListName, query.event, query.actor_id, query.target,
                                     query.since, query.until, query.size, query.Offset());
  page.items.reserve(rows.size());
  for (const auto& row : rows)
    page.items.push_back(FromRow(row));
  return page;
}

}  // namespace ticketd::storage
