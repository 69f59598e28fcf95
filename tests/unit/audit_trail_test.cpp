#include "api/audit_trail.hpp"

#include <gtest/gtest.h>

namespace ticketd::api {
namespace {

TEST(MakeAuditEvent, TakesTheActorAddressAndRequestIdFromTheRequest) {
  http::Request request{http::Verb::patch, "/api/v1/users/x", 11};
  request.set("X-Forwarded-For", "198.51.100.7");
  http::RequestContext context{request};
  context.peer_address = "10.0.0.1";
  context.request_id = "req-42";
  context.principal = {http::PrincipalKind::kUser, "admin-id", domain::Role::kAdmin, 0};

  const auto event = MakeAuditEvent(context, {"10.0.0.1"}, "user.role_changed", "target-id",
                                    {{"from", "user"}, {"to", "agent"}});
  EXPECT_EQ(event.event, "user.role_changed");
  EXPECT_EQ(event.actor_id, "admin-id");
  EXPECT_EQ(event.actor_kind, "user");
  EXPECT_EQ(event.target, "target-id");
  EXPECT_EQ(event.client_ip, "198.51.100.7");
  EXPECT_EQ(event.request_id, "req-42");
  EXPECT_EQ(event.detail, (nlohmann::json{{"from", "user"}, {"to", "agent"}}));
}

TEST(MakeAuditEvent, NamesApiKeysAndAnonymousCallers) {
  http::Request request{http::Verb::post, "/api/v1/auth/login", 11};
  http::RequestContext context{request};
  context.peer_address = "203.0.113.9";

  const auto anonymous = MakeAuditEvent(context, {}, "auth.login_failed");
  EXPECT_FALSE(anonymous.actor_id);
  EXPECT_EQ(anonymous.actor_kind, "anonymous");
  EXPECT_FALSE(anonymous.target);
  EXPECT_EQ(anonymous.client_ip, "203.0.113.9");
  EXPECT_FALSE(anonymous.request_id);
  EXPECT_EQ(anonymous.detail, nlohmann::json::object());

  context.principal = {http::PrincipalKind::kApiKey, "key-id", domain::Role::kAdmin, 0};
  const auto by_key = MakeAuditEvent(context, {}, "api_key.created");
  EXPECT_EQ(by_key.actor_id, "key-id");
  EXPECT_EQ(by_key.actor_kind, "api_key");
}

}  // namespace
}  // namespace ticketd::api
