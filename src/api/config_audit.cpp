#include "api/config_audit.hpp"

#include <algorithm>
#include <set>

#include "common/build_info.hpp"
#include "common/log.hpp"

namespace ticketd::api {
namespace {

constexpr const char* kEvent = "config.changed";

bool IsSecret(std::string_view name) {
  return name.ends_with("_KEY") || name.find("SECRET") != std::string_view::npos ||
         name.find("PASSWORD") != std::string_view::npos;
}

bool IsUrl(std::string_view name) {
  return name.ends_with("_URL");
}

}  // namespace

nlohmann::json ConfiguredSettings(const config::EnvLookup& env) {
  nlohmann::json settings = nlohmann::json::object();
  for (const auto& setting : config::AllSettings()) {
    const auto value = env(setting.name);
    if (!value || value->empty()) continue;
    const std::string name(setting.name);
    if (IsSecret(name)) {
      settings[name] = "(set)";
    } else if (IsUrl(name)) {
      settings[name] = config::RedactUrl(*value);
    } else {
      settings[name] = *value;
    }
  }
  return settings;
}

std::vector<std::string> ChangedSettings(const nlohmann::json& before,
                                         const nlohmann::json& after) {
  std::set<std::string> names;
  for (const auto* side : {&before, &after}) {
    if (!side->is_object()) continue;
    for (const auto& [name, value] : side->items())
      names.insert(name);
  }
  std::vector<std::string> changed;
  for (const auto& name : names) {
    const auto old_value = before.is_object() ? before.find(name) : before.end();
    const auto new_value = after.is_object() ? after.find(name) : after.end();
    const bool had = before.is_object() && old_value != before.end();
    const bool has = after.is_object() && new_value != after.end();
    if (had != has || (had && *old_value != *new_value)) changed.push_back(name);
  }
  return changed;
}

void RecordConfiguration(storage::AuditRepository& events, const config::EnvLookup& env) {
  try {
    const auto settings = ConfiguredSettings(env);
    const auto last = events.List({.size = 1, .event = kEvent});
    nlohmann::json previous = nlohmann::json::object();
    if (!last.items.empty()) previous = last.items.front().detail.value("settings", previous);
    const auto changed = ChangedSettings(previous, settings);
    if (!last.items.empty() && changed.empty()) return;

    storage::AuditEvent event;
    event.event = kEvent;
    event.actor_kind = "system";
    event.detail = {{"settings", settings},
                    {"changed", changed},
                    {"version", build::Version()},
                    {"commit", build::Commit()}};
    events.Record(event);
    log::Info("audit", "configuration recorded", {{"changed", changed.size()}});
  } catch (const std::exception& error) {
    log::Warn("audit", "could not record the configuration", {{"error", error.what()}});
  }
}

}  // namespace ticketd::api
