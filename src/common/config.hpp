// Configuration from environment variables. The names follow the old
// backend's where it had them; every setting is listed in kSettings, which
// feeds `ticketd --help` and .env.example.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ticketd::config {

struct SettingInfo {
  std::string_view name;
  std::string_view default_value;  // empty when there is none
  std::string_view description;
};

// Every setting the binary reads, in the order --help lists them.
std::span<const SettingInfo> AllSettings();

struct Config {
  std::string environment = "development";
  std::string log_level = "info";
  std::string database_url;  // normalised for libpq (see NormalizeDatabaseUrl)
  std::string redis_url;
  std::string redis_tls_ca_file;  // empty: the system's CAs only
  std::string jwt_secret_key;
  std::string bind_address = "0.0.0.0";
  std::uint16_t port = 8000;
  std::uint16_t mcp_port = 8001;
  std::uint16_t monitor_port = 5555;
  int http_threads = 2;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds read_timeout{30};
  int max_connections = 900;
  std::chrono::seconds shutdown_grace{20};
  int db_pool_size = 8;
  std::chrono::milliseconds db_statement_timeout{5000};
  std::chrono::seconds db_connect_timeout{5};
  std::chrono::milliseconds db_acquire_timeout{3000};
  std::chrono::seconds health_interval{5};
  std::string mcp_server_url;
  std::string docs_assets_dir;
  std::string deploy_color;
  std::vector<std::string> cors_origins;
  std::vector<std::string> trusted_proxies;  // exact IP addresses
  bool rate_limit_fail_open = true;
  std::string rate_limit_key_prefix = "ratelimit";
  bool metrics_public = true;
  int password_hash_threads = 2;
  std::string upload_dir = "./uploads";
  std::string ai_config_path = "config/ai_config.yaml";
  std::chrono::milliseconds ai_config_refresh{2000};
  std::size_t ai_max_input_chars = 50'000;
  int ai_threads = 8;
  std::string openai_api_key;
  std::string openai_base_url;
  std::string gemini_api_key;
  std::string anthropic_api_key;

  bool IsStrict() const { return environment == "staging" || environment == "production"; }
};

// What a subcommand needs; a missing required value stops the start.
struct Needs {
  bool database = true;
  bool redis = true;
  bool signing = true;  // JWT_SECRET_KEY, checked in staging and production
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment.
std::optional<std::string> ProcessEnv(std::string_view name);

// On failure the string is one line: the variable's name and what is wrong.
using LoadResult = std::variant<Config, std::string>;
LoadResult Load(const EnvLookup& env, Needs needs);

// Turns a DATABASE_URL as the old backend accepted it into a libpq URL:
// `postgresql+asyncpg://` and `postgres://` become `postgresql://`, and
// asyncpg's `ssl=` becomes libpq's `sslmode=`. Returns std::nullopt when the
// scheme is not PostgreSQL's.
std::optional<std::string> NormalizeDatabaseUrl(std::string_view url);

// `text` without leading and trailing spaces and tabs.
std::string_view Trim(std::string_view text);

// Adds `key=value` (value percent-encoded) to a URL's query string.
std::string AppendUrlParameter(std::string url, std::string_view key, std::string_view value);

// Splits CORS_ORIGINS ("a, b,c") into `origins`. Returns the first invalid
// entry's problem as a one-line message instead when there is one.
std::optional<std::string> ParseCorsOrigins(std::string_view text,
                                            std::vector<std::string>& origins);

// The URL without its password, for logs.
std::string RedactUrl(std::string_view url);

}  // namespace ticketd::config
