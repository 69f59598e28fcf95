// The tickets API under /api/v1/tickets.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "http/router.hpp"
#include "storage/ticket_repository.hpp"

namespace ticketd::api {

// Registers every ticket route on `router`. `tickets` and `blocking` must
// outlive the router; database work runs on `blocking`.
void AddTicketRoutes(http::Router& router, storage::TicketRepository& tickets,
                     boost::asio::thread_pool& blocking);

}  // namespace ticketd::api
