// Who may do what: roles, the permission matrix, status changes by role,
// and the password policy. Pure tables and functions; docs/security.md
// prints the same matrix.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/ticket.hpp"

namespace ticketd::domain {

enum class Role { kAdmin, kManager, kAgent, kUser, kApiUser };

std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view text);
std::span<const std::string_view> AllRoleNames();

enum class Action {
  kTicketCreate,        // file a ticket
  kTicketReadOwn,       // read and list tickets one created
  kTicketReadAll,       // read and list everyone's tickets
  kTicketUpdateOwn,     // change title, description... of one's own tickets
  kTicketUpdateAll,     // change anyone's tickets
  kTicketDelete,        // soft-delete tickets (own ones for users)
  kTicketAssign,        // set assigned_to_id
  kTicketReadInternal,  // read and write internal_notes
  kStatsRead,           // GET /tickets/stats/overview
  kUserManage,          // list users, change roles, deactivate
  kApiKeyManage,        // create, list and revoke API keys
  kAuditRead,           // read the audit trail
  kAiConfigManage,      // AI configuration (issue #4)
  kKnowledgeBaseWrite,  // knowledge base articles (issue #4)
};

std::span<const Action> AllActions();
std::string_view ToString(Action action);

// The permission matrix.
bool Allows(Role role, Action action);

// Whether `role` may move a ticket from `from` to `to` (the transition
// itself must also be allowed by IsTransitionAllowed). Users and API users
// may only cancel their own open work or reopen it; staff may make any move.
bool MayChangeStatus(Role role, Status from, Status to);

// Ticket members `role` may not write; a request naming one is refused
// with 422, never silently applied.
bool MayWriteField(Role role, std::string_view member);

// Why `password` is refused for the account `email`, or std::nullopt: at
// least 12 and at most 128 characters, at least 5 different characters (no
// "            " or "abababababab"), not a commonly used password, and not
// the email or its local part.
std::optional<std::string> CheckPassword(std::string_view password, std::string_view email);

}  // namespace ticketd::domain
