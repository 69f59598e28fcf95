#include "domain/account_requests.hpp"

#include <gtest/gtest.h>

namespace ticketd::domain {
namespace {

using nlohmann::json;

std::vector<std::string> Paths(const FieldErrors& errors) {
  std::vector<std::string> paths;
  for (const auto& error : errors)
    paths.push_back(error.path);
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(UserQuery, DefaultsWhenNothingIsGiven) {
  UserQuery query;
  EXPECT_TRUE(DecodeUserQuery({}, query).empty());
  EXPECT_EQ(query.page, 1);
  EXPECT_EQ(query.size, 20);
  EXPECT_FALSE(query.role);
  EXPECT_FALSE(query.is_active);
  EXPECT_FALSE(query.text);
}

TEST(UserQuery, DecodesEveryFilter) {
  UserQuery query;
  ASSERT_TRUE(DecodeUserQuery({{"page", "3"},
                               {"size", "100"},
                               {"role", "agent"},
                               {"is_active", "false"},
                               {"q", "Ana"},
                               {"unknown", "ignored"}},
                              query)
                  .empty());
  EXPECT_EQ(query.Offset(), 200);
  EXPECT_EQ(query.role, Role::kAgent);
  EXPECT_EQ(query.is_active, false);
  EXPECT_EQ(query.text, "Ana");
}

TEST(UserQuery, NamesEachInvalidParameter) {
  UserQuery query;
  const auto errors = DecodeUserQuery({{"page", "0"},
                                       {"size", "101"},
                                       {"role", "root"},
                                       {"is_active", "yes"},
                                       {"q", std::string(201, 'x')}},
                                      query);
  EXPECT_EQ(Paths(errors), (std::vector<std::string>{"is_active", "page", "q", "role", "size"}));
}

TEST(UserQuery, AnEmptySearchIsNoSearch) {
  UserQuery query;
  EXPECT_TRUE(DecodeUserQuery({{"q", ""}}, query).empty());
  EXPECT_FALSE(query.text);
}

TEST(UserQuery, RefusesTextPostgresCannotStore) {
  UserQuery query;
  const auto errors = DecodeUserQuery({{"q", std::string("a\0b", 3)}}, query);
  EXPECT_EQ(Paths(errors), std::vector<std::string>{"q"});
}

TEST(ApiKeyQuery, DecodesActiveOnly) {
  ApiKeyQuery query;
  EXPECT_TRUE(DecodeApiKeyQuery({}, query).empty());
  EXPECT_FALSE(query.active_only);
  EXPECT_TRUE(DecodeApiKeyQuery({{"active_only", "1"}}, query).empty());
  EXPECT_TRUE(query.active_only);
  EXPECT_EQ(Paths(DecodeApiKeyQuery({{"active_only", "maybe"}}, query)),
            std::vector<std::string>{"active_only"});
}

TEST(AuditQuery, DecodesEveryFilter) {
  AuditQuery query;
  ASSERT_TRUE(DecodeAuditQuery({{"event", "auth.login_failed"},
                                {"actor_id", "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"},
                                {"target", "some-id"},
                                {"since", "2026-12-01T00:00:00Z"},
                                {"until", "2026-12-02T00:00:00+01:00"},
                                {"size", "5"}},
                               query)
                  .empty());
  EXPECT_EQ(query.event, "auth.login_failed");
  EXPECT_EQ(query.actor_id, "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10");
  EXPECT_EQ(query.target, "some-id");
  EXPECT_EQ(query.since, "2026-12-01T00:00:00Z");
  EXPECT_EQ(query.until, "2026-12-02T00:00:00+01:00");
  EXPECT_EQ(query.size, 5);
}

TEST(AuditQuery, NamesEachInvalidParameter) {
  AuditQuery query;
  const auto errors = DecodeAuditQuery({{"actor_id", "not-a-uuid"},
                                        {"since", "yesterday"},
                                        {"until", "2026-12-01"},
                                        {"event", std::string(201, 'e')},
                                        {"page", "x"}},
                                       query);
  EXPECT_EQ(Paths(errors),
            (std::vector<std::string>{"actor_id", "event", "page", "since", "until"}));
  EXPECT_FALSE(query.actor_id);
  EXPECT_FALSE(query.since);
}

struct BodyCase {
  const char* name;
  const char* body;
  std::vector<std::string> invalid;  // paths, sorted
};

class AccessChangeBody : public ::testing::TestWithParam<BodyCase> {};

TEST_P(AccessChangeBody, Decodes) {
  const auto& c = GetParam();
  AccessChange change;
  EXPECT_EQ(Paths(DecodeAccessChange(json::parse(c.body), change)), c.invalid) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AccessChangeBody,
    ::testing::Values(BodyCase{"empty", "{}", {}},
                      BodyCase{"both", R"({"role":"agent","is_active":false})", {}},
                      BodyCase{"unknown role", R"({"role":"root"})", {"role"}},
                      BodyCase{"null role", R"({"role":null})", {"role"}},
                      BodyCase{"string flag", R"({"is_active":"false"})", {"is_active"}},
                      BodyCase{"null flag", R"({"is_active":null})", {"is_active"}},
                      BodyCase{"unknown members",
                               R"({"email":"a@b.c","password_hash":"x"})",
                               {"email", "password_hash"}},
                      BodyCase{"array", "[]", {"body"}}));

TEST(AccessChange, KeepsTheDecodedValues) {
  AccessChange change;
  ASSERT_TRUE(DecodeAccessChange(json{{"role", "manager"}, {"is_active", true}}, change).empty());
  EXPECT_EQ(change.role, Role::kManager);
  EXPECT_EQ(change.is_active, true);
}

class ApiKeyRequestBody : public ::testing::TestWithParam<BodyCase> {};

TEST_P(ApiKeyRequestBody, Decodes) {
  const auto& c = GetParam();
  ApiKeyRequest request;
  EXPECT_EQ(Paths(DecodeApiKeyRequest(json::parse(c.body), request)), c.invalid) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ApiKeyRequestBody,
    ::testing::Values(BodyCase{"valid", R"({"name":"ci","role":"api_user"})", {}},
                      BodyCase{"missing both", "{}", {"name", "role"}},
                      BodyCase{"blank name", R"({"name":"   ","role":"agent"})", {"name"}},
                      BodyCase{"empty name", R"({"name":"","role":"agent"})", {"name"}},
                      BodyCase{"number name", R"({"name":5,"role":"agent"})", {"name"}},
                      BodyCase{"nul in name", R"({"name":"a\u0000b","role":"agent"})", {"name"}},
                      BodyCase{"unknown role", R"({"name":"x","role":"owner"})", {"role"}},
                      BodyCase{"extra member", R"({"name":"x","role":"user","key":"k"})", {"key"}},
                      BodyCase{"string body", R"("name")", {"body"}}));

TEST(ApiKeyRequest, CountsCharactersNotBytes) {
  ApiKeyRequest request;
  std::string hundred;
  for (int i = 0; i < 100; ++i)
    hundred += "\xC3\xA9";  // é, two bytes
  EXPECT_TRUE(DecodeApiKeyRequest(json{{"name", hundred}, {"role", "user"}}, request).empty());
  EXPECT_EQ(request.name, hundred);
  EXPECT_EQ(request.role, Role::kUser);
  EXPECT_EQ(Paths(DecodeApiKeyRequest(json{{"name", hundred + "e"}, {"role", "user"}}, request)),
            std::vector<std::string>{"name"});
}

class ProfileChangeBody : public ::testing::TestWithParam<BodyCase> {};

TEST_P(ProfileChangeBody, Decodes) {
  const auto& c = GetParam();
  ProfileChange change;
  EXPECT_EQ(Paths(DecodeProfileChange(json::parse(c.body), change)), c.invalid) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ProfileChangeBody,
    ::testing::Values(
        BodyCase{"empty", "{}", {}}, BodyCase{"name", R"({"full_name":"Ana"})", {}},
        BodyCase{"password", R"({"password":"new one","current_password":"old"})", {}},
        BodyCase{
            "password without the current one", R"({"password":"new one"})", {"current_password"}},
        BodyCase{"current password alone", R"({"current_password":"old"})", {}},
        BodyCase{"null name", R"({"full_name":null})", {"full_name"}},
        BodyCase{"blank name", R"({"full_name":" "})", {"full_name"}},
        BodyCase{"numeric password", R"({"password":12,"current_password":"x"})", {"password"}},
        BodyCase{"role is not for /me", R"({"role":"admin"})", {"role"}}));

TEST(EmailDomain, KeepsOnlyThePartAfterTheAt) {
  EXPECT_EQ(EmailDomain("someone@example.com"), "example.com");
  EXPECT_EQ(EmailDomain("a@b@c.org"), "c.org");
  EXPECT_EQ(EmailDomain("no-at-sign"), "");
}

TEST(DecodeDisplayName, RefusesWhatCouldForgeALineOrReverseText) {
  for (const char* bad : {"Bob\r\nX-Evil: 1", "Tab\there", "Esc \x1b[31m red", "\xc2\x85next",
                          "Evil \xe2\x80\xae txt", "Isolate \xe2\x81\xa6 x", "   ", ""}) {
    FieldErrors errors;
    EXPECT_FALSE(DecodeDisplayName(nlohmann::json(bad), "full_name", 200, errors)) << bad;
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0].path, "full_name");
  }
}

TEST(DecodeDisplayName, KeepsNamesOfEveryScript) {
  for (const char* good : {"Ana Lima", "José Ñúñez", "Zoë O'Brien", "李小龍", "Виктор", "أحمد"}) {
    FieldErrors errors;
    EXPECT_EQ(DecodeDisplayName(nlohmann::json(good), "full_name", 200, errors), good);
    EXPECT_TRUE(errors.empty()) << good;
  }
  FieldErrors errors;
  EXPECT_FALSE(DecodeDisplayName(nlohmann::json(std::string(201, 'a')), "n", 200, errors));
  EXPECT_FALSE(DecodeDisplayName(nlohmann::json(5), "n", 200, errors));
}

}  // namespace
}  // namespace ticketd::domain
