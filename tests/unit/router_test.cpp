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
