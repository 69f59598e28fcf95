#include "ai/json_schema.hpp"

#include <array>
#include <cmath>
#include <span>
#include <string_view>

#include "domain/time_format.hpp"

namespace ticketd::ai {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 12> kChecked = {
    "type",    "properties", "required",  "additionalProperties",
    "items",   "enum",       "minLength", "maxLength",
    "minimum", "maximum",    "minItems",  "maxItems"};
constexpr std::array<std::string_view, 6> kAnnotations = {"description", "title",    "format",
                                                          "default",     "examples", "$schema"};

bool Contains(std::span<const std::string_view> list, std::string_view item) {
  for (const auto entry : list) {
    if (entry == item) return true;
  }
  return false;
}

bool HasType(const json& value, std::string_view type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    const double number = value.get<double>();
    return std::isfinite(number) && std::floor(number) == number;
  }
  return false;
}

std::string Join(const json& names, std::string_view separator) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += separator;
    out += name.is_string() ? name.get<std::string>() : name.dump();
  }
  return out;
}

std::string Member(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::string FormatNumber(const json& number) {
  return number.dump();
}

class Validator {
 public:
  explicit Validator(domain::FieldErrors& errors) : errors_(errors) {}

  void Check(const json& schema, const json& value, const std::string& path) {
    if (!schema.is_object()) return;
    if (!CheckType(schema, value, path)) return;
    CheckEnum(schema, value, path);
    if (value.is_string()) CheckString(schema, value, path);
    if (value.is_number()) CheckNumber(schema, value, path);
    if (value.is_array()) CheckArray(schema, value, path);
    if (value.is_object()) CheckObject(schema, value, path);
  }

 private:
  bool CheckType(const json& schema, const json& value, const std::string& path) {
    const auto type = schema.find("type");
    if (type == schema.end()) return true;
    const json types = type->is_array() ? *type : json::array({*type});
    for (const auto& name : types) {
      if (name.is_string() && HasType(value, name.get<std::string>())) return true;
    }
    Fail(path, "must be " + Join(types, " or "));
    return false;
  }

  void CheckEnum(const json& schema, const json& value, const std::string& path) {
    const auto allowed = schema.find("enum");
    if (allowed == schema.end() || !allowed->is_array()) return;
    for (const auto& item : *allowed) {
      if (item == value) return;
    }
    Fail(path, "must be one of: " + Join(*allowed, ", "));
  }

  void CheckString(const json& schema, const json& value, const std::string& path) {
    const auto length = domain::CodePointCount(value.get_ref<const std::string&>());
    if (const auto min = schema.find("minLength"); min != schema.end() && min->is_number()) {
      if (static_cast<double>(length) < min->get<double>()) {
        Fail(path, "must be at least " + FormatNumber(*min) + " characters");
      }
    }
    if (const auto max = schema.find("maxLength"); max != schema.end() && max->is_number()) {
      if (static_cast<double>(length) > max->get<double>()) {
        Fail(path, "must be at most " + FormatNumber(*max) + " characters");
      }
    }
  }

  void CheckNumber(const json& schema, const json& value, const std::string& path) {
    const double number = value.get<double>();
    if (const auto min = schema.find("minimum"); min != schema.end() && min->is_number()) {
      if (number < min->get<double>()) Fail(path, "must be at least " + FormatNumber(*min));
    }
    if (const auto max = schema.find("maximum"); max != schema.end() && max->is_number()) {
      if (number > max->get<double>()) Fail(path, "must be at most " + FormatNumber(*max));
    }
  }

  void CheckArray(const json& schema, const json& value, const std::string& path) {
    const auto size = static_cast<double>(value.size());
    if (const auto min = schema.find("minItems"); min != schema.end() && min->is_number()) {
      if (size < min->get<double>())
        Fail(path, "must have at least " + FormatNumber(*min) + " items");
    }
    if (const auto max = schema.find("maxItems"); max != schema.end() && max->is_number()) {
      if (size > max->get<double>())
        Fail(path, "must have at most " + FormatNumber(*max) + " items");
    }
    const auto items = schema.find("items");
    if (items == schema.end()) return;
    for (std::size_t i = 0; i < value.size(); ++i)
      Check(*items, value[i], path + "[" + std::to_string(i) + "]");
  }

  void CheckObject(const json& schema, const json& value, const std::string& path) {
    if (const auto required = schema.find("required"); required != schema.end()) {
      for (const auto& name : *required) {
        if (name.is_string() && !value.contains(name.get<std::string>())) {
          Fail(Member(path, name.get<std::string>()), "is required");
        }
      }
    }
    const auto properties = schema.find("properties");
    const auto additional = schema.find("additionalProperties");
    for (const auto& [name, member] : value.items()) {
      const std::string member_path = Member(path, name);
      if (properties != schema.end() && properties->contains(name)) {
        Check((*properties)[name], member, member_path);
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          Fail(member_path, "is not allowed");
        } else if (additional->is_object()) {
          Check(*additional, member, member_path);
        }
      }
    }
  }

  void Fail(const std::string& path, std::string reason) {
    errors_.push_back({path, std::move(reason)});
  }

  domain::FieldErrors& errors_;
};

void CollectUnknown(const json& schema, const std::string& path, std::vector<std::string>& out) {
  if (!schema.is_object()) return;
  for (const auto& [keyword, value] : schema.items()) {
    const std::string here = path.empty() ? keyword : path + "." + keyword;
    if (Contains(kAnnotations, keyword)) continue;
    if (!Contains(kChecked, keyword)) {
      out.push_back(here);
      continue;
    }
    if (keyword == "properties" && value.is_object()) {
      for (const auto& [name, member] : value.items())
        CollectUnknown(member, here + "." + name, out);
    } else if (keyword == "items" || keyword == "additionalProperties") {
      CollectUnknown(value, here, out);
    }
  }
}

}  // namespace

domain::FieldErrors ValidateJson(const json& schema, const json& value, const std::string& root) {
  domain::FieldErrors errors;
  Validator(errors).Check(schema, value, root);
  return errors;
}

std::vector<std::string> CheckSchemaSubset(const json& schema) {
  std::vector<std::string> unknown;
  CollectUnknown(schema, "", unknown);
  return unknown;
}

nlohmann::json EnumValues(std::span<const std::string_view> names) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto name : names)
    out.push_back(name);
  return out;
}

}  // namespace ticketd::ai
