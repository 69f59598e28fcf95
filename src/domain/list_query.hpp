// Listing tickets: the query parameters of GET /tickets decoded and checked,
// and the paging arithmetic of the answer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/ticket.hpp"

namespace ticketd::domain {

enum class SortField { kCreatedAt, kUpdatedAt, kPriority, kStatus, kTitle };
enum class SortOrder { kAsc, kDesc };

struct ListQuery {
  int page = 1;
  int size = 20;
  std::optional<std::string> text;  // `q`: full-text search
  std::vector<Status> statuses;
  std::vector<Category> categories;
  std::vector<Priority> priorities;
  std::vector<Priority> urgencies;
  std::optional<std::string> department;
  std::optional<std::string> created_by_id;
  std::optional<std::string> assigned_to_id;
  std::optional<bool> overdue;
  std::optional<std::string> created_after;   // RFC 3339
  std::optional<std::string> created_before;  // RFC 3339
  SortField sort_by = SortField::kCreatedAt;
  SortOrder sort_order = SortOrder::kDesc;

  std::int64_t Offset() const { return static_cast<std::int64_t>(page - 1) * size; }
};

// Query parameters as received, already percent-decoded; a repeated name
// holds every value in order.
using QueryParams = std::multimap<std::string, std::string, std::less<>>;

constexpr int kMaxPageSize = 100;

// Decodes the known parameters into `out`; unknown names are ignored. Returns
// one error per invalid parameter, its `path` the parameter's name.
FieldErrors DecodeListQuery(const QueryParams& params, ListQuery& out);

struct PageInfo {
  std::int64_t total = 0;
  int page = 1;
  int size = 20;
  std::int64_t pages = 0;  // 0 when total is 0
  bool has_next = false;
  bool has_prev = false;
};

PageInfo MakePageInfo(std::int64_t total, int page, int size);

}  // namespace ticketd::domain
