// A scripted HTTP server on 127.0.0.1 standing in for a language-model API
// in tests: it answers each request with the next scripted response (status,
// headers, body, an optional delay, or a body cut off mid-stream) and records
// what it received. One thread per connection, so a slow answer does not hold
// up the next request. The port is a free one below 32768, chosen at random.
#pragma once

#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ticketd::ai::testing_support {

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // before the status line is written
  bool cut_off = false;                // announce the full length, send half, close
};

struct RecordedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class FakeProviderServer {
 public:
  FakeProviderServer() : acceptor_(io_) {
    namespace asio = boost::asio;
    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<int> ports(20000, 32000);
    for (int tries = 0; tries < 200; ++tries) {
      const auto port = static_cast<unsigned short>(ports(random));
      boost::system::error_code error;
      asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
      acceptor_.open(endpoint.protocol(), error);
      if (error) continue;
      acceptor_.bind(endpoint, error);
      if (error) {
        acceptor_.close();
        continue;
      }
      acceptor_.listen(64, error);
      if (error) {
        acceptor_.close();
        continue;
      }
      port_ = port;
      break;
    }
    if (port_ == 0) throw std::runtime_error("no free loopback port below 32768");
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~FakeProviderServer() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    try {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket socket(io);
      socket.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    } catch (const std::exception&) {
      // already closed
    }
    accept_thread_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mutex_);
      workers.swap(workers_);
    }
    for (auto& worker : workers)
      worker.join();
  }

  FakeProviderServer(const FakeProviderServer&) = delete;
  FakeProviderServer& operator=(const FakeProviderServer&) = delete;

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void Enqueue(ScriptedResponse response) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(response));
  }
  void EnqueueJson(const std::string& body, int status = 200) {
    Enqueue({.status = status, .body = body, .headers = {{"Content-Type", "application/json"}}});
  }

  std::vector<RecordedRequest> Requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t RequestCount() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  void AcceptLoop() {
    while (true) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      if (stopping_) return;
      if (error) continue;
      std::lock_guard lock(mutex_);
      workers_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }

  void Serve(boost::asio::ip::tcp::socket socket) {
    namespace beast = boost::beast;
    namespace http = beast::http;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    boost::system::error_code error;
    http::read(socket, buffer, request, error);
    if (error) return;

    RecordedRequest recorded{.method = std::string(request.method_string()),
                             .target = std::string(request.target()),
                             .body = request.body()};
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      recorded.headers[name] = std::string(field.value());
    }
    ScriptedResponse scripted{.status = 500, .body = R"({"error":{"message":"no script left"}})"};
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(recorded));
      if (!script_.empty()) {
        scripted = std::move(script_.front());
        script_.pop_front();
      }
    }

    if (scripted.delay.count() > 0) std::this_thread::sleep_for(scripted.delay);

    if (scripted.cut_off) {
      std::string head = "HTTP/1.1 " + std::to_string(scripted.status) +
                         " OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(scripted.body.size()) + "\r\nConnection: close\r\n\r\n";
      head += scripted.body.substr(0, scripted.body.size() / 2);
      boost::asio::write(socket, boost::asio::buffer(head), error);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, error);
      return;
    }

    http::response<http::string_body> response{static_cast<http::status>(scripted.status), 11};
    for (const auto& [name, value] : scripted.headers)
      response.set(name, value);
    response.set(http::field::connection, "close");
    response.body() = scripted.body;
    response.prepare_payload();
    http::write(socket, response, error);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, error);
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  mutable std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::deque<ScriptedResponse> script_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace ticketd::ai::testing_support
