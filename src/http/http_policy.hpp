// What every answer carries regardless of its route: security headers and
// CORS. Pure: unit tests call it without a server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/problem.hpp"
#include "http/types.hpp"

namespace ticketd::http {

struct HttpPolicyOptions {
  // Exact origins allowed to call the API from a browser, such as
  // "https://support.example.com" or "chrome-extension://<extension id>".
  // "*" is not accepted: the API carries bearer tokens.
  std::vector<std::string> cors_origins;
  // Send Strict-Transport-Security (TLS ends at the load balancer in AWS).
  bool strict_transport = false;
};

// Framing that proxies and this server could read differently, refused
// before routing (RFC 9112): more than one Host (400), none in HTTP/1.1 or
// a target that is not a path (400, HeadProblem), a Transfer-Encoding
// list that does not end with `chunked` (400: the body's length is unknown,
// and what Beast left unread could be taken for a next request), codings
// before a final `chunked` (501, since only chunked is decoded) and a
// Content-Encoding other than identity (415, bodies are never decompressed).
// The server closes the connection after any of these answers.
// std::nullopt for a request without any of these.
std::optional<Problem> CheckFraming(const Request& request);

class HttpPolicy {
 public:
  explicit HttpPolicy(HttpPolicyOptions options = {}) : options_(std::move(options)) {}

  // True for a CORS preflight: OPTIONS with Origin and
  // Access-Control-Request-Method.
  bool IsPreflight(const Request& request) const;

  // The answer to a preflight: 204 with the allowed methods and headers, or
  // a 403 problem when the origin is not on the allow-list.
  std::variant<Response, Problem> AnswerPreflight(const Request& request) const;

  // Adds the security headers, and the CORS headers when the request's
  // Origin is allowed.
  void Decorate(const Request& request, Response& response) const;

  bool IsAllowedOrigin(std::string_view origin) const;

 private:
  HttpPolicyOptions options_;
};

}  // namespace ticketd::http
