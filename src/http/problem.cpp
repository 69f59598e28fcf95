#include "http/problem.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "domain/time_format.hpp"

namespace ticketd::http {
namespace {

constexpr std::string_view kTypeBase = "https://aiticketcreator.dev/problems/";

// "VALIDATION_ERROR" -> "validation-error"
std::string TypeSlug(std::string_view code) {
  std::string slug;
  slug.reserve(code.size());
  for (const char c : code)
    slug += c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return slug;
}

Problem Make(Status status, std::string code, std::string title, std::string detail) {
  return {status, std::move(code), std::move(title), std::move(detail), {}};
}

}  // namespace

Response MakeProblemResponse(const Problem& problem, std::string_view instance,
                             std::string_view request_id, unsigned http_version) {
  nlohmann::json body = {
      {"type", std::string(kTypeBase) + TypeSlug(problem.error_code)},
      {"title", problem.title},
      {"status", static_cast<int>(problem.status)},
      {"detail", problem.detail},
      {"error_code", problem.error_code},
      {"timestamp", domain::FormatUtc(std::chrono::system_clock::now())},
      {"request_id", request_id},
  };
  // RFC 9457 makes `instance` optional: better absent than empty.
  if (!instance.empty()) body["instance"] = instance;
  if (!problem.errors.empty()) {
    auto& errors = body["errors"] = nlohmann::json::array();
    for (const auto& error : problem.errors) {
      errors.push_back({{"path", error.path}, {"reason", error.reason}});
    }
  }

  Response response{problem.status, http_version};
  response.set(beast_http::field::content_type, "application/problem+json");
  response.set(beast_http::field::cache_control, "no-store");
  if (problem.status == Status::service_unavailable) {
    response.set(beast_http::field::retry_after, "5");
  }
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

Problem BadRequest(std::string detail) {
  return Make(Status::bad_request, "BAD_REQUEST", "Bad request", std::move(detail));
}
Problem MalformedRequest(const boost::system::error_code& parse_error) {
  using beast_http::error;
  static constexpr std::pair<error, std::string_view> kDetails[] = {
      {error::bad_method,
       "The request line must start with a method such as GET, followed by one space."},
      {error::bad_target,
       "The request target must follow the method after one space and hold no spaces or "
       "control characters (percent-encode them)."},
      {error::bad_version, "The request line must end with HTTP/1.1 or HTTP/1.0 and a line break."},
      {error::bad_line_ending, "Every line of the request head must end with CRLF."},
      {error::bad_field,
       "A header line is malformed: it must read Name: value, with a colon right after a name "
       "made of letters, digits and !#$%&'*+-.^_`|~ only (no spaces)."},
      {error::bad_value,
       "A header value is malformed: it holds a control character, or a list such as "
       "Connection's is not tokens separated by commas."},
      {error::bad_obs_fold,
       "A header value is folded onto a following line; send each value on one line."},
      {error::bad_content_length,
       "Content-Length must be a decimal number of bytes, repeated only with the same value, "
       "and cannot be combined with Transfer-Encoding."},
      {error::bad_transfer_encoding,
       "Transfer-Encoding cannot be combined with Content-Length, and must name chunked once, "
       "last."},
      {error::bad_chunk,
       "A chunk of the chunked body is malformed: each needs its size in hexadecimal, CRLF, the "
       "data and CRLF."},
      {error::bad_chunk_extension, "A chunk extension of the chunked body is malformed."},
  };
  for (const auto& [code, detail] : kDetails) {
    if (parse_error == beast_http::make_error_code(code)) return BadRequest(std::string(detail));
  }
  return BadRequest("The request is not valid HTTP/1.1.");
}
Problem MalformedJson(std::string detail) {
  return Make(Status::bad_request, "MALFORMED_JSON", "Malformed JSON", std::move(detail));
}
Problem Forbidden(std::string error_code, std::string detail) {
  return Make(Status::forbidden, std::move(error_code), "Forbidden", std::move(detail));
}
Problem NotFound(std::string detail) {
  return Make(Status::not_found, "NOT_FOUND", "Not found", std::move(detail));
}
Problem MethodNotAllowed(std::string detail) {
  return Make(Status::method_not_allowed, "METHOD_NOT_ALLOWED", "Method not allowed",
              std::move(detail));
}
Problem InvalidTransition(std::string detail) {
  return Make(Status::conflict, "INVALID_TRANSITION", "Status change not allowed",
              std::move(detail));
}
Problem PreconditionFailed(std::string detail) {
  return Make(Status::precondition_failed, "PRECONDITION_FAILED", "Precondition failed",
              std::move(detail));
}
Problem PayloadTooLarge(std::string detail) {
  return Make(Status::payload_too_large, "PAYLOAD_TOO_LARGE", "Payload too large",
              std::move(detail));
}
Problem UnsupportedMediaType(std::string detail) {
  return Make(Status::unsupported_media_type, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type",
              std::move(detail));
}
Problem NotImplemented(std::string detail) {
  return Make(Status::not_implemented, "NOT_IMPLEMENTED", "Not implemented", std::move(detail));
}
Problem ValidationFailed(domain::FieldErrors errors) {
  // A body of a hundred thousand unknown members must not earn an answer
  // five times its size.
  constexpr std::size_t kListed = 100;
  const auto count = errors.size();
  std::string detail =
      count == 1 ? "1 field is invalid" : std::to_string(count) + " fields are invalid";
  if (count > kListed) {
    detail += "; the first " + std::to_string(kListed) + " are listed";
    errors.resize(kListed);
  }
  Problem problem = Make(Status::unprocessable_entity, "VALIDATION_ERROR", "Validation failed",
                         std::move(detail));
  problem.errors = std::move(errors);
  return problem;
}
Problem HeadersTooLarge(std::string detail) {
  return Make(Status::request_header_fields_too_large, "HEADERS_TOO_LARGE",
              "Request header fields too large", std::move(detail));
}
Problem TooManyRequests(std::string detail) {
  return Make(Status::too_many_requests, "RATE_LIMITED", "Too many requests", std::move(detail));
}
Problem InternalError() {
  return Make(Status::internal_server_error, "INTERNAL_ERROR", "Internal server error",
              "The server failed to answer this request; quote the request_id when reporting it.");
}
Problem ServiceUnavailable(std::string detail) {
  return Make(Status::service_unavailable, "SERVICE_UNAVAILABLE", "Service unavailable",
              std::move(detail));
}

}  // namespace ticketd::http
