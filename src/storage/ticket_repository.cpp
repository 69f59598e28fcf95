#include "storage/ticket_repository.hpp"

#include <array>

#include "storage/pg_rows.hpp"

namespace ticketd::storage {
namespace {

using domain::Ticket;

// The select list every ticket query returns, in FromRow's order. Times
// leave PostgreSQL already in the wire format.
constexpr const char* kColumns = R"sql(
  id::text, title, description, status, priority, urgency, category, subcategory, department,
  array_to_json(tags)::text, created_by_id::text, assigned_to_id::text,
  to_char(due_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  resolution_summary, internal_notes, metadata::text, source_channel, attachments::text,
  ai_analysis::text,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  version
)sql";

const std::string kInsert = std::string(R"sql(
INSERT INTO tickets (title, description, status, priority, urgency, category, subcategory,
  department, tags, created_by_id, assigned_to_id, due_date, resolution_summary, internal_notes,
  metadata, source_channel, created_at, updated_at, last_activity_at, ai_analysis)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10::uuid, $11::uuid, $12::timestamptz, $13,
  $14, $15::jsonb, $16, $17::timestamptz, $17::timestamptz, $17::timestamptz, $18::jsonb)
RETURNING )sql") + kColumns;

const std::string kSelectOne =
    std::string("SELECT ") + kColumns + " FROM tickets WHERE id = $1::uuid AND deleted_at IS NULL";

const std::string kSelectForUpdate = kSelectOne + " FOR UPDATE";

const std::string kUpdate = std::string(R"sql(
UPDATE tickets SET title = $2, description = $3, status = $4, priority = $5, urgency = $6,
  category = $7, subcategory = $8, department = $9, tags = $10::text[],
  assigned_to_id = $11::uuid, due_date = $12::timestamptz, resolution_summary = $13,
  internal_notes = $14, metadata = $15::jsonb, source_channel = $16,
  updated_at = $17::timestamptz, last_activity_at = $18::timestamptz,
  resolved_at = $19::timestamptz, closed_at = $20::timestamptz, version = $21
WHERE id = $1::uuid
RETURNING )sql") + kColumns;

constexpr const char* kSoftDelete =
    "UPDATE tickets SET deleted_at = $2::timestamptz, version = version + 1 WHERE id = $1::uuid";

// Filters of GET /tickets. Every filter is a parameter that is NULL when the
// client did not ask for it, so the statement text never depends on input.
constexpr const char* kListWhere = R"sql(
FROM tickets
WHERE deleted_at IS NULL
  AND ($1::text IS NULL OR search_vector @@ websearch_to_tsquery('english', $1))
  AND ($2::text[] IS NULL OR status = ANY ($2::text[]))
  AND ($3::text[] IS NULL OR category = ANY ($3::text[]))
  AND ($4::text[] IS NULL OR priority = ANY ($4::text[]))
  AND ($5::text[] IS NULL OR urgency = ANY ($5::text[]))
  AND ($6::text IS NULL OR department = $6)
  AND ($7::uuid IS NULL OR created_by_id = $7::uuid)
  AND ($8::uuid IS NULL OR assigned_to_id = $8::uuid)
  AND ($9::boolean IS NULL OR $9::boolean = (due_date IS NOT NULL AND due_date < now()
       AND status NOT IN ('resolved', 'closed', 'cancelled')))
  AND ($10::timestamptz IS NULL OR created_at >= $10::timestamptz)
  AND ($11::timestamptz IS NULL OR created_at < $11::timestamptz)
)sql";

const std::string kListCount = std::string("SELECT count(*) ") + kListWhere;

// Sort keys; priority and status sort by meaning, not by spelling.
constexpr const char* kSortKeys[] = {
    "created_at",
    "updated_at",
    "array_position(ARRAY['low','medium','high','critical'], priority)",
    "array_position(ARRAY['new','open','in_progress','pending','resolved','closed','cancelled'], "
    "status)",
    "lower(title)",
};

// One statement text per sort key and direction, built once.
const std::array<std::string, 10> kListPage = [] {
  std::array<std::string, 10> statements;
  for (std::size_t key = 0; key < 5; ++key) {
    for (std::size_t desc = 0; desc < 2; ++desc) {
      const char* direction = desc ? " DESC" : " ASC";
      statements[key * 2 + desc] = std::string("SELECT ") + kColumns + kListWhere + "ORDER BY " +
                                   kSortKeys[key] + direction + ", created_at" + direction +
                                   ", id" + direction + " LIMIT $12 OFFSET $13";
    }
  }
  return statements;
}();

constexpr const char* kStats = R"sql(
WITH live AS (SELECT * FROM tickets WHERE deleted_at IS NULL),
today AS (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start)
SELECT
  (SELECT count(*) FROM live),
  (SELECT count(*) FROM live WHERE status IN ('new', 'open', 'in_progress', 'pending')),
  (SELECT count(*) FROM live WHERE status IN ('resolved', 'closed')),
  (SELECT count(*) FROM live WHERE due_date < now()
     AND status NOT IN ('resolved', 'closed', 'cancelled')),
  (SELECT coalesce(json_object_agg(status, n), '{}')::text
     FROM (SELECT status, count(*) AS n FROM live GROUP BY status) s),
  (SELECT coalesce(json_object_agg(priority, n), '{}')::text
     FROM (SELECT priority, count(*) AS n FROM live GROUP BY priority) p),
  (SELECT coalesce(json_object_agg(category, n), '{}')::text
     FROM (SELECT category, count(*) AS n FROM live GROUP BY category) c),
  (SELECT coalesce(avg(extract(epoch FROM resolved_at - created_at)) / 3600.0, 0)
     FROM live WHERE resolved_at IS NOT NULL),
  (SELECT count(*) FROM live, today WHERE created_at >= today.start),
  (SELECT count(*) FROM live, today WHERE resolved_at >= today.start)
)sql";

// Words of $2 joined by OR find candidates, since a description shares
// some words with its duplicate, rarely all of them; $1 is compared with
// titles by trigrams. Candidates are the 20 tickets whose titles are nearest
// by trigram distance (GiST order, so the cost does not grow with the number
// of tickets that share a common word); only they are ranked. A full-text
// candidate list cost 37 ms instead of 10 ms on 15,000 tickets that all
// shared the words, since every match had to be fetched to find the newest.
// The text match is the share of $2's distinct words (stemmed, without stop
// words) that the ticket's title or description holds: a cover-density rank
// gave a long ticket that shared three common words ("laptop", "week",
// "minutes") 0.85. The first statement sees every ticket, the second only
// $4's own.
const std::string kSimilarTemplate = R"sql(
WITH q AS (
  SELECT to_tsquery('english',
                    replace(plainto_tsquery('english', $2)::text, ' & ', ' | ')) AS query,
         tsvector_to_array(to_tsvector('english', $2)) AS words),
near AS (
  SELECT id FROM tickets WHERE deleted_at IS NULL OWNER
  ORDER BY title <-> $1 LIMIT 20),
scored AS (
  SELECT t.id::text AS id, t.title, t.status, t.category, t.created_at,
    similarity(t.title, $1)::float8 AS title_similarity,
    coalesce((SELECT count(*) FROM unnest(q.words) AS w
              WHERE w = ANY (tsvector_to_array(t.search_vector)))::float8
             / nullif(cardinality(q.words), 0), 0) AS text_match
  FROM tickets t JOIN near USING (id), q
  WHERE similarity(t.title, $1) >= 0.3 OR t.search_vector @@ q.query)
SELECT id, title, status, category,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  title_similarity, text_match
FROM scored
ORDER BY greatest(title_similarity, text_match) DESC, created_at DESC
LIMIT $3
)sql";

std::string SimilarStatement(bool own) {
  std::string sql = kSimilarTemplate;
  const std::string filter = own ? "AND created_by_id = $4::uuid" : "";
  for (auto at = sql.find("OWNER"); at != std::string::npos; at = sql.find("OWNER", at))
    sql.replace(at, 5, filter);
  return sql;
}

constexpr const char* kInsertName = "ticket_insert";
constexpr const char* kSelectOneName = "ticket_select";
constexpr const char* kSelectForUpdateName = "ticket_select_for_update";
constexpr const char* kUpdateName = "ticket_update";
constexpr const char* kSoftDeleteName = "ticket_soft_delete";
constexpr const char* kListCountName = "ticket_count";
constexpr const char* kStatsName = "ticket_stats";
constexpr const char* kSimilarName = "ticket_similar";
constexpr const char* kSimilarOwnName = "ticket_similar_own";

std::string ListPageName(std::size_t index) {
  return "ticket_page_" + std::to_string(index);
}

Ticket FromRow(const pqxx::row& row) {
  Ticket t;
  t.id = row[0].as<std::string>();
  t.title = row[1].as<std::string>();
  t.description = row[2].as<std::string>();
  // CHECK constraints keep these within the enumerations.
  t.status = domain::ParseStatus(row[3].c_str()).value_or(domain::Status::kNew);
  t.priority = domain::ParsePriority(row[4].c_str()).value_or(domain::Priority::kMedium);
  t.urgency = domain::ParsePriority(row[5].c_str()).value_or(domain::Priority::kMedium);
  t.category = domain::ParseCategory(row[6].c_str()).value_or(domain::Category::kGeneral);
  t.subcategory = OptionalText(row[7]);
  t.department = OptionalText(row[8]);
  t.tags = nlohmann::json::parse(row[9].c_str()).get<std::vector<std::string>>();
  t.created_by_id = OptionalText(row[10]);
  t.assigned_to_id = OptionalText(row[11]);
  t.due_date = OptionalText(row[12]);
  t.resolution_summary = OptionalText(row[13]);
  t.internal_notes = OptionalText(row[14]);
  t.metadata = nlohmann::json::parse(row[15].c_str());
  t.source_channel =
      domain::ParseSourceChannel(row[16].c_str()).value_or(domain::SourceChannel::kApi);
  t.attachments = nlohmann::json::parse(row[17].c_str());
  t.ai_analysis = row[18].is_null() ? nlohmann::json() : nlohmann::json::parse(row[18].c_str());
  t.created_at = row[19].as<std::string>();
  t.updated_at = row[20].as<std::string>();
  t.last_activity_at = row[21].as<std::string>();
  t.resolved_at = OptionalText(row[22]);
  t.closed_at = OptionalText(row[23]);
  t.version = row[24].as<std::int64_t>();
  return t;
}

template <typename Enum>
std::optional<std::string> EnumArray(const std::vector<Enum>& values) {
  if (values.empty()) return std::nullopt;
  std::vector<std::string> names;
  names.reserve(values.size());
  for (const auto value : values)
    names.emplace_back(domain::ToString(value));
  return ArrayLiteral(names);
}

std::optional<std::string> BoolText(std::optional<bool> value) {
  if (!value) return std::nullopt;
  return *value ? "true" : "false";
}

std::map<std::string, std::int64_t> CountsFor(const char* json_text,
                                              std::span<const std::string_view> names) {
  std::map<std::string, std::int64_t> counts;
  for (const auto name : names)
    counts[std::string(name)] = 0;
  const auto parsed = nlohmann::json::parse(json_text);
  for (const auto& [key, value] : parsed.items()) {
    counts[key] = value.get<std::int64_t>();
  }
  return counts;
}

}  // namespace

std::vector<PreparedStatement> TicketRepository::Statements() {
  std::vector<PreparedStatement> statements = {
      {kInsertName, kInsert},
      {kSelectOneName, kSelectOne},
      {kSelectForUpdateName, kSelectForUpdate},
      {kUpdateName, kUpdate},
      {kSoftDeleteName, kSoftDelete},
      {kListCountName, kListCount},
      {kStatsName, kStats},
      {kSimilarName, SimilarStatement(false)},
      {kSimilarOwnName, SimilarStatement(true)},
  };
  for (std::size_t i = 0; i < kListPage.size(); ++i) {
    statements.push_back({ListPageName(i), kListPage[i]});
  }
  return statements;
}

Ticket TicketRepository::Create(const Ticket& draft, const std::string& now) {
  // One statement, so autocommit is atomic and saves BEGIN and COMMIT.
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto row = tx.exec_prepared1(
      kInsertName, draft.title, draft.description, std::string(domain::ToString(draft.status)),
      std::string(domain::ToString(draft.priority)), std::string(domain::ToString(draft.urgency)),
      std::string(domain::ToString(draft.category)), draft.subcategory, draft.department,
      ArrayLiteral(draft.tags), draft.created_by_id, draft.assigned_to_id, draft.due_date,
      draft.resolution_summary, draft.internal_notes, draft.metadata.dump(),
      std::string(domain::ToString(draft.source_channel)), now,
      draft.ai_analysis.is_null() ? std::optional<std::string>() : draft.ai_analysis.dump());
  return FromRow(row);
}

std::optional<Ticket> TicketRepository::Find(const std::string& id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kSelectOneName, id);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

TicketPage TicketRepository::List(const domain::ListQuery& query) {
  const std::vector<std::optional<std::string>> filters = {
      query.text,
      EnumArray(query.statuses),
      EnumArray(query.categories),
      EnumArray(query.priorities),
      EnumArray(query.urgencies),
      query.department,
      query.created_by_id,
      query.assigned_to_id,
      BoolText(query.overdue),
      query.created_after,
      query.created_before,
  };
  const auto statement = ListPageName(static_cast<std::size_t>(query.sort_by) * 2 +
                                      (query.sort_order == domain::SortOrder::kDesc ? 1 : 0));

  // Under READ COMMITTED a transaction would not make the count and the
  // page one snapshot either; two autocommit statements save two round trips.
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  TicketPage page;
  page.total = tx.exec_prepared1(kListCountName, pqxx::prepare::make_dynamic_params(filters))[0]
                   .as<std::int64_t>();
  if (query.Offset() >= page.total) return page;

  const auto rows = tx.exec_prepared(statement, pqxx::prepare::make_dynamic_params(filters),
                                     query.size, query.Offset());
  page.items.reserve(rows.size());
  for (const auto& row : rows)
    page.items.push_back(FromRow(row));
  return page;
}

std::vector<SimilarTicket> TicketRepository::FindSimilar(
    const std::string& title, const std::string& text,
    const std::optional<std::string>& created_by_id, int limit) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = created_by_id
                        ? tx.exec_prepared(kSimilarOwnName, title, text, limit, *created_by_id)
                        : tx.exec_prepared(kSimilarName, title, text, limit);
  std::vector<SimilarTicket> similar;
  similar.reserve(rows.size());
  for (const auto& row : rows) {
    similar.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                       domain::ParseStatus(row[2].c_str()).value_or(domain::Status::kNew),
                       domain::ParseCategory(row[3].c_str()).value_or(domain::Category::kGeneral),
                       row[4].as<std::string>(), row[5].as<double>(), row[6].as<double>()});
  }
  return similar;
}

UpdateOutcome TicketRepository::Update(
    const std::string& id, const domain::TicketChanges& changes,
    const std::optional<domain::VersionPrecondition>& precondition, const std::string& now,
    const AccessCheck& check) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  const auto rows = tx.exec_prepared(kSelectForUpdateName, id);
  if (rows.empty()) return NotFound{};
  Ticket ticket = FromRow(rows[0]);
  if (const auto refusal = check ? check(ticket) : std::nullopt) {
    if (*refusal == Refusal::kHidden) return NotFound{};
    return Forbidden{ticket.status};
  }
  if (precondition && !precondition->Accepts(ticket.version)) {
    return VersionMismatch{ticket.version};
  }

  const domain::Status before = ticket.status;
  switch (domain::ApplyChanges(ticket, changes, now)) {
    case domain::ApplyResult::kInvalidTransition:
      return InvalidTransition{before, *changes.status};
    case domain::ApplyResult::kMetadataTooLarge:
      return MetadataTooLarge{};
    case domain::ApplyResult::kUnchanged:
      return ticket;
    case domain::ApplyResult::kApplied:
      break;
  }

  const auto row = tx.exec_prepared1(
      kUpdateName, id, ticket.title, ticket.description,
      std::string(domain::ToString(ticket.status)), std::string(domain::ToString(ticket.priority)),
      std::string(domain::ToString(ticket.urgency)), std::string(domain::ToString(ticket.category)),
      ticket.subcategory, ticket.department, ArrayLiteral(ticket.tags), ticket.assigned_to_id,
      ticket.due_date, ticket.resolution_summary, ticket.internal_notes, ticket.metadata.dump(),
      std::string(domain::ToString(ticket.source_channel)), ticket.updated_at,
      ticket.last_activity_at, ticket.resolved_at, ticket.closed_at, ticket.version);
  tx.commit();
  return FromRow(row);
}

DeleteOutcome TicketRepository::Delete(
    const std::string& id, const std::optional<domain::VersionPrecondition>& precondition,
    const std::string& now, const AccessCheck& check) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  const auto rows = tx.exec_prepared(kSelectForUpdateName, id);
  if (rows.empty()) return NotFound{};
  const Ticket ticket = FromRow(rows[0]);
  if (const auto refusal = check ? check(ticket) : std::nullopt) {
    if (*refusal == Refusal::kHidden) return NotFound{};
    return Forbidden{ticket.status};
  }
  if (precondition && !precondition->Accepts(ticket.version)) {
    return VersionMismatch{ticket.version};
  }
  tx.exec_prepared0(kSoftDeleteName, id, now);
  tx.commit();
  return std::monostate{};
}

TicketStats TicketRepository::Stats() {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto row = tx.exec_prepared1(kStatsName);
  TicketStats stats;
  stats.total = row[0].as<std::int64_t>();
  stats.open = row[1].as<std::int64_t>();
  stats.resolved = row[2].as<std::int64_t>();
  stats.overdue = row[3].as<std::int64_t>();
  stats.by_status = CountsFor(row[4].c_str(), domain::AllStatusNames());
  stats.by_priority = CountsFor(row[5].c_str(), domain::AllPriorityNames());
  stats.by_category = CountsFor(row[6].c_str(), domain::AllCategoryNames());
  stats.average_resolution_hours = row[7].as<double>();
  stats.created_today = row[8].as<std::int64_t>();
  stats.resolved_today = row[9].as<std::int64_t>();
  return stats;
}

}  // namespace ticketd::storage
