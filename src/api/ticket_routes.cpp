#include "api/ticket_routes.hpp"

#include <chrono>

#include "api/reply.hpp"
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

// Agents and above read internal notes (roles arrive with issue #3).
bool MayReadInternal(const http::Principal& principal) {
  return principal.role == "admin" || principal.role == "manager" || principal.role == "agent";
}

json PageJson(const storage::TicketPage& page, const domain::ListQuery& query) {
  const auto info = domain::MakePageInfo(page.total, query.page, query.size);
  json items = json::array();
  for (const auto& ticket : page.items)
    items.push_back(domain::ToJson(ticket, {}));
  return {{"items", std::move(items)}, {"total", info.total}, {"page", info.page},
          {"size", info.size},         {"pages", info.pages}, {"has_next", info.has_next},
          {"has_prev", info.has_prev}};
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
  TicketRoutes(storage::TicketRepository& tickets, boost::asio::thread_pool& blocking)
      : tickets_(tickets), blocking_(blocking) {}

  awaitable<http::Response> List(http::RequestContext& context) {
    domain::ListQuery query;
    if (auto errors = domain::DecodeListQuery(context.query, query); !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }
    const auto page = co_await Offload(blocking_, [&] { return tickets_.List(query); });
    co_return Json(context, http::Status::ok, PageJson(page, query));
  }

  awaitable<http::Response> Create(http::RequestContext& context) {
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);

    domain::TicketChanges changes;
    auto errors =
        domain::DecodeChanges(std::get<JsonBody>(body).value, domain::BodyKind::kCreate, changes);
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));

    const auto draft = domain::NewTicket(changes, context.principal.user_id);
    const auto ticket = co_await Offload(blocking_, [&] { return tickets_.Create(draft, Now()); });
    auto response = TicketAnswer(context, http::Status::created, ticket, {});
    response.set(beast_http::field::location, std::string(kTicketsPath) + ticket.id);
    co_return response;
  }

  awaitable<http::Response> Get(http::RequestContext& context) {
    const std::string id(context.PathParam("ticket_id"));
    FieldErrors errors;
    const bool include_ai = BoolParam(context, "include_ai_data", true, errors);
    const bool include_internal = BoolParam(context, "include_internal", false, errors);
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));
    if (!domain::IsUuid(id)) co_return Reply(context, TicketNotFound(id));

    const auto ticket = co_await Offload(blocking_, [&] { return tickets_.Find(id); });
    if (!ticket) co_return Reply(context, TicketNotFound(id));
    co_return TicketAnswer(
        context, http::Status::ok, *ticket,
        {.include_internal = include_internal && MayReadInternal(context.principal),
         .include_ai = include_ai});
  }

  // PUT, PATCH, status and assign: decode the body for `kind`, then one path.
  awaitable<http::Response> Change(http::RequestContext& context, domain::BodyKind kind) {
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
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));

    const auto precondition = IfMatch(context);
    const auto outcome = co_await Offload(
        blocking_, [&] { return tickets_.Update(id, changes, precondition, Now()); });

    if (const auto* ticket = std::get_if<domain::Ticket>(&outcome)) {
      co_return TicketAnswer(context, http::Status::ok, *ticket, {});
    }
    if (std::holds_alternative<storage::NotFound>(outcome)) {
      co_return Reply(context, TicketNotFound(id));
    }
    if (const auto* stale = std::get_if<storage::VersionMismatch>(&outcome)) {
      co_return Reply(context, StaleVersion(*stale));
    }
    const auto& refused = std::get<storage::InvalidTransition>(outcome);
    co_return Reply(context,
                    http::InvalidTransition("A ticket cannot move from " +
                                            std::string(domain::ToString(refused.from)) + " to " +
                                            std::string(domain::ToString(refused.to)) + "."));
  }

  awaitable<http::Response> Delete(http::RequestContext& context) {
    const std::string id(context.PathParam("ticket_id"));
    if (!domain::IsUuid(id)) co_return Reply(context, TicketNotFound(id));

    const auto precondition = IfMatch(context);
    const auto outcome =
        co_await Offload(blocking_, [&] { return tickets_.Delete(id, precondition, Now()); });
    if (std::holds_alternative<storage::NotFound>(outcome)) {
      co_return Reply(context, TicketNotFound(id));
    }
    if (const auto* stale = std::get_if<storage::VersionMismatch>(&outcome)) {
      co_return Reply(context, StaleVersion(*stale));
    }
    http::Response response{http::Status::no_content, context.request.version()};
    co_return response;
  }

  awaitable<http::Response> Stats(http::RequestContext& context) {
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
  static http::Problem StaleVersion(const storage::VersionMismatch& stale) {
    return http::PreconditionFailed(
        "If-Match does not name the ticket's current ETag " + ETagOf(stale.current) +
        " (weak W/ tags never match); read the ticket again and retry.");
  }

  storage::TicketRepository& tickets_;
  boost::asio::thread_pool& blocking_;
};

}  // namespace

void AddTicketRoutes(http::Router& router, storage::TicketRepository& tickets,
                     boost::asio::thread_pool& blocking) {
  auto routes = std::make_shared<TicketRoutes>(tickets, blocking);
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
