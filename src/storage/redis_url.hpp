// Redis URLs as REDIS_URL spells them. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace ticketd::storage {

struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // empty: the default user
  std::string password;  // empty: no AUTH
  int db = 0;
  bool tls = false;  // rediss://
};

// On failure, one line saying what is wrong; it never contains the password.
using RedisUrlResult = std::variant<RedisAddress, std::string>;

// Parses redis://[[user][:password]@][host][:port][/db] and the same with
// rediss://. A missing part keeps RedisAddress's default. User and password
// are percent-decoded (as redis-py did for the old backend); the host may be
// an IPv6 literal in brackets. Port must be 1-65535 and db a non-negative
// integer; a query string or fragment is refused rather than ignored.
RedisUrlResult ParseRedisUrl(std::string_view url);

}  // namespace ticketd::storage
