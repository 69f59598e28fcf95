// ticketd: one binary, one role per subcommand.
#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <CLI/CLI.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "analysis/batch.hpp"
#include "api/agent_tools.hpp"
#include "api/ai_routes.hpp"
#include "api/api_routes.hpp"
#include "api/audit_trail.hpp"
#include "api/auth_routes.hpp"
#include "api/authentication.hpp"
#include "api/config_audit.hpp"
#include "api/health_monitor.hpp"
#include "api/live_ai_config.hpp"
#include "api/rate_limit_guard.hpp"
#include "common/build_info.hpp"
#include "common/config.hpp"
#include "common/log.hpp"
#include "domain/access.hpp"
#include "domain/credentials.hpp"
#include "http/health_probe.hpp"
#include "http/server.hpp"
#include "storage/ai_config_repository.hpp"
#include "storage/api_key_repository.hpp"
#include "storage/api_statements.hpp"
#include "storage/article_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/migrator.hpp"
#include "storage/pg_pool.hpp"
#include "storage/rate_limiter.hpp"
#include "storage/refresh_token_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

namespace {

using namespace ticketd;

constexpr int kExitConfig = 2;
constexpr int kExitFailure = 1;

std::string EnvironmentHelp() {
  std::string text = "\nEnvironment variables:\n";
  for (const auto& setting : config::AllSettings()) {
    std::string line = "  " + std::string(setting.name);
    line.resize(33, ' ');
    line += setting.description;
    if (!setting.default_value.empty()) line += " [" + std::string(setting.default_value) + "]";
    text += line + "\n";
  }
  return text;
}

// Loads the configuration or explains in one line what is wrong.
std::optional<config::Config> LoadOrExplain(config::Needs needs) {
  auto loaded = config::Load(config::ProcessEnv, needs);
  if (auto* error = std::get_if<std::string>(&loaded)) {
    std::fprintf(stderr, "ticketd: configuration error: %s\n", error->c_str());
    return std::nullopt;
  }
  auto config = std::get<config::Config>(std::move(loaded));
  log::SetLevel(config.log_level);
  return config;
}

// JWT_SECRET_KEY, or in development and testing a random key for this run
// (tokens then die with the process).
// The AI defaults of AI_CONFIG_PATH, or std::nullopt after saying what is
// wrong with them.
std::optional<ai::AiConfig> LoadAiDefaults(const config::Config& config) {
  auto loaded = ai::LoadAiConfigFile(config.ai_config_path);
  if (auto* errors = std::get_if<domain::FieldErrors>(&loaded)) {
    std::fprintf(stderr, "ticketd: configuration error: AI_CONFIG_PATH %s:\n",
                 config.ai_config_path.c_str());
    for (const auto& error : *errors)
      std::fprintf(stderr, "  %s: %s\n", error.path.empty() ? "(file)" : error.path.c_str(),
                   error.reason.c_str());
    return std::nullopt;
  }
  return std::get<ai::AiConfig>(std::move(loaded));
}

std::string JwtKey(const config::Config& config) {
  if (!config.jwt_secret_key.empty()) return config.jwt_secret_key;
  log::Warn("auth", "JWT_SECRET_KEY is not set; using a random key for this run");
  return domain::NewOpaqueToken();
}

int RunApi() {
  const auto config = LoadOrExplain({.database = true, .redis = true});
  if (!config) return kExitConfig;
  const auto policy = storage::LoadRateLimitPolicy(config::ProcessEnv);
  if (const auto* error = std::get_if<std::string>(&policy)) {
    std::fprintf(stderr, "ticketd: configuration error: %s\n", error->c_str());
    return kExitConfig;
  }
  auto ai_defaults = LoadAiDefaults(*config);
  if (!ai_defaults) return kExitConfig;

  storage::PgPool pool({.url = config->database_url,
                        .size = config->db_pool_size,
                        .acquire_timeout = config->db_acquire_timeout,
                        .statement_timeout = config->db_statement_timeout,
                        .connect_timeout = config->db_connect_timeout,
                        .statements = storage::ApiStatements()});
  storage::TicketRepository tickets(pool);
  boost::asio::thread_pool blocking(static_cast<std::size_t>(config->db_pool_size));

  api::HealthMonitor health(
      {.database_url = config->database_url,
       .redis_url = config->redis_url,
       .redis_tls_ca_file = config->redis_tls_ca_file,
       .mcp_server_url = config->mcp_server_url,
       .expected_schema_version = storage::EmbeddedMigrations().back().version,
       .interval = config->health_interval});
  health.Start();

  storage::RateLimiter limiter({.redis_url = config->redis_url,
                                .tls_ca_file = config->redis_tls_ca_file,
                                .policy = std::get<storage::RateLimitPolicy>(policy),
                                .key_prefix = config->rate_limit_key_prefix,
                                .fail_open = config->rate_limit_fail_open});
  boost::asio::thread_pool limiter_pool(4);

  storage::AuditRepository audit_events(pool);
  api::RecordConfiguration(audit_events, config::ProcessEnv);
  api::AuditTrail audit(audit_events, blocking, config->trusted_proxies);

  http::Metrics metrics;
  metrics.SetScrapeHook([&pool, &health, &limiter, &audit](http::Metrics& m) {
    const auto stats = pool.GetStats();
    m.SetPool(stats.size, stats.open, stats.in_use, static_cast<double>(stats.timeouts));
    const auto snapshot = health.Get();
    m.SetDependency("database", snapshot.database.ok);
    m.SetDependency("redis", snapshot.redis.ok);
    m.SetDependency("mcp_server", snapshot.mcp.ok);
    m.SetRateLimitDegraded(static_cast<double>(limiter.degraded_decisions()));
    m.SetAuditFailures(static_cast<double>(audit.Failures()));
  });

  http::Router router;
  http::Server* server_ref = nullptr;
  storage::UserRepository users(pool);
  storage::RefreshTokenRepository refresh_tokens(pool, std::chrono::days(7));
  storage::ApiKeyRepository api_keys(pool);
  api::Authenticator authenticator(users, api_keys, blocking, {.jwt_key = JwtKey(*config)});
  boost::asio::thread_pool hashing(static_cast<std::size_t>(config->password_hash_threads));
  storage::ArticleRepository articles(pool);
  storage::AiConfigRepository ai_versions(pool);
  api::LiveAiConfig live_ai(std::move(*ai_defaults), ai_versions);
  ai::ToolRegistry tools;
  api::AddAgentTools(
      tools,
      {.articles = articles, .tickets = tickets, .max_input_chars = config->ai_max_input_chars});
  const auto max_input = config->ai_max_input_chars;
  ai::AiEngine engine(
      live_ai.Current()->config,
      [max_input](const std::string& text) { return api::OfflineDraft(text, max_input); }, &tools,
      {.keys = config::ProcessEnv, .openai_base_url = config->openai_base_url});
  live_ai.OnChange(
      [&engine](const api::AiConfigSnapshot& next) { engine.Reconfigure(next.config); });
  boost::asio::thread_pool drafting(static_cast<std::size_t>(config->ai_threads));
  api::AddApiRoutes(router, {.config = *config,
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
                             .draining = [&server_ref] {
                               return server_ref != nullptr && server_ref->Draining();
                             }});

  http::Server server(
      {.address = config->bind_address,
       .port = config->port,
       .threads = config->http_threads,
       .max_body_bytes = config->max_body_bytes,
       .max_header_bytes = config->max_header_bytes,
       .idle_timeout = config->idle_timeout,
       .read_timeout = config->read_timeout,
       .max_connections = config->max_connections,
       .shutdown_grace = config->shutdown_grace,
       .policy = http::HttpPolicy(
           {.cors_origins = config->cors_origins, .strict_transport = config->IsStrict()}),
       .guard = api::MakeRequestGuard(
           authenticator, api::MakeRateLimitGuard(limiter, limiter_pool, config->trusted_proxies),
           config->metrics_public)},
      router, metrics);
  server_ref = &server;
  try {
    server.Listen();
  } catch (const boost::system::system_error& error) {
    std::fprintf(stderr, "ticketd: cannot listen on %s:%u: %s\n", config->bind_address.c_str(),
                 static_cast<unsigned>(config->port), error.code().message().c_str());
    return kExitFailure;
  }
  log::Info("api", "listening",
            {{"address", config->bind_address},
             {"port", server.Port()},
             {"environment", config->environment},
             {"version", build::Version()},
             {"commit", build::Commit()},
             {"database", config::RedactUrl(config->database_url)}});

  live_ai.Start(config->ai_config_refresh);
  server.Run();
  live_ai.Stop();
  drafting.join();
  blocking.join();
  hashing.join();
  limiter_pool.join();
  pool.Close();
  health.Stop();
  log::Info("api", "exited cleanly");
  return 0;
}

int RunMigrate(const std::string& action) {
  const auto config = LoadOrExplain({.database = true, .redis = false, .signing = false});
  if (!config) return kExitConfig;
  try {
    pqxx::connection connection(storage::ConnectionUrl(
        config->database_url, config->db_connect_timeout, std::chrono::minutes(15)));
    storage::Migrator migrator(connection, storage::EmbeddedMigrations());
    if (action == "up") {
      const auto applied = migrator.Up();
      std::printf("migrate up: %zu applied, database at version %d\n", applied.size(),
                  migrator.CurrentVersion());
    } else if (action == "down") {
      const auto reverted = migrator.Down();
      if (reverted) {
        std::printf("migrate down: reverted %d, database at version %d\n", *reverted,
                    migrator.CurrentVersion());
      } else {
        std::printf("migrate down: nothing to revert\n");
      }
    } else {
      for (const auto& state : migrator.Status()) {
        std::printf("%04d  %-32s  %s\n", state.version, state.name.c_str(),
                    state.applied_at ? state.applied_at->c_str() : "pending");
      }
    }
    return 0;
  } catch (const pqxx::broken_connection& error) {
    std::fprintf(stderr, "ticketd: cannot connect to the database (%s)\n",
                 config::RedactUrl(config->database_url).c_str());
    return kExitFailure;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ticketd: migrate %s failed: %s\n", action.c_str(), error.what());
    return kExitFailure;
  }
}

// `ticketd healthcheck [api]`: the image's HEALTHCHECK. Asks the role
// running beside it (the API: GET /health/live on HOST, PORT) for an answer
// within kHealthcheckDeadline; 0 when it answered 2xx, else 1 (also for a
// configuration error), with one line saying what it saw.
constexpr std::chrono::milliseconds kHealthcheckDeadline{3000};

int RunHealthcheck() {
  const auto config = LoadOrExplain({.database = false, .redis = false, .signing = false});
  if (!config) return kExitFailure;
  const auto result = http::Probe(
      {.host = http::ProbeHost(config->bind_address), .port = config->port, .path = "/health/live"},
      kHealthcheckDeadline);
  std::printf("healthcheck api: %s\n", result.detail.c_str());
  return result.healthy ? 0 : kExitFailure;
}

struct UserOptions {
  std::string email;
  std::string full_name;
  std::string role = "user";
  bool update = false;
};

// `ticketd user create`: an account made by an operator (the first admin,
// local development). The password is read from standard input so that it
// never shows in a process list or a shell history.
int RunUserCreate(const UserOptions& options) {
  const auto config = LoadOrExplain({.database = true, .redis = false, .signing = false});
  if (!config) return kExitConfig;
  const auto email = api::NormalizeEmail(options.email);
  if (!email) {
    const auto problem = api::EmailProblem(options.email).value_or("is not accepted");
    std::fprintf(stderr, "ticketd: --email %s\n", problem.c_str());
    return kExitConfig;
  }
  const auto role = domain::ParseRole(options.role);
  if (!role) {
    std::fprintf(stderr, "ticketd: --role must be one of admin, manager, agent, user, api_user\n");
    return kExitConfig;
  }
  const std::string full_name = options.full_name.empty() ? *email : options.full_name;
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (const auto reason = domain::CheckPassword(password, *email)) {
    std::fprintf(stderr, "ticketd: the password on standard input %s\n", reason->c_str());
    return kExitConfig;
  }
  try {
    storage::PgPool pool({.url = config->database_url,
                          .size = 1,
                          .acquire_timeout = config->db_acquire_timeout,
                          .statement_timeout = config->db_statement_timeout,
                          .connect_timeout = config->db_connect_timeout,
                          .statements = storage::UserRepository::Statements()});
    storage::UserRepository users(pool);
    const auto hash = domain::HashPassword(password);
    auto created = users.Create(*email, full_name, hash, *role);
    if (std::holds_alternative<storage::EmailTaken>(created)) {
      if (!options.update) {
        std::fprintf(stderr, "ticketd: an account with this email exists (--update resets it)\n");
        return kExitFailure;
      }
      const auto existing = users.FindByEmail(*email);
      const auto updated = existing ? users.Update(existing->id, {.full_name = full_name,
                                                                  .password_hash = hash,
                                                                  .role = *role,
                                                                  .is_active = true})
                                    : std::nullopt;
      if (!updated) {
        std::fprintf(stderr, "ticketd: the account vanished while being updated; retry\n");
        return kExitFailure;
      }
      created = *updated;
    }
    const auto& user = std::get<storage::User>(created);
    std::printf("%s\n",
                nlohmann::json(
                    {{"id", user.id}, {"email", user.email}, {"role", domain::ToString(user.role)}})
                    .dump()
                    .c_str());
    pool.Close();
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ticketd: user create failed: %s\n", error.what());
    return kExitFailure;
  }
}

struct AnalyzeOptions {
  std::string format = "auto";
  std::size_t max_chars = analysis::AnalyzerOptions{}.max_input_chars;
};

// `ticketd analyze`: the offline analyzer over standard input, one JSON
// record per line out. JSON lines in ("jsonl"), one plain-text report per
// line ("lines"), or the whole input as one report ("text"); "auto" reads
// JSON lines when the input starts with '{'. Exits 1 when a record was
// refused, so that a batch job notices.
int RunAnalyze(const AnalyzeOptions& options) {
  const analysis::AnalyzerOptions analyzer{.max_input_chars = options.max_chars};
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  auto format = options.format;
  if (format == "auto") {
    const auto first = input.find_first_not_of(" \t\r\n");
    format = first != std::string::npos && input[first] == '{' ? "jsonl" : "text";
  }
  bool refused = false;
  auto emit = [&refused](const nlohmann::json& record) {
    refused = refused || !record.value("ok", false);
    std::cout << record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  };
  if (format == "text") {
    emit(analysis::AnalyzeTextRecord(input, analyzer));
  } else {
    std::size_t start = 0;
    while (start < input.size()) {
      auto end = input.find('\n', start);
      if (end == std::string::npos) end = input.size();
      const std::string_view line(input.data() + start, end - start);
      start = end + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      emit(format == "jsonl" ? analysis::AnalyzeJsonRecord(line, analyzer)
                             : analysis::AnalyzeTextRecord(line, analyzer));
    }
  }
  std::cout.flush();
  return refused ? kExitFailure : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ticketd: the AI Ticket Creator service", "ticketd"};
  app.footer(EnvironmentHelp());
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string(build::Version()) + " (" + std::string(build::Commit()) + ")");

  auto* api = app.add_subcommand("api", "serve the REST API (PORT, default 8000)");
  auto* migrate = app.add_subcommand("migrate", "apply, revert or list schema migrations");
  std::string action = "status";
  migrate->add_option("action", action, "up, down (the newest one) or status")
      ->check(CLI::IsMember({"up", "down", "status"}))
      ->required();

  auto* user = app.add_subcommand("user", "manage accounts from the command line");
  user->require_subcommand(1);
  auto* user_create = user->add_subcommand(
      "create", "create an account; the password is read from standard input (one line)");
  UserOptions user_options;
  user_create->add_option("--email", user_options.email, "the account's email")->required();
  user_create->add_option("--name", user_options.full_name, "full name (default: the email)");
  user_create->add_option("--role", user_options.role, "admin, manager, agent, user or api_user")
      ->default_val("user");
  user_create->add_flag("--update", user_options.update,
                        "when the email exists, set its name, role and password and reactivate it");

  auto* healthcheck = app.add_subcommand(
      "healthcheck", "exit 0 when the role on this host answers its liveness probe, else 1");
  std::string healthcheck_role = "api";
  healthcheck->add_option("role", healthcheck_role, "the role to ask (api: /health/live on PORT)")
      ->check(CLI::IsMember({"api"}))
      ->default_val("api");

  auto* analyze = app.add_subcommand(
      "analyze", "run the offline analyzer over standard input; one JSON analysis per line out");
  AnalyzeOptions analyze_options;
  analyze
      ->add_option("--format", analyze_options.format,
                   "jsonl (objects with title and body, or user_input), lines (one text per "
                   "line), text (all of stdin is one report) or auto")
      ->check(CLI::IsMember({"auto", "jsonl", "lines", "text"}))
      ->default_val("auto");
  analyze
      ->add_option("--max-chars", analyze_options.max_chars,
                   "longest input accepted, in characters")
      ->check(CLI::PositiveNumber)
      ->default_val(analyze_options.max_chars);

  CLI11_PARSE(app, argc, argv);

  if (*api) return RunApi();
  if (*migrate) return RunMigrate(action);
  if (*user_create) return RunUserCreate(user_options);
  if (*healthcheck) return RunHealthcheck();
  if (*analyze) return RunAnalyze(analyze_options);
  return 0;
}
