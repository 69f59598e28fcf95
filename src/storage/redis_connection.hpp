// One blocking Redis connection with deadlines, over TCP (redis://) or TLS
// (rediss://, as ElastiCache with encryption in transit needs).
//
// hiredis 0.14 has no TLS, so it is used only for the protocol: its formatter
// encodes each command and its reader parses the replies. Bytes travel over
// an Asio socket or an Asio TLS stream, and every step (name resolution,
// connect, handshake, each command) is bounded by a deadline.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "storage/redis_url.hpp"

namespace ticketd::storage {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisConnectOptions {
  // Bounds resolving the host, the TCP connect and the TLS handshake together.
  std::chrono::milliseconds connect_timeout{250};
  // Bounds each command: writing it and reading its whole reply.
  std::chrono::milliseconds command_timeout{250};
  // rediss:// only: a PEM file of certificate authorities trusted besides the
  // system's (a private CA, or a test's). Empty: the system's store alone.
  std::string tls_ca_file;
};

// Not thread-safe: one thread uses a connection at a time (a pool hands it
// over). Movable, not copyable.
class RedisConnection {
 public:
  // Resolves, connects, completes the TLS handshake for rediss:// (the
  // server's certificate must chain to a trusted CA and name the host), then
  // sends AUTH when the address has a password and SELECT when its db is not
  // 0. On failure, one line saying which step failed and why, never the
  // password.
  static std::variant<RedisConnection, std::string> Open(const RedisAddress& address,
                                                         const RedisConnectOptions& options);

  RedisConnection(RedisConnection&&) noexcept;
  RedisConnection& operator=(RedisConnection&&) noexcept;
  ~RedisConnection();

  // Sends one command and reads its reply within the command timeout. Null
  // when the connection failed, timed out or the reply was not valid RESP:
  // the connection is then broken() and must be dropped, since the stream
  // may be out of step. A Redis error reply is a reply, not a failure.
  RedisReplyPtr Command(std::initializer_list<std::string_view> args);

  bool broken() const;
  // Why the connection broke; empty while it works.
  const std::string& error() const;

 private:
  struct Impl;
  explicit RedisConnection(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace ticketd::storage
