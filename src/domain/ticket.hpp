// Tickets as the domain sees them: enumerations, the ticket record, field
// validation errors and the status rules. Nothing here performs I/O, so every
// rule can be exercised by a unit test without a server or a database.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ticketd::domain {

enum class Status { kNew, kOpen, kInProgress, kPending, kResolved, kClosed, kCancelled };
enum class Priority { kLow, kMedium, kHigh, kCritical };
enum class Category {
  kTechnical,
  kBilling,
  kFeatureRequest,
  kBug,
  kUserAccess,
  kGeneral,
  kIntegration,
  kPerformance,
  kSecurity,
};
enum class SourceChannel { kWeb, kEmail, kPhone, kChat, kApi, kMcp };

// Wire names, exactly as the old backend spelled them.
std::string_view ToString(Status value);
std::string_view ToString(Priority value);
std::string_view ToString(Category value);
std::string_view ToString(SourceChannel value);

// Parse a wire name. A miss returns std::nullopt; names are case-sensitive.
std::optional<Status> ParseStatus(std::string_view text);
std::optional<Priority> ParsePriority(std::string_view text);
std::optional<Category> ParseCategory(std::string_view text);
std::optional<SourceChannel> ParseSourceChannel(std::string_view text);

// Every wire name of an enumeration, in declaration order.
std::span<const std::string_view> AllStatusNames();
std::span<const std::string_view> AllPriorityNames();
std::span<const std::string_view> AllCategoryNames();
std::span<const std::string_view> AllSourceChannelNames();

// True for statuses counted as open work (new, open, in_progress, pending).
bool IsActive(Status status);

// One invalid member of a request: `path` names it (a JSON member name or a
// query parameter), `reason` says what is wrong in words a client can act on.
struct FieldError {
  std::string path;
  std::string reason;

  bool operator==(const FieldError&) const = default;
};
using FieldErrors = std::vector<FieldError>;

// A stored ticket. Times are RFC 3339 UTC strings as produced by
// FormatUtc(); optional members are null on the wire when empty.
struct Ticket {
  std::string id;
  std::string title;
  std::string description;
  Status status = Status::kNew;
  Priority priority = Priority::kMedium;
  Priority urgency = Priority::kMedium;
  Category category = Category::kGeneral;
  std::optional<std::string> subcategory;
  std::optional<std::string> department;
  std::vector<std::string> tags;
  std::optional<std::string> created_by_id;
  std::optional<std::string> assigned_to_id;
  std::optional<std::string> due_date;
  std::optional<std::string> resolution_summary;
  std::optional<std::string> internal_notes;
  nlohmann::json metadata = nlohmann::json::object();
  SourceChannel source_channel = SourceChannel::kApi;
  nlohmann::json attachments = nlohmann::json::array();
  nlohmann::json ai_analysis;  // null until an analysis exists
  std::string created_at;
  std::string updated_at;
  std::string last_activity_at;
  std::optional<std::string> resolved_at;
  std::optional<std::string> closed_at;
  std::int64_t version = 1;
};

// An If-Match precondition: the versions whose ETag it names. An empty list
// accepts no version (every tag named was weak or not one of ours).
struct VersionPrecondition {
  std::vector<std::int64_t> versions;

  bool Accepts(std::int64_t version) const {
    for (const auto v : versions) {
      if (v == version) return true;
    }
    return false;
  }
};

// The brief's transition table. A move to the current status is not a
// transition and is refused as well.
bool IsTransitionAllowed(Status from, Status to);

// Moves `ticket` to `to`, maintaining resolved_at and closed_at. `now` is the
// caller's clock reading (RFC 3339). Returns false, leaving the ticket
// untouched, when the transition is not allowed.
bool ApplyStatus(Ticket& ticket, Status to, const std::string& now);

// True when `text` is a canonical 8-4-4-4-12 hexadecimal UUID.
bool IsUuid(std::string_view text);

// True when UUIDs `a` and `b` name the same identifier (hex digits compare
// without regard to case, as PostgreSQL's uuid type does).
bool SameUuid(std::string_view a, std::string_view b);

}  // namespace ticketd::domain
