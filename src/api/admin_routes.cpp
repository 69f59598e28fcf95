#include "api/admin_routes.hpp"

#include "api/account_json.hpp"
#include "api/reply.hpp"
#include "domain/access.hpp"
#include "domain/account_requests.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;
using nlohmann::json;

constexpr std::string_view kApiKeysPath = "/api/v1/api-keys/";

http::Problem UserNotFound(std::string_view id) {
  return http::NotFound("No user with id " + std::string(id) + ".");
}

http::Problem ApiKeyNotFound(std::string_view id) {
  return http::NotFound("No API key with id " + std::string(id) + ".");
}

template <typename Item, typename ToJson>
json Items(const std::vector<Item>& items, ToJson to_json) {
  json array = json::array();
  for (const auto& item : items)
    array.push_back(to_json(item));
  return array;
}

// The acting admin was deactivated or demoted while its request ran.
http::Problem NoLongerAdmin() {
  return http::Forbidden("FORBIDDEN", "Your account is no longer an active admin.");
}

class AdminRoutes {
 public:
  AdminRoutes(AdminStores stores, Authenticator& authenticator, AuditTrail& audit,
              boost::asio::thread_pool& blocking)
      : stores_(stores), authenticator_(authenticator), audit_(audit), blocking_(blocking) {}

  // RequireAccount, checked against the account as it is now rather than
  // as the authenticator cached it (up to 5 s old on other instances): a
  // just-deactivated or demoted admin must not change accounts or keys.
  awaitable<std::optional<http::Problem>> RequireCurrentAdmin(const http::RequestContext& context,
                                                              domain::Action action) {
    if (auto refused = RequireAccount(context, action)) co_return refused;
    const auto& id = context.principal.id;
    const auto current = co_await Offload(blocking_, [&] { return stores_.users.FindById(id); });
    if (!current || !current->is_active) {
      co_return Unauthenticated("ACCOUNT_DISABLED", "The account is deactivated.");
    }
    if (!domain::Allows(current->role, action)) {
      co_return http::Forbidden(
          "FORBIDDEN", "The role " + std::string(domain::ToString(current->role)) + " may not " +
                           std::string(domain::ToString(action)) + ".");
    }
    co_return std::nullopt;
  }

  awaitable<http::Response> ListUsers(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kUserManage)) {
      co_return Refuse(context, *refused);
    }
    domain::UserQuery query;
    if (auto errors = domain::DecodeUserQuery(context.query, query); !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }
    const auto page = co_await Offload(blocking_, [&] { return stores_.users.List(query); });
    co_return Json(context, http::Status::ok,
                   PageJson(Items(page.items, UserJson), page.total, query.page, query.size));
  }

  awaitable<http::Response> GetUser(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kUserManage)) {
      co_return Refuse(context, *refused);
    }
    const auto id = PathUuid(context, "user_id");
    if (id.empty()) co_return Reply(context, UserNotFound(context.PathParam("user_id")));
    const auto user = co_await Offload(blocking_, [&] { return stores_.users.FindById(id); });
    if (!user) co_return Reply(context, UserNotFound(id));
    co_return Json(context, http::Status::ok, UserJson(*user));
  }

  // PATCH: role and is_active. Deactivation ends the account's refresh
  // tokens; every change reaches the authenticator at once.
  awaitable<http::Response> ChangeUser(http::RequestContext& context) {
    if (auto refused = co_await RequireCurrentAdmin(context, domain::Action::kUserManage)) {
      co_return Refuse(context, *refused);
    }
    const auto id = PathUuid(context, "user_id");
    if (id.empty()) co_return Reply(context, UserNotFound(context.PathParam("user_id")));
    auto body = ReadJsonBody(context, true);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    domain::AccessChange change;
    if (auto errors = domain::DecodeAccessChange(std::get<JsonBody>(body).value, change);
        !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }

    // An admin who demotes or deactivates themselves may leave nobody to undo it.
    const auto& principal = context.principal;
    const bool self = principal.kind == http::PrincipalKind::kUser && principal.id == id;
    if (self && ((change.role && *change.role != principal.role) ||
                 (change.is_active && !*change.is_active))) {
      co_return Reply(context, http::Problem{http::Status::conflict,
                                             "CANNOT_CHANGE_SELF",
                                             "Conflict",
                                             "Admins may not change their own role or deactivate "
                                             "themselves; ask another admin.",
                                             {}});
    }

    struct Outcome {
      std::optional<storage::UserChange> change;
      int revoked = 0;
      std::vector<storage::ApiKey> revoked_keys;
    };
    const auto outcome = co_await Offload(blocking_, [&]() -> Outcome {
      auto changed = stores_.users.Change(id, {.role = change.role, .is_active = change.is_active},
                                          principal.id);
      if (!changed || changed->last_admin || changed->actor_not_admin) return {changed};
      Outcome result{changed};
      const bool deactivated = changed->before.is_active && !changed->after.is_active;
      const bool demoted = changed->before.role == domain::Role::kAdmin &&
                           changed->after.role != domain::Role::kAdmin;
      if (deactivated) result.revoked = stores_.refresh_tokens.RevokeAllFor(id);
      // Keys live on their creator's authority: they end with it.
      if (deactivated || demoted) result.revoked_keys = stores_.api_keys.RevokeCreatedBy(id);
      return result;
    });
    if (!outcome.change) co_return Reply(context, UserNotFound(id));
    if (outcome.change->actor_not_admin) co_return Reply(context, NoLongerAdmin());
    if (outcome.change->last_admin) {
      co_return Reply(context, http::Problem{http::Status::conflict,
                                             "LAST_ADMIN",
                                             "Conflict",
                                             "This is the last active admin; make another admin "
                                             "first.",
                                             {}});
    }
    authenticator_.Forget(id);
    for (const auto& key : outcome.revoked_keys) {
      authenticator_.Forget(key.id);
      auto event = audit_.EventFor(
          context, "api_key.revoked", key.id,
          {{"name", key.name}, {"prefix", key.prefix}, {"reason", "creator_lost_access"}});
      co_await audit_.Record(std::move(event));
    }

    const auto& before = outcome.change->before;
    const auto& after = outcome.change->after;
    if (before.role != after.role) {
      auto event = audit_.EventFor(
          context, "user.role_changed", id,
          {{"from", domain::ToString(before.role)}, {"to", domain::ToString(after.role)}});
      co_await audit_.Record(std::move(event));
    }
    if (before.is_active && !after.is_active) {
      auto event = audit_.EventFor(context, "user.deactivated", id,
                                   {{"revoked_refresh_tokens", outcome.revoked}});
      co_await audit_.Record(std::move(event));
    } else if (!before.is_active && after.is_active) {
      auto event = audit_.EventFor(context, "user.reactivated", id);
      co_await audit_.Record(std::move(event));
    }
    co_return Json(context, http::Status::ok, UserJson(after));
  }

  awaitable<http::Response> CreateApiKey(http::RequestContext& context) {
    if (auto refused = co_await RequireCurrentAdmin(context, domain::Action::kApiKeyManage)) {
      co_return Refuse(context, *refused);
    }
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    domain::ApiKeyRequest request;
    if (auto errors = domain::DecodeApiKeyRequest(std::get<JsonBody>(body).value, request);
        !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }

    // created_by_id references users: a key made by a key records no creator.
    const auto& creator = context.principal.id;  // an account: RequireCurrentAdmin
    const auto made = co_await Offload(
        blocking_, [&] { return stores_.api_keys.Create(request.name, request.role, creator); });
    if (!made) co_return Reply(context, NoLongerAdmin());
    const auto& created = *made;
    auto event = audit_.EventFor(context, "api_key.created", created.key.id,
                                 {{"name", created.key.name},
                                  {"role", domain::ToString(created.key.role)},
                                  {"prefix", created.key.prefix}});
    co_await audit_.Record(std::move(event));

    auto answer = ApiKeyJson(created.key);
    answer["key"] = created.secret;
    auto response = Json(context, http::Status::created, answer);
    response.set(beast_http::field::location, std::string(kApiKeysPath) + created.key.id);
    co_return response;
  }

  awaitable<http::Response> ListApiKeys(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kApiKeyManage)) {
      co_return Refuse(context, *refused);
    }
    domain::ApiKeyQuery query;
    if (auto errors = domain::DecodeApiKeyQuery(context.query, query); !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }
    const auto page = co_await Offload(blocking_, [&] {
      return stores_.api_keys.List(query.page, query.size, query.active_only);
    });
    co_return Json(context, http::Status::ok,
                   PageJson(Items(page.items, ApiKeyJson), page.total, query.page, query.size));
  }

  awaitable<http::Response> GetApiKey(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kApiKeyManage)) {
      co_return Refuse(context, *refused);
    }
    const auto id = PathUuid(context, "key_id");
    if (id.empty()) co_return Reply(context, ApiKeyNotFound(context.PathParam("key_id")));
    const auto key = co_await Offload(blocking_, [&] { return stores_.api_keys.Find(id); });
    if (!key) co_return Reply(context, ApiKeyNotFound(id));
    co_return Json(context, http::Status::ok, ApiKeyJson(*key));
  }

  // DELETE revokes; revoking a revoked key answers 204 again (and is not
  // audited twice).
  awaitable<http::Response> RevokeApiKey(http::RequestContext& context) {
    if (auto refused = co_await RequireCurrentAdmin(context, domain::Action::kApiKeyManage)) {
      co_return Refuse(context, *refused);
    }
    const auto id = PathUuid(context, "key_id");
    if (id.empty()) co_return Reply(context, ApiKeyNotFound(context.PathParam("key_id")));
    const auto revoked = co_await Offload(blocking_, [&] { return stores_.api_keys.Revoke(id); });
    if (!revoked) co_return Reply(context, ApiKeyNotFound(id));
    authenticator_.Forget(id);
    if (revoked->newly_revoked) {
      auto event = audit_.EventFor(context, "api_key.revoked", id,
                                   {{"name", revoked->key.name}, {"prefix", revoked->key.prefix}});
      co_await audit_.Record(std::move(event));
    }
    co_return http::Response{http::Status::no_content, context.request.version()};
  }

  awaitable<http::Response> ListAuditEvents(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kAuditRead)) {
      co_return Refuse(context, *refused);
    }
    domain::AuditQuery query;
    if (auto errors = domain::DecodeAuditQuery(context.query, query); !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }
    const auto page = co_await Offload(blocking_, [&] { return stores_.audit_events.List(query); });
    co_return Json(context, http::Status::ok,
                   PageJson(Items(page.items, AuditEventJson), page.total, query.page, query.size));
  }

 private:
  AdminStores stores_;
  Authenticator& authenticator_;
  AuditTrail& audit_;
  boost::asio::thread_pool& blocking_;
};

}  // namespace

void AddAdminRoutes(http::Router& router, AdminStores stores, Authenticator& authenticator,
                    AuditTrail& audit, boost::asio::thread_pool& blocking) {
  auto routes = std::make_shared<AdminRoutes>(stores, authenticator, audit, blocking);
  const auto bind = [routes](auto method) -> http::Handler {
    return [routes, method](http::RequestContext& context) { return ((*routes).*method)(context); };
  };
  router.Add(http::Verb::get, "/api/v1/users", bind(&AdminRoutes::ListUsers));
  router.Add(http::Verb::get, "/api/v1/users/{user_id}", bind(&AdminRoutes::GetUser));
  router.Add(http::Verb::patch, "/api/v1/users/{user_id}", bind(&AdminRoutes::ChangeUser));
  router.Add(http::Verb::get, "/api/v1/api-keys", bind(&AdminRoutes::ListApiKeys));
  router.Add(http::Verb::post, "/api/v1/api-keys", bind(&AdminRoutes::CreateApiKey));
  router.Add(http::Verb::get, "/api/v1/api-keys/{key_id}", bind(&AdminRoutes::GetApiKey));
  router.Add(http::Verb::delete_, "/api/v1/api-keys/{key_id}", bind(&AdminRoutes::RevokeApiKey));
  router.Add(http::Verb::get, "/api/v1/audit-events", bind(&AdminRoutes::ListAuditEvents));
}

}  // namespace ticketd::api
