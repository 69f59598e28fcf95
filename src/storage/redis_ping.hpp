// A bounded Redis round trip for readiness checks.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ticketd::storage {

// Connects to `url` (redis://[user:password@]host[:port][/db]), authenticates
// when a password is given and sends PING, all within `timeout`. Returns
// std::nullopt on PONG, else a short reason without secrets.
std::optional<std::string> PingRedis(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace ticketd::storage
