#include "api/api_routes.hpp"

#include "api/admin_routes.hpp"
#include "api/ai_config_routes.hpp"
#include "api/ai_routes.hpp"
#include "api/auth_routes.hpp"
#include "api/knowledge_base_routes.hpp"
#include "api/system_routes.hpp"
#include "api/ticket_routes.hpp"

namespace ticketd::api {

void AddApiRoutes(http::Router& router, const ApiRouteDeps& deps) {
  AddTicketRoutes(router, deps.tickets, deps.users, deps.blocking);
  AddAuthRoutes(router, deps.users, deps.refresh_tokens, deps.audit, deps.blocking, deps.hashing,
                deps.authenticator.Tokens());
  AddAdminRoutes(router,
                 {.users = deps.users,
                  .refresh_tokens = deps.refresh_tokens,
                  .api_keys = deps.api_keys,
                  .audit_events = deps.audit_events},
                 deps.authenticator, deps.audit, deps.blocking);
  AddKnowledgeBaseRoutes(router, deps.articles, deps.audit, deps.blocking);
  AddAiConfigRoutes(router, {.live = deps.live_ai,
                             .versions = deps.ai_versions,
                             .audit = deps.audit,
                             .blocking = deps.blocking});
  AddAiRoutes(router, {.engine = deps.engine,
                       .live = deps.live_ai,
                       .tickets = deps.tickets,
                       .articles = deps.articles,
                       .drafting = deps.drafting,
                       .max_input_chars = deps.config.ai_max_input_chars});
  AddSystemRoutes(router, {.config = deps.config,
                           .health = deps.health,
                           .metrics = deps.metrics,
                           .draining = deps.draining});
}

}  // namespace ticketd::api
