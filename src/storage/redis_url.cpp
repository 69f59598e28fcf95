#include "storage/redis_url.hpp"

#include <charconv>
#include <optional>

namespace ticketd::storage {
namespace {

constexpr std::string_view kPlainScheme = "redis://";
constexpr std::string_view kTlsScheme = "rediss://";

// The whole of `text` as a decimal integer in [min, max]; no sign, no spaces.
std::optional<int> ParseInt(std::string_view text, int min, int max) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexDigit(text[i + 1]);
    const int low = HexDigit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

}  // namespace

RedisUrlResult ParseRedisUrl(std::string_view url) {
  RedisAddress address;
  std::string_view rest;
  if (url.starts_with(kTlsScheme)) {
    address.tls = true;
    rest = url.substr(kTlsScheme.size());
  } else if (url.starts_with(kPlainScheme)) {
    rest = url.substr(kPlainScheme.size());
  } else {
    return std::string("must start with redis:// or rediss://");
  }
  if (rest.find_first_of("?#") != std::string_view::npos)
    return std::string("query parameters and fragments are not supported");

  // The password may contain '@' only percent-encoded; the last '@' ends it.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = credentials.find(':');
    auto user = PercentDecode(credentials.substr(0, colon));
    if (!user) return std::string("the user name has an invalid percent-encoding");
    address.user = std::move(*user);
    if (colon != std::string_view::npos) {
      auto password = PercentDecode(credentials.substr(colon + 1));
      if (!password) return std::string("the password has an invalid percent-encoding");
      address.password = std::move(*password);
    }
  }

  const auto slash = rest.find('/');
  std::string_view host_port = rest.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 < rest.size()) {
    const auto db = ParseInt(rest.substr(slash + 1), 0, 1'000'000);
    if (!db) return std::string("the database after '/' must be a non-negative integer");
    address.db = *db;
  }

  std::string_view host = host_port;
  std::string_view port;
  if (host_port.starts_with('[')) {
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) return std::string("an IPv6 host must end with ']'");
    host = host_port.substr(1, close - 1);
    const std::string_view after = host_port.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return std::string("unexpected text after the IPv6 host");
    if (!after.empty()) port = after.substr(1);
  } else if (const auto colon = host_port.rfind(':'); colon != std::string_view::npos) {
    host = host_port.substr(0, colon);
    port = host_port.substr(colon + 1);
  }
  if (!port.empty()) {
    const auto number = ParseInt(port, 1, 65535);
    if (!number) return std::string("the port must be an integer from 1 to 65535");
    address.port = *number;
  }
  if (!host.empty()) address.host = std::string(host);
  return address;
}

}  // namespace ticketd::storage
