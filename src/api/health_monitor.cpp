#include "api/health_monitor.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/log.hpp"
#include "storage/pg_pool.hpp"
#include "storage/redis_ping.hpp"

namespace ticketd::api {
namespace {

constexpr const char* kSchemaVersion = "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr const char* kSchemaTableExists = "SELECT to_regclass('schema_migrations') IS NOT NULL";

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// host and port of "http://host:port/path" (port defaults by scheme).
std::optional<std::pair<std::string, std::string>> HostPort(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string scheme = url.substr(0, scheme_end);
  std::string authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) {
    return std::pair{authority, std::string(scheme == "https" ? "443" : "80")};
  }
  return std::pair{authority.substr(0, colon), authority.substr(colon + 1)};
}

// libpq's reasons name hosts and settings, never passwords; they are logged
// at debug level each time and reach the warning line on state changes.
void LogReason(std::string_view dependency, std::string_view reason) {
  log::Write(log::Level::kDebug, "health", "check failed",
             {{"dependency", dependency}, {"reason", reason}});
}

}  // namespace

HealthMonitor::HealthMonitor(HealthOptions options) : options_(std::move(options)) {
  snapshot_.expected_schema_version = options_.expected_schema_version;
}

HealthMonitor::~HealthMonitor() {
  Stop();
}

void HealthMonitor::Start() {
  CheckNow();
  thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex sleep_mutex;
    std::unique_lock lock(sleep_mutex);
    while (!stop.stop_requested()) {
      wake_.wait_for(lock, stop, options_.interval, [] { return false; });
      if (stop.stop_requested()) break;
      CheckNow();
    }
  });
}

void HealthMonitor::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

HealthSnapshot HealthMonitor::Get() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void HealthMonitor::CheckNow() {
  HealthSnapshot next;
  next.expected_schema_version = options_.expected_schema_version;
  next.database = CheckDatabase(next.schema_version);
  if (!next.schema_version) {
    next.schema = {false, "schema version unknown: " + next.database.detail, std::nullopt};
  } else if (*next.schema_version < options_.expected_schema_version) {
    next.schema = {false,
                   "database is at version " + std::to_string(*next.schema_version) +
                       ", this build needs " + std::to_string(options_.expected_schema_version) +
                       "; run `ticketd migrate up`",
                   std::nullopt};
  } else {
    next.schema = {true, "", std::nullopt};
  }
  next.redis = CheckRedis();
  next.mcp = CheckMcp();
  next.checked = true;
  next.checked_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

  std::lock_guard lock(mutex_);
  // Log changes of state only, so a long outage is one line, not thousands.
  const auto report = [&](std::string_view name, const CheckResult& before,
                          const CheckResult& after) {
    if (snapshot_.checked && before.ok == after.ok) return;
    if (after.ok) {
      log::Info("health", "dependency healthy", {{"dependency", name}});
    } else {
      log::Warn("health", "dependency unhealthy", {{"dependency", name}, {"detail", after.detail}});
    }
  };
  report("database", snapshot_.database, next.database);
  report("redis", snapshot_.redis, next.redis);
  report("schema", snapshot_.schema, next.schema);
  report("mcp_server", snapshot_.mcp, next.mcp);
  snapshot_ = std::move(next);
}

CheckResult HealthMonitor::CheckDatabase(std::optional<int>& schema_version) {
  const auto start = std::chrono::steady_clock::now();
  try {
    if (!connection_ || !connection_->is_open()) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
      connection_ = std::make_unique<pqxx::connection>(storage::ConnectionUrl(
          options_.database_url, std::max(seconds, std::chrono::seconds(1)), options_.timeout));
    }
    pqxx::read_transaction tx(*connection_);
    if (tx.exec1(kSchemaTableExists)[0].as<bool>()) {
      schema_version = tx.exec1(kSchemaVersion)[0].as<int>();
    } else {
      schema_version = 0;
    }
    return {true, "", Since(start)};
  } catch (const pqxx::broken_connection& error) {
    // The answer stays generic (it is public); the log line says why.
    connection_.reset();
    LogReason("database", error.what());
    return {false, "cannot connect to PostgreSQL", std::nullopt};
  } catch (const std::exception& error) {
    connection_.reset();
    LogReason("database", error.what());
    return {false, "the health query failed", std::nullopt};
  }
}

CheckResult HealthMonitor::CheckRedis() {
  const auto start = std::chrono::steady_clock::now();
  if (auto failure =
          storage::PingRedis(options_.redis_url, options_.timeout, options_.redis_tls_ca_file)) {
    return {false, *failure, std::nullopt};
  }
  return {true, "", Since(start)};
}

CheckResult HealthMonitor::CheckMcp() {
  if (options_.mcp_server_url.empty()) return {true, "", std::nullopt};
  const auto address = HostPort(options_.mcp_server_url);
  if (!address) return {false, "MCP_SERVER_URL is not a URL", std::nullopt};

  const auto start = std::chrono::steady_clock::now();
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code result = boost::asio::error::timed_out;
  boost::asio::ip::tcp::resolver resolver(io);
  resolver.async_resolve(
      address->first, address->second,
      [&](const boost::system::error_code& ec, const auto& endpoints) {
        if (ec) {
          result = ec;
          return;
        }
        boost::asio::async_connect(
            socket, endpoints,
            [&](const boost::system::error_code& connect_ec, const auto&) { result = connect_ec; });
      });
  io.run_for(options_.timeout);
  if (result) return {false, "MCP server unreachable: " + result.message(), std::nullopt};
  return {true, "", Since(start)};
}

}  // namespace ticketd::api
