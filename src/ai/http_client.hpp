// HTTP POST for provider calls, on libcurl. Every request carries a connect
// deadline and a total deadline; nothing is retried here (see AiEngine).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ticketd::ai {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // may carry the key
  std::string body;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{20000};
};

enum class TransportError {
  kNone,       // a complete HTTP response arrived (any status)
  kConnect,    // no connection (refused, unresolvable, TLS failure)
  kTimeout,    // a deadline passed
  kTruncated,  // the connection ended before the announced body did
  kTooLarge,   // the body passed the response size limit
  kOther,      // any other transport failure (reset, protocol error)
};

struct HttpResponse {
  TransportError error = TransportError::kNone;
  std::string error_message;  // curl's words; never holds request headers
  long status = 0;
  std::string body;
  std::optional<std::string> retry_after;  // the Retry-After header, if sent
};

// Sends POST requests. Implementations are thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse Post(const HttpRequest& request) = 0;
};

// libcurl (one easy handle per call, no redirects, http and https only).
// Response bodies above `max_body_bytes` fail with kTooLarge.
std::shared_ptr<HttpTransport> MakeCurlTransport(std::size_t max_body_bytes = 8 * 1024 * 1024);

}  // namespace ticketd::ai
