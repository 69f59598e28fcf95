#include "domain/account_requests.hpp"

#include <algorithm>
#include <array>

#include "domain/ticket.hpp"
#include "domain/time_format.hpp"

namespace ticketd::domain {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxSearchLength = 200;
constexpr std::size_t kMaxFilterLength = 200;
constexpr std::size_t kMaxKeyName = 100;

std::string RoleList() {
  std::string names;
  for (const auto name : AllRoleNames())
    names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

std::optional<Role> DecodeRole(const json& value, const char* path, FieldErrors& errors) {
  const auto role =
      value.is_string() ? ParseRole(value.get_ref<const std::string&>()) : std::nullopt;
  if (!role) errors.push_back({path, "must be one of " + RoleList()});
  return role;
}

// A single-valued text filter of at most kMaxFilterLength bytes; empty means absent.
void DecodeTextParam(const QueryParams& params, const char* name, std::optional<std::string>& out,
                     FieldErrors& errors) {
  const auto* value = SingleParam(params, name);
  if (value == nullptr || value->empty()) return;
  if (value->size() > kMaxFilterLength) {
    errors.push_back({name, "must be at most " + std::to_string(kMaxFilterLength) + " bytes"});
    return;
  }
  out = *value;
}

}  // namespace

std::optional<std::string> DecodeText(const json& value, const char* path, std::size_t max,
                                      FieldErrors& errors) {
  if (!value.is_string()) {
    errors.push_back({path, "must be a string"});
    return std::nullopt;
  }
  const auto& text = value.get_ref<const std::string&>();
  if (!IsStorableText(text)) {
    errors.push_back({path, "must not contain NUL (\\u0000) characters"});
    return std::nullopt;
  }
  if (max > 0 && CodePointCount(text) > max) {
    errors.push_back({path, "must be at most " + std::to_string(max) + " characters"});
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> DecodeDisplayName(const json& value, const char* path, std::size_t max,
                                             FieldErrors& errors) {
  auto text = DecodeText(value, path, max, errors);
  if (!text) return std::nullopt;
  if (IsBlank(*text)) {
    errors.push_back({path, "must not be empty or blank"});
    return std::nullopt;
  }
  if (!IsPlainLine(*text)) {
    errors.push_back({path, "must be one line without control characters or direction overrides"});
    return std::nullopt;
  }
  return text;
}

FieldErrors DecodeUserQuery(const QueryParams& params, UserQuery& out) {
  FieldErrors errors;
  if (!DecodeStorableParams(params, errors)) return errors;
  DecodePaging(params, out.page, out.size, errors);
  if (const auto* role = SingleParam(params, "role")) {
    out.role = ParseRole(*role);
    if (!out.role) errors.push_back({"role", "must be one of " + RoleList()});
  }
  DecodeBoolParam(params, "is_active", out.is_active, errors);
  if (const auto* q = SingleParam(params, "q"); q && !q->empty()) {
    if (q->size() > kMaxSearchLength) {
      errors.push_back({"q", "must be at most " + std::to_string(kMaxSearchLength) + " bytes"});
    } else {
      out.text = *q;
    }
  }
  return errors;
}

FieldErrors DecodeApiKeyQuery(const QueryParams& params, ApiKeyQuery& out) {
  FieldErrors errors;
  if (!DecodeStorableParams(params, errors)) return errors;
  DecodePaging(params, out.page, out.size, errors);
  std::optional<bool> active_only;
  DecodeBoolParam(params, "active_only", active_only, errors);
  out.active_only = active_only.value_or(false);
  return errors;
}

FieldErrors DecodeAuditQuery(const QueryParams& params, AuditQuery& out) {
  FieldErrors errors;
  if (!DecodeStorableParams(params, errors)) return errors;
  DecodePaging(params, out.page, out.size, errors);
  DecodeTextParam(params, "event", out.event, errors);
  DecodeTextParam(params, "target", out.target, errors);
  if (const auto* actor = SingleParam(params, "actor_id")) {
    if (IsUuid(*actor)) {
      out.actor_id = *actor;
    } else {
      errors.push_back({"actor_id", "must be a UUID"});
    }
  }
  for (const auto* name : {"since", "until"}) {
    const auto* value = SingleParam(params, name);
    if (value == nullptr) continue;
    if (auto problem = Rfc3339Problem(*value)) {
      errors.push_back({name, Rfc3339Reason(*problem)});
    } else {
      (std::string_view(name) == "since" ? out.since : out.until) = *value;
    }
  }
  return errors;
}

FieldErrors DecodeAccessChange(const json& body, AccessChange& out) {
  static constexpr std::array<std::string_view, 2> kKnown = {"role", "is_active"};
  FieldErrors errors;
  if (!CheckMembers(body, kKnown, errors)) return errors;
  if (const auto role = body.find("role"); role != body.end()) {
    out.role = DecodeRole(*role, "role", errors);
  }
  if (const auto active = body.find("is_active"); active != body.end()) {
    if (active->is_boolean()) {
      out.is_active = active->get<bool>();
    } else {
      errors.push_back({"is_active", "must be true or false"});
    }
  }
  return errors;
}

FieldErrors DecodeApiKeyRequest(const json& body, ApiKeyRequest& out) {
  static constexpr std::array<std::string_view, 2> kKnown = {"name", "role"};
  FieldErrors errors;
  if (!CheckMembers(body, kKnown, errors)) return errors;
  if (const auto name = body.find("name"); name == body.end()) {
    errors.push_back({"name", "is required"});
  } else if (auto text = DecodeDisplayName(*name, "name", kMaxKeyName, errors)) {
    out.name = std::move(*text);
  }
  if (const auto role = body.find("role"); role == body.end()) {
    errors.push_back({"role", "is required"});
  } else if (const auto parsed = DecodeRole(*role, "role", errors)) {
    out.role = *parsed;
  }
  return errors;
}

FieldErrors DecodeProfileChange(const json& body, ProfileChange& out) {
  static constexpr std::array<std::string_view, 3> kKnown = {"full_name", "password",
                                                             "current_password"};
  FieldErrors errors;
  if (!CheckMembers(body, kKnown, errors)) return errors;
  if (const auto name = body.find("full_name"); name != body.end()) {
    if (auto text = DecodeDisplayName(*name, "full_name", kMaxFullName, errors)) {
      out.full_name = std::move(*text);
    }
  }
  // Password limits are CheckPassword's; here only the type.
  for (const auto* member : {"password", "current_password"}) {
    const auto found = body.find(member);
    if (found == body.end()) continue;
    auto text = DecodeText(*found, member, 0, errors);
    (std::string_view(member) == "password" ? out.password : out.current_password) =
        std::move(text);
  }
  if (out.password && !out.current_password && body.find("current_password") == body.end()) {
    errors.push_back({"current_password", "is required to change the password"});
  }
  return errors;
}

bool CheckMembers(const json& body, std::span<const std::string_view> known, FieldErrors& errors) {
  if (!body.is_object()) {
    errors.push_back({"body", "must be a JSON object"});
    return false;
  }
  for (const auto& [name, value] : body.items()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      errors.push_back({name, "is not a known member"});
    }
  }
  return true;
}

std::string EmailDomain(std::string_view email) {
  const auto at = email.rfind('@');
  if (at == std::string_view::npos) return {};
  return std::string(email.substr(at + 1));
}

}  // namespace ticketd::domain
