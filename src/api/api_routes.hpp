// The whole route table of `ticketd api`, in one place, so that the server
// and the request fuzzer route the same paths.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <functional>

#include "ai/ai_engine.hpp"
#include "api/audit_trail.hpp"
#include "api/authentication.hpp"
#include "api/health_monitor.hpp"
#include "api/live_ai_config.hpp"
#include "common/config.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "storage/ai_config_repository.hpp"
#include "storage/api_key_repository.hpp"
#include "storage/article_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/refresh_token_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

namespace ticketd::api {

// What the handlers of every route hold. All references; nothing is owned,
// and every referenced object must outlive the router the routes go on.
struct ApiRouteDeps {
  const config::Config& config;  // ai_max_input_chars, docs_assets_dir, environment, deploy_color
  storage::TicketRepository& tickets;
  storage::UserRepository& users;
  storage::RefreshTokenRepository& refresh_tokens;
  storage::ApiKeyRepository& api_keys;
  storage::AuditRepository& audit_events;
  storage::ArticleRepository& articles;
  storage::AiConfigRepository& ai_versions;
  AuditTrail& audit;
  Authenticator& authenticator;  // its token settings for /auth; admin changes Forget() in it
  LiveAiConfig& live_ai;
  ai::AiEngine& engine;
  HealthMonitor& health;
  http::Metrics& metrics;
  boost::asio::thread_pool& blocking;  // database work
  boost::asio::thread_pool& hashing;   // password hashing and verification
  boost::asio::thread_pool& drafting;  // AI drafting (providers, tools)
  std::function<bool()> draining;      // true once shutdown started; copied, called per request
};

// Registers every route of the API on `router`: tickets, auth, admin,
// knowledge base, AI configuration, AI, and the system routes (health,
// version, metrics, the OpenAPI document and the documentation pages).
// Starts nothing and connects nothing; like AddSystemRoutes, reads the
// embedded openapi.yaml and config.docs_assets_dir once, here. A route the
// API gains is added here, so that the request fuzzer reaches it too.
void AddApiRoutes(http::Router& router, const ApiRouteDeps& deps);

}  // namespace ticketd::api
