// Fuzzes the ticket's JSON contract: every request body kind is decoded, and
// bodies that decode cleanly are applied and encoded again, as the create and
// change handlers would. The raw bytes also go through the text validators
// that guard what reaches PostgreSQL.
#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/ticket.hpp"
#include "domain/ticket_json.hpp"
#include "domain/time_format.hpp"

namespace {

namespace domain = ticketd::domain;

constexpr std::array kBodyKinds = {domain::BodyKind::kCreate, domain::BodyKind::kUpdate,
                                   domain::BodyKind::kMergePatch, domain::BodyKind::kStatus,
                                   domain::BodyKind::kAssign};

// Fixed so that a finding reproduces; the values are arbitrary but valid.
const std::string kNow = "2026-12-03T10:00:00.000000Z";
const std::string kCreatedBy = "00000000-0000-4000-8000-000000000001";

// Encodes `ticket` as an answer would; dump() throws on invalid UTF-8, which
// the decoders must have refused.
void Encode(const domain::Ticket& ticket) {
  const auto text = domain::ToJson(ticket, {.include_internal = true}).dump();
  (void)text;
}

void DecodeAndApply(const nlohmann::json& body, domain::BodyKind kind) {
  domain::TicketChanges changes;
  if (!domain::DecodeChanges(body, kind, changes).empty()) return;

  Encode(domain::NewTicket(changes, kCreatedBy));

  domain::Ticket ticket;
  domain::ApplyChanges(ticket, changes, kNow);
  Encode(ticket);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)domain::IsRfc3339(text);
  (void)domain::IsStorableText(text);
  (void)domain::IsUuid(text);

  const auto body = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  for (const auto kind : kBodyKinds)
    DecodeAndApply(body, kind);
  return 0;
}
