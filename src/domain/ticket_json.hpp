// The ticket's JSON contract: decoding request bodies into changes (with one
// FieldError per invalid member) and encoding tickets for answers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/ticket.hpp"

namespace ticketd::domain {

// A member that may be absent (outer empty), set to null (inner empty) or set.
template <typename T>
using NullableChange = std::optional<std::optional<T>>;

// What a request asks to change. Absent members leave the ticket as it is.
// The longest description, in code points.
inline constexpr std::size_t kDescriptionMax = 100'000;

struct TicketChanges {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<Status> status;
  std::optional<Priority> priority;
  std::optional<Priority> urgency;
  std::optional<Category> category;
  std::optional<SourceChannel> source_channel;
  NullableChange<std::string> subcategory;
  NullableChange<std::string> department;
  NullableChange<std::string> assigned_to_id;
  NullableChange<std::string> due_date;
  NullableChange<std::string> resolution_summary;
  NullableChange<std::string> internal_notes;
  std::optional<std::vector<std::string>> tags;
  std::optional<nlohmann::json> metadata;
  // With RFC 7396 bodies `metadata` is a merge patch, otherwise a replacement.
  bool merge_metadata = false;

  bool Empty() const;
};

// Which request a body belongs to; each accepts a different set of members.
enum class BodyKind {
  kCreate,      // POST /tickets: title, description, priority, category required
  kUpdate,      // PUT or PATCH /tickets/{id}: every writable member optional
  kMergePatch,  // PATCH with application/merge-patch+json
  kStatus,      // PATCH /tickets/{id}/status: status required
  kAssign,      // PATCH /tickets/{id}/assign: assigned_to_id, absent or null unassigns
};

// Decodes `body` into `out`. Returns one error per invalid member, in the
// order the members appear; `out` is meaningful only when none are returned.
FieldErrors DecodeChanges(const nlohmann::json& body, BodyKind kind, TicketChanges& out);

// Decodes a `tags` array as tickets (and knowledge base articles) take it:
// at most 50 non-blank strings of at most 64 characters, duplicates dropped
// in order. Errors are recorded under `path` ("tags[3]" for one element).
std::optional<std::vector<std::string>> DecodeTags(const nlohmann::json& value,
                                                   const std::string& path, FieldErrors& errors);

// Builds a new ticket from decoded create changes. The id and times are
// filled by storage; `created_by_id` is the caller's identity.
Ticket NewTicket(const TicketChanges& changes, const std::string& created_by_id);

enum class ApplyResult { kApplied, kUnchanged, kInvalidTransition, kMetadataTooLarge };

// The most metadata a ticket holds, in bytes of compact JSON.
inline constexpr std::size_t kMetadataMaxBytes = 64 * 1024;

// Applies `changes` to `ticket` at time `now`, raising its version. A status
// the rules forbid leaves the ticket untouched and answers
// kInvalidTransition; a metadata merge patch whose result would exceed
// kMetadataMaxBytes leaves it untouched and answers kMetadataTooLarge.
ApplyResult ApplyChanges(Ticket& ticket, const TicketChanges& changes, const std::string& now);

struct ViewOptions {
  bool include_internal = false;  // internal_notes are for agents and above
  bool include_ai = true;         // false sends ai_analysis as null
};

nlohmann::json ToJson(const Ticket& ticket, ViewOptions view);

}  // namespace ticketd::domain
