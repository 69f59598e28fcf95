#include "http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <cmath>
#include <optional>
#include <pqxx/except>
#include <random>
#include <thread>

#include "common/log.hpp"
#include "http/problem.hpp"
#include "storage/pg_pool.hpp"

namespace ticketd::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

// The address as clients and TRUSTED_PROXIES write it: an IPv4 peer of an
// IPv6 socket ("::ffff:10.0.0.1") is written as plain IPv4.
std::string PlainAddress(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .to_string();
  }
  return address.to_string();
}

constexpr std::size_t kMaxRequestIdLength = 128;
constexpr const char* kRequestIdHeader = "X-Request-ID";
constexpr std::string_view kQueryCanceled = "57014";  // SQLSTATE of statement_timeout
constexpr auto kLingerTime = std::chrono::seconds(2);

std::string NewRequestId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (std::size_t i = 0; i < id.size(); i += 16) {
    auto bits = random();
    for (std::size_t j = 0; j < 16; ++j, bits >>= 4)
      id[i + j] = kHex[bits & 0xF];
  }
  return id;
}

// A client's X-Request-ID is kept when it is short and printable, so that it
// can be logged and echoed without harm.
std::string RequestIdOf(const Request& request) {
  const std::string_view given = ToStd(request[kRequestIdHeader]);
  if (given.empty() || given.size() > kMaxRequestIdLength) return NewRequestId();
  for (const char c : given) {
    if (c < 0x21 || c > 0x7E) return NewRequestId();
  }
  return std::string(given);
}

// The size of `request`'s head as a client sends it without spare spaces:
// the request line, each field line and the blank line. Beast's header
// limit holds only for a head it reads in more than one part, so the limit
// is checked again on this once the head is read.
std::size_t HeadBytes(const Request& request) {
  std::size_t bytes = request.method_string().size() + 1 + request.target().size() + 11;
  for (const auto& field : request)
    bytes += field.name_string().size() + 2 + field.value().size() + 2;
  return bytes + 2;
}

// Methods outside HTTP's registry share one label, so that clients cannot
// grow the metrics without bound.
std::string_view MethodLabel(const Request& request) {
  return request.method() == Verb::unknown ? std::string_view("OTHER")
                                           : ToStd(request.method_string());
}

// Maps what escaped a handler to an answer. Runs inside the catch boundary.
Problem ProblemFor(const std::exception_ptr& failure, const RequestContext& context) {
  try {
    std::rethrow_exception(failure);
  } catch (const storage::PoolTimeout&) {
    log::Warn("http", "database pool exhausted", {{"request_id", context.request_id}});
    return ServiceUnavailable("The database is busy; retry shortly.");
  } catch (const pqxx::broken_connection&) {
    log::Error("http", "database unreachable", {{"request_id", context.request_id}});
    return ServiceUnavailable("The database is unreachable; retry shortly.");
  } catch (const pqxx::sql_error& error) {
    if (error.sqlstate() == kQueryCanceled) {
      log::Error("http", "database statement timed out", {{"request_id", context.request_id}});
      return ServiceUnavailable("The database did not answer in time; retry shortly.");
    }
    log::Error("http", "database error",
               {{"request_id", context.request_id},
                {"route", context.route},
                {"sqlstate", error.sqlstate()},
                {"error", error.what()}});
  } catch (const std::exception& error) {
    log::Error(
        "http", "unhandled exception",
        {{"request_id", context.request_id}, {"route", context.route}, {"error", error.what()}});
  } catch (...) {
    log::Error("http", "unhandled non-standard exception", {{"request_id", context.request_id}});
  }
  return InternalError();
}

}  // namespace

class Server::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    boost::system::error_code ec;
    const auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_address_ = PlainAddress(peer.address());
  }

  asio::awaitable<void> Run() {
    auto self = shared_from_this();
    while (co_await Serve()) {
    }
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
    server_.Forget(self);
  }

  boost::asio::any_io_executor Executor() { return stream_.get_executor(); }

  // Closes the connection when it is waiting for a next request. Any thread.
  void CloseIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->stream_.socket().cancel();
    });
  }

 private:
  // Serves one request; returns whether the connection stays open.
  asio::awaitable<bool> Serve() {
    boost::system::error_code ec;
    if (buffer_.size() == 0) {
      if (server_.draining_) co_return false;
      idle_ = true;
      stream_.expires_after(server_.options_.idle_timeout);
      const auto n = co_await stream_.async_read_some(buffer_.prepare(8192),
                                                      asio::redirect_error(use_awaitable, ec));
      idle_ = false;
      if (ec) co_return false;
      buffer_.commit(n);
    }

    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(server_.options_.max_header_bytes));
    parser.body_limit(server_.options_.max_body_bytes);
    stream_.expires_after(server_.options_.read_timeout);
    co_await beast_http::async_read(stream_, buffer_, parser,
                                    asio::redirect_error(use_awaitable, ec));
    if (!ec && HeadBytes(parser.get()) > server_.options_.max_header_bytes) {
      ec = beast_http::error::header_limit;
    }
    if (ec) {
      co_await RefuseUnreadable(ec, parser);
      co_return false;
    }

    Request request = parser.release();
    bool framing_refused = false;
    Response response = co_await Handle(request, framing_refused);
    const bool keep_alive = request.keep_alive() && !framing_refused && !server_.draining_;
    response.keep_alive(keep_alive);
    stream_.expires_after(server_.options_.read_timeout);
    co_await beast_http::async_write(stream_, response, asio::redirect_error(use_awaitable, ec));
    // After refused framing, the bytes that follow the head may be a body
    // read as something else: they are never parsed as a next request.
    if (!ec && framing_refused) co_await Linger();
    co_return !ec && keep_alive;
  }

  // Stops sending and reads what the client still sends, for a short while,
  // so that closing with unread bytes does not reset the connection before
  // the client has read the answer.
  asio::awaitable<void> Linger() {
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTime);
    char discard[4096];
    while (!ec) {
      co_await stream_.async_read_some(asio::buffer(discard),
                                       asio::redirect_error(use_awaitable, ec));
    }
  }

  // Answers a request that could not be read in full, when the client can
  // still hear an answer, then lingers briefly so the answer is not reset.
  asio::awaitable<void> RefuseUnreadable(
      const boost::system::error_code& ec,
      beast_http::request_parser<beast_http::string_body>& parser) {
    Problem problem;
    if (ec == beast_http::error::body_limit) {
      problem = PayloadTooLarge("The body exceeds the limit of " +
                                std::to_string(server_.options_.max_body_bytes) + " bytes.");
    } else if (ec == beast_http::error::header_limit) {
      problem = HeadersTooLarge("The request line and headers exceed the limit of " +
                                std::to_string(server_.options_.max_header_bytes) + " bytes.");
    } else if (ec.category() ==
                   beast_http::make_error_code(beast_http::error::end_of_stream).category() &&
               ec != beast_http::error::end_of_stream && ec != beast_http::error::partial_message) {
      problem = MalformedRequest(ec);
    } else {
      co_return;  // closed, reset or timed out: nobody to answer
    }

    // The parser keeps what it read before it stopped: the target once the
    // request line is complete (so a 431 whose headers overflow names it),
    // and the header fields before the one at fault. An empty target (the
    // request line itself was cut or malformed) leaves the instance out.
    const std::string instance = RequestPath(ToStd(parser.get().target()));
    const std::string request_id = RequestIdOf(parser.get());
    Response response = MakeProblemResponse(problem, instance, request_id, 11);
    response.set(kRequestIdHeader, request_id);
    server_.options_.policy.Decorate(parser.get(), response);
    response.keep_alive(false);
    log::Info("http", "request refused",
              {{"status", static_cast<int>(problem.status)},
               {"request_id", request_id},
               {"reason", ec.message()}});
    server_.metrics_.ObserveRequest("unknown", "unmatched", static_cast<unsigned>(problem.status),
                                    0);

    boost::system::error_code write_ec;
    stream_.expires_after(server_.options_.read_timeout);
    co_await beast_http::async_write(stream_, response,
                                     asio::redirect_error(use_awaitable, write_ec));
    if (!write_ec) co_await Linger();
  }

  // Answers `request`; sets `framing_refused` when CheckFraming refused it
  // (the connection must then close).
  asio::awaitable<Response> Handle(const Request& request, bool& framing_refused) {
    const auto started = std::chrono::steady_clock::now();
    RequestContext context{request};
    context.request_id = RequestIdOf(request);
    context.route = "unmatched";
    context.peer_address = peer_address_;

    Response response;
    std::exception_ptr failure;
    const HttpPolicy& policy = server_.options_.policy;
    if (auto refused = CheckFraming(request)) {
      framing_refused = true;
      response = MakeProblemResponse(*refused, RequestPath(ToStd(request.target())),
                                     context.request_id, request.version());
    } else if (policy.IsPreflight(request)) {
      context.route = "preflight";
      auto answer = policy.AnswerPreflight(request);
      if (auto* refused = std::get_if<Problem>(&answer)) {
        response = MakeProblemResponse(*refused, RequestPath(ToStd(request.target())),
                                       context.request_id, request.version());
      } else {
        response = std::move(std::get<Response>(answer));
      }
    } else if (auto routed = RouteRequest(server_.router_, context); routed.handler != nullptr) {
      try {
        // No co_await inside a conditional expression: GCC 12 miscompiles it.
        GuardDecision guarded;
        if (server_.options_.guard) guarded = co_await server_.options_.guard(context);
        if (guarded.refusal) {
          response = std::move(*guarded.refusal);
        } else {
          response = co_await (*routed.handler)(context);
        }
        for (auto& [name, value] : guarded.headers)
          response.set(name, value);
      } catch (...) {
        failure = std::current_exception();
      }
    } else {
      const std::string instance =
          context.path.empty() ? RequestPath(ToStd(request.target())) : context.path;
      response =
          MakeProblemResponse(*routed.problem, instance, context.request_id, request.version());
      if (!routed.allow.empty()) response.set(beast_http::field::allow, routed.allow);
    }
    if (failure) {
      response = MakeProblemResponse(ProblemFor(failure, context), context.path, context.request_id,
                                     request.version());
    }

    response.version(request.version());
    response.set(kRequestIdHeader, context.request_id);
    policy.Decorate(request, response);
    response.prepare_payload();
    if (request.method() == Verb::head) response.body().clear();

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const unsigned status = response.result_int();
    server_.metrics_.ObserveRequest(MethodLabel(request), context.route, status, seconds);
    if (log::Enabled(log::Level::kInfo)) {
      log::Info(
          "http", "request",
          {{"method", ToStd(request.method_string())},
           {"route", context.route},
           // Requests refused before routing have no decoded path.
           {"path", context.path.empty() ? RequestPath(ToStd(request.target())) : context.path},
           {"status", status},
           {"duration_ms", std::round(seconds * 1e6) / 1e3},
           {"request_id", context.request_id}});
    }
    co_return response;
  }

  Server& server_;
  std::string peer_address_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool idle_ = false;  // touched on the session's strand only
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : options_(std::move(options)),
      router_(router),
      metrics_(metrics),
      io_(options_.threads),
      acceptor_(asio::make_strand(io_)) {}

Server::~Server() = default;

void Server::Listen() {
  const tcp::endpoint endpoint(asio::ip::make_address(options_.address), options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  bound_port_ = acceptor_.local_endpoint().port();
}

asio::awaitable<void> Server::Accept() {
  for (;;) {
    tcp::socket socket(asio::make_strand(io_));
    boost::system::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of descriptors or similar: say so, pause, and keep serving.
      log::Warn("http", "accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    if (connections_.load() >= options_.max_connections) {
      metrics_.ConnectionRejected();
      socket.close(ec);
      continue;
    }

    auto session = std::make_shared<Session>(*this, std::move(socket));
    {
      std::lock_guard lock(sessions_mutex_);
      sessions_.insert(session);
    }
    ++connections_;
    metrics_.ConnectionOpened();
    asio::co_spawn(session->Executor(), session->Run(), asio::detached);
  }
}

void Server::Forget(const std::shared_ptr<Session>& session) {
  {
    std::lock_guard lock(sessions_mutex_);
    sessions_.erase(session);
  }
  --connections_;
  metrics_.ConnectionClosed();
}

void Server::BeginDrain() {
  if (draining_.exchange(true)) return;
  log::Info(
      "http", "draining",
      {{"open_connections", connections_.load()}, {"grace_s", options_.shutdown_grace.count()}});
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  const auto deadline = std::chrono::steady_clock::now() + options_.shutdown_grace;
  asio::co_spawn(io_, WaitForDrain(deadline), asio::detached);
}

asio::awaitable<void> Server::WaitForDrain(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer tick(io_);
  for (;;) {
    {
      std::lock_guard lock(sessions_mutex_);
      for (const auto& session : sessions_)
        session->CloseIfIdle();
    }
    if (connections_.load() == 0) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      log::Warn("http", "grace period over; abandoning requests in flight",
                {{"open_connections", connections_.load()}});
      break;
    }
    tick.expires_after(std::chrono::milliseconds(25));
    boost::system::error_code ec;
    co_await tick.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  io_.stop();
}

void Server::Stop() {
  asio::post(acceptor_.get_executor(), [this] { BeginDrain(); });
}

void Server::Run() {
  asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log::Info("http", "signal received", {{"signal", signal}});
    Stop();
  });
  asio::co_spawn(acceptor_.get_executor(), Accept(), asio::detached);

  std::vector<std::thread> threads;
  for (int i = 1; i < options_.threads; ++i)
    threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : threads)
    thread.join();

  if (on_stopped_) on_stopped_();
  log::Info("http", "stopped");
}

}  // namespace ticketd::http
