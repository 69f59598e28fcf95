// Fuzzes what a client controls before any handler runs: Beast's request
// parser with the server's limits, then RouteRequest over the real ticket
// routes and the decoding of the list query. Handlers are never invoked, so
// the pool below never connects and no database is needed.
#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/buffer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>

#include "api/ticket_routes.hpp"
#include "common/config.hpp"
#include "domain/list_query.hpp"
#include "http/router.hpp"
#include "storage/pg_pool.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

namespace {

namespace beast_http = boost::beast::http;

// The router with every ticket route, and what its handlers would need. The
// pool connects on first Acquire(), which only a handler would call.
struct Fixture {
  Fixture()
      : pool(ticketd::storage::PoolOptions{
            .url = "postgresql://fuzz@127.0.0.1:1/fuzz",
            .size = 1,
            .statements = ticketd::storage::TicketRepository::Statements()}),
        tickets(pool),
        users(pool) {
    ticketd::api::AddTicketRoutes(router, tickets, users, blocking);
  }

  boost::asio::thread_pool blocking{1};
  ticketd::storage::PgPool pool;
  ticketd::storage::TicketRepository tickets;
  ticketd::storage::UserRepository users;
  ticketd::http::Router router;
};

const Fixture& GetFixture() {
  static const Fixture fixture;
  return fixture;
}

// Parses one request from `data` the way the server's session does: the
// configured limits, the body read with the header. Running out of input
// ends the request (need_more is not an error here, just an incomplete one).
bool ParseRequest(const std::uint8_t* data, std::size_t size,
                  beast_http::request_parser<beast_http::string_body>& parser) {
  const ticketd::config::Config defaults;
  parser.header_limit(static_cast<std::uint32_t>(defaults.max_header_bytes));
  parser.body_limit(defaults.max_body_bytes);
  parser.eager(true);

  boost::beast::error_code ec;
  while (size > 0 && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(data, size), ec);
    if (ec || used == 0) break;
    data += used;
    size -= used;
  }
  return parser.is_done();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  beast_http::request_parser<beast_http::string_body> parser;
  if (!ParseRequest(data, size, parser)) return 0;

  const ticketd::http::Request& request = parser.get();
  ticketd::http::RequestContext context{request};
  const auto routed = ticketd::http::RouteRequest(GetFixture().router, context);
  (void)routed;

  ticketd::domain::ListQuery query;
  const auto errors = ticketd::domain::DecodeListQuery(context.query, query);
  (void)errors;
  return 0;
}
