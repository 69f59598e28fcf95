// Configuration changes in the audit trail (issue #3): on start, the API
// records the settings it was given when they differ from the last recorded
// ones, so that an admin can see what changed between deployments and when.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "storage/audit_repository.hpp"

namespace ticketd::api {

// Every setting present in the environment, by name. Secrets (keys,
// passwords) appear only as "(set)"; URLs lose their passwords.
nlohmann::json ConfiguredSettings(const config::EnvLookup& env);

// The names whose values differ between two ConfiguredSettings objects
// (added, removed or changed), sorted.
std::vector<std::string> ChangedSettings(const nlohmann::json& before, const nlohmann::json& after);

// Records a `config.changed` system event with the settings and the names
// that changed, unless the last such event holds the same settings. Never
// throws: a failure is logged as a warning.
void RecordConfiguration(storage::AuditRepository& events, const config::EnvLookup& env);

}  // namespace ticketd::api
