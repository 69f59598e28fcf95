#include "http/health_probe.hpp"

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <gtest/gtest.h>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <istream>
#include <optional>
#include <thread>

namespace ticketd::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::chrono::milliseconds kDeadline{2000};

// A listener on a free loopback port below 32768 (never port 0).
std::optional<tcp::acceptor> ListenOnFreePort(asio::io_context& io) {
  for (std::uint16_t port = 24100; port < 24900; ++port) {
    tcp::acceptor acceptor(io);
    boost::system::error_code error;
    acceptor.open(tcp::v4(), error);
    if (!error) acceptor.bind({asio::ip::make_address("127.0.0.1"), port}, error);
    if (!error) acceptor.listen(8, error);
    if (!error) return acceptor;
  }
  return std::nullopt;
}

// A peer that accepts one connection, records the request line and answers
// with `answer` verbatim (or, when `answer` is empty, holds the connection
// open without a word until it is destroyed).
class OneShotPeer {
 public:
  explicit OneShotPeer(std::string answer) : answer_(std::move(answer)) {
    acceptor_ = ListenOnFreePort(io_);
    if (!acceptor_) return;
    port_ = acceptor_->local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotPeer() {
    released_ = true;
    boost::system::error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
    if (thread_.joinable()) thread_.join();
  }

  std::uint16_t port() const { return port_; }
  // Valid once the probe returned.
  const std::string& request_line() const { return request_line_; }

 private:
  void Serve() {
    boost::system::error_code error;
    tcp::socket socket(io_);
    acceptor_->accept(socket, error);
    if (error) return;
    asio::streambuf request;
    asio::read_until(socket, request, "\r\n\r\n", error);
    if (error) return;
    std::istream lines(&request);
    std::getline(lines, request_line_);
    if (!request_line_.empty() && request_line_.back() == '\r') request_line_.pop_back();
    if (answer_.empty()) {
      while (!released_)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    asio::write(socket, asio::buffer(answer_), error);
  }

  asio::io_context io_;
  std::optional<tcp::acceptor> acceptor_;
  std::uint16_t port_ = 0;
  std::string answer_;
  std::string request_line_;
  std::atomic<bool> released_ = false;
  std::thread thread_;
};

TEST(ProbeHost, DialsLoopbackForWildcardBindsAndTheAddressOtherwise) {
  EXPECT_EQ(ProbeHost("0.0.0.0"), "127.0.0.1");
  EXPECT_EQ(ProbeHost(""), "127.0.0.1");
  EXPECT_EQ(ProbeHost("::"), "::1");
  EXPECT_EQ(ProbeHost("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(ProbeHost("10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(ProbeHost("::1"), "::1");
}

TEST(Probe, A2xxAnswerIsHealthyAndThePathIsRequested) {
  OneShotPeer peer(
      "HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\n"
      "{\"status\":\"ok\"}");
  ASSERT_NE(peer.port(), 0) << "no free loopback port in 24100-24899";
  const auto result = Probe({.host = "127.0.0.1", .port = peer.port()}, kDeadline);
  EXPECT_TRUE(result.healthy) << result.detail;
  EXPECT_EQ(result.detail, "HTTP 200");
  EXPECT_EQ(peer.request_line(), "GET /health/live HTTP/1.1");
}

TEST(Probe, AnErrorStatusIsUnhealthy) {
  OneShotPeer peer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
  ASSERT_NE(peer.port(), 0) << "no free loopback port in 24100-24899";
  const auto result = Probe({.host = "127.0.0.1", .port = peer.port()}, kDeadline);
  EXPECT_FALSE(result.healthy);
  EXPECT_EQ(result.detail, "HTTP 503");
}

TEST(Probe, APeerThatNeverAnswersIsUnhealthyOnceTheDeadlinePasses) {
  OneShotPeer peer("");
  ASSERT_NE(peer.port(), 0) << "no free loopback port in 24100-24899";
  const auto result =
      Probe({.host = "127.0.0.1", .port = peer.port()}, std::chrono::milliseconds(300));
  EXPECT_FALSE(result.healthy);
  EXPECT_NE(result.detail.find("no answer from 127.0.0.1:"), std::string::npos) << result.detail;
}

TEST(Probe, NothingListeningIsUnhealthy) {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    auto acceptor = ListenOnFreePort(io);
    ASSERT_TRUE(acceptor.has_value()) << "no free loopback port in 24100-24899";
    port = acceptor->local_endpoint().port();
  }  // closed again: connecting is refused
  const auto result = Probe({.host = "127.0.0.1", .port = port}, kDeadline);
  EXPECT_FALSE(result.healthy);
  EXPECT_NE(result.detail.find("cannot connect"), std::string::npos) << result.detail;
}

TEST(Probe, AHostThatIsNotAnAddressIsRefusedWithoutDialling) {
  const auto result = Probe({.host = "localhost", .port = 8000}, kDeadline);
  EXPECT_FALSE(result.healthy);
  EXPECT_EQ(result.detail, "not an IP address: 'localhost'");
}

}  // namespace
}  // namespace ticketd::http
