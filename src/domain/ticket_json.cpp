#include "domain/ticket_json.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "domain/time_format.hpp"

namespace ticketd::domain {
namespace {

using nlohmann::json;

constexpr std::size_t kTitleMax = 255;
constexpr std::size_t kShortTextMax = 100;
constexpr std::size_t kNoteMax = 20'000;
constexpr std::size_t kTagsMax = 50;
constexpr std::size_t kTagMax = 64;
constexpr std::size_t kMetadataMax = kMetadataMaxBytes;
constexpr std::size_t kMetadataDepthMax = 16;

constexpr std::array<std::string_view, 11> kReadOnly = {
    "id",          "version",   "created_by_id", "created_at",  "updated_at", "last_activity_at",
    "resolved_at", "closed_at", "ai_analysis",   "attachments", "is_deleted"};

// A metadata member name fit to quote in a reason: short, printable ASCII.
std::string QuotableKey(std::string_view key) {
  constexpr std::size_t kShown = 64;
  std::string out;
  for (const char c : key.substr(0, kShown))
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return key.size() > kShown ? out + "..." : out;
}

// Appends to `out` the path from `node` to `target` (".owner", "[2]"), or
// returns false when `target` is not within `levels` levels below `node`.
// Recursion is bounded by `levels`.
bool AppendPathTo(const json& node, const json* target, std::size_t levels, std::string& out) {
  if (&node == target) return true;
  if (levels == 0) return false;
  const std::size_t kept = out.size();
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      out += "." + QuotableKey(key);
      if (AppendPathTo(child, target, levels - 1, out)) return true;
      out.resize(kept);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      out += "[" + std::to_string(i) + "]";
      if (AppendPathTo(node[i], target, levels - 1, out)) return true;
      out.resize(kept);
    }
  }
  return false;
}

// Why PostgreSQL's jsonb (or a client) cannot hold `root`, naming where in
// `root` (written from `root_name`) the problem is, or std::nullopt. Walks
// iteratively so that hostile nesting cannot exhaust the stack.
std::optional<std::string> CheckJsonTree(const json& root, const std::string& root_name) {
  const auto at = [&](const json* node, std::size_t depth) {
    std::string path = root_name;
    AppendPathTo(root, node, depth - 1, path);
    return " (at " + path + ")";
  };
  std::vector<std::pair<const json*, std::size_t>> pending = {{&root, 1}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (depth > kMetadataDepthMax) {
      return "must not nest deeper than " + std::to_string(kMetadataDepthMax) + " levels" +
             at(node, depth);
    }
    if (node->is_string() && node->get_ref<const std::string&>().find('\0') != std::string::npos) {
      return "must not contain NUL (\\u0000) characters" + at(node, depth);
    }
    // Integers within 64 bits are kept as they are written. Longer ones, and
    // numbers with a fraction or an exponent, are doubles; PostgreSQL writes
    // jsonb numbers out in full ("1e308" comes back as 309 digits), so their
    // magnitude is bounded to bound what reading them costs.
    if (node->is_number_float()) {
      const double size = std::fabs(node->get<double>());
      if (!std::isfinite(size) || size >= 1e15) {
        return "must not contain numbers outside the range kept exactly" + at(node, depth) +
               ": integers from -9223372036854775808 to 18446744073709551615, numbers with a "
               "fraction or an exponent below 1e15 in magnitude; send larger values as strings";
      }
      if (size != 0 && size < 1e-9) {
        return "must not contain numbers below 1e-9 in magnitude other than 0" + at(node, depth) +
               "; send such values as strings";
      }
    }
    if (node->is_object()) {
      for (const auto& [key, child] : node->items()) {
        if (key.find('\0') != std::string::npos) {
          return "must not contain NUL (\\u0000) characters in member names" +
                 at(&child, depth + 1);
        }
        pending.emplace_back(&child, depth + 1);
      }
    } else if (node->is_array()) {
      for (const auto& child : *node)
        pending.emplace_back(&child, depth + 1);
    }
  }
  return std::nullopt;
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (const auto name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// Decoding of one member; every function records its own error.
class Decoder {
 public:
  explicit Decoder(FieldErrors& errors) : errors_(errors) {}

  void Fail(const std::string& path, std::string reason) {
    errors_.push_back({path, std::move(reason)});
  }

  std::optional<std::string> Text(const std::string& path, const json& value, std::size_t max,
                                  bool allow_blank) {
    if (!value.is_string()) {
      Fail(path, "must be a string");
      return std::nullopt;
    }
    const auto& text = value.get_ref<const std::string&>();
    if (text.find('\0') != std::string::npos) {
      Fail(path, "must not contain NUL (\\u0000) characters");
      return std::nullopt;
    }
    const std::size_t length = CodePointCount(text);
    if (length == 0 || (!allow_blank && IsBlank(text))) {
      Fail(path, "must not be empty");
      return std::nullopt;
    }
    if (length > max) {
      Fail(path, "must be at most " + std::to_string(max) + " characters");
      return std::nullopt;
    }
    return text;
  }

  NullableChange<std::string> NullableText(const std::string& path, const json& value,
                                           std::size_t max) {
    if (value.is_null()) return std::optional<std::string>{};
    auto text = Text(path, value, max, /*allow_blank=*/false);
    if (!text) return std::nullopt;
    return std::optional<std::string>{std::move(*text)};
  }

  template <typename Enum>
  std::optional<Enum> Enumerated(const std::string& path, const json& value,
                                 std::optional<Enum> (*parse)(std::string_view),
                                 std::span<const std::string_view> names) {
    std::optional<Enum> parsed;
    if (value.is_string()) parsed = parse(value.get_ref<const std::string&>());
    if (!parsed) Fail(path, "must be one of " + JoinNames(names));
    return parsed;
  }

  NullableChange<std::string> NullableUuid(const std::string& path, const json& value) {
    if (value.is_null()) return std::optional<std::string>{};
    if (!value.is_string() || !IsUuid(value.get_ref<const std::string&>())) {
      Fail(path, "must be a UUID or null");
      return std::nullopt;
    }
    return std::optional<std::string>{value.get<std::string>()};
  }

  NullableChange<std::string> NullableTime(const std::string& path, const json& value) {
    if (value.is_null()) return std::optional<std::string>{};
    if (!value.is_string()) {
      Fail(path, Rfc3339Reason("is not a string") + ", or null");
      return std::nullopt;
    }
    if (auto problem = Rfc3339Problem(value.get_ref<const std::string&>())) {
      Fail(path, Rfc3339Reason(*problem) + ", or null");
      return std::nullopt;
    }
    return std::optional<std::string>{value.get<std::string>()};
  }

  std::optional<std::vector<std::string>> Tags(const std::string& path, const json& value) {
    if (!value.is_array()) {
      Fail(path, "must be an array of strings");
      return std::nullopt;
    }
    if (value.size() > kTagsMax) {
      Fail(path, "must hold at most " + std::to_string(kTagsMax) + " tags");
      return std::nullopt;
    }
    std::vector<std::string> tags;
    tags.reserve(value.size());
    bool ok = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
      auto tag = Text(path + "[" + std::to_string(i) + "]", value[i], kTagMax, false);
      if (!tag) {
        ok = false;
        continue;
      }
      if (std::find(tags.begin(), tags.end(), *tag) == tags.end()) tags.push_back(std::move(*tag));
    }
    if (!ok) return std::nullopt;
    return tags;
  }

  std::optional<json> Metadata(const std::string& path, const json& value) {
    if (!value.is_object()) {
      Fail(path, "must be a JSON object");
      return std::nullopt;
    }
    // Checked before anything walks the value recursively (dump() does).
    if (auto problem = CheckJsonTree(value, path)) {
      Fail(path, *problem);
      return std::nullopt;
    }
    if (value.dump().size() > kMetadataMax) {
      Fail(path, "must be at most " + std::to_string(kMetadataMax) + " bytes of JSON");
      return std::nullopt;
    }
    return value;
  }

 private:
  FieldErrors& errors_;
};

bool Accepts(BodyKind kind, std::string_view member) {
  static constexpr std::array<std::string_view, 14> kWritable = {"title",
                                                                 "description",
                                                                 "priority",
                                                                 "category",
                                                                 "urgency",
                                                                 "subcategory",
                                                                 "department",
                                                                 "tags",
                                                                 "assigned_to_id",
                                                                 "due_date",
                                                                 "metadata",
                                                                 "source_channel",
                                                                 "resolution_summary",
                                                                 "internal_notes"};
  const auto writable = [&] {
    return std::find(kWritable.begin(), kWritable.end(), member) != kWritable.end();
  };
  switch (kind) {
    case BodyKind::kCreate:
      return writable();
    case BodyKind::kUpdate:
    case BodyKind::kMergePatch:
      return member == "status" || writable();
    case BodyKind::kStatus:
      return member == "status" || member == "resolution_summary" || member == "internal_notes";
    case BodyKind::kAssign:
      return member == "assigned_to_id" || member == "reason";
  }
  return false;
}

std::vector<std::string_view> RequiredMembers(BodyKind kind) {
  switch (kind) {
    case BodyKind::kCreate:
      return {"title", "description", "priority", "category"};
    case BodyKind::kStatus:
      return {"status"};
    default:
      return {};
  }
}

// Members that must hold a value whenever they are present.
bool IsNonNullable(std::string_view member) {
  static constexpr std::array<std::string_view, 9> kNonNullable = {
      "title",  "description", "priority", "urgency",       "category",
      "status", "tags",        "metadata", "source_channel"};
  return std::find(kNonNullable.begin(), kNonNullable.end(), member) != kNonNullable.end();
}

template <typename T>
void Set(std::optional<T>& target, std::optional<T> value) {
  if (value) target = std::move(value);
}

template <typename T>
void Assign(std::optional<std::optional<T>>& target, std::optional<std::optional<T>> value) {
  if (value) target = std::move(value);
}

}  // namespace

bool TicketChanges::Empty() const {
  return !title && !description && !status && !priority && !urgency && !category &&
         !source_channel && !subcategory && !department && !assigned_to_id && !due_date &&
         !resolution_summary && !internal_notes && !tags && !metadata;
}

FieldErrors DecodeChanges(const json& body, BodyKind kind, TicketChanges& out) {
  FieldErrors errors;
  if (!body.is_object()) {
    errors.push_back({"body", "must be a JSON object"});
    return errors;
  }
  Decoder decode(errors);
  out.merge_metadata = kind == BodyKind::kMergePatch;

  for (const auto& [name, value] : body.items()) {
    if (std::find(kReadOnly.begin(), kReadOnly.end(), name) != kReadOnly.end() ||
        (name == "status" && kind == BodyKind::kCreate)) {
      decode.Fail(name, "is set by the service and cannot be written");
      continue;
    }
    if (!Accepts(kind, name)) {
      decode.Fail(name, "is not a member of this request");
      continue;
    }
    if (value.is_null() && IsNonNullable(name)) {
      decode.Fail(name, "must not be null");
      continue;
    }

    if (name == "title") {
      Set(out.title, decode.Text(name, value, kTitleMax, false));
    } else if (name == "description") {
      Set(out.description, decode.Text(name, value, kDescriptionMax, false));
    } else if (name == "status") {
      Set(out.status, decode.Enumerated<Status>(name, value, ParseStatus, AllStatusNames()));
    } else if (name == "priority") {
      Set(out.priority,
          decode.Enumerated<Priority>(name, value, ParsePriority, AllPriorityNames()));
    } else if (name == "urgency") {
      Set(out.urgency, decode.Enumerated<Priority>(name, value, ParsePriority, AllPriorityNames()));
    } else if (name == "category") {
      Set(out.category,
          decode.Enumerated<Category>(name, value, ParseCategory, AllCategoryNames()));
    } else if (name == "source_channel") {
      Set(out.source_channel, decode.Enumerated<SourceChannel>(name, value, ParseSourceChannel,
                                                               AllSourceChannelNames()));
    } else if (name == "subcategory") {
      Assign(out.subcategory, decode.NullableText(name, value, kShortTextMax));
    } else if (name == "department") {
      Assign(out.department, decode.NullableText(name, value, kShortTextMax));
    } else if (name == "resolution_summary") {
      Assign(out.resolution_summary, decode.NullableText(name, value, kNoteMax));
    } else if (name == "internal_notes") {
      Assign(out.internal_notes, decode.NullableText(name, value, kNoteMax));
    } else if (name == "assigned_to_id") {
      Assign(out.assigned_to_id, decode.NullableUuid(name, value));
    } else if (name == "due_date") {
      Assign(out.due_date, decode.NullableTime(name, value));
    } else if (name == "tags") {
      Set(out.tags, decode.Tags(name, value));
    } else if (name == "metadata") {
      Set(out.metadata, decode.Metadata(name, value));
    } else if (name == "reason") {
      // Kept for compatibility with the old assign request; not stored.
      if (!value.is_null() && !value.is_string()) decode.Fail(name, "must be a string or null");
    }
  }

  // The old assign request unassigns when assigned_to_id is left out.
  if (kind == BodyKind::kAssign && !out.assigned_to_id) {
    out.assigned_to_id = std::optional<std::string>{};
  }
  for (const auto member : RequiredMembers(kind)) {
    if (!body.contains(member)) decode.Fail(std::string(member), "is required");
  }
  return errors;
}

std::optional<std::vector<std::string>> DecodeTags(const json& value, const std::string& path,
                                                   FieldErrors& errors) {
  return Decoder(errors).Tags(path, value);
}

Ticket NewTicket(const TicketChanges& changes, const std::string& created_by_id) {
  Ticket ticket;
  ticket.title = changes.title.value_or("");
  ticket.description = changes.description.value_or("");
  ticket.priority = changes.priority.value_or(Priority::kMedium);
  ticket.urgency = changes.urgency.value_or(Priority::kMedium);
  ticket.category = changes.category.value_or(Category::kGeneral);
  ticket.source_channel = changes.source_channel.value_or(SourceChannel::kApi);
  ticket.subcategory = changes.subcategory.value_or(std::nullopt);
  ticket.department = changes.department.value_or(std::nullopt);
  ticket.assigned_to_id = changes.assigned_to_id.value_or(std::nullopt);
  ticket.due_date = changes.due_date.value_or(std::nullopt);
  ticket.resolution_summary = changes.resolution_summary.value_or(std::nullopt);
  ticket.internal_notes = changes.internal_notes.value_or(std::nullopt);
  ticket.tags = changes.tags.value_or(std::vector<std::string>{});
  ticket.metadata = changes.metadata.value_or(json::object());
  ticket.created_by_id = created_by_id;
  return ticket;
}

ApplyResult ApplyChanges(Ticket& ticket, const TicketChanges& changes, const std::string& now) {
  if (changes.Empty()) return ApplyResult::kUnchanged;
  if (changes.status && !IsTransitionAllowed(ticket.status, *changes.status)) {
    return ApplyResult::kInvalidTransition;
  }
  // A merge patch within the limit can still grow the stored metadata past
  // it: the limit holds for the result.
  std::optional<json> metadata = changes.metadata;
  if (metadata && changes.merge_metadata) {
    json merged = ticket.metadata;
    merged.merge_patch(*metadata);
    if (merged.dump().size() > kMetadataMax) return ApplyResult::kMetadataTooLarge;
    metadata = std::move(merged);
  }

  if (changes.status) ApplyStatus(ticket, *changes.status, now);
  if (changes.title) ticket.title = *changes.title;
  if (changes.description) ticket.description = *changes.description;
  if (changes.priority) ticket.priority = *changes.priority;
  if (changes.urgency) ticket.urgency = *changes.urgency;
  if (changes.category) ticket.category = *changes.category;
  if (changes.source_channel) ticket.source_channel = *changes.source_channel;
  if (changes.subcategory) ticket.subcategory = *changes.subcategory;
  if (changes.department) ticket.department = *changes.department;
  if (changes.assigned_to_id) ticket.assigned_to_id = *changes.assigned_to_id;
  if (changes.due_date) ticket.due_date = *changes.due_date;
  if (changes.resolution_summary) ticket.resolution_summary = *changes.resolution_summary;
  if (changes.internal_notes) ticket.internal_notes = *changes.internal_notes;
  if (changes.tags) ticket.tags = *changes.tags;
  if (metadata) ticket.metadata = std::move(*metadata);

  ticket.updated_at = now;
  ticket.last_activity_at = now;
  ++ticket.version;
  return ApplyResult::kApplied;
}

json ToJson(const Ticket& ticket, ViewOptions view) {
  const auto nullable = [](const std::optional<std::string>& value) -> json {
    return value ? json(*value) : json(nullptr);
  };
  json out = {
      {"id", ticket.id},
      {"title", ticket.title},
      {"description", ticket.description},
      {"status", ToString(ticket.status)},
      {"priority", ToString(ticket.priority)},
      {"urgency", ToString(ticket.urgency)},
      {"category", ToString(ticket.category)},
      {"subcategory", nullable(ticket.subcategory)},
      {"department", nullable(ticket.department)},
      {"tags", ticket.tags},
      {"created_by_id", nullable(ticket.created_by_id)},
      {"assigned_to_id", nullable(ticket.assigned_to_id)},
      {"due_date", nullable(ticket.due_date)},
      {"resolution_summary", nullable(ticket.resolution_summary)},
      {"metadata", ticket.metadata},
      {"source_channel", ToString(ticket.source_channel)},
      {"attachments", ticket.attachments},
      {"ai_analysis", view.include_ai ? ticket.ai_analysis : json(nullptr)},
      {"created_at", ticket.created_at},
      {"updated_at", ticket.updated_at},
      {"last_activity_at", ticket.last_activity_at},
      {"resolved_at", nullable(ticket.resolved_at)},
      {"closed_at", nullable(ticket.closed_at)},
      {"is_deleted", false},
      {"version", ticket.version},
  };
  if (view.include_internal) out["internal_notes"] = nullable(ticket.internal_notes);
  return out;
}

}  // namespace ticketd::domain
