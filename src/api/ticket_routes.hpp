// The tickets API under /api/v1/tickets.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "http/router.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

namespace ticketd::api {

// Registers every ticket route on `router`. The repositories and `blocking`
// must outlive the router; database work runs on `blocking`. `users` is
// asked whether an assignee is an active member of staff.
void AddTicketRoutes(http::Router& router, storage::TicketRepository& tickets,
                     storage::UserRepository& users, boost::asio::thread_pool& blocking);

}  // namespace ticketd::api
