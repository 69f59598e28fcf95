#include "domain/list_query.hpp"

#include <charconv>

#include "domain/time_format.hpp"

namespace ticketd::domain {
namespace {

constexpr std::size_t kMaxSearchLength = 500;

std::optional<int> ParseInt(const std::string& text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

template <typename Enum>
void Many(const QueryParams& params, std::string_view name,
          std::optional<Enum> (*parse)(std::string_view), std::span<const std::string_view> names,
          std::vector<Enum>& out, FieldErrors& errors) {
  auto [begin, end] = params.equal_range(name);
  for (auto it = begin; it != end; ++it) {
    // Accept comma-separated lists too, as some clients send them.
    std::string_view rest = it->second;
    while (true) {
      const auto comma = rest.find(',');
      const auto item = rest.substr(0, comma);
      if (auto value = parse(item)) {
        out.push_back(*value);
      } else {
        std::string allowed;
        for (auto n : names)
          allowed += (allowed.empty() ? "" : ", ") + std::string(n);
        errors.push_back(
            {std::string(name), "'" + std::string(item) + "' is not one of " + allowed});
        return;
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
}

}  // namespace

bool DecodeStorableParams(const QueryParams& params, FieldErrors& errors) {
  // Values reach PostgreSQL as text, which must be UTF-8 without NUL.
  for (const auto& [name, value] : params) {
    if (!IsStorableText(value)) {
      errors.push_back({name, "must be UTF-8 text without NUL characters"});
      return false;
    }
  }
  return true;
}

const std::string* SingleParam(const QueryParams& params, std::string_view name) {
  auto [begin, end] = params.equal_range(name);
  if (begin == end) return nullptr;
  return &std::prev(end)->second;
}

void DecodePaging(const QueryParams& params, int& page, int& size, FieldErrors& errors) {
  if (const auto* text = SingleParam(params, "page")) {
    const auto value = ParseInt(*text);
    if (!value || *value < 1) {
      errors.push_back({"page", "must be an integer from 1 to 2147483647"});
    } else {
      page = *value;
    }
  }
  if (const auto* text = SingleParam(params, "size")) {
    const auto value = ParseInt(*text);
    if (!value || *value < 1 || *value > kMaxPageSize) {
      errors.push_back({"size", "must be an integer from 1 to " + std::to_string(kMaxPageSize)});
    } else {
      size = *value;
    }
  }
}

void DecodeBoolParam(const QueryParams& params, std::string_view name, std::optional<bool>& out,
                     FieldErrors& errors) {
  const auto* text = SingleParam(params, name);
  if (text == nullptr) return;
  if (*text == "true" || *text == "1") {
    out = true;
  } else if (*text == "false" || *text == "0") {
    out = false;
  } else {
    errors.push_back({std::string(name), "must be true or false"});
  }
}

FieldErrors DecodeListQuery(const QueryParams& params, ListQuery& out) {
  FieldErrors errors;
  if (!DecodeStorableParams(params, errors)) return errors;
  DecodePaging(params, out.page, out.size, errors);

  if (const auto* q = SingleParam(params, "q"); q && !q->empty()) {
    if (q->size() > kMaxSearchLength) {
      errors.push_back({"q", "must be at most " + std::to_string(kMaxSearchLength) + " bytes"});
    } else {
      out.text = *q;
    }
  }

  Many<Status>(params, "status", ParseStatus, AllStatusNames(), out.statuses, errors);
  Many<Category>(params, "category", ParseCategory, AllCategoryNames(), out.categories, errors);
  Many<Priority>(params, "priority", ParsePriority, AllPriorityNames(), out.priorities, errors);
  Many<Priority>(params, "urgency", ParsePriority, AllPriorityNames(), out.urgencies, errors);

  if (const auto* department = SingleParam(params, "department");
      department && !department->empty()) {
    out.department = *department;
  }
  for (const auto* name : {"created_by_id", "assigned_to_id"}) {
    const auto* value = SingleParam(params, name);
    if (!value) continue;
    if (!IsUuid(*value)) {
      errors.push_back({name, "must be a UUID"});
    } else {
      (std::string_view(name) == "created_by_id" ? out.created_by_id : out.assigned_to_id) = *value;
    }
  }
  DecodeBoolParam(params, "is_overdue", out.overdue, errors);
  for (const auto* name : {"created_after", "created_before"}) {
    const auto* value = SingleParam(params, name);
    if (!value) continue;
    if (auto problem = Rfc3339Problem(*value)) {
      errors.push_back({name, Rfc3339Reason(*problem)});
    } else {
      (std::string_view(name) == "created_after" ? out.created_after : out.created_before) = *value;
    }
  }

  if (const auto* sort_by = SingleParam(params, "sort_by")) {
    static constexpr std::pair<std::string_view, SortField> kFields[] = {
        {"created_at", SortField::kCreatedAt},
        {"updated_at", SortField::kUpdatedAt},
        {"priority", SortField::kPriority},
        {"status", SortField::kStatus},
        {"title", SortField::kTitle}};
    bool found = false;
    for (const auto& [name, field] : kFields) {
      if (*sort_by == name) {
        out.sort_by = field;
        found = true;
      }
    }
    if (!found) {
      errors.push_back(
          {"sort_by", "must be one of created_at, updated_at, priority, status, title"});
    }
  }
  if (const auto* order = SingleParam(params, "sort_order")) {
    if (*order == "asc") {
      out.sort_order = SortOrder::kAsc;
    } else if (*order == "desc") {
      out.sort_order = SortOrder::kDesc;
    } else {
      errors.push_back({"sort_order", "must be asc or desc"});
    }
  }
  return errors;
}

PageInfo MakePageInfo(std::int64_t total, int page, int size) {
  PageInfo info{.total = total, .page = page, .size = size};
  info.pages = total == 0 ? 0 : (total + size - 1) / size;
  info.has_next = page < info.pages;
  info.has_prev = page > 1;
  return info;
}

}  // namespace ticketd::domain
