// Service routes outside the tickets API: health, version, metrics, the
// OpenAPI document and the documentation pages.
#pragma once

#include <functional>
#include <string>

#include "api/health_monitor.hpp"
#include "common/config.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace ticketd::api {

struct SystemDependencies {
  const config::Config& config;
  HealthMonitor& health;
  http::Metrics& metrics;
  std::function<bool()> draining;  // true once shutdown started
};

// Registers the routes. Loads openapi.yaml from the binary and the
// documentation assets from config.docs_assets_dir once, here; a missing
// asset folder is logged and makes /docs and /redoc answer 503.
void AddSystemRoutes(http::Router& router, SystemDependencies dependencies);

// openapi.yaml converted to JSON (throws when the embedded file is invalid).
nlohmann::json OpenApiAsJson();

}  // namespace ticketd::api
