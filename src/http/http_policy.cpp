#include "http/http_policy.hpp"

#include "http/router.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ticketd::http {
namespace {

constexpr const char* kAllowMethods = "GET, HEAD, POST, PUT, PATCH, DELETE";
constexpr const char* kAllowHeaders =
    "Authorization, Content-Type, If-Match, X-API-Key, X-Request-ID";
constexpr const char* kExposeHeaders =
    "ETag, Location, Retry-After, X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, "
    "X-RateLimit-Reset";
constexpr const char* kPreflightMaxAge = "600";

// JSON answers load nothing; the documentation pages load their own assets,
// Swagger UI styles inline and ReDoc starts a worker from a blob.
constexpr const char* kApiPolicy = "default-src 'none'; frame-ancestors 'none'";
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// The header's value in lower case without surrounding blanks.
std::string Folded(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  value = value.substr(first, value.find_last_not_of(" \t") - first + 1);
  std::string out(value);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<Problem> CheckFraming(const Request& request) {
  if (request.count(beast_http::field::host) > 1) {
    return BadRequest("The request carries more than one Host header.");
  }
  // One pass over the fields: every Transfer-Encoding line, in order, is
  // one list of codings; a Content-Encoding is refused after them.
  std::vector<std::string> codings;
  bool encoded = false;
  for (const auto& field : request) {
    if (field.name() == beast_http::field::content_encoding &&
        Folded(ToStd(field.value())) != "identity") {
      encoded = true;
    }
    if (field.name() != beast_http::field::transfer_encoding) continue;
    std::string_view list = ToStd(field.value());
    for (;;) {
      const auto comma = list.find(',');
      codings.push_back(Folded(list.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (!codings.empty() && codings.back() != "chunked") {
    return BadRequest(
        "Transfer-Encoding must end with chunked: otherwise the length of the body cannot be "
        "known (RFC 9112, section 6.3). The connection is closed.");
  }
  if (codings.size() > 1) {
    return NotImplemented(
        "Transfer-Encoding other than chunked alone is not supported. The connection is closed.");
  }
  if (encoded) {
    return UnsupportedMediaType("Content-Encoding is not supported; send the body uncompressed.");
  }
  if (auto problem = HeadProblem(request)) return BadRequest(std::move(*problem));
  return std::nullopt;
}

bool HttpPolicy::IsAllowedOrigin(std::string_view origin) const {
  return std::find(options_.cors_origins.begin(), options_.cors_origins.end(), origin) !=
         options_.cors_origins.end();
}

bool HttpPolicy::IsPreflight(const Request& request) const {
  return request.method() == Verb::options &&
         request.find(beast_http::field::origin) != request.end() &&
         request.find(beast_http::field::access_control_request_method) != request.end();
}

std::variant<Response, Problem> HttpPolicy::AnswerPreflight(const Request& request) const {
  const auto origin = ToStd(request[beast_http::field::origin]);
  if (!IsAllowedOrigin(origin)) {
    return Forbidden("CORS_ORIGIN_DENIED",
                     "Origin " + std::string(origin) + " may not call this API from a browser.");
  }
  Response response{Status::no_content, request.version()};
  response.set(beast_http::field::access_control_allow_methods, kAllowMethods);
  response.set(beast_http::field::access_control_allow_headers, kAllowHeaders);
  response.set(beast_http::field::access_control_max_age, kPreflightMaxAge);
  return response;
}

void HttpPolicy::Decorate(const Request& request, Response& response) const {
  response.set("X-Content-Type-Options", "nosniff");
  response.set(beast_http::field::x_frame_options, "DENY");
  response.set("Referrer-Policy", "no-referrer");
  const auto type = ToStd(response[beast_http::field::content_type]);
  response.set("Content-Security-Policy", type.starts_with("text/html") ? kPagePolicy : kApiPolicy);
  if (response.find(beast_http::field::cache_control) == response.end()) {
    response.set(beast_http::field::cache_control, "no-store");
  }
  if (options_.strict_transport) {
    response.set(beast_http::field::strict_transport_security,
                 "max-age=31536000; includeSubDomains");
  }

  const auto origin = ToStd(request[beast_http::field::origin]);
  if (!origin.empty() && IsAllowedOrigin(origin)) {
    response.set(beast_http::field::access_control_allow_origin, std::string(origin));
    response.set(beast_http::field::access_control_expose_headers, kExposeHeaders);
    response.insert(beast_http::field::vary, "Origin");
  }
}

}  // namespace ticketd::http
