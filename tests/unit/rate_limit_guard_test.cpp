#include "api/rate_limit_guard.hpp"

#include <gtest/gtest.h>

namespace ticketd::api {
namespace {

TEST(RouteBudget, ApiRoutesAreLimitedAndOperationsAreNot) {
  EXPECT_TRUE(BudgetOf("/api/v1/tickets").limited);
  EXPECT_FALSE(BudgetOf("/api/v1/tickets").route_class);
  EXPECT_EQ(BudgetOf("/api/v1/auth/login").route_class, storage::RouteClass::kAuth);
  EXPECT_EQ(BudgetOf("/api/v1/tickets/ai-create").route_class, storage::RouteClass::kAi);
  EXPECT_EQ(BudgetOf("/api/v1/files/upload").route_class, storage::RouteClass::kUpload);
  for (const char* route : {"/health", "/health/ready", "/metrics", "/version", "/docs",
                            "/openapi.json", "unmatched", "preflight"}) {
    EXPECT_FALSE(BudgetOf(route).limited) << route;
  }
}

struct AddressCase {
  const char* peer;
  const char* forwarded;  // nullptr: no header
  const char* expected;
};

class ClientAddressTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(ClientAddressTest, BelievesForwardedForOnlyFromTrustedProxies) {
  const auto& c = GetParam();
  http::Request request{http::Verb::get, "/api/v1/tickets", 11};
  if (c.forwarded != nullptr) request.set("X-Forwarded-For", c.forwarded);
  http::RequestContext context{request};
  context.peer_address = c.peer;
  EXPECT_EQ(ClientAddress(context, {"10.0.0.1", "10.0.0.2"}), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClientAddressTest,
    ::testing::Values(AddressCase{"203.0.113.5", nullptr, "203.0.113.5"},
                      AddressCase{"203.0.113.5", "198.51.100.7", "203.0.113.5"},
                      AddressCase{"10.0.0.1", "198.51.100.7", "198.51.100.7"},
                      AddressCase{"10.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"},
                      AddressCase{"10.0.0.1", "198.51.100.7, 10.0.0.2", "198.51.100.7"},
                      // Every hop trusted: the leftmost is the best known.
                      AddressCase{"10.0.0.1", "10.0.0.2", "10.0.0.2"},
                      AddressCase{"10.0.0.1", " , ", "10.0.0.1"},
                      // Spellings are canonical, so one address has one budget.
                      AddressCase{"10.0.0.1", "::ffff:198.51.100.7", "198.51.100.7"},
                      AddressCase{"10.0.0.1", "6.6.6.6, ::ffff:10.0.0.2", "6.6.6.6"},
                      AddressCase{"10.0.0.1", "2001:DB8:0::1", "2001:db8::1"},
                      AddressCase{"10.0.0.1", "fe80::1%7", "fe80::1"},
                      // A hop that is not an address stops the walk where it stands.
                      AddressCase{"10.0.0.1", "198.51.100.7, not-an-address", "10.0.0.1"},
                      AddressCase{"10.0.0.1", "garbage, 10.0.0.2", "10.0.0.2"}));

TEST(ClientAddress, ReadsEveryForwardedForLineInOrder) {
  // A proxy that adds its own line: the client wrote the first, the proxy
  // the last; the client must not choose its budget through the first.
  http::Request request{http::Verb::get, "/api/v1/tickets", 11};
  request.insert("X-Forwarded-For", "8.8.8.8");
  request.insert("X-Forwarded-For", "203.0.113.9");
  http::RequestContext context{request};
  context.peer_address = "10.0.0.1";
  EXPECT_EQ(ClientAddress(context, {"10.0.0.1"}), "203.0.113.9");
}

}  // namespace
}  // namespace ticketd::api
