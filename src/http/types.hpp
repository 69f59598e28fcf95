// The vocabulary of the HTTP layer: requests, responses, the per-request
// context that handlers receive, and the handler signature.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/access.hpp"
#include "domain/list_query.hpp"

namespace ticketd::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;

// Beast 1.74 speaks boost::string_view; the rest of the code speaks std's.
inline std::string_view ToStd(boost::beast::string_view text) {
  return {text.data(), text.size()};
}

// Who is calling: filled by the authentication guard before a handler runs.
// Anonymous on public routes called without credentials.
enum class PrincipalKind { kAnonymous, kUser, kApiKey };

struct Principal {
  PrincipalKind kind = PrincipalKind::kAnonymous;
  std::string id;  // the user's id, or the API key's id (tickets it files are its own)
  domain::Role role = domain::Role::kUser;  // the current role, read from storage
  std::int64_t expires_at = 0;              // an access token's exp (Unix seconds), else 0

  bool Authenticated() const { return kind != PrincipalKind::kAnonymous; }
  // "user", "api_key" or "anonymous", as the audit trail names actors.
  std::string_view KindName() const {
    switch (kind) {
      case PrincipalKind::kUser:
        return "user";
      case PrincipalKind::kApiKey:
        return "api_key";
      case PrincipalKind::kAnonymous:
        break;
    }
    return "anonymous";
  }
};

// Everything a handler knows about one request. Lives for the request only.
struct RequestContext {
  const Request& request;
  std::string path;           // percent-decoded, without the query
  domain::QueryParams query;  // percent-decoded
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string request_id;
  std::string peer_address;  // the TCP peer, e.g. a load balancer or the client
  std::string_view route;    // the matched route template, e.g. /api/v1/tickets/{ticket_id}
  Principal principal;

  // The value of a path parameter of the matched route ("" when absent).
  std::string_view PathParam(std::string_view name) const {
    for (const auto& [key, value] : path_params) {
      if (key == name) return value;
    }
    return {};
  }
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

// What a guard decided about a routed request before its handler runs:
// `refusal` answers instead of the handler; `headers` go on the answer
// either way (rate-limit headers, for example).
struct GuardDecision {
  std::optional<Response> refusal;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Runs for every request that found a handler: authentication and rate
// limiting.
using Guard = std::function<boost::asio::awaitable<GuardDecision>(RequestContext&)>;

}  // namespace ticketd::http
