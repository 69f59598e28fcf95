#include "domain/access.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ticketd::domain {
namespace {

// The matrix of docs/security.md, as a table: "A" admin, "M" manager,
// "G" agent, "U" user, "K" api_user.
const std::map<Action, std::string> kExpected = {
    {Action::kTicketCreate, "AMGUK"},  {Action::kTicketReadOwn, "AMGUK"},
    {Action::kTicketReadAll, "AMG"},   {Action::kTicketUpdateOwn, "AMGUK"},
    {Action::kTicketUpdateAll, "AMG"}, {Action::kTicketDelete, "AMU"},
    {Action::kTicketAssign, "AMG"},    {Action::kTicketReadInternal, "AMG"},
    {Action::kStatsRead, "AMG"},       {Action::kUserManage, "A"},
    {Action::kApiKeyManage, "A"},      {Action::kAuditRead, "A"},
    {Action::kAiConfigManage, "A"},    {Action::kKnowledgeBaseWrite, "A"},
};

TEST(PermissionMatrix, MatchesTheDocumentedTable) {
  const std::pair<Role, char> roles[] = {{Role::kAdmin, 'A'},
                                         {Role::kManager, 'M'},
                                         {Role::kAgent, 'G'},
                                         {Role::kUser, 'U'},
                                         {Role::kApiUser, 'K'}};
  ASSERT_EQ(kExpected.size(), AllActions().size());
  for (const auto action : AllActions()) {
    for (const auto& [role, letter] : roles) {
      EXPECT_EQ(Allows(role, action), kExpected.at(action).find(letter) != std::string::npos)
          << ToString(role) << " " << ToString(action);
    }
  }
}

TEST(Roles, RoundTripWireNames) {
  for (const auto name : AllRoleNames())
    EXPECT_EQ(ToString(*ParseRole(name)), name);
  EXPECT_FALSE(ParseRole("root"));
  EXPECT_FALSE(ParseRole("Admin"));
}

TEST(StatusByRole, UsersMayOnlyCancelOrReopen) {
  EXPECT_TRUE(MayChangeStatus(Role::kUser, Status::kNew, Status::kCancelled));
  EXPECT_TRUE(MayChangeStatus(Role::kUser, Status::kResolved, Status::kOpen));
  EXPECT_FALSE(MayChangeStatus(Role::kUser, Status::kNew, Status::kResolved));
  EXPECT_FALSE(MayChangeStatus(Role::kUser, Status::kOpen, Status::kInProgress));
  EXPECT_FALSE(MayChangeStatus(Role::kApiUser, Status::kNew, Status::kClosed));
  for (const auto role : {Role::kAdmin, Role::kManager, Role::kAgent}) {
    EXPECT_TRUE(MayChangeStatus(role, Status::kNew, Status::kResolved));
  }
}

TEST(FieldsByRole, UsersCannotAssignOrWriteInternalNotes) {
  for (const char* field : {"assigned_to_id", "internal_notes", "resolution_summary"}) {
    EXPECT_FALSE(MayWriteField(Role::kUser, field)) << field;
    EXPECT_FALSE(MayWriteField(Role::kApiUser, field)) << field;
    EXPECT_TRUE(MayWriteField(Role::kAgent, field)) << field;
  }
  EXPECT_TRUE(MayWriteField(Role::kUser, "title"));
}

struct PasswordCase {
  const char* password;
  const char* email;
  bool ok;
};

class PasswordPolicy : public ::testing::TestWithParam<PasswordCase> {};

TEST_P(PasswordPolicy, AppliesLengthDenyListAndIdentity) {
  const auto& c = GetParam();
  EXPECT_EQ(!CheckPassword(c.password, c.email).has_value(), c.ok) << c.password;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PasswordPolicy,
    ::testing::Values(PasswordCase{"correct horse battery", "a@example.com", true},
                      PasswordCase{"short", "a@example.com", false},
                      PasswordCase{"elevenchars", "a@example.com", false},
                      PasswordCase{"twelve chars", "a@example.com", true},
                      PasswordCase{"Password1234", "a@example.com", false},
                      PasswordCase{"QWERTY123456", "a@example.com", false},
                      PasswordCase{"            ", "a@example.com", false},
                      PasswordCase{"abababababababab", "a@example.com", false},
                      PasswordCase{"abcdabcdabcd", "a@example.com", false},
                      PasswordCase{"abcdeabcdeab", "a@example.com", true},
                      PasswordCase{"\xE2\x82\xAC\xC2\xA3\xE2\x82\xAC\xC2\xA3\xE2\x82\xAC\xC2\xA3"
                                   "\xE2\x82\xAC\xC2\xA3\xE2\x82\xAC\xC2\xA3\xE2\x82\xAC\xC2\xA3",
                                   "a@example.com", false},
                      PasswordCase{"maria.garcia1", "maria.garcia1@example.com", false},
                      PasswordCase{"maria.garcia1@example.com", "maria.garcia1@example.com", false},
                      PasswordCase{"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                                   "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
                                   "a@example.com", false}));

TEST(PasswordPolicy, RefusesOverlongPasswords) {
  std::string longest;
  while (longest.size() < 128)
    longest += "abcdefgh";
  EXPECT_FALSE(CheckPassword(longest, "a@example.com"));
  EXPECT_TRUE(CheckPassword(longest + "x", "a@example.com"));
}

}  // namespace
}  // namespace ticketd::domain
