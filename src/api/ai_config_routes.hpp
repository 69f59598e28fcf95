// The live AI configuration under /api/v1/ai/config (issue #4), for admins:
// read the configuration in use, store a new version, list the versions and
// roll back to one (0 is the defaults file). Every change is audited and
// reaches every process within AI_CONFIG_REFRESH_MS.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "api/audit_trail.hpp"
#include "api/live_ai_config.hpp"
#include "http/router.hpp"
#include "storage/ai_config_repository.hpp"

namespace ticketd::api {

struct AiConfigDeps {
  LiveAiConfig& live;
  storage::AiConfigRepository& versions;
  AuditTrail& audit;
  boost::asio::thread_pool& blocking;
};

// Registers the routes; everything in `deps` must outlive the router.
void AddAiConfigRoutes(http::Router& router, AiConfigDeps deps);

// Decodes a PUT body {config, comment?}: the configuration's errors carry
// paths under `config.`. On success fills `config` and `comment`.
domain::FieldErrors DecodeAiConfigChange(const nlohmann::json& body, ai::AiConfig& config,
                                         std::optional<std::string>& comment);

}  // namespace ticketd::api
