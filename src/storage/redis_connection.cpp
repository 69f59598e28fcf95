#include "storage/redis_connection.hpp"

// Asio's coroutine detection in Boost 1.74 needs <utility> first.
#include <utility>

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <vector>

namespace ticketd::storage {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

constexpr std::size_t kMaxErrorBytes = 200;
constexpr std::size_t kReadChunk = 4096;

struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};

std::string Truncated(std::string text) {
  if (text.size() > kMaxErrorBytes) text.resize(kMaxErrorBytes);
  return text;
}

std::optional<asio::ip::address> AsAddress(const std::string& host) {
  ErrorCode error;
  const auto address = asio::ip::make_address(host, error);
  if (error) return std::nullopt;
  return address;
}

}  // namespace

struct RedisConnection::Impl {
  explicit Impl(const RedisConnectOptions& options)
      : command_timeout(options.command_timeout), socket(io), reader(redisReaderCreate()) {}

  // Runs the operations started on `io` until `done` is set or `deadline`
  // passes. At the deadline the socket closes, which aborts whatever is
  // pending (a TLS operation included), and the aborted handlers run before
  // this returns, so none outlives the state it writes to.
  bool RunUntil(const bool& done, Clock::time_point deadline) {
    io.restart();
    while (!done && io.run_one_until(deadline) > 0) {
    }
    if (done) return true;
    ErrorCode ignored;
    resolver.cancel();
    socket.close(ignored);
    io.restart();
    io.run();
    return false;
  }

  // On failure, the reason; the connection is then unusable.
  std::optional<std::string> Connect(const RedisAddress& address,
                                     const RedisConnectOptions& options) {
    const auto deadline = Clock::now() + options.connect_timeout;

    std::vector<tcp::endpoint> endpoints;
    if (const auto ip = AsAddress(address.host)) {
      endpoints.emplace_back(*ip, static_cast<unsigned short>(address.port));
    } else {
      // getaddrinfo runs on Asio's resolver thread; a resolver that never
      // answers delays the drain in RunUntil, not the deadline's verdict.
      bool done = false;
      ErrorCode error;
      resolver.async_resolve(address.host, std::to_string(address.port),
                             [&](const ErrorCode& ec, const tcp::resolver::results_type& results) {
                               done = true;
                               error = ec;
                               for (const auto& entry : results)
                                 endpoints.push_back(entry);
                             });
      if (!RunUntil(done, deadline)) return "resolving the host timed out";
      if (error) return Truncated("cannot resolve the host: " + error.message());
      if (endpoints.empty()) return std::string("the host resolved to no address");
    }

    {
      bool done = false;
      ErrorCode error;
      asio::async_connect(socket, endpoints, [&](const ErrorCode& ec, const tcp::endpoint&) {
        done = true;
        error = ec;
      });
      if (!RunUntil(done, deadline)) return "connect timed out";
      if (error) return Truncated("connect failed: " + error.message());
    }
    ErrorCode ignored;
    socket.set_option(tcp::no_delay(true), ignored);

    if (address.tls) return Handshake(address.host, options.tls_ca_file, deadline);
    return std::nullopt;
  }

  std::optional<std::string> Handshake(const std::string& host, const std::string& ca_file,
                                       Clock::time_point deadline) {
    tls_context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    ErrorCode error;
    tls_context->set_default_verify_paths(error);
    if (error)
      return Truncated("cannot load the system's certificate authorities: " + error.message());
    if (!ca_file.empty()) {
      tls_context->load_verify_file(ca_file, error);
      if (error) return Truncated("cannot load REDIS_TLS_CA_FILE: " + error.message());
    }
    tls_context->set_verify_mode(asio::ssl::verify_peer);
    SSL_CTX_set_min_proto_version(tls_context->native_handle(), TLS1_2_VERSION);

    tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket, *tls_context);
    // Checks the certificate's names (or IP addresses) against the host.
    tls->set_verify_callback(asio::ssl::host_name_verification(host));
    if (!AsAddress(host) && SSL_set_tlsext_host_name(tls->native_handle(), host.c_str()) != 1)
      return std::string("cannot set the TLS server name");

    bool done = false;
    tls->async_handshake(asio::ssl::stream_base::client, [&](const ErrorCode& ec) {
      done = true;
      error = ec;
    });
    if (!RunUntil(done, deadline)) return "TLS handshake timed out";
    if (error) return Truncated("TLS handshake failed: " + error.message());
    return std::nullopt;
  }

  template <typename Operation>
  void OnStream(Operation&& operation) {
    if (tls) {
      operation(*tls);
    } else {
      operation(socket);
    }
  }

  RedisReplyPtr Fail(std::string reason) {
    error = Truncated(std::move(reason));
    ErrorCode ignored;
    socket.close(ignored);
    return nullptr;
  }

  RedisReplyPtr Command(std::initializer_list<std::string_view> args) {
    if (!error.empty()) return nullptr;
    const auto deadline = Clock::now() + command_timeout;

    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    char* encoded = nullptr;
    const int length = redisFormatCommandArgv(&encoded, static_cast<int>(argv.size()), argv.data(),
                                              lengths.data());
    if (length < 0) return Fail("cannot encode the command");
    const std::unique_ptr<char, decltype(&redisFreeCommand)> owned(encoded, redisFreeCommand);

    bool done = false;
    ErrorCode write_error;
    OnStream([&](auto& stream) {
      asio::async_write(stream, asio::buffer(encoded, static_cast<std::size_t>(length)),
                        [&](const ErrorCode& ec, std::size_t) {
                          done = true;
                          write_error = ec;
                        });
    });
    if (!RunUntil(done, deadline)) return Fail("write timed out");
    if (write_error) return Fail("write failed: " + write_error.message());
    return ReadReply(deadline);
  }

  RedisReplyPtr ReadReply(Clock::time_point deadline) {
    for (;;) {
      void* parsed = nullptr;
      if (redisReaderGetReply(reader.get(), &parsed) != REDIS_OK)
        return Fail(std::string("invalid reply: ") + reader->errstr);
      if (parsed != nullptr) return RedisReplyPtr(static_cast<redisReply*>(parsed));

      bool done = false;
      ErrorCode read_error;
      std::size_t received = 0;
      OnStream([&](auto& stream) {
        stream.async_read_some(asio::buffer(buffer), [&](const ErrorCode& ec, std::size_t bytes) {
          done = true;
          read_error = ec;
          received = bytes;
        });
      });
      if (!RunUntil(done, deadline)) return Fail("read timed out");
      if (read_error) return Fail("read failed: " + read_error.message());
      if (redisReaderFeed(reader.get(), buffer.data(), received) != REDIS_OK)
        return Fail("cannot buffer the reply");
    }
  }

  const std::chrono::milliseconds command_timeout;
  asio::io_context io;
  tcp::resolver resolver{io};
  tcp::socket socket;
  std::unique_ptr<asio::ssl::context> tls_context;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;  // set for rediss://
  std::unique_ptr<redisReader, ReaderDeleter> reader;
  std::array<char, kReadChunk> buffer{};
  std::string error;
};

RedisConnection::RedisConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedisConnection::RedisConnection(RedisConnection&&) noexcept = default;
RedisConnection& RedisConnection::operator=(RedisConnection&&) noexcept = default;
RedisConnection::~RedisConnection() = default;

std::variant<RedisConnection, std::string> RedisConnection::Open(
    const RedisAddress& address, const RedisConnectOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  if (!impl->reader) return std::string("cannot allocate a Redis reply reader");
  if (auto failed = impl->Connect(address, options)) return *std::move(failed);
  RedisConnection connection(std::move(impl));

  if (!address.password.empty()) {
    const RedisReplyPtr reply = address.user.empty()
                                    ? connection.Command({"AUTH", address.password})
                                    : connection.Command({"AUTH", address.user, address.password});
    if (!reply) return "AUTH: " + connection.error();
    if (reply->type == REDIS_REPLY_ERROR) return std::string("authentication failed");
  }
  if (address.db != 0) {
    const RedisReplyPtr reply = connection.Command({"SELECT", std::to_string(address.db)});
    if (!reply) return "SELECT: " + connection.error();
    if (reply->type == REDIS_REPLY_ERROR)
      return Truncated("SELECT failed: " + std::string(reply->str, reply->len));
  }
  return connection;
}

RedisReplyPtr RedisConnection::Command(std::initializer_list<std::string_view> args) {
  return impl_->Command(args);
}

bool RedisConnection::broken() const {
  return !impl_->error.empty();
}

const std::string& RedisConnection::error() const {
  return impl_->error;
}

}  // namespace ticketd::storage
