// Maps a method and a path to a handler by route templates such as
// /api/v1/tickets/{ticket_id}. A literal segment wins over a parameter, so
// /api/v1/tickets/stats/overview is never read as a ticket id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/problem.hpp"
#include "http/types.hpp"

namespace ticketd::http {

class Router {
 public:
  void Add(Verb method, std::string_view pattern, Handler handler);

  struct Match {
    const Handler* handler;
    std::string_view route;
    std::vector<std::pair<std::string, std::string>> params;
  };
  struct MethodNotAllowed {
    std::string allow;  // e.g. "GET, POST"
    std::string_view route;
  };
  struct NoRoute {};

  // The handler for `method` on `path`; `path` must be percent-decoded.
  std::variant<Match, MethodNotAllowed, NoRoute> Find(Verb method, std::string_view path) const;

 private:
  struct Route {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;
    int literals = 0;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// The routing entry of every request, apart from the socket: decodes the
// target of `context.request` into `context` (path, query, path parameters,
// route template) and finds the handler. When there is none, `problem` says
// what to answer (400, 404, or 405 with `allow`). HEAD finds GET's handler.
struct Routed {
  const Handler* handler = nullptr;
  std::optional<Problem> problem;
  std::string allow;
};
Routed RouteRequest(const Router& router, RequestContext& context);

// Why the head of `request` cannot be served whatever it asks for: a target
// that is not a path (origin form), or an HTTP/1.1 request without Host.
// std::nullopt when neither. RouteRequest refuses these with 400, and so
// does CheckFraming, before routing, closing the connection.
std::optional<std::string> HeadProblem(const Request& request);

// The path of request target `target` as sent, without the query: what a
// problem document names in `instance` when the request was not routed (so
// no decoded path is at hand). "" for an empty target.
std::string RequestPath(std::string_view target);

// Splits "/a/b/c" into {"a", "b", "c"}; a trailing slash is ignored.
std::vector<std::string_view> SplitPath(std::string_view path);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Returns
// false for a malformed escape.
bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space);

// Parses a query string into decoded name/value pairs; malformed pairs are
// reported through `ok`.
domain::QueryParams ParseQuery(std::string_view query, bool& ok);

}  // namespace ticketd::http
