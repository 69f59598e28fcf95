#include "http/problem.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ticketd::http {
namespace {

nlohmann::json Body(const Response& response) {
  return nlohmann::json::parse(response.body());
}

TEST(Problem, CarriesEveryMemberOfTheContract) {
  const auto response =
      MakeProblemResponse(NotFound("No ticket with id x."), "/api/v1/tickets/x", "req-1", 11);
  EXPECT_EQ(response.result(), Status::not_found);
  EXPECT_EQ(ToStd(response[beast_http::field::content_type]), "application/problem+json");
  const auto body = Body(response);
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["title"], "Not found");
  EXPECT_EQ(body["detail"], "No ticket with id x.");
  EXPECT_EQ(body["instance"], "/api/v1/tickets/x");
  EXPECT_EQ(body["error_code"], "NOT_FOUND");
  EXPECT_EQ(body["request_id"], "req-1");
  EXPECT_EQ(body["type"], "https://aiticketcreator.dev/problems/not-found");
  EXPECT_TRUE(body["timestamp"].is_string());
  EXPECT_FALSE(body.contains("errors"));
}

TEST(Problem, ValidationListsEachField) {
  const auto response = MakeProblemResponse(
      ValidationFailed({{"title", "is required"}, {"priority", "must be one of ..."}}), "/x", "r",
      11);
  EXPECT_EQ(response.result(), Status::unprocessable_entity);
  const auto body = Body(response);
  EXPECT_EQ(body["detail"], "2 fields are invalid");
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][0]["path"], "title");
  EXPECT_EQ(body["errors"][1]["reason"], "must be one of ...");
}

TEST(Problem, EachKindMapsToItsStatusAndCode) {
  const struct {
    Problem problem;
    Status status;
    const char* code;
  } cases[] = {
      {BadRequest("d"), Status::bad_request, "BAD_REQUEST"},
      {MalformedJson("d"), Status::bad_request, "MALFORMED_JSON"},
      {MethodNotAllowed("d"), Status::method_not_allowed, "METHOD_NOT_ALLOWED"},
      {InvalidTransition("d"), Status::conflict, "INVALID_TRANSITION"},
      {PreconditionFailed("d"), Status::precondition_failed, "PRECONDITION_FAILED"},
      {PayloadTooLarge("d"), Status::payload_too_large, "PAYLOAD_TOO_LARGE"},
      {UnsupportedMediaType("d"), Status::unsupported_media_type, "UNSUPPORTED_MEDIA_TYPE"},
      {HeadersTooLarge("d"), Status::request_header_fields_too_large, "HEADERS_TOO_LARGE"},
      {InternalError(), Status::internal_server_error, "INTERNAL_ERROR"},
      {ServiceUnavailable("d"), Status::service_unavailable, "SERVICE_UNAVAILABLE"},
  };
  for (const auto& c : cases) {
    const auto body = Body(MakeProblemResponse(c.problem, "/", "r", 11));
    EXPECT_EQ(body["status"], static_cast<int>(c.status)) << c.code;
    EXPECT_EQ(body["error_code"], c.code);
    EXPECT_TRUE(body["detail"].is_string()) << c.code;
  }
}

TEST(Problem, InternalErrorRevealsNothing) {
  const auto body = Body(MakeProblemResponse(InternalError(), "/", "r", 11));
  const std::string detail = body["detail"];
  EXPECT_EQ(detail.find("exception"), std::string::npos);
  EXPECT_EQ(detail.find("SQL"), std::string::npos);
}

TEST(Problem, ValidationListsAtMostAHundredErrors) {
  domain::FieldErrors errors;
  for (int i = 0; i < 1000; ++i)
    errors.push_back({"member" + std::to_string(i), "is not a known member"});
  const auto problem = ValidationFailed(errors);
  EXPECT_EQ(problem.errors.size(), 100U);
  EXPECT_EQ(problem.errors.front().path, "member0");
  EXPECT_NE(problem.detail.find("1000 fields are invalid"), std::string::npos) << problem.detail;
}

TEST(Problem, LeavesAnUnknownInstanceOutRatherThanEmpty) {
  const auto body = Body(MakeProblemResponse(HeadersTooLarge("d"), "", "r", 11));
  EXPECT_FALSE(body.contains("instance")) << body.dump();
  EXPECT_EQ(Body(MakeProblemResponse(HeadersTooLarge("d"), "/health", "r", 11))["instance"],
            "/health");
}

TEST(Problem, MalformedRequestSaysWhatIsWrongInItsOwnWords) {
  using beast_http::error;
  const struct {
    error code;
    const char* names;  // a phrase the detail must hold
  } cases[] = {
      {error::bad_field, "header line is malformed"},
      {error::bad_value, "header value is malformed"},
      {error::bad_method, "method"},
      {error::bad_target, "request target"},
      {error::bad_version, "HTTP/1.1"},
      {error::bad_line_ending, "CRLF"},
      {error::bad_content_length, "Content-Length"},
      {error::bad_transfer_encoding, "Transfer-Encoding"},
      {error::bad_chunk, "chunk"},
      {error::bad_chunk_extension, "chunk extension"},
      {error::bad_obs_fold, "folded"},
  };
  for (const auto& c : cases) {
    const auto ec = beast_http::make_error_code(c.code);
    const auto problem = MalformedRequest(ec);
    EXPECT_EQ(problem.status, Status::bad_request);
    EXPECT_EQ(problem.error_code, "BAD_REQUEST");
    EXPECT_NE(problem.detail.find(c.names), std::string::npos) << problem.detail;
    // Beast's own message ("bad field", "bad Content-Length") is not the answer.
    EXPECT_EQ(problem.detail.find(ec.message()), std::string::npos) << problem.detail;
  }
  EXPECT_EQ(MalformedRequest(beast_http::make_error_code(error::bad_alloc)).detail,
            "The request is not valid HTTP/1.1.");
}

}  // namespace
}  // namespace ticketd::http
