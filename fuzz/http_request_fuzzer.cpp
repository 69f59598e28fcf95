// Fuzzes what a client controls before any handler runs: Beast's request
// parser with the server's limits, the framing checks and CORS preflight of
// the HTTP policy, RouteRequest over the server's whole route table (auth,
// admin, tickets, knowledge base, AI, AI configuration, system), then what
// the guard and the handlers read first from a routed request: the
// credential, the client address behind proxies, the route's access and rate
// budget, the JSON body, If-Match, the path's UUIDs and every list query.
// Handlers are never invoked, so nothing below connects: the pool connects
// on first Acquire(), the health monitor and the live AI configuration only
// once started, and the AI engine only when asked for a draft.
#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/buffer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/ai_config.hpp"
#include "ai/ai_engine.hpp"
#include "api/api_routes.hpp"
#include "api/audit_trail.hpp"
#include "api/authentication.hpp"
#include "api/health_monitor.hpp"
#include "api/live_ai_config.hpp"
#include "api/rate_limit_guard.hpp"
#include "api/reply.hpp"
#include "common/config.hpp"
#include "domain/account_requests.hpp"
#include "domain/article.hpp"
#include "domain/list_query.hpp"
#include "http/http_policy.hpp"
#include "http/metrics.hpp"
#include "http/problem.hpp"
#include "http/router.hpp"
#include "storage/ai_config_repository.hpp"
#include "storage/api_key_repository.hpp"
#include "storage/api_statements.hpp"
#include "storage/article_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/pg_pool.hpp"
#include "storage/refresh_token_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

namespace {

namespace api = ticketd::api;
namespace beast_http = boost::beast::http;
namespace domain = ticketd::domain;
namespace http = ticketd::http;
namespace storage = ticketd::storage;

// A proxy chain and an allowed origin, so that X-Forwarded-For is walked and
// preflights can succeed; the dictionary holds both.
const std::vector<std::string> kTrustedProxies = {"127.0.0.1", "10.0.0.2"};
constexpr std::string_view kPeer = "127.0.0.1";

ticketd::config::Config FuzzConfig() {
  ticketd::config::Config config;
  // Reading the documentation assets is not what is fuzzed; without them
  // /docs answers 503, and its routes are registered all the same.
  config.docs_assets_dir = "/nonexistent/ticketd-fuzz-docs";
  config.cors_origins = {"https://support.example.com"};
  config.trusted_proxies = kTrustedProxies;
  return config;
}

// The router as `ticketd api` builds it (api::AddApiRoutes), with what its
// handlers would need.
// Members are declared in the order main.cpp creates them, since later ones
// hold references to earlier ones.
struct Fixture {
  Fixture()
      : pool(storage::PoolOptions{.url = "postgresql://fuzz@127.0.0.1:1/fuzz",
                                  .size = 1,
                                  .statements = storage::ApiStatements()}),
        tickets(pool),
        users(pool),
        refresh_tokens(pool, std::chrono::days(7)),
        api_keys(pool),
        audit_events(pool),
        articles(pool),
        ai_versions(pool),
        audit(audit_events, blocking, kTrustedProxies),
        authenticator(users, api_keys, blocking, {.jwt_key = "0123456789abcdef0123456789abcdef"}),
        live_ai(ticketd::ai::AiConfig{}, ai_versions),
        engine(live_ai.Current()->config,
               [](const std::string&) { return nlohmann::json::object(); }, nullptr,
               {.keys = [](std::string_view) { return std::optional<std::string>(); }}),
        health({}),
        policy({.cors_origins = config.cors_origins}) {
    api::AddApiRoutes(router, {.config = config,
                               .tickets = tickets,
                               .users = users,
                               .refresh_tokens = refresh_tokens,
                               .api_keys = api_keys,
                               .audit_events = audit_events,
                               .articles = articles,
                               .ai_versions = ai_versions,
                               .audit = audit,
                               .authenticator = authenticator,
                               .live_ai = live_ai,
                               .engine = engine,
                               .health = health,
                               .metrics = metrics,
                               .blocking = blocking,
                               .hashing = hashing,
                               .drafting = drafting,
                               .draining = [] { return false; }});
  }

  const ticketd::config::Config config = FuzzConfig();
  boost::asio::thread_pool blocking{1};
  boost::asio::thread_pool hashing{1};
  boost::asio::thread_pool drafting{1};
  storage::PgPool pool;
  storage::TicketRepository tickets;
  storage::UserRepository users;
  storage::RefreshTokenRepository refresh_tokens;
  storage::ApiKeyRepository api_keys;
  storage::AuditRepository audit_events;
  storage::ArticleRepository articles;
  storage::AiConfigRepository ai_versions;
  api::AuditTrail audit;
  api::Authenticator authenticator;
  api::LiveAiConfig live_ai;
  ticketd::ai::AiEngine engine;
  api::HealthMonitor health;
  http::Metrics metrics;
  http::HttpPolicy policy;
  http::Router router;
};

const Fixture& GetFixture() {
  static const Fixture fixture;
  return fixture;
}

// Parses one request from `data` the way the server's session does: the
// configured limits, the body read with the header. Running out of input
// ends the request (need_more is not an error here, just an incomplete one).
bool ParseRequest(const std::uint8_t* data, std::size_t size,
                  beast_http::request_parser<beast_http::string_body>& parser) {
  const ticketd::config::Config defaults;
  parser.header_limit(static_cast<std::uint32_t>(defaults.max_header_bytes));
  parser.body_limit(defaults.max_body_bytes);
  parser.eager(true);

  boost::beast::error_code ec;
  while (size > 0 && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
    if (ec || used == 0) break;
    data += used;
    size -= used;
  }
  return parser.is_done();
}

// The list queries are decoded whatever the route: each decoder must stand
// any query string, not only the ones its route receives.
void DecodeQueries(const domain::QueryParams& query) {
  domain::ListQuery tickets;
  (void)domain::DecodeListQuery(query, tickets);
  domain::UserQuery users;
  (void)domain::DecodeUserQuery(query, users);
  domain::ApiKeyQuery keys;
  (void)domain::DecodeApiKeyQuery(query, keys);
  domain::AuditQuery audit;
  (void)domain::DecodeAuditQuery(query, audit);
  domain::ArticleQuery articles;
  (void)domain::DecodeArticleQuery(query, articles);
  int page = 1;
  int size = 20;
  domain::FieldErrors errors;
  domain::DecodePaging(query, page, size, errors);
}

// What the guard and a handler read from a routed request before touching
// storage.
void ReadRouted(const http::RequestContext& context) {
  (void)api::AccessOf(context.route, /*metrics_public=*/false);
  (void)api::BudgetOf(context.route);
  (void)api::CredentialOf(context.request);
  (void)api::ClientAddress(context, kTrustedProxies);
  (void)api::ReadJsonBody(context, /*allow_merge_patch=*/true);
  (void)api::IfMatch(context);
  for (const auto& [name, value] : context.path_params)
    (void)api::PathUuid(context, name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  beast_http::request_parser<beast_http::string_body> parser;
  if (!ParseRequest(data, size, parser)) return 0;

  const Fixture& fixture = GetFixture();
  const http::Request& request = parser.get();
  http::RequestContext context{request};
  context.peer_address = kPeer;

  // The server's order: framing, preflight, routing; every answer is decorated.
  http::Response response;
  if (auto refused = http::CheckFraming(request)) {
    response = http::MakeProblemResponse(*refused, "/", "fuzz", request.version());
  } else if (fixture.policy.IsPreflight(request)) {
    auto answer = fixture.policy.AnswerPreflight(request);
    if (auto* answered = std::get_if<http::Response>(&answer)) response = std::move(*answered);
  } else {
    const auto routed = http::RouteRequest(fixture.router, context);
    if (routed.handler != nullptr) ReadRouted(context);
    if (routed.problem) {
      response =
          http::MakeProblemResponse(*routed.problem, context.path, "fuzz", request.version());
    }
    DecodeQueries(context.query);
  }
  fixture.policy.Decorate(request, response);
  response.prepare_payload();
  return 0;
}
