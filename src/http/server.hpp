// The HTTP/1.1 server: accepts connections, enforces the limits (open
// connections, header and body size, idle and read time), routes requests,
// maps unexpected exceptions to 500 at one boundary, logs one JSON line per
// request and drains gracefully on SIGTERM or SIGINT.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "http/http_policy.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace ticketd::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8000;
  int threads = 2;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds read_timeout{30};
  int max_connections = 900;
  std::chrono::seconds shutdown_grace{20};
  HttpPolicy policy;
  Guard guard;  // may be empty
};

class Server {
 public:
  // `router` and `metrics` must outlive the server.
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the port; throws boost::system::system_error when it cannot.
  void Listen();

  // Serves on options.threads threads until SIGTERM or SIGINT (or Stop()),
  // then drains: stops accepting, lets requests in flight finish within the
  // grace period, closes idle connections, and returns.
  void Run();

  // Starts the same drain as a signal does. Thread-safe.
  void Stop();

  // Called once the drain is complete or the grace period ran out, before Run()
  // returns; use it to close pools.
  void OnStopped(std::function<void()> callback) { on_stopped_ = std::move(callback); }

  // True once the drain started. Thread-safe.
  bool Draining() const { return draining_.load(); }

  boost::asio::io_context& Context() { return io_; }
  std::uint16_t Port() const { return bound_port_; }

 private:
  class Session;

  boost::asio::awaitable<void> Accept();
  void Forget(const std::shared_ptr<Session>& session);
  void BeginDrain();
  boost::asio::awaitable<void> WaitForDrain(std::chrono::steady_clock::time_point deadline);

  ServerOptions options_;
  const Router& router_;
  Metrics& metrics_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t bound_port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<int> connections_{0};
  std::function<void()> on_stopped_;

  std::mutex sessions_mutex_;
  std::unordered_set<std::shared_ptr<Session>> sessions_;
};

}  // namespace ticketd::http
