// Administration (issue #3): accounts under /api/v1/users, API keys under
// /api/v1/api-keys and the audit trail under /api/v1/audit-events. Every
// route requires its permission (users:manage, api_keys:manage, audit:read),
// which only admins hold; changes go to the audit trail and apply to the
// next request of the account or key they touch.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "api/audit_trail.hpp"
#include "api/authentication.hpp"
#include "http/router.hpp"
#include "storage/api_key_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/refresh_token_repository.hpp"
#include "storage/user_repository.hpp"

namespace ticketd::api {

struct AdminStores {
  storage::UserRepository& users;
  storage::RefreshTokenRepository& refresh_tokens;
  storage::ApiKeyRepository& api_keys;
  storage::AuditRepository& audit_events;
};

// Registers the routes. Every referenced object must outlive the router;
// database work runs on `blocking`.
void AddAdminRoutes(http::Router& router, AdminStores stores, Authenticator& authenticator,
                    AuditTrail& audit, boost::asio::thread_pool& blocking);

}  // namespace ticketd::api
