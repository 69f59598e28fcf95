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

// Building blocks of the list decoders (tickets here, accounts in
// domain/account_requests.hpp). Each appends one error per invalid
// parameter, named by its `path`, and leaves `out` alone when the parameter
// is absent or invalid.

// False, with one error, when a value is not UTF-8 text without NUL (what
// PostgreSQL's text can hold); check this before the other decoders.
bool DecodeStorableParams(const QueryParams& params, FieldErrors& errors);

// The last value of a single-valued parameter (a repeated one takes the
// last), or nullptr when it is absent.
const std::string* SingleParam(const QueryParams& params, std::string_view name);

// `page` (from 1) and `size` (1 to kMaxPageSize).
void DecodePaging(const QueryParams& params, int& page, int& size, FieldErrors& errors);

// true/1 or false/0.
void DecodeBoolParam(const QueryParams& params, std::string_view name, std::optional<bool>& out,
                     FieldErrors& errors);

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
