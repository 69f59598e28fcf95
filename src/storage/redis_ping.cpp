#include "storage/redis_ping.hpp"

#include "storage/redis_url.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <vector>

namespace ticketd::storage {
namespace {

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
  if (!reply) return std::string("no reply: ") + context->errstr;
  if (reply->type == REDIS_REPLY_ERROR) return std::string("error reply from ") + *args.begin();
  if (expect_pong && std::string(reply->str, reply->len) != "PONG") return "unexpected PING reply";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> PingRedis(const std::string& url, std::chrono::milliseconds timeout) {
  const auto parsed = ParseRedisUrl(url);
  if (const auto* problem = std::get_if<std::string>(&parsed)) return *problem;
  const auto* address = &std::get<RedisAddress>(parsed);
  if (address->tls) {
    // TODO(#5): TLS to ElastiCache through hiredis' reader over an Asio TLS stream.
    return "rediss:// is not supported by this build yet";
  }

  const timeval deadline{static_cast<time_t>(timeout.count() / 1000),
                         static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ContextPtr context(redisConnectWithTimeout(address->host.c_str(), address->port, deadline),
                     redisFree);
  if (!context) return "cannot allocate a Redis context";
  if (context->err) return std::string("connect failed: ") + context->errstr;
  redisSetTimeout(context.get(), deadline);

  if (!address->password.empty()) {
    auto failed = address->user.empty()
                      ? Command(context.get(), {"AUTH", address->password}, false)
                      : Command(context.get(), {"AUTH", address->user, address->password}, false);
    if (failed) return "authentication failed";
  }
  if (address->db != 0) {
    if (auto failed = Command(context.get(), {"SELECT", std::to_string(address->db)}, false)) {
      return failed;
    }
  }
  return Command(context.get(), {"PING"}, true);
}

}  // namespace ticketd::storage
