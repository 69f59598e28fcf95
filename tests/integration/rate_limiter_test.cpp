// The rate limiter against a real Redis (REDIS_URL; the suites that need it
// skip without it) and against a closed port. Every test uses its own key
// prefix, so runs and tests never share a window.
#include "storage/rate_limiter.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "loopback_port.hpp"
#include "storage/redis_url.hpp"

namespace ticketd::storage {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

std::string RandomHex() {
  std::random_device random;
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%08x%08x", random(), random());
  return buffer;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out += c;
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", static_cast<unsigned char>(c));
      out += buffer;
    }
  }
  return out;
}

std::string UrlFor(const RedisAddress& address) {
  std::string url = "redis://";
  if (!address.user.empty() || !address.password.empty())
    url += PercentEncode(address.user) + ":" + PercentEncode(address.password) + "@";
  return url + address.host + ":" + std::to_string(address.port) + "/" + std::to_string(address.db);
}

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// A plain connection for looking behind the limiter's back.
class DirectRedis {
 public:
  explicit DirectRedis(const RedisAddress& address) {
    context_.reset(redisConnectWithTimeout(address.host.c_str(), address.port, {2, 0}));
    if (!context_ || context_->err != 0) throw std::runtime_error("cannot connect to REDIS_URL");
    redisSetTimeout(context_.get(), {2, 0});
    if (!address.password.empty()) {
      address.user.empty() ? Run({"AUTH", address.password})
                           : Run({"AUTH", address.user, address.password});
    }
    Run({"SELECT", std::to_string(address.db)});
  }

  ReplyPtr Run(std::initializer_list<std::string> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    ReplyPtr reply(static_cast<redisReply*>(redisCommandArgv(
        context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply) throw std::runtime_error("Redis did not answer");
    return reply;
  }

  long long Integer(std::initializer_list<std::string> args) {
    const auto reply = Run(args);
    if (reply->type != REDIS_REPLY_INTEGER) throw std::runtime_error("expected an integer reply");
    return reply->integer;
  }

 private:
  std::unique_ptr<redisContext, ContextDeleter> context_;
};

class RateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("REDIS_URL");
    if (url == nullptr || *url == '\0') {
      GTEST_SKIP() << "REDIS_URL is not set; `scripts/services.sh start DIR` provides one";
    }
    url_ = url;
    auto parsed = ParseRedisUrl(url_);
    ASSERT_TRUE(std::holds_alternative<RedisAddress>(parsed)) << std::get<std::string>(parsed);
    address_ = std::get<RedisAddress>(parsed);
    prefix_ = "ratelimit-test-" + RandomHex();
  }

  // Every class limited to `rule`; deadlines generous enough for a loaded CI.
  RateLimiterOptions Options(RateLimit rule) const {
    RateLimiterOptions options{.redis_url = url_, .key_prefix = prefix_};
    options.policy = {rule, rule, rule, rule};
    options.connect_timeout = milliseconds(2000);
    options.command_timeout = milliseconds(2000);
    options.acquire_timeout = milliseconds(2000);
    return options;
  }

  std::string url_;
  RedisAddress address_;
  std::string prefix_;
};

TEST_F(RateLimiterTest, AllowsExactlyTheLimitThenRefusesUntilTheOldestLeaves) {
  RateLimiter limiter(Options({5, seconds(2)}));

  for (int i = 0; i < 5; ++i) {
    const auto decision = limiter.Decide(RouteClass::kAuth, "user:alice");
    EXPECT_TRUE(decision.allowed) << i;
    EXPECT_FALSE(decision.degraded) << i;
    EXPECT_EQ(decision.limit, 5);
    EXPECT_EQ(decision.remaining, 4 - i);
    EXPECT_GE(decision.reset, seconds(1));
    EXPECT_LE(decision.reset, seconds(2));
    EXPECT_EQ(decision.retry_after, seconds(0));
  }

  const auto refused = limiter.Decide(RouteClass::kAuth, "user:alice");
  EXPECT_FALSE(refused.allowed);
  EXPECT_FALSE(refused.degraded);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_GE(refused.retry_after, seconds(1));
  EXPECT_LE(refused.retry_after, seconds(2));
  EXPECT_EQ(limiter.degraded_decisions(), 0u);
}

TEST_F(RateLimiterTest, IdentitiesAndClassesHaveSeparateBudgets) {
  RateLimiter limiter(Options({2, seconds(10)}));
  ASSERT_TRUE(limiter.Decide(RouteClass::kAuth, "ip:192.0.2.1").allowed);
  ASSERT_TRUE(limiter.Decide(RouteClass::kAuth, "ip:192.0.2.1").allowed);
  ASSERT_FALSE(limiter.Decide(RouteClass::kAuth, "ip:192.0.2.1").allowed);

  const auto other_identity = limiter.Decide(RouteClass::kAuth, "ip:192.0.2.2");
  EXPECT_TRUE(other_identity.allowed);
  EXPECT_EQ(other_identity.remaining, 1);
  for (const RouteClass other_class :
       {RouteClass::kGeneral, RouteClass::kAi, RouteClass::kUpload}) {
    const auto decision = limiter.Decide(other_class, "ip:192.0.2.1");
    EXPECT_TRUE(decision.allowed) << RouteClassName(other_class);
    EXPECT_EQ(decision.remaining, 1) << RouteClassName(other_class);
  }
}

TEST_F(RateLimiterTest, WindowSlidesRequestByRequest) {
  RateLimiter limiter(Options({2, seconds(1)}));
  const auto decide = [&limiter] { return limiter.Decide(RouteClass::kGeneral, "user:slide"); };

  ASSERT_TRUE(decide().allowed);  // first
  const auto first_done = Clock::now();
  std::this_thread::sleep_until(first_done + milliseconds(400));
  const auto second_start = Clock::now();
  ASSERT_TRUE(decide().allowed);  // second
  const auto second_done = Clock::now();
  const auto third = decide();
  EXPECT_FALSE(third.allowed);
  EXPECT_EQ(third.retry_after, seconds(1));

  // The first has left the window, the second has not.
  std::this_thread::sleep_until(first_done + milliseconds(1150));
  EXPECT_TRUE(decide().allowed);
  const auto refused = decide();
  if (Clock::now() - second_start < milliseconds(950)) {
    EXPECT_FALSE(refused.allowed);
  }

  std::this_thread::sleep_until(second_done + milliseconds(1150));
  EXPECT_TRUE(decide().allowed);
  EXPECT_EQ(limiter.degraded_decisions(), 0u);
}

TEST_F(RateLimiterTest, ConcurrentCallersNeverExceedTheLimitInTotal) {
  constexpr int kLimit = 50;
  constexpr int kThreads = 8;
  constexpr int kAttemptsPerThread = 25;
  RateLimiter limiter(Options({kLimit, seconds(30)}));
  std::atomic<int> allowed{0};
  std::atomic<bool> go{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load())
        std::this_thread::yield();
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        const auto decision = limiter.Decide(RouteClass::kUpload, "key:shared");
        if (decision.allowed && !decision.degraded) allowed.fetch_add(1);
      }
    });
  }
  go.store(true);
  for (auto& thread : threads)
    thread.join();

  EXPECT_EQ(limiter.degraded_decisions(), 0u);
  EXPECT_EQ(allowed.load(), kLimit);
}

TEST_F(RateLimiterTest, KeysExpireWithTheWindow) {
  RateLimiter limiter(Options({3, seconds(2)}));
  ASSERT_TRUE(limiter.Decide(RouteClass::kAi, "user:ttl").allowed);

  DirectRedis redis(address_);
  const long long ttl_ms =
      redis.Integer({"PTTL", RateLimitKey(prefix_, RouteClass::kAi, "user:ttl")});
  EXPECT_GT(ttl_ms, 0);
  EXPECT_LE(ttl_ms, 2000);
}

TEST_F(RateLimiterTest, ReloadsTheScriptAfterAFlush) {
  RateLimiter limiter(Options({3, seconds(5)}));
  ASSERT_TRUE(limiter.Decide(RouteClass::kGeneral, "user:flush").allowed);

  DirectRedis(address_).Run({"SCRIPT", "FLUSH"});
  const auto decision = limiter.Decide(RouteClass::kGeneral, "user:flush");
  EXPECT_TRUE(decision.allowed);
  EXPECT_FALSE(decision.degraded);
  EXPECT_EQ(decision.remaining, 1);
}

TEST_F(RateLimiterTest, UsesTheDatabaseOfTheUrl) {
  RedisAddress other = address_;
  other.db = address_.db == 5 ? 6 : 5;
  auto options = Options({3, seconds(5)});
  options.redis_url = UrlFor(other);
  RateLimiter limiter(options);
  ASSERT_FALSE(limiter.Decide(RouteClass::kGeneral, "user:db").degraded);

  const std::string key = RateLimitKey(prefix_, RouteClass::kGeneral, "user:db");
  EXPECT_EQ(DirectRedis(other).Integer({"EXISTS", key}), 1);
  EXPECT_EQ(DirectRedis(address_).Integer({"EXISTS", key}), 0);
}

TEST_F(RateLimiterTest, AuthenticatesAsTheUrlsUser) {
  DirectRedis admin(address_);
  const std::string user = prefix_ + "-user";
  const std::string password = "pw/" + RandomHex() + "@:";
  const auto created =
      admin.Run({"ACL", "SETUSER", user, "on", ">" + password, "~" + prefix_ + ":*", "+@all"});
  if (created->type == REDIS_REPLY_ERROR)
    GTEST_SKIP() << "this Redis has no ACL users (Redis 6 or later needed)";

  RedisAddress as_user = address_;
  as_user.user = user;
  as_user.password = password;
  auto options = Options({3, seconds(5)});
  options.redis_url = UrlFor(as_user);
  RateLimiter limiter(options);
  const auto decision = limiter.Decide(RouteClass::kAuth, "user:acl");

  as_user.password = "wrong";
  options.redis_url = UrlFor(as_user);
  RateLimiter refused(options);
  const auto without_auth = refused.Decide(RouteClass::kAuth, "user:acl");
  admin.Run({"ACL", "DELUSER", user});

  EXPECT_TRUE(decision.allowed);
  EXPECT_FALSE(decision.degraded);
  EXPECT_TRUE(without_auth.degraded);
}

// A TCP socket bound to a port below the ephemeral range but not listening:
// connecting to it is refused at once, and nothing else can take the port.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    port_ = test_support::BindLoopbackPort(fd_);
  }
  ~ClosedPort() { ::close(fd_); }
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

RateLimiterOptions UnreachableOptions(const ClosedPort& closed, bool fail_open) {
  RateLimiterOptions options{
      .redis_url = "redis://127.0.0.1:" + std::to_string(closed.port()) + "/0",
      .fail_open = fail_open};
  options.connect_timeout = milliseconds(300);
  return options;
}

TEST(RateLimiterWithoutRedis, FailsOpenWithinTheConnectTimeout) {
  ClosedPort closed;
  ASSERT_NE(closed.port(), 0) << "no free port to bind";
  RateLimiter limiter(UnreachableOptions(closed, true));

  for (std::uint64_t i = 1; i <= 2; ++i) {
    const auto start = Clock::now();
    const auto decision = limiter.Decide(RouteClass::kAuth, "user:outage");
    EXPECT_LT(Clock::now() - start, milliseconds(300));
    EXPECT_TRUE(decision.allowed);
    EXPECT_TRUE(decision.degraded);
    EXPECT_EQ(decision.limit, 100);
    EXPECT_TRUE(RateLimitHeaders(decision).empty());
    EXPECT_EQ(limiter.degraded_decisions(), i);
  }
}

TEST(RateLimiterWithoutRedis, RefusesWhenFailClosed) {
  ClosedPort closed;
  ASSERT_NE(closed.port(), 0) << "no free port to bind";
  RateLimiter limiter(UnreachableOptions(closed, false));

  const auto start = Clock::now();
  const auto decision = limiter.Decide(RouteClass::kGeneral, "user:outage");
  EXPECT_LT(Clock::now() - start, milliseconds(300));
  EXPECT_FALSE(decision.allowed);
  EXPECT_TRUE(decision.degraded);
  EXPECT_EQ(decision.retry_after, kDegradedRetryAfter);
  EXPECT_EQ(limiter.degraded_decisions(), 1u);
}

}  // namespace
}  // namespace ticketd::storage
