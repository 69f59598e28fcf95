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
                      AddressCase{"10.0.0.1", "10.0.0.2", "10.0.0.1"},
                      AddressCase{"10.0.0.1", " , ", "10.0.0.1"}));

}  // namespace
}  // namespace ticketd::api
