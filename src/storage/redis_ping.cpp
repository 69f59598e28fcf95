#include "storage/redis_ping.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <vector>

namespace ticketd::storage {
namespace {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;
  std::string password;
  int db = 0;
};

std::optional<RedisAddress> ParseRedisUrl(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0)
    return std::nullopt;
  RedisAddress address;
  std::string rest = url.substr(kScheme.size());
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    address.user = credentials.substr(0, colon);
    if (colon != std::string::npos)
      address.password = credentials.substr(colon + 1);
  }
  const auto slash = rest.find('/');
  std::string host_port = rest.substr(0, slash);
  if (slash != std::string::npos && slash + 1 < rest.size()) {
    try {
      address.db = std::stoi(rest.substr(slash + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (const auto colon = host_port.rfind(':'); colon != std::string::npos) {
    try {
      address.port = std::stoi(host_port.substr(colon + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    host_port = host_port.substr(0, colon);
  }
  if (!host_port.empty())
    address.host = host_port;
  return address;
}

using ContextPtr = std::unique_ptr<redisContext, decltype(&redisFree)>;
using ReplyPtr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

std::optional<std::string> Command(redisContext* context, std::initializer_list<std::string> args,
                                   bool expect_pong) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  ReplyPtr reply(static_cast<redisReply*>(redisCommandArgv(context, static_cast<int>(argv.size()),
                                                           argv.data(), lengths.data())),
                 freeReplyObject);
  if (!reply)
    return std::string("no reply: ") + context->errstr;
  if (reply->type == REDIS_REPLY_ERROR)
    return std::string("error reply from ") + *args.begin();
  if (expect_pong && std::string(reply->str, reply->len) != "PONG")
    return "unexpected PING reply";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> PingRedis(const std::string& url, std::chrono::milliseconds timeout) {
  if (url.rfind("rediss://", 0) == 0) {
    // TODO(#5): TLS to ElastiCache through hiredis' reader over an Asio TLS stream.
    return "rediss:// is not supported by this build yet";
  }
  const auto address = ParseRedisUrl(url);
  if (!address)
    return "REDIS_URL is not a valid redis:// URL";

  const timeval deadline{static_cast<time_t>(timeout.count() / 1000),
                         static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ContextPtr context(redisConnectWithTimeout(address->host.c_str(), address->port, deadline),
                     redisFree);
  if (!context)
    return "cannot allocate a Redis context";
  if (context->err)
    return std::string("connect failed: ") + context->errstr;
  redisSetTimeout(context.get(), deadline);

  if (!address->password.empty()) {
    auto failed = address->user.empty()
                      ? Command(context.get(), {"AUTH", address->password}, false)
                      : Command(context.get(), {"AUTH", address->user, address->password}, false);
    if (failed)
      return "authentication failed";
  }
  if (address->db != 0) {
    if (auto failed = Command(context.get(), {"SELECT", std::to_string(address->db)}, false)) {
      return failed;
    }
  }
  return Command(context.get(), {"PING"}, true);
}

}  // namespace ticketd::storage
