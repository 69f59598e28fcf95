// A bounded Redis round trip for readiness checks.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ticketd::storage {

// Connects to `url` (redis:// or rediss://, see ParseRedisUrl), over TLS
// trusting `tls_ca_file` besides the system's CAs when it is not empty,
// authenticates when a password is given and sends PING: the connection
// within `timeout`, and PING within another. Returns std::nullopt on PONG,
// else a short reason without secrets.
std::optional<std::string> PingRedis(const std::string& url, std::chrono::milliseconds timeout,
                                     const std::string& tls_ca_file);

}  // namespace ticketd::storage
