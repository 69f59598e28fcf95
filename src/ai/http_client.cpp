#include "ai/http_client.hpp"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

namespace ticketd::ai {
namespace {

struct Sink {
  std::string body;
  std::size_t limit = 0;
  bool too_large = false;
  std::optional<std::string> retry_after;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  if (sink->body.size() + bytes > sink->limit) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, bytes);
  return bytes;
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  std::string_view line(data, bytes);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(line[i])) != kName[i]) match = false;
    }
    if (match) {
      auto value = line.substr(kName.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
      sink->retry_after = std::string(value);
    }
  }
  return bytes;
}

TransportError Classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      return TransportError::kConnect;
    case CURLE_PARTIAL_FILE:
      return TransportError::kTruncated;
    default:
      return TransportError::kOther;
  }
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(std::size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  HttpResponse Post(const HttpRequest& request) override {
    HttpResponse response;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(),
                                                               &curl_easy_cleanup);
    if (!handle) {
      response.error = TransportError::kOther;
      response.error_message = "curl_easy_init failed";
      return response;
    }

    curl_slist* raw_headers = nullptr;
    for (const auto& [name, value] : request.headers)
      raw_headers = curl_slist_append(raw_headers, (name + ": " + value).c_str());
    // No "Expect: 100-continue" round trip on larger bodies.
    raw_headers = curl_slist_append(raw_headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(raw_headers,
                                                                        &curl_slist_free_all);

    Sink sink;
    sink.limit = max_body_bytes_;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* curl = handle.get();
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::max<long long>(1, request.connect_timeout.count())));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<long long>(1, request.total_timeout.count())));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");

    const CURLcode code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    response.retry_after = std::move(sink.retry_after);
    if (sink.too_large) {
      response.error = TransportError::kTooLarge;
      response.error_message =
          "response body larger than " + std::to_string(max_body_bytes_) + " bytes";
      return response;
    }
    if (code != CURLE_OK) {
      response.error = Classify(code);
      response.error_message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
      return response;
    }
    response.body = std::move(sink.body);
    return response;
  }

 private:
  std::size_t max_body_bytes_;
};

}  // namespace

std::shared_ptr<HttpTransport> MakeCurlTransport(std::size_t max_body_bytes) {
  return std::make_shared<CurlTransport>(max_body_bytes);
}

}  // namespace ticketd::ai
