#include "api/authentication.hpp"

#include <gtest/gtest.h>

#include "domain/credentials.hpp"

namespace ticketd::api {
namespace {

using Kind = Credential::Kind;

http::Request RequestWith(std::initializer_list<std::pair<const char*, std::string>> headers) {
  http::Request request{http::Verb::get, "/api/v1/tickets", 11};
  for (const auto& [name, value] : headers)
    request.set(name, value);
  return request;
}

TEST(CredentialOf, NoHeadersIsNoCredential) {
  EXPECT_EQ(CredentialOf(RequestWith({})).kind, Kind::kNone);
}

TEST(CredentialOf, BearerTokensAreAccessTokensUnlessTheyAreApiKeys) {
  const auto token = CredentialOf(RequestWith({{"Authorization", "Bearer abc.def.ghi"}}));
  EXPECT_EQ(token.kind, Kind::kAccessToken);
  EXPECT_EQ(token.value, "abc.def.ghi");
  // The scheme is case-insensitive (RFC 9110, 11.1).
  EXPECT_EQ(CredentialOf(RequestWith({{"Authorization", "bearer abc"}})).kind, Kind::kAccessToken);

  const std::string key = domain::MakeApiKey().key;
  const auto as_bearer = CredentialOf(RequestWith({{"Authorization", "Bearer " + key}}));
  EXPECT_EQ(as_bearer.kind, Kind::kApiKey);
  EXPECT_EQ(as_bearer.value, key);
  const auto as_header = CredentialOf(RequestWith({{"X-API-Key", key}}));
  EXPECT_EQ(as_header.kind, Kind::kApiKey);
  EXPECT_EQ(as_header.value, key);
}

TEST(CredentialOf, EmptyForeignAndDoubledCredentialsAreMalformed) {
  for (const auto& request :
       {RequestWith({{"Authorization", "Bearer"}}), RequestWith({{"Authorization", "Bearer   "}}),
        RequestWith({{"Authorization", "Basic YTpi"}}), RequestWith({{"Authorization", ""}}),
        RequestWith({{"X-API-Key", ""}}),
        RequestWith({{"Authorization", "Bearer abc"}, {"X-API-Key", "tkd_x"}})}) {
    const auto credential = CredentialOf(request);
    EXPECT_EQ(credential.kind, Kind::kMalformed);
    EXPECT_FALSE(credential.value.empty()) << "a malformed credential says why";
  }
}

TEST(CredentialOf, RepeatedHeadersAreMalformedNotFirstWins) {
  http::Request twice_key{http::Verb::get, "/api/v1/tickets", 11};
  twice_key.insert("X-API-Key", domain::MakeApiKey().key);
  twice_key.insert("X-API-Key", domain::MakeApiKey().key);
  EXPECT_EQ(CredentialOf(twice_key).kind, Kind::kMalformed);
  http::Request twice_bearer{http::Verb::get, "/api/v1/tickets", 11};
  twice_bearer.insert(http::beast_http::field::authorization, "Bearer a.b.c");
  twice_bearer.insert(http::beast_http::field::authorization, "Bearer d.e.f");
  EXPECT_EQ(CredentialOf(twice_bearer).kind, Kind::kMalformed);
}

TEST(AccessOf, OnlyOperationsSignInAndDocumentationArePublic) {
  for (const char* route :
       {"/health", "/health/live", "/version", "/docs", "/openapi.json", "/api/v1/auth/login",
        "/api/v1/auth/register", "/api/v1/auth/refresh", "/api/v1/auth/logout"}) {
    EXPECT_EQ(AccessOf(route, true), RouteAccess::kPublic) << route;
  }
  for (const char* route : {"/api/v1/tickets", "/api/v1/tickets/{ticket_id}", "/api/v1/auth/me",
                            "/api/v1/auth/verify", "/api/v1/users"}) {
    EXPECT_EQ(AccessOf(route, true), RouteAccess::kAuthenticated) << route;
  }
  EXPECT_EQ(AccessOf("/metrics", true), RouteAccess::kPublic);
  EXPECT_EQ(AccessOf("/metrics", false), RouteAccess::kAuthenticated);
}

TEST(Require, AnonymousIs401AndAMissingPermissionIs403) {
  const http::Request request{http::Verb::get, "/", 11};
  http::RequestContext context{request};
  auto refused = Require(context, domain::Action::kTicketCreate);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, http::Status::unauthorized);

  context.principal = {http::PrincipalKind::kUser, "id", domain::Role::kUser, 0};
  EXPECT_FALSE(Require(context, domain::Action::kTicketCreate));
  refused = Require(context, domain::Action::kStatsRead);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, http::Status::forbidden);
  EXPECT_NE(refused->detail.find("stats:read"), std::string::npos);

  context.principal.role = domain::Role::kAgent;
  EXPECT_FALSE(Require(context, domain::Action::kStatsRead));
}

TEST(RequireAccount, AdminKeysMayReadButNotChangeAccountsOrKeys) {
  const http::Request request{http::Verb::get, "/", 11};
  http::RequestContext context{request};
  context.principal = {http::PrincipalKind::kApiKey, "key", domain::Role::kAdmin, 0};
  EXPECT_FALSE(Require(context, domain::Action::kUserManage));
  const auto refused = RequireAccount(context, domain::Action::kUserManage);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, http::Status::forbidden);
  EXPECT_EQ(refused->error_code, "NOT_A_USER");

  context.principal.kind = http::PrincipalKind::kUser;
  EXPECT_FALSE(RequireAccount(context, domain::Action::kUserManage));
  context.principal.role = domain::Role::kManager;
  EXPECT_EQ(RequireAccount(context, domain::Action::kUserManage)->error_code, "FORBIDDEN");
}

}  // namespace
}  // namespace ticketd::api
