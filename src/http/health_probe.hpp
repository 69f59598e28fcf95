// A one-shot HTTP GET for container health checks: `ticketd healthcheck`
// asks the server running beside it whether it serves. No retries; the
// container runtime repeats the check.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ticketd::http {

struct ProbeTarget {
  std::string host;  // an IP address literal; names are not resolved
  std::uint16_t port = 8000;
  std::string path = "/health/live";
};

struct ProbeResult {
  bool healthy = false;  // true only for a 2xx answer
  std::string detail;    // "HTTP <status>", or why no answer came
};

// The address a probe dials for a server listening on `bind_address`: the
// loopback address of the same family for a wildcard (0.0.0.0, ::) or empty
// address, else the address itself.
std::string ProbeHost(std::string_view bind_address);

// GETs target.path from target.host:target.port; connecting, sending and
// reading the whole answer must finish within `deadline`.
ProbeResult Probe(const ProbeTarget& target, std::chrono::milliseconds deadline);

}  // namespace ticketd::http
