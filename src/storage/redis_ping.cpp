#include "storage/redis_ping.hpp"

#include "storage/redis_connection.hpp"
#include "storage/redis_url.hpp"

namespace ticketd::storage {

std::optional<std::string> PingRedis(const std::string& url, std::chrono::milliseconds timeout,
                                     const std::string& tls_ca_file) {
  const auto parsed = ParseRedisUrl(url);
  if (const auto* problem = std::get_if<std::string>(&parsed)) return *problem;

  auto opened = RedisConnection::Open(
      std::get<RedisAddress>(parsed),
      {.connect_timeout = timeout, .command_timeout = timeout, .tls_ca_file = tls_ca_file});
  if (auto* failed = std::get_if<std::string>(&opened)) return std::move(*failed);
  auto& connection = std::get<RedisConnection>(opened);

  const RedisReplyPtr reply = connection.Command({"PING"});
  if (!reply) return "PING: " + connection.error();
  if (reply->type == REDIS_REPLY_ERROR) return std::string("error reply from PING");
  if (std::string_view(reply->str, reply->len) != "PONG")
    return std::string("unexpected PING reply");
  return std::nullopt;
}

}  // namespace ticketd::storage
