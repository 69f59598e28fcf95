#include "domain/access.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "domain/time_format.hpp"

namespace ticketd::domain {
namespace {

constexpr std::array<std::string_view, 5> kRoleNames = {"admin", "manager", "agent", "user",
                                                        "api_user"};

constexpr std::array<Action, 14> kActions = {
    Action::kTicketCreate,    Action::kTicketReadOwn,      Action::kTicketReadAll,
    Action::kTicketUpdateOwn, Action::kTicketUpdateAll,    Action::kTicketDelete,
    Action::kTicketAssign,    Action::kTicketReadInternal, Action::kStatsRead,
    Action::kUserManage,      Action::kApiKeyManage,       Action::kAuditRead,
    Action::kAiConfigManage,  Action::kKnowledgeBaseWrite,
};

constexpr std::array<std::string_view, 14> kActionNames = {
    "ticket:create",     "ticket:read_own",     "ticket:read_all", "ticket:update_own",
    "ticket:update_all", "ticket:delete",       "ticket:assign",   "ticket:read_internal",
    "stats:read",        "users:manage",        "api_keys:manage", "audit:read",
    "ai_config:manage",  "knowledge_base:write"};

// Rows follow kActions, columns kRoleNames: admin, manager, agent, user, api_user.
constexpr bool kMatrix[14][5] = {
    {true, true, true, true, true},      // ticket:create
    {true, true, true, true, true},      // ticket:read_own
    {true, true, true, false, false},    // ticket:read_all
    {true, true, true, true, true},      // ticket:update_own
    {true, true, true, false, false},    // ticket:update_all
    {true, true, false, true, false},    // ticket:delete
    {true, true, true, false, false},    // ticket:assign
    {true, true, true, false, false},    // ticket:read_internal
    {true, true, true, false, false},    // stats:read
    {true, false, false, false, false},  // users:manage
    {true, false, false, false, false},  // api_keys:manage
    {true, false, false, false, false},  // audit:read
    {true, false, false, false, false},  // ai_config:manage
    {true, false, false, false, false},  // knowledge_base:write
};

// A few of the most used passwords; a longer list belongs to a breach
// corpus service, which this deliberately does not call.
constexpr std::array<std::string_view, 24> kCommonPasswords = {
    "123456789012", "password1234", "passwordpassword", "qwertyuiop12", "qwertyqwerty",
    "111111111111", "000000000000", "123123123123",     "iloveyou1234", "administrator",
    "letmein12345", "welcome12345", "password123!",     "changeme1234", "abcdefghijkl",
    "1q2w3e4r5t6y", "qwerty123456", "trustno1trustno1", "supportdesk1", "ticketticket",
    "adminadmin12", "monkey123456", "dragon123456",     "sunshine1234"};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsStaff(Role role) {
  return role == Role::kAdmin || role == Role::kManager || role == Role::kAgent;
}

}  // namespace

std::string_view ToString(Role role) {
  return kRoleNames.at(static_cast<std::size_t>(role));
}

std::optional<Role> ParseRole(std::string_view text) {
  const auto* found = std::find(kRoleNames.begin(), kRoleNames.end(), text);
  if (found == kRoleNames.end()) return std::nullopt;
  return static_cast<Role>(found - kRoleNames.begin());
}

std::span<const std::string_view> AllRoleNames() {
  return kRoleNames;
}
std::span<const Action> AllActions() {
  return kActions;
}

std::string_view ToString(Action action) {
  return kActionNames.at(static_cast<std::size_t>(action));
}

bool Allows(Role role, Action action) {
  return kMatrix[static_cast<std::size_t>(action)][static_cast<std::size_t>(role)];
}

bool MayChangeStatus(Role role, Status from, Status to) {
  if (IsStaff(role)) return true;
  if (to == Status::kCancelled) return IsActive(from);
  return to == Status::kOpen &&
         (from == Status::kResolved || from == Status::kClosed || from == Status::kCancelled);
}

bool MayWriteField(Role role, std::string_view member) {
  if (IsStaff(role)) return true;
  // Status is governed by MayChangeStatus wherever it is written.
  return member != "assigned_to_id" && member != "internal_notes" && member != "resolution_summary";
}

std::optional<std::string> CheckPassword(std::string_view password, std::string_view email) {
  const std::size_t length = CodePointCount(password);
  if (length < 12) return "must be at least 12 characters";
  if (length > 128) return "must be at most 128 characters";
  // Different characters, not bytes: "€£€£€£€£€£€£" has two.
  std::set<std::string_view> seen;
  for (std::size_t at = 0; at < password.size() && seen.size() < 5;) {
    std::size_t next = at + 1;
    while (next < password.size() && (static_cast<unsigned char>(password[next]) & 0xC0) == 0x80)
      ++next;
    seen.insert(password.substr(at, next - at));
    at = next;
  }
  if (seen.size() < 5) return "must use at least 5 different characters";
  const std::string lowered = Lower(password);
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lowered) !=
      kCommonPasswords.end()) {
    return "is too common; choose another";
  }
  const std::string address = Lower(email);
  const std::string local = address.substr(0, address.find('@'));
  if (lowered == address || (!local.empty() && lowered == local)) {
    return "must not be the email address";
  }
  return std::nullopt;
}

}  // namespace ticketd::domain
