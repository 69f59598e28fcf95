#include "common/config.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace ticketd::config {
namespace {

constexpr std::array<SettingInfo, 44> kSettings = {{
    {"DATABASE_URL", "", "PostgreSQL URL (postgresql:// or postgresql+asyncpg://); required"},
    {"REDIS_URL", "", "Redis URL (redis://, or rediss:// for TLS); required by api"},
    {"REDIS_TLS_CA_FILE", "",
     "PEM file of CAs trusted for rediss:// besides the system's (unset: the system's only)"},
    {"JWT_SECRET_KEY", "", "token signing key; required in staging and production"},
    {"ENVIRONMENT", "development", "development, testing, staging or production"},
    {"LOG_LEVEL", "info", "debug, info, warning or error"},
    {"HOST", "0.0.0.0", "address the servers listen on"},
    {"PORT", "8000", "API port"},
    {"MCP_PORT", "8001", "MCP server port"},
    {"MONITOR_PORT", "5555", "monitor dashboard port"},
    {"HTTP_THREADS", "cores", "threads serving HTTP"},
    {"HTTP_MAX_BODY_BYTES", "1048576", "largest request body accepted (413 above)"},
    {"HTTP_MAX_HEADER_BYTES", "16384", "largest request header block accepted (431 above)"},
    {"HTTP_IDLE_TIMEOUT_S", "60", "seconds a kept-alive connection may wait for a request"},
    {"HTTP_READ_TIMEOUT_S", "30", "seconds a started request has to arrive in full"},
    {"HTTP_MAX_CONNECTIONS", "900", "open connections; more are closed at once"},
    {"SHUTDOWN_GRACE_S", "20", "seconds in-flight requests get after SIGTERM"},
    {"DATABASE_POOL_SIZE", "8", "PostgreSQL connections per process"},
    {"DATABASE_STATEMENT_TIMEOUT_MS", "5000", "deadline of every SQL statement"},
    {"DATABASE_CONNECT_TIMEOUT_S", "5", "deadline of a PostgreSQL connection attempt"},
    {"DATABASE_POOL_TIMEOUT_MS", "3000", "wait for a free pooled connection (503 after)"},
    {"HEALTH_CHECK_INTERVAL_S", "5", "seconds between background dependency checks"},
    {"MCP_SERVER_URL", "", "MCP address probed by /health; unset means healthy"},
    {"DOCS_ASSETS_DIR", "web/node_modules", "folder holding swagger-ui-dist and redoc"},
    {"DEPLOY_COLOR", "", "colour of this deployment (e.g. red or green), shown by /version"},
    {"CORS_ORIGINS", "",
     "comma-separated browser origins allowed by CORS, e.g. chrome-extension://<id>"},
    {"TRUSTED_PROXIES", "", "comma-separated proxy IPs whose X-Forwarded-For is believed"},
    {"RATE_LIMIT_GENERAL", "1000/3600", "requests per seconds for each client on /api/"},
    {"RATE_LIMIT_AUTH", "100/300", "requests per seconds on /api/v1/auth/"},
    {"RATE_LIMIT_AI", "200/3600", "requests per seconds on AI routes"},
    {"RATE_LIMIT_UPLOAD", "50/300", "requests per seconds on upload routes"},
    {"RATE_LIMIT_FAIL_OPEN", "true", "serve when Redis cannot be asked (false: answer 503)"},
    {"RATE_LIMIT_KEY_PREFIX", "ratelimit", "Redis key prefix of the budgets (one per deployment)"},
    {"PASSWORD_HASH_THREADS", "2",
     "threads hashing passwords (argon2id, about 64 MiB each while it runs)"},
    {"METRICS_PUBLIC", "true",
     "serve /metrics without credentials (false: a valid token or API key is needed)"},
    {"UPLOAD_DIR", "./uploads", "where uploads are stored (used from a later issue)"},
    {"AI_CONFIG_PATH", "config/ai_config.yaml",
     "AI defaults (version 0); stored versions in PostgreSQL take precedence"},
    {"AI_CONFIG_REFRESH_MS", "2000",
     "how often each process looks for a new stored AI configuration version"},
    {"AI_MAX_INPUT_CHARS", "50000", "longest user_input ai-create and categorize accept"},
    {"AI_THREADS", "8", "threads drafting tickets (each waits on a provider while it runs)"},
    {"OPENAI_API_KEY", "", "OpenAI key, for providers whose api_key_env names it"},
    {"OPENAI_BASE_URL", "",
     "base URL of AI providers of kind openai that name no base_url (empty: OpenAI's public API)"},
    {"GEMINI_API_KEY", "", "Gemini key, for providers whose api_key_env names it"},
    {"ANTHROPIC_API_KEY", "", "Anthropic key, for providers whose api_key_env names it"},
}};

constexpr std::size_t kMinJwtKeyBytes = 32;

class Reader {
 public:
  explicit Reader(const EnvLookup& env) : env_(env) {}

  std::optional<std::string> Get(std::string_view name) {
    auto value = env_(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  }

  void Text(std::string_view name, std::string& out) {
    if (auto value = Get(name)) out = *value;
  }

  template <typename Int>
  void Integer(std::string_view name, Int& out, long long min, long long max) {
    auto value = Get(name);
    if (!value || !error_.empty()) return;
    long long parsed = 0;
    const auto* end = value->data() + value->size();
    const auto [ptr, ec] = std::from_chars(value->data(), end, parsed);
    if (ec != std::errc() || ptr != end || parsed < min || parsed > max) {
      error_ = std::string(name) + ": must be an integer from " + std::to_string(min) + " to " +
               std::to_string(max) + ", got '" + *value + "'";
      return;
    }
    out = static_cast<Int>(parsed);
  }

  template <typename Duration>
  void Duration_(std::string_view name, Duration& out, long long min, long long max) {
    long long count = out.count();
    Integer(name, count, min, max);
    out = Duration(count);
  }

  void Bool(std::string_view name, bool& out) {
    auto value = Get(name);
    if (!value) return;
    if (*value == "true" || *value == "1") {
      out = true;
    } else if (*value == "false" || *value == "0") {
      out = false;
    } else {
      Fail(std::string(name) + ": must be true or false, got '" + *value + "'");
    }
  }

  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  const std::string& error() const { return error_; }

 private:
  const EnvLookup& env_;
  std::string error_;
};

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool IsReadableFile(const std::string& path) {
  std::ifstream file(path);
  return file.good() && !std::filesystem::is_directory(path);
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// An absolute http(s) URL with a host and nothing a URL cannot hold.
bool IsHttpUrl(std::string_view url) {
  std::string_view rest;
  if (StartsWith(url, "http://")) {
    rest = url.substr(7);
  } else if (StartsWith(url, "https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  const auto host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':' || host.front() == '@') return false;
  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) return false;
  }
  return true;
}

}  // namespace

std::span<const SettingInfo> AllSettings() {
  return kSettings;
}

std::optional<std::string> ProcessEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::string> NormalizeDatabaseUrl(std::string_view url) {
  static constexpr std::string_view kSchemes[] = {"postgresql+asyncpg://", "postgresql+psycopg://",
                                                  "postgresql://", "postgres://"};
  std::string out;
  for (const auto scheme : kSchemes) {
    if (StartsWith(url, scheme)) {
      out = "postgresql://" + std::string(url.substr(scheme.size()));
      break;
    }
  }
  if (out.empty() || out.size() == std::string_view("postgresql://").size()) return std::nullopt;

  // asyncpg's ssl=<mode> is libpq's sslmode=<mode>; true/false are asyncpg spellings.
  const auto query = out.find('?');
  if (query == std::string::npos) return out;
  std::string rebuilt = out.substr(0, query + 1);
  std::string_view rest = std::string_view(out).substr(query + 1);
  bool first = true;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    std::string item(pair);
    if (StartsWith(pair, "ssl=")) {
      std::string_view mode = pair.substr(4);
      if (mode == "true") mode = "require";
      if (mode == "false") mode = "disable";
      item = "sslmode=" + std::string(mode);
    }
    if (!first) rebuilt += '&';
    rebuilt += item;
    first = false;
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return rebuilt;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

std::string AppendUrlParameter(std::string url, std::string_view key, std::string_view value) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += key;
  url += '=';
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      url += c;
    } else {
      url += '%';
      url += kHex[byte >> 4];
      url += kHex[byte & 0xF];
    }
  }
  return url;
}

std::optional<std::string> ParseCorsOrigins(std::string_view text,
                                            std::vector<std::string>& origins) {
  origins.clear();
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto origin = Trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (origin.empty()) continue;
    if (origin == "*") {
      return "CORS_ORIGINS: '*' is not accepted; list the origins (the API carries tokens)";
    }
    const auto scheme = origin.find("://");
    if (scheme == std::string_view::npos || scheme == 0 || origin.back() == '/' ||
        origin.find('/', scheme + 3) != std::string_view::npos) {
      return "CORS_ORIGINS: '" + std::string(origin) +
             "' is not an origin such as https://app.example.com or chrome-extension://<id>";
    }
    origins.emplace_back(origin);
  }
  return std::nullopt;
}

std::string RedactUrl(std::string_view url) {
  const auto scheme_end = url.find("://");
  const auto at = url.find('@');
  if (scheme_end == std::string_view::npos || at == std::string_view::npos) return std::string(url);
  const auto colon = url.find(':', scheme_end + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

LoadResult Load(const EnvLookup& env, Needs needs) {
  Config config;
  Reader read(env);
  config.http_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  read.Text("ENVIRONMENT", config.environment);
  if (config.environment != "development" && config.environment != "testing" &&
      config.environment != "staging" && config.environment != "production") {
    read.Fail("ENVIRONMENT: must be development, testing, staging or production, got '" +
              config.environment + "'");
  }
  read.Text("LOG_LEVEL", config.log_level);
  for (auto& c : config.log_level)
    c = static_cast<char>(std::tolower(c));
  if (config.log_level != "debug" && config.log_level != "info" && config.log_level != "warning" &&
      config.log_level != "warn" && config.log_level != "error") {
    read.Fail("LOG_LEVEL: must be debug, info, warning or error, got '" + config.log_level + "'");
  }

  if (auto url = read.Get("DATABASE_URL")) {
    if (auto normalized = NormalizeDatabaseUrl(*url)) {
      config.database_url = *normalized;
    } else {
      read.Fail(
          "DATABASE_URL: must start with postgresql:// or postgresql+asyncpg:// and name a host");
    }
  } else if (needs.database) {
    read.Fail("DATABASE_URL: is required, e.g. postgresql://user:password@127.0.0.1:5432/tickets");
  }
  if (auto url = read.Get("REDIS_URL")) {
    if (!StartsWith(*url, "redis://") && !StartsWith(*url, "rediss://")) {
      read.Fail("REDIS_URL: must start with redis:// or rediss://");
    }
    config.redis_url = *url;
  } else if (needs.redis) {
    read.Fail("REDIS_URL: is required, e.g. redis://127.0.0.1:6379/0");
  }
  read.Text("REDIS_TLS_CA_FILE", config.redis_tls_ca_file);
  if (!config.redis_tls_ca_file.empty() && !IsReadableFile(config.redis_tls_ca_file)) {
    read.Fail("REDIS_TLS_CA_FILE: cannot read '" + config.redis_tls_ca_file + "'");
  }
  read.Text("JWT_SECRET_KEY", config.jwt_secret_key);
  if (!needs.signing) {
    // Roles that sign no token (migrate, healthcheck, user create) run
    // without the key, so a one-shot migration needs no secret.
  } else if (config.IsStrict() && config.jwt_secret_key.empty()) {
    read.Fail("JWT_SECRET_KEY: is required when ENVIRONMENT is " + config.environment);
  } else if (config.IsStrict() && config.jwt_secret_key.size() < kMinJwtKeyBytes) {
    read.Fail("JWT_SECRET_KEY: must be at least " + std::to_string(kMinJwtKeyBytes) +
              " bytes when ENVIRONMENT is " + config.environment);
  }

  read.Text("HOST", config.bind_address);
  if (!IsIpAddress(config.bind_address)) {
    read.Fail("HOST: must be an IPv4 or IPv6 address such as 0.0.0.0 or 127.0.0.1, got '" +
              config.bind_address + "'");
  }
  read.Integer("PORT", config.port, 1, 65535);
  read.Integer("MCP_PORT", config.mcp_port, 1, 65535);
  read.Integer("MONITOR_PORT", config.monitor_port, 1, 65535);
  read.Integer("HTTP_THREADS", config.http_threads, 1, 256);
  read.Integer("HTTP_MAX_BODY_BYTES", config.max_body_bytes, 1024, 1LL << 30);
  read.Integer("HTTP_MAX_HEADER_BYTES", config.max_header_bytes, 1024, 1 << 20);
  read.Duration_("HTTP_IDLE_TIMEOUT_S", config.idle_timeout, 1, 3600);
  read.Duration_("HTTP_READ_TIMEOUT_S", config.read_timeout, 1, 3600);
  read.Integer("HTTP_MAX_CONNECTIONS", config.max_connections, 1, 1'000'000);
  read.Duration_("SHUTDOWN_GRACE_S", config.shutdown_grace, 0, 3600);
  read.Integer("DATABASE_POOL_SIZE", config.db_pool_size, 1, 1000);
  read.Duration_("DATABASE_STATEMENT_TIMEOUT_MS", config.db_statement_timeout, 1, 3'600'000);
  read.Duration_("DATABASE_CONNECT_TIMEOUT_S", config.db_connect_timeout, 1, 600);
  read.Duration_("DATABASE_POOL_TIMEOUT_MS", config.db_acquire_timeout, 1, 600'000);
  read.Duration_("HEALTH_CHECK_INTERVAL_S", config.health_interval, 1, 3600);

  read.Text("MCP_SERVER_URL", config.mcp_server_url);
  read.Text("DOCS_ASSETS_DIR", config.docs_assets_dir);
  read.Text("DEPLOY_COLOR", config.deploy_color);
  if (auto origins = read.Get("CORS_ORIGINS")) {
    if (auto problem = ParseCorsOrigins(*origins, config.cors_origins)) read.Fail(*problem);
  }
  if (auto proxies = read.Get("TRUSTED_PROXIES")) {
    std::string_view rest = *proxies;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto address = std::string(Trim(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (address.empty()) continue;
      if (!IsIpAddress(address)) {
        read.Fail("TRUSTED_PROXIES: '" + address + "' is not an IP address");
      }
      config.trusted_proxies.push_back(address);
    }
  }
  read.Text("RATE_LIMIT_KEY_PREFIX", config.rate_limit_key_prefix);
  read.Bool("RATE_LIMIT_FAIL_OPEN", config.rate_limit_fail_open);
  read.Bool("METRICS_PUBLIC", config.metrics_public);
  read.Integer("PASSWORD_HASH_THREADS", config.password_hash_threads, 1, 64);
  read.Text("UPLOAD_DIR", config.upload_dir);
  read.Text("AI_CONFIG_PATH", config.ai_config_path);
  read.Duration_("AI_CONFIG_REFRESH_MS", config.ai_config_refresh, 100, 60'000);
  read.Integer("AI_MAX_INPUT_CHARS", config.ai_max_input_chars, 1, 1'000'000);
  read.Integer("AI_THREADS", config.ai_threads, 1, 256);
  read.Text("OPENAI_API_KEY", config.openai_api_key);
  if (auto url = read.Get("OPENAI_BASE_URL")) {
    // Stripped as the AI configuration strips base_url, so that paths join
    // alike whichever of the two names the endpoint.
    while (!url->empty() && url->back() == '/')
      url->pop_back();
    if (!IsHttpUrl(*url)) {
      read.Fail(
          "OPENAI_BASE_URL: must be an http:// or https:// URL such as "
          "https://api.openai.com/v1, got '" +
          *url + "'");
    }
    config.openai_base_url = *url;
  }
  read.Text("GEMINI_API_KEY", config.gemini_api_key);
  read.Text("ANTHROPIC_API_KEY", config.anthropic_api_key);

  if (!read.error().empty()) return read.error();
  return config;
}

}  // namespace ticketd::config
