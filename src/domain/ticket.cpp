#include "domain/ticket.hpp"

#include <boost/algorithm/string/predicate.hpp>

#include <algorithm>
#include <array>

namespace ticketd::domain {
namespace {

constexpr std::array<std::string_view, 7> kStatusNames = {
    "new", "open", "in_progress", "pending", "resolved", "closed", "cancelled"};
constexpr std::array<std::string_view, 4> kPriorityNames = {"low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 9> kCategoryNames = {
    "technical", "billing",     "feature_request", "bug",     "user_access",
    "general",   "integration", "performance",     "security"};
constexpr std::array<std::string_view, 6> kSourceChannelNames = {"web",  "email", "phone",
                                                                 "chat", "api",   "mcp"};

template <typename Enum, std::size_t N>
std::optional<Enum> ParseName(const std::array<std::string_view, N>& names, std::string_view text) {
  const auto* found = std::find(names.begin(), names.end(), text);
  if (found == names.end()) return std::nullopt;
  return static_cast<Enum>(found - names.begin());
}

}  // namespace

std::string_view ToString(Status value) {
  return kStatusNames.at(static_cast<std::size_t>(value));
}
std::string_view ToString(Priority value) {
  return kPriorityNames.at(static_cast<std::size_t>(value));
}
std::string_view ToString(Category value) {
  return kCategoryNames.at(static_cast<std::size_t>(value));
}
std::string_view ToString(SourceChannel value) {
  return kSourceChannelNames.at(static_cast<std::size_t>(value));
}

std::optional<Status> ParseStatus(std::string_view text) {
  return ParseName<Status>(kStatusNames, text);
}
std::optional<Priority> ParsePriority(std::string_view text) {
  return ParseName<Priority>(kPriorityNames, text);
}
std::optional<Category> ParseCategory(std::string_view text) {
  return ParseName<Category>(kCategoryNames, text);
}
std::optional<SourceChannel> ParseSourceChannel(std::string_view text) {
  return ParseName<SourceChannel>(kSourceChannelNames, text);
}

std::span<const std::string_view> AllStatusNames() {
  return kStatusNames;
}
std::span<const std::string_view> AllPriorityNames() {
  return kPriorityNames;
}
std::span<const std::string_view> AllCategoryNames() {
  return kCategoryNames;
}
std::span<const std::string_view> AllSourceChannelNames() {
  return kSourceChannelNames;
}

bool IsActive(Status status) {
  return status == Status::kNew || status == Status::kOpen || status == Status::kInProgress ||
         status == Status::kPending;
}

bool IsTransitionAllowed(Status from, Status to) {
  if (from == to) return false;
  if (IsActive(from)) return true;
  switch (from) {
    case Status::kResolved:
      return to == Status::kClosed || to == Status::kOpen;
    case Status::kClosed:
    case Status::kCancelled:
      return to == Status::kOpen;
    default:
      return false;
  }
}

bool ApplyStatus(Ticket& ticket, Status to, const std::string& now) {
  if (!IsTransitionAllowed(ticket.status, to)) return false;

  if (to == Status::kResolved) {
    ticket.resolved_at = now;
  } else if (to == Status::kClosed) {
    // Closing straight from active work also resolves it; keep an earlier
    // resolution time when there is one.
    if (!ticket.resolved_at) ticket.resolved_at = now;
    ticket.closed_at = now;
  } else if (to == Status::kOpen && !IsActive(ticket.status)) {
    ticket.resolved_at.reset();
    ticket.closed_at.reset();
  }
  ticket.status = to;
  return true;
}

bool SameUuid(std::string_view a, std::string_view b) {
  return boost::algorithm::iequals(a, b);
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace ticketd::domain
