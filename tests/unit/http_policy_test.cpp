#include "http/http_policy.hpp"

#include <gtest/gtest.h>

#include "common/config.hpp"

namespace ticketd::http {
namespace {

constexpr const char* kExtension = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";

HttpPolicy Policy(bool strict = false) {
  return HttpPolicy(
      {.cors_origins = {"https://support.example.com", kExtension}, .strict_transport = strict});
}

Request From(const char* origin, Verb method = Verb::get) {
  Request request{method, "/api/v1/tickets", 11};
  if (origin != nullptr) request.set(beast_http::field::origin, origin);
  return request;
}

Response Json() {
  Response response{Status::ok, 11};
  response.set(beast_http::field::content_type, "application/json");
  return response;
}

TEST(HttpPolicy, EveryAnswerCarriesSecurityHeaders) {
  auto response = Json();
  Policy().Decorate(From(nullptr), response);
  EXPECT_EQ(ToStd(response["X-Content-Type-Options"]), "nosniff");
  EXPECT_EQ(ToStd(response[beast_http::field::x_frame_options]), "DENY");
  EXPECT_EQ(ToStd(response["Referrer-Policy"]), "no-referrer");
  EXPECT_EQ(ToStd(response["Content-Security-Policy"]).rfind("default-src 'none'", 0), 0u);
  EXPECT_EQ(ToStd(response[beast_http::field::cache_control]), "no-store");
  EXPECT_TRUE(ToStd(response[beast_http::field::strict_transport_security]).empty());
  EXPECT_TRUE(ToStd(response[beast_http::field::access_control_allow_origin]).empty());
}

TEST(HttpPolicy, StrictEnvironmentsAddHsts) {
  auto response = Json();
  Policy(true).Decorate(From(nullptr), response);
  EXPECT_NE(ToStd(response[beast_http::field::strict_transport_security]).find("max-age="),
            std::string_view::npos);
}

TEST(HttpPolicy, PagesMayLoadTheirOwnScriptsOnly) {
  Response page{Status::ok, 11};
  page.set(beast_http::field::content_type, "text/html; charset=utf-8");
  Policy().Decorate(From(nullptr), page);
  const auto csp = ToStd(page["Content-Security-Policy"]);
  EXPECT_NE(csp.find("script-src 'self'"), std::string_view::npos);
  EXPECT_EQ(csp.find("http"), std::string_view::npos) << csp;
}

TEST(HttpPolicy, AllowedOriginsGetCorsHeadersOthersDoNot) {
  auto allowed = Json();
  Policy().Decorate(From(kExtension), allowed);
  EXPECT_EQ(ToStd(allowed[beast_http::field::access_control_allow_origin]), kExtension);
  EXPECT_EQ(ToStd(allowed[beast_http::field::vary]), "Origin");
  EXPECT_NE(ToStd(allowed[beast_http::field::access_control_expose_headers]).find("ETag"),
            std::string_view::npos);

  auto refused = Json();
  Policy().Decorate(From("https://evil.example"), refused);
  EXPECT_TRUE(ToStd(refused[beast_http::field::access_control_allow_origin]).empty());
}

TEST(HttpPolicy, PreflightFromAnAllowedOriginListsMethodsAndHeaders) {
  auto request = From("https://support.example.com", Verb::options);
  request.set(beast_http::field::access_control_request_method, "PATCH");
  ASSERT_TRUE(Policy().IsPreflight(request));
  const auto answer = Policy().AnswerPreflight(request);
  ASSERT_TRUE(std::holds_alternative<Response>(answer));
  const auto& response = std::get<Response>(answer);
  EXPECT_EQ(response.result(), Status::no_content);
  EXPECT_NE(ToStd(response[beast_http::field::access_control_allow_methods]).find("PATCH"),
            std::string_view::npos);
  EXPECT_NE(ToStd(response[beast_http::field::access_control_allow_headers]).find("Authorization"),
            std::string_view::npos);
}

TEST(HttpPolicy, PreflightFromAnUnknownOriginIsForbidden) {
  auto request = From("https://evil.example", Verb::options);
  request.set(beast_http::field::access_control_request_method, "DELETE");
  const auto answer = Policy().AnswerPreflight(request);
  ASSERT_TRUE(std::holds_alternative<Problem>(answer));
  EXPECT_EQ(std::get<Problem>(answer).status, Status::forbidden);
  EXPECT_EQ(std::get<Problem>(answer).error_code, "CORS_ORIGIN_DENIED");
  EXPECT_FALSE(Policy().IsPreflight(From("https://evil.example", Verb::options)));
}

TEST(CorsOrigins, ParsesAListAndRefusesWildcardsAndPaths) {
  std::vector<std::string> origins;
  EXPECT_FALSE(config::ParseCorsOrigins(" https://a.example , chrome-extension://abc,", origins));
  EXPECT_EQ(origins, (std::vector<std::string>{"https://a.example", "chrome-extension://abc"}));
  for (const char* bad : {"*", "a.example", "https://a.example/", "https://a.example/path"}) {
    EXPECT_TRUE(config::ParseCorsOrigins(bad, origins)) << bad;
  }
}

}  // namespace
}  // namespace ticketd::http

namespace ticketd::http {
namespace {

Request WithFields(std::vector<std::pair<beast_http::field, std::string>> fields) {
  Request request{beast_http::verb::post, "/api/v1/tickets", 11};
  for (const auto& [name, value] : fields)
    request.insert(name, value);
  return request;
}

TEST(CheckFraming, PlainRequestsPass) {
  EXPECT_FALSE(CheckFraming(WithFields({{beast_http::field::host, "a"}})));
  const auto no_host = CheckFraming(WithFields({}));
  ASSERT_TRUE(no_host);
  EXPECT_EQ(no_host->status, Status::bad_request);
  EXPECT_NE(no_host->detail.find("Host"), std::string::npos);
  EXPECT_FALSE(CheckFraming(WithFields(
      {{beast_http::field::host, "a"}, {beast_http::field::transfer_encoding, " Chunked "}})));
  EXPECT_FALSE(CheckFraming(WithFields(
      {{beast_http::field::host, "a"}, {beast_http::field::content_encoding, "identity"}})));
}

TEST(CheckFraming, TwoHostsAre400) {
  const auto refused =
      CheckFraming(WithFields({{beast_http::field::host, "a"}, {beast_http::field::host, "b"}}));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, Status::bad_request);
}

TEST(CheckFraming, CodingsBeforeAFinalChunkedAre501) {
  for (const char* coding : {"gzip, chunked", "chunked, chunked", "identity,CHUNKED"}) {
    const auto refused = CheckFraming(WithFields({{beast_http::field::transfer_encoding, coding}}));
    ASSERT_TRUE(refused) << coding;
    EXPECT_EQ(refused->status, Status::not_implemented) << coding;
    EXPECT_EQ(refused->error_code, "NOT_IMPLEMENTED");
  }
  // Two lines make one list.
  const auto lines = CheckFraming(WithFields({{beast_http::field::transfer_encoding, "gzip"},
                                              {beast_http::field::transfer_encoding, "chunked"}}));
  ASSERT_TRUE(lines);
  EXPECT_EQ(lines->status, Status::not_implemented);
}

// RFC 9112, section 6.3: without a final chunked the body's length is
// unknown; the answer is 400 (and the server closes the connection).
TEST(CheckFraming, ATransferEncodingThatDoesNotEndWithChunkedIs400) {
  for (const char* coding : {"gzip", "identity", "chunked, gzip", "chunked,", ""}) {
    const auto refused = CheckFraming(WithFields({{beast_http::field::transfer_encoding, coding}}));
    ASSERT_TRUE(refused) << '"' << coding << '"';
    EXPECT_EQ(refused->status, Status::bad_request) << coding;
    EXPECT_NE(refused->detail.find("must end with chunked"), std::string::npos) << refused->detail;
  }
  const auto lines = CheckFraming(WithFields({{beast_http::field::transfer_encoding, "chunked"},
                                              {beast_http::field::transfer_encoding, "gzip"}}));
  ASSERT_TRUE(lines);
  EXPECT_EQ(lines->status, Status::bad_request);
}

TEST(CheckFraming, CompressedBodiesAre415) {
  for (const char* coding : {"gzip", "br", "deflate", "identity, gzip"}) {
    const auto refused = CheckFraming(WithFields({{beast_http::field::content_encoding, coding}}));
    ASSERT_TRUE(refused) << coding;
    EXPECT_EQ(refused->status, Status::unsupported_media_type) << coding;
  }
}

}  // namespace
}  // namespace ticketd::http
