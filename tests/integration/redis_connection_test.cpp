// RedisConnection against a real Redis in plain text (REDIS_URL) and over TLS
// (TEST_REDISS_URL with TEST_REDIS_TLS_CA_FILE, which scripts/services.sh
// writes), and against loopback servers that misbehave. Suites whose Redis is
// not configured skip, saying which variable is missing.
#include "storage/redis_connection.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <thread>

#include "loopback_port.hpp"
#include "storage/rate_limiter.hpp"
#include "storage/redis_ping.hpp"
#include "storage/redis_url.hpp"

namespace ticketd::storage {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

const RedisConnectOptions kPatient{.connect_timeout = milliseconds(2000),
                                   .command_timeout = milliseconds(2000)};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

RedisAddress AddressOf(const std::string& url) {
  auto parsed = ParseRedisUrl(url);
  if (auto* error = std::get_if<std::string>(&parsed)) throw std::runtime_error(*error);
  return std::get<RedisAddress>(parsed);
}

std::string Text(const RedisReplyPtr& reply) {
  return reply ? std::string(reply->str, reply->len) : std::string("(no reply)");
}

// A loopback TCP listener on a free port below the ephemeral range. Unless
// told to answer, it never accepts: the kernel completes connects from its
// backlog and nothing is ever sent back, like a server that hangs.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    port_ = test_support::BindLoopbackPort(fd_);
    if (port_ == 0 || ::listen(fd_, 8) != 0) throw std::runtime_error("cannot listen on loopback");
  }
  ~LoopbackListener() {
    ::shutdown(fd_, SHUT_RDWR);
    if (answerer_.joinable()) answerer_.join();
    ::close(fd_);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  // Accepts one connection and writes `bytes` to it once it has read a
  // command, then keeps the connection open until the listener closes.
  void AnswerOnce(std::string bytes) {
    answerer_ = std::thread([this, bytes = std::move(bytes)] {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char sink[512];
      if (::read(client, sink, sizeof sink) > 0) (void)!::write(client, bytes.data(), bytes.size());
      char wait;
      (void)!::read(client, &wait, 1);  // until the client closes
      ::close(client);
    });
  }

  RedisAddress Address(bool tls) const { return {.host = "127.0.0.1", .port = port_, .tls = tls}; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread answerer_;
};

class PlainRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = Env("REDIS_URL");
    if (url_.empty()) GTEST_SKIP() << "REDIS_URL is not set; scripts/services.sh provides one";
  }
  std::string url_;
};

TEST_F(PlainRedisTest, SendsCommandsAndReadsTheirReplies) {
  auto opened = RedisConnection::Open(AddressOf(url_), kPatient);
  ASSERT_TRUE(std::holds_alternative<RedisConnection>(opened)) << std::get<std::string>(opened);
  auto& redis = std::get<RedisConnection>(opened);

  EXPECT_EQ(Text(redis.Command({"PING"})), "PONG");
  const std::string key = "redis-connection-test:" + std::to_string(std::random_device{}());
  EXPECT_EQ(Text(redis.Command({"SET", key, "a value", "PX", "10000"})), "OK");
  EXPECT_EQ(Text(redis.Command({"GET", key})), "a value");
  EXPECT_FALSE(redis.broken());
}

TEST_F(PlainRedisTest, ReadsAReplyLargerThanOneRead) {
  auto opened = RedisConnection::Open(AddressOf(url_), kPatient);
  ASSERT_TRUE(std::holds_alternative<RedisConnection>(opened)) << std::get<std::string>(opened);
  auto& redis = std::get<RedisConnection>(opened);

  const std::string key = "redis-connection-test:big:" + std::to_string(std::random_device{}());
  const std::string value(300'000, 'x');
  ASSERT_EQ(Text(redis.Command({"SET", key, value, "PX", "10000"})), "OK");
  EXPECT_EQ(Text(redis.Command({"GET", key})), value);
}

TEST_F(PlainRedisTest, AnErrorReplyLeavesTheConnectionUsable) {
  auto opened = RedisConnection::Open(AddressOf(url_), kPatient);
  ASSERT_TRUE(std::holds_alternative<RedisConnection>(opened)) << std::get<std::string>(opened);
  auto& redis = std::get<RedisConnection>(opened);

  const RedisReplyPtr reply = redis.Command({"NO-SUCH-COMMAND"});
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->type, REDIS_REPLY_ERROR);
  EXPECT_FALSE(redis.broken());
  EXPECT_EQ(Text(redis.Command({"PING"})), "PONG");
}

TEST_F(PlainRedisTest, AWrongPasswordFailsTheOpenWithoutNamingIt) {
  RedisAddress address = AddressOf(url_);
  address.password = "not-the-password-" + std::to_string(std::random_device{}());
  auto opened = RedisConnection::Open(address, kPatient);
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_EQ(std::get<std::string>(opened), "authentication failed");
}

TEST(RedisConnectionFaults, AClosedPortIsRefusedAtOnce) {
  std::optional<int> port;
  {
    LoopbackListener listener;  // free a port we know was free a moment ago
    port = listener.Address(false).port;
  }
  const auto start = Clock::now();
  auto opened = RedisConnection::Open({.host = "127.0.0.1", .port = *port}, kPatient);
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_TRUE(std::get<std::string>(opened).starts_with("connect failed: "))
      << std::get<std::string>(opened);
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
}

TEST(RedisConnectionFaults, ACommandToAServerThatNeverAnswersTimesOut) {
  LoopbackListener listener;
  auto opened = RedisConnection::Open(
      listener.Address(false),
      {.connect_timeout = milliseconds(1000), .command_timeout = milliseconds(200)});
  ASSERT_TRUE(std::holds_alternative<RedisConnection>(opened)) << std::get<std::string>(opened);
  auto& redis = std::get<RedisConnection>(opened);

  const auto start = Clock::now();
  EXPECT_EQ(redis.Command({"PING"}), nullptr);
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, milliseconds(190));
  EXPECT_LT(waited, milliseconds(1000));
  EXPECT_TRUE(redis.broken());
  EXPECT_EQ(redis.error(), "read timed out");
  EXPECT_EQ(redis.Command({"PING"}), nullptr) << "a broken connection sends nothing more";
}

TEST(RedisConnectionFaults, ATlsHandshakeWithASilentServerTimesOut) {
  LoopbackListener listener;
  const auto start = Clock::now();
  auto opened = RedisConnection::Open(
      listener.Address(true),
      {.connect_timeout = milliseconds(300), .command_timeout = milliseconds(300)});
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_EQ(std::get<std::string>(opened), "TLS handshake timed out");
  EXPECT_LT(Clock::now() - start, milliseconds(1500));
}

TEST(RedisConnectionFaults, AReplyThatIsNotRespBreaksTheConnection) {
  LoopbackListener listener;
  listener.AnswerOnce("HTTP/1.1 400 Bad Request\r\n\r\n");
  auto opened = RedisConnection::Open(listener.Address(false), kPatient);
  ASSERT_TRUE(std::holds_alternative<RedisConnection>(opened)) << std::get<std::string>(opened);
  auto& redis = std::get<RedisConnection>(opened);

  EXPECT_EQ(redis.Command({"PING"}), nullptr);
  EXPECT_TRUE(redis.broken());
  EXPECT_TRUE(redis.error().starts_with("invalid reply: ")) << redis.error();
}

TEST(RedisConnectionFaults, AMissingCaFileIsNamed) {
  LoopbackListener listener;
  auto opened = RedisConnection::Open(
      listener.Address(true),
      {.connect_timeout = milliseconds(1000), .tls_ca_file = "/nonexistent/ca.pem"});
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_TRUE(std::get<std::string>(opened).starts_with("cannot load REDIS_TLS_CA_FILE"))
      << std::get<std::string>(opened);
}

class TlsRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = Env("TEST_REDISS_URL");
    ca_file_ = Env("TEST_REDIS_TLS_CA_FILE");
    if (url_.empty() || ca_file_.empty()) {
      GTEST_SKIP() << "TEST_REDISS_URL and TEST_REDIS_TLS_CA_FILE are not set; "
                      "scripts/services.sh starts a Redis with TLS and writes both";
    }
  }

  RedisConnectOptions Trusting() const {
    RedisConnectOptions options = kPatient;
    options.tls_ca_file = ca_file_;
    return options;
  }

  std::string url_;
  std::string ca_file_;
};

TEST_F(TlsRedisTest, SpeaksRedisOverTls) {
  auto opened = RedisConnection::Open(AddressOf(url_), Trusting());
  ASSERT_TRUE(std::holds_alternative<RedisConnection>(opened)) << std::get<std::string>(opened);
  auto& redis = std::get<RedisConnection>(opened);

  EXPECT_EQ(Text(redis.Command({"PING"})), "PONG");
  const std::string key = "redis-connection-test:tls:" + std::to_string(std::random_device{}());
  const std::string value(100'000, 't');
  EXPECT_EQ(Text(redis.Command({"SET", key, value, "PX", "10000"})), "OK");
  EXPECT_EQ(Text(redis.Command({"GET", key})), value);
}

TEST_F(TlsRedisTest, RefusesACertificateFromAnUntrustedCa) {
  auto opened = RedisConnection::Open(AddressOf(url_), kPatient);  // the system's CAs only
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_TRUE(std::get<std::string>(opened).starts_with("TLS handshake failed: "))
      << std::get<std::string>(opened);
  EXPECT_NE(std::get<std::string>(opened).find("certificate verify failed"), std::string::npos)
      << std::get<std::string>(opened);
}

TEST_F(TlsRedisTest, RefusesACertificateThatDoesNotNameTheHost) {
  RedisAddress address = AddressOf(url_);
  address.host = "localhost";  // the certificate names 127.0.0.1 only
  auto opened = RedisConnection::Open(address, Trusting());
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_TRUE(std::get<std::string>(opened).starts_with("TLS handshake failed: "))
      << std::get<std::string>(opened);
}

TEST_F(TlsRedisTest, ThePlainPortIsNoTlsServer) {
  const std::string plain = Env("REDIS_URL");
  if (plain.empty()) GTEST_SKIP() << "REDIS_URL is not set";
  RedisAddress address = AddressOf(plain);
  address.tls = true;
  RedisConnectOptions options = Trusting();
  options.connect_timeout = milliseconds(500);  // Redis may just wait for a command
  auto opened = RedisConnection::Open(address, options);
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_TRUE(std::get<std::string>(opened).starts_with("TLS handshake"))
      << std::get<std::string>(opened);
}

TEST_F(TlsRedisTest, ReadinessPingsOverTls) {
  EXPECT_EQ(PingRedis(url_, milliseconds(2000), ca_file_), std::nullopt);
  const auto untrusted = PingRedis(url_, milliseconds(2000), "");
  ASSERT_TRUE(untrusted.has_value());
  EXPECT_TRUE(untrusted->starts_with("TLS handshake failed")) << *untrusted;
}

TEST_F(TlsRedisTest, RateLimitsAreCountedOverTls) {
  RateLimiterOptions options{
      .redis_url = url_,
      .tls_ca_file = ca_file_,
      .key_prefix = "ratelimit-tls-test-" + std::to_string(std::random_device{}())};
  const RateLimit rule{2, seconds(30)};
  options.policy = {rule, rule, rule, rule};
  options.connect_timeout = milliseconds(2000);
  options.command_timeout = milliseconds(2000);
  options.acquire_timeout = milliseconds(2000);
  RateLimiter limiter(options);

  const auto first = limiter.Decide(RouteClass::kAi, "user:tls");
  const auto second = limiter.Decide(RouteClass::kAi, "user:tls");
  const auto third = limiter.Decide(RouteClass::kAi, "user:tls");
  EXPECT_FALSE(first.degraded);
  EXPECT_EQ(first.remaining, 1);
  EXPECT_TRUE(second.allowed);
  EXPECT_EQ(second.remaining, 0);
  EXPECT_FALSE(third.allowed);
  EXPECT_FALSE(third.degraded);
  EXPECT_EQ(limiter.degraded_decisions(), 0u);
}

}  // namespace
}  // namespace ticketd::storage
