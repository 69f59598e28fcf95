// RFC 9457 problem documents with the old backend's error_code, timestamp
// and request_id members. Every error answer of the service is built here.
#pragma once

#include <string>
#include <string_view>

#include "domain/ticket.hpp"
#include "http/types.hpp"

namespace ticketd::http {

struct Problem {
  Status status = Status::internal_server_error;
  std::string error_code;      // e.g. "VALIDATION_ERROR"
  std::string title;           // short, fixed per kind of problem
  std::string detail;          // this occurrence, always a string
  domain::FieldErrors errors;  // only for 422
};

// Builds the answer for `problem`. `instance` is the request path, or ""
// when it is not known (the request line could not be read): the member is
// then left out.
Response MakeProblemResponse(const Problem& problem, std::string_view instance,
                             std::string_view request_id, unsigned http_version);

// The problems the service answers with; each takes the occurrence's detail.
Problem BadRequest(std::string detail);
// The 400 for a request Beast's parser refused with `parse_error` (a
// beast::http::error such as bad_field): the detail names the part of the
// request at fault and what HTTP/1.1 expects there, in our words rather
// than the parser's ("bad field").
Problem MalformedRequest(const boost::system::error_code& parse_error);
Problem MalformedJson(std::string detail);
Problem Forbidden(std::string error_code, std::string detail);
Problem NotFound(std::string detail);
Problem MethodNotAllowed(std::string detail);
Problem InvalidTransition(std::string detail);
Problem PreconditionFailed(std::string detail);
Problem PayloadTooLarge(std::string detail);
Problem UnsupportedMediaType(std::string detail);
Problem NotImplemented(std::string detail);
Problem ValidationFailed(domain::FieldErrors errors);
Problem HeadersTooLarge(std::string detail);
Problem TooManyRequests(std::string detail);
Problem InternalError();
Problem ServiceUnavailable(std::string detail);

}  // namespace ticketd::http
