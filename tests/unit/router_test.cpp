#include "http/router.hpp"

#include <gtest/gtest.h>

namespace ticketd::http {
namespace {

Handler Named(std::string name) {
  return [name](RequestContext& context) -> boost::asio::awaitable<Response> {
    Response response;
    response.body() = name + context.path;
    co_return response;
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(Verb::get, "/api/v1/tickets", Named("list"));
    router_.Add(Verb::post, "/api/v1/tickets", Named("create"));
    router_.Add(Verb::get, "/api/v1/tickets/stats/overview", Named("stats"));
    router_.Add(Verb::get, "/api/v1/tickets/{ticket_id}", Named("get"));
    router_.Add(Verb::put, "/api/v1/tickets/{ticket_id}", Named("put"));
    router_.Add(Verb::patch, "/api/v1/tickets/{ticket_id}/status", Named("status"));
  }
  Router router_;
};

TEST_F(RouterTest, MatchesTemplatesAndCapturesParameters) {
  const auto found = router_.Find(Verb::get, "/api/v1/tickets/abc");
  const auto* match = std::get_if<Router::Match>(&found);
  ASSERT_NE(match, nullptr);
  EXPECT_EQ(match->route, "/api/v1/tickets/{ticket_id}");
  ASSERT_EQ(match->params.size(), 1u);
  EXPECT_EQ(match->params[0], (std::pair<std::string, std::string>{"ticket_id", "abc"}));
}

TEST_F(RouterTest, LiteralSegmentsWinOverParameters) {
  const auto found = router_.Find(Verb::get, "/api/v1/tickets/stats/overview");
  const auto* match = std::get_if<Router::Match>(&found);
  ASSERT_NE(match, nullptr);
  EXPECT_EQ(match->route, "/api/v1/tickets/stats/overview");
}

TEST_F(RouterTest, WrongMethodListsAllowedOnes) {
  const auto found = router_.Find(Verb::delete_, "/api/v1/tickets");
  const auto* refused = std::get_if<Router::MethodNotAllowed>(&found);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->allow, "GET, HEAD, POST");

  const auto stats = router_.Find(Verb::post, "/api/v1/tickets/stats/overview");
  ASSERT_TRUE(std::holds_alternative<Router::MethodNotAllowed>(stats));
  EXPECT_EQ(std::get<Router::MethodNotAllowed>(stats).allow, "GET, HEAD");
}

TEST_F(RouterTest, UnknownPathsFindNothing) {
  EXPECT_TRUE(std::holds_alternative<Router::NoRoute>(router_.Find(Verb::get, "/nope")));
  EXPECT_TRUE(
      std::holds_alternative<Router::NoRoute>(router_.Find(Verb::get, "/api/v1/tickets/a/b/c")));
  EXPECT_TRUE(std::holds_alternative<Router::NoRoute>(router_.Find(Verb::get, "/")));
}

TEST_F(RouterTest, TrailingSlashIsIgnored) {
  EXPECT_TRUE(std::holds_alternative<Router::Match>(router_.Find(Verb::get, "/api/v1/tickets/")));
}

Request MakeRequest(Verb method, std::string target, bool with_host = true) {
  Request request{method, target, 11};
  if (with_host) request.set(beast_http::field::host, "localhost");
  return request;
}

TEST_F(RouterTest, RouteRequestFillsTheContext) {
  const auto request = MakeRequest(Verb::get, "/api/v1/tickets/a%20b?status=new&status=open");
  RequestContext context{request};
  const auto routed = RouteRequest(router_, context);
  ASSERT_NE(routed.handler, nullptr);
  EXPECT_EQ(context.path, "/api/v1/tickets/a b");
  EXPECT_EQ(context.route, "/api/v1/tickets/{ticket_id}");
  EXPECT_EQ(context.PathParam("ticket_id"), "a b");
  EXPECT_EQ(context.query.count("status"), 2u);
}

TEST_F(RouterTest, RouteRequestAnswersHeadWithGetsHandler) {
  const auto request = MakeRequest(Verb::head, "/api/v1/tickets");
  RequestContext context{request};
  EXPECT_NE(RouteRequest(router_, context).handler, nullptr);
}

TEST_F(RouterTest, RouteRequestRefusesBadTargets) {
  const struct {
    Request request;
    Status status;
  } cases[] = {
      {MakeRequest(Verb::get, "http://evil/api/v1/tickets"), Status::bad_request},
      {MakeRequest(Verb::get, "*"), Status::bad_request},
      {MakeRequest(Verb::get, "/api/v1/tickets?q=%zz"), Status::bad_request},
      {MakeRequest(Verb::get, "/api/v1/ti%ckets"), Status::bad_request},
      {MakeRequest(Verb::get, "/api/v1/tickets", false), Status::bad_request},
      {MakeRequest(Verb::get, "/nowhere"), Status::not_found},
      {MakeRequest(Verb::delete_, "/api/v1/tickets"), Status::method_not_allowed},
  };
  for (const auto& c : cases) {
    RequestContext context{c.request};
    const auto routed = RouteRequest(router_, context);
    EXPECT_EQ(routed.handler, nullptr) << ToStd(c.request.target());
    ASSERT_TRUE(routed.problem) << ToStd(c.request.target());
    EXPECT_EQ(routed.problem->status, c.status) << ToStd(c.request.target());
  }
}

TEST(PercentDecode, DecodesEscapesAndRejectsBrokenOnes) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%20b+c", out, true));
  EXPECT_EQ(out, "a b c");
  EXPECT_TRUE(PercentDecode("a+b", out, false));
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(PercentDecode("%2", out, false));
  EXPECT_FALSE(PercentDecode("%zz", out, false));
  EXPECT_FALSE(PercentDecode("abc%", out, false));
}

TEST(RequestPath, DropsTheQuery) {
  EXPECT_EQ(RequestPath("/api/v1/tickets?page=2&size=5"), "/api/v1/tickets");
  EXPECT_EQ(RequestPath("/a%20b"), "/a%20b");
  EXPECT_EQ(RequestPath("/health"), "/health");
  EXPECT_EQ(RequestPath(""), "");
}

TEST(ParseQuery, KeepsRepeatedNamesInOrder) {
  bool ok = false;
  const auto params = ParseQuery("status=new&status=open&q=vpn%20down&flag&=x", ok);
  EXPECT_TRUE(ok);
  const auto [begin, end] = params.equal_range("status");
  ASSERT_EQ(std::distance(begin, end), 2);
  EXPECT_EQ(begin->second, "new");
  EXPECT_EQ(std::next(begin)->second, "open");
  EXPECT_EQ(params.find("q")->second, "vpn down");
  EXPECT_EQ(params.find("flag")->second, "");

  ParseQuery("q=%zz", ok);
  EXPECT_FALSE(ok);
}

}  // namespace
}  // namespace ticketd::http
