#include "api/account_json.hpp"

namespace ticketd::api {
namespace {

using nlohmann::json;

json OrNull(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

json UserJson(const storage::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"full_name", user.full_name},
          {"role", domain::ToString(user.role)},
          {"is_active", user.is_active},
          {"created_at", user.created_at},
          {"last_login_at", OrNull(user.last_login_at)}};
}

json ApiKeyJson(const storage::ApiKey& key) {
  return {{"id", key.id},
          {"name", key.name},
          {"prefix", key.prefix},
          {"role", domain::ToString(key.role)},
          {"created_by_id", OrNull(key.created_by_id)},
          {"created_at", key.created_at},
          {"last_used_at", OrNull(key.last_used_at)},
          {"revoked_at", OrNull(key.revoked_at)}};
}

json AuditEventJson(const storage::AuditEvent& event) {
  return {{"id", event.id},
          {"occurred_at", event.occurred_at},
          {"event", event.event},
          {"actor_id", OrNull(event.actor_id)},
          {"actor_kind", event.actor_kind},
          {"target", OrNull(event.target)},
          {"client_ip", OrNull(event.client_ip)},
          {"request_id", OrNull(event.request_id)},
          {"detail", event.detail}};
}

}  // namespace ticketd::api
