// Tickets in PostgreSQL. Expected outcomes (not found, stale version,
// forbidden transition) are returned as values; database failures surface as
// pqxx exceptions or PoolTimeout, which the HTTP boundary maps to 5xx.
// Thread-safe: every call leases its own connection.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/list_query.hpp"
#include "domain/ticket.hpp"
#include "domain/ticket_json.hpp"
#include "storage/pg_pool.hpp"

namespace ticketd::storage {

struct NotFound {};
struct VersionMismatch {
  std::int64_t current = 0;
};
struct InvalidTransition {
  domain::Status from;
  domain::Status to;
};

struct MetadataTooLarge {};
struct Forbidden {
  domain::Status current;  // the ticket's status when the change was refused
};

// What the caller may do to one ticket, decided by the API layer on the row
// as it is under the lock: std::nullopt to go on, kHidden to answer as if
// there were no such ticket, kForbidden to refuse the change.
enum class Refusal { kHidden, kForbidden };
using AccessCheck = std::function<std::optional<Refusal>(const domain::Ticket& current)>;

using UpdateOutcome = std::variant<domain::Ticket, NotFound, VersionMismatch, InvalidTransition,
                                   Forbidden, MetadataTooLarge>;
using DeleteOutcome = std::variant<std::monostate, NotFound, VersionMismatch, Forbidden>;

struct TicketPage {
  std::vector<domain::Ticket> items;
  std::int64_t total = 0;
};

struct TicketStats {
  std::int64_t total = 0;
  std::int64_t open = 0;
  std::int64_t resolved = 0;
  std::int64_t overdue = 0;
  std::map<std::string, std::int64_t> by_status;
  std::map<std::string, std::int64_t> by_priority;
  std::map<std::string, std::int64_t> by_category;
  double average_resolution_hours = 0;
  std::int64_t created_today = 0;
  std::int64_t resolved_today = 0;
};

// A ticket that reads like a given text (the agent's find_similar_tickets).
struct SimilarTicket {
  std::string id;
  std::string title;
  domain::Status status = domain::Status::kNew;
  domain::Category category = domain::Category::kGeneral;
  std::string created_at;
  double title_similarity = 0;  // trigram similarity of the titles, 0..1
  double text_rank = 0;         // share of the query's words in title or description, 0..1
};

class TicketRepository {
 public:
  // `pool` must have been created with Statements() among its statements.
  explicit TicketRepository(PgPool& pool) : pool_(pool) {}

  // The prepared statements the repository executes.
  static std::vector<PreparedStatement> Statements();

  // Stores a new ticket built by domain::NewTicket; fills id and times.
  domain::Ticket Create(const domain::Ticket& draft, const std::string& now);

  // A ticket that is not deleted, or std::nullopt.
  std::optional<domain::Ticket> Find(const std::string& id);

  TicketPage List(const domain::ListQuery& query);

  // At most `limit` live tickets whose title is trigram-similar to `title`
  // or whose text shares words with `text`, best first; only those created
  // by `created_by_id` when it is given (a user's search stays in its own
  // tickets).
  std::vector<SimilarTicket> FindSimilar(const std::string& title, const std::string& text,
                                         const std::optional<std::string>& created_by_id,
                                         int limit);

  // Loads the ticket under a row lock, runs `check` (when given) before
  // anything else, checks `precondition` when given, applies `changes`
  // through the domain rules and stores the result.
  UpdateOutcome Update(const std::string& id, const domain::TicketChanges& changes,
                       const std::optional<domain::VersionPrecondition>& precondition,
                       const std::string& now, const AccessCheck& check = {});

  // Soft delete: the row stays, marked deleted, and is invisible afterwards.
  DeleteOutcome Delete(const std::string& id,
                       const std::optional<domain::VersionPrecondition>& precondition,
                       const std::string& now, const AccessCheck& check = {});

  TicketStats Stats();

 private:
  PgPool& pool_;
};

}  // namespace ticketd::storage
