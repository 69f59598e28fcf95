#include "api/ticket_routes.hpp"

#include <chrono>

#include "api/authentication.hpp"
#include "api/reply.hpp"
#include "domain/access.hpp"
#include "domain/time_format.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;
using domain::FieldErrors;
using nlohmann::json;

constexpr std::string_view kTicketsPath = "/api/v1/tickets/";

std::string Now() {
  return domain::FormatUtc(std::chrono::system_clock::now());
}

bool MayReadAll(const http::Principal& principal) {
  return domain::Allows(principal.role, domain::Action::kTicketReadAll);
}

// Whether the caller may see `ticket` at all: its creator, or a role that
// reads everyone's. Others are told there is no such ticket (404, not 403),
// so that ticket ids cannot be probed.
bool MaySee(const http::Principal& principal, const domain::Ticket& ticket) {
  return MayReadAll(principal) || ticket.created_by_id == principal.id;
}

// One 422 entry per member of `body` the caller's role may not write.
FieldErrors ForbiddenMembers(const http::Principal& principal, const json& body) {
  FieldErrors errors;
  if (!body.is_object()) return errors;
  for (const auto& [name, value] : body.items()) {
    if (!domain::MayWriteField(principal.role, name)) {
      errors.push_back(
          {name, "may not be set by the role " + std::string(domain::ToString(principal.role))});
    }
  }
  return errors;
}

json TicketPageJson(const storage::TicketPage& page, const domain::ListQuery& query) {
  json items = json::array();
  for (const auto& ticket : page.items)
    items.push_back(domain::ToJson(ticket, {}));
  return PageJson(std::move(items), page.total, query.page, query.size);
}

http::Response TicketAnswer(const http::RequestContext& context, http::Status status,
                            const domain::Ticket& ticket, domain::ViewOptions view) {
  auto response = Json(context, status, domain::ToJson(ticket, view));
  response.set(beast_http::field::etag, ETagOf(ticket.version));
  return response;
}

http::Problem TicketNotFound(std::string_view id) {
  return http::NotFound("No ticket with id " + std::string(id) + ".");
}

// Reads a boolean query parameter; a value other than true/false/1/0 is an error.
bool BoolParam(const http::RequestContext& context, std::string_view name, bool fallback,
               FieldErrors& errors) {
  const auto found = context.query.find(name);
  if (found == context.query.end()) return fallback;
  if (found->second == "true" || found->second == "1") return true;
  if (found->second == "false" || found->second == "0") return false;
  errors.push_back({std::string(name), "must be true or false"});
  return fallback;
}

class TicketRoutes {
 public:
  TicketRoutes(storage::TicketRepository& tickets, storage::UserRepository& users,
               boost::asio::thread_pool& blocking)
      : tickets_(tickets), users_(users), blocking_(blocking) {}

  awaitable<http::Response> List(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kTicketReadOwn)) {
      co_return Refuse(context, *refused);
    }
    domain::ListQuery query;
    if (auto errors = domain::DecodeListQuery(context.query, query); !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }
    // Callers who read only their own tickets list only those: a filter on
    // another creator matches none of them, so the page is empty.
    if (!MayReadAll(context.principal)) {
      if (query.created_by_id && !domain::SameUuid(*query.created_by_id, context.principal.id)) {
        co_return Json(context, http::Status::ok, TicketPageJson({}, query));
      }
      query.created_by_id = context.principal.id;
    }
    const auto page = co_await Offload(blocking_, [&] { return tickets_.List(query); });
    co_return Json(context, http::Status::ok, TicketPageJson(page, query));
  }

  awaitable<http::Response> Create(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kTicketCreate)) {
      co_return Refuse(context, *refused);
    }
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    const auto& value = std::get<JsonBody>(body).value;

    domain::TicketChanges changes;
    auto errors = domain::DecodeChanges(value, domain::BodyKind::kCreate, changes);
    for (auto& error : ForbiddenMembers(context.principal, value))
      errors.push_back(std::move(error));
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));

    const auto draft = domain::NewTicket(changes, context.principal.id);
    const auto ticket = co_await Offload(blocking_, [&] { return tickets_.Create(draft, Now()); });
    auto response = TicketAnswer(context, http::Status::created, ticket, {});
    response.set(beast_http::field::location, std::string(kTicketsPath) + ticket.id);
    co_return response;
  }

  awaitable<http::Response> Get(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kTicketReadOwn)) {
      co_return Refuse(context, *refused);
    }
    const std::string id(context.PathParam("ticket_id"));
    FieldErrors errors;
    const bool include_ai = BoolParam(context, "include_ai_data", true, errors);
    const bool include_internal = BoolParam(context, "include_internal", false, errors);
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));
    if (!domain::IsUuid(id)) co_return Reply(context, TicketNotFound(id));

    const auto ticket = co_await Offload(blocking_, [&] { return tickets_.Find(id); });
    if (!ticket || !MaySee(context.principal, *ticket))
      co_return Reply(context, TicketNotFound(id));
    const bool may_read_internal =
        domain::Allows(context.principal.role, domain::Action::kTicketReadInternal);
    co_return TicketAnswer(
        context, http::Status::ok, *ticket,
        {.include_internal = include_internal && may_read_internal, .include_ai = include_ai});
  }

  // PUT, PATCH, status and assign: decode the body for `kind`, then one path.
  awaitable<http::Response> Change(http::RequestContext& context, domain::BodyKind kind) {
    const auto action = kind == domain::BodyKind::kAssign ? domain::Action::kTicketAssign
                                                          : domain::Action::kTicketUpdateOwn;
    if (auto refused = Require(context, action)) co_return Refuse(context, *refused);
    const std::string id(context.PathParam("ticket_id"));
    if (!domain::IsUuid(id)) co_return Reply(context, TicketNotFound(id));

    const bool patch =
        context.request.method() == http::Verb::patch && kind == domain::BodyKind::kUpdate;
    auto body = ReadJsonBody(context, patch);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    const auto& decoded = std::get<JsonBody>(body);
    if (decoded.media_type == BodyMediaType::kMergePatch) kind = domain::BodyKind::kMergePatch;

    domain::TicketChanges changes;
    auto errors = domain::DecodeChanges(decoded.value, kind, changes);
    for (auto& error : ForbiddenMembers(context.principal, decoded.value))
      errors.push_back(std::move(error));
    if (errors.empty() && changes.assigned_to_id && *changes.assigned_to_id) {
      const auto& assignee_id = **changes.assigned_to_id;
      const auto assignee =
          co_await Offload(blocking_, [&] { return users_.FindById(assignee_id); });
      if (!assignee || !assignee->is_active ||
          !domain::Allows(assignee->role, domain::Action::kTicketUpdateAll)) {
        errors.push_back({"assigned_to_id", "must name an active agent, manager or admin"});
      }
    }
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));

    const auto& principal = context.principal;
    const auto check = [&](const domain::Ticket& current) -> std::optional<storage::Refusal> {
      if (!MaySee(principal, current)) return storage::Refusal::kHidden;
      const bool writes_all = domain::Allows(principal.role, domain::Action::kTicketUpdateAll);
      if (!writes_all && current.created_by_id != principal.id) return storage::Refusal::kForbidden;
      if (changes.status && *changes.status != current.status &&
          !domain::MayChangeStatus(principal.role, current.status, *changes.status)) {
        return storage::Refusal::kForbidden;
      }
      return std::nullopt;
    };
    const auto precondition = IfMatch(context);
    const auto outcome = co_await Offload(
        blocking_, [&] { return tickets_.Update(id, changes, precondition, Now(), check); });

    if (const auto* ticket = std::get_if<domain::Ticket>(&outcome)) {
      co_return TicketAnswer(context, http::Status::ok, *ticket, {});
    }
    if (std::holds_alternative<storage::NotFound>(outcome)) {
      co_return Reply(context, TicketNotFound(id));
    }
    if (const auto* stale = std::get_if<storage::VersionMismatch>(&outcome)) {
      co_return Reply(context, StaleVersion(*stale));
    }
    if (std::holds_alternative<storage::MetadataTooLarge>(outcome)) {
      co_return Reply(
          context,
          http::ValidationFailed(
              {{"metadata", "must stay at most " + std::to_string(domain::kMetadataMaxBytes) +
                                " bytes of JSON once merged"}}));
    }
    if (const auto* forbidden = std::get_if<storage::Forbidden>(&outcome)) {
      co_return Reply(context, StatusForbidden(principal, forbidden->current, changes));
    }
    const auto& refused = std::get<storage::InvalidTransition>(outcome);
    co_return Reply(context,
                    http::InvalidTransition("A ticket cannot move from " +
                                            std::string(domain::ToString(refused.from)) + " to " +
                                            std::string(domain::ToString(refused.to)) + "."));
  }

  awaitable<http::Response> Delete(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kTicketDelete)) {
      co_return Refuse(context, *refused);
    }
    const std::string id(context.PathParam("ticket_id"));
    if (!domain::IsUuid(id)) co_return Reply(context, TicketNotFound(id));

    const auto& principal = context.principal;
    const auto check = [&](const domain::Ticket& current) -> std::optional<storage::Refusal> {
      if (!MaySee(principal, current)) return storage::Refusal::kHidden;
      // Staff who may delete may delete any ticket; others only their own.
      if (!domain::Allows(principal.role, domain::Action::kTicketUpdateAll) &&
          current.created_by_id != principal.id) {
        return storage::Refusal::kForbidden;
      }
      return std::nullopt;
    };
    const auto precondition = IfMatch(context);
    const auto outcome = co_await Offload(
        blocking_, [&] { return tickets_.Delete(id, precondition, Now(), check); });
    if (std::holds_alternative<storage::NotFound>(outcome) ||
        std::holds_alternative<storage::Forbidden>(outcome)) {
      co_return Reply(context, TicketNotFound(id));
    }
    if (const auto* stale = std::get_if<storage::VersionMismatch>(&outcome)) {
      co_return Reply(context, StaleVersion(*stale));
    }
    http::Response response{http::Status::no_content, context.request.version()};
    co_return response;
  }

  awaitable<http::Response> Stats(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kStatsRead)) {
      co_return Refuse(context, *refused);
    }
    const auto stats = co_await Offload(blocking_, [&] { return tickets_.Stats(); });
    co_return Json(context, http::Status::ok,
                   {{"total_tickets", stats.total},
                    {"open_tickets", stats.open},
                    {"resolved_tickets", stats.resolved},
                    {"overdue_tickets", stats.overdue},
                    {"tickets_by_status", stats.by_status},
                    {"tickets_by_priority", stats.by_priority},
                    {"tickets_by_category", stats.by_category},
                    {"average_resolution_time", stats.average_resolution_hours},
                    {"tickets_created_today", stats.created_today},
                    {"tickets_resolved_today", stats.resolved_today}});
  }

 private:
  static http::Problem StatusForbidden(const http::Principal& principal, domain::Status current,
                                       const domain::TicketChanges& changes) {
    const std::string role(domain::ToString(principal.role));
    if (!changes.status)
      return http::Forbidden("FORBIDDEN", "The role " + role + " may not change this ticket.");
    return http::Forbidden("STATUS_CHANGE_FORBIDDEN",
                           "The role " + role + " may not move a ticket from " +
                               std::string(domain::ToString(current)) + " to " +
                               std::string(domain::ToString(*changes.status)) + ".");
  }

  static http::Problem StaleVersion(const storage::VersionMismatch& stale) {
    return http::PreconditionFailed(
        "If-Match does not name the ticket's current ETag " + ETagOf(stale.current) +
        " (weak W/ tags never match); read the ticket again and retry.");
  }

  storage::TicketRepository& tickets_;
  storage::UserRepository& users_;
  boost::asio::thread_pool& blocking_;
};

}  // namespace

void AddTicketRoutes(http::Router& router, storage::TicketRepository& tickets,
                     storage::UserRepository& users, boost::asio::thread_pool& blocking) {
  auto routes = std::make_shared<TicketRoutes>(tickets, users, blocking);
  const auto bind = [routes](auto method) -> http::Handler {
    return [routes, method](http::RequestContext& context) { return ((*routes).*method)(context); };
  };
  const auto change = [routes](domain::BodyKind kind) -> http::Handler {
    return [routes, kind](http::RequestContext& context) { return routes->Change(context, kind); };
  };

  constexpr std::string_view kCollection = "/api/v1/tickets";
  constexpr std::string_view kItem = "/api/v1/tickets/{ticket_id}";
  router.Add(http::Verb::get, kCollection, bind(&TicketRoutes::List));
  router.Add(http::Verb::post, kCollection, bind(&TicketRoutes::Create));
  router.Add(http::Verb::get, "/api/v1/tickets/stats/overview", bind(&TicketRoutes::Stats));
  router.Add(http::Verb::get, kItem, bind(&TicketRoutes::Get));
  router.Add(http::Verb::put, kItem, change(domain::BodyKind::kUpdate));
  router.Add(http::Verb::patch, kItem, change(domain::BodyKind::kUpdate));
  router.Add(http::Verb::delete_, kItem, bind(&TicketRoutes::Delete));
  router.Add(http::Verb::patch, "/api/v1/tickets/{ticket_id}/status",
             change(domain::BodyKind::kStatus));
  router.Add(http::Verb::patch, "/api/v1/tickets/{ticket_id}/assign",
             change(domain::BodyKind::kAssign));
}

}  // namespace ticketd::api
