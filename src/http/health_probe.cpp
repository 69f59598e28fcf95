#include "http/health_probe.hpp"

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace ticketd::http {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using boost::system::error_code;

std::string ProbeHost(std::string_view bind_address) {
  if (bind_address.empty() || bind_address == "0.0.0.0") return "127.0.0.1";
  if (bind_address == "::" || bind_address == "[::]") return "::1";
  return std::string(bind_address);
}

ProbeResult Probe(const ProbeTarget& target, std::chrono::milliseconds deadline) {
  error_code parse_error;
  const auto address = asio::ip::make_address(target.host, parse_error);
  if (parse_error) return {false, "not an IP address: '" + target.host + "'"};

  // Declared first so that it is destroyed last, after everything its
  // unfinished handlers refer to.
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::beast::flat_buffer buffer;
  beast_http::request<beast_http::empty_body> request{beast_http::verb::get, target.path, 11};
  const std::string host = address.is_v6() ? "[" + target.host + "]:" + std::to_string(target.port)
                                           : target.host + ":" + std::to_string(target.port);
  request.set(beast_http::field::host, host);
  request.set(beast_http::field::user_agent, "ticketd-healthcheck");
  request.set(beast_http::field::connection, "close");
  beast_http::response<beast_http::string_body> response;

  ProbeResult result{
      false, "no answer from " + host + " within " + std::to_string(deadline.count()) + " ms"};
  socket.async_connect({address, target.port}, [&](const error_code& connect_error) {
    if (connect_error) {
      result.detail = "cannot connect to " + host + ": " + connect_error.message();
      return;
    }
    beast_http::async_write(socket, request, [&](const error_code& write_error, std::size_t) {
      if (write_error) {
        result.detail = "cannot send to " + host + ": " + write_error.message();
        return;
      }
      beast_http::async_read(
          socket, buffer, response, [&](const error_code& read_error, std::size_t) {
            if (read_error) {
              result.detail = "no HTTP answer from " + host + ": " + read_error.message();
              return;
            }
            const unsigned status = response.result_int();
            result = {status >= 200 && status < 300, "HTTP " + std::to_string(status)};
          });
    });
  });
  io.run_for(deadline);
  return result;
}

}  // namespace ticketd::http
