// The JSON of accounts, API keys and audit events as every route answers
// them. Secrets never appear: no password hash, and an API key's secret only
// in the one answer that creates it (the caller adds it).
#pragma once

#include <nlohmann/json.hpp>

#include "storage/api_key_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/user_repository.hpp"

namespace ticketd::api {

// {id, email, full_name, role, is_active, created_at, last_login_at}
nlohmann::json UserJson(const storage::User& user);

// {id, name, prefix, role, created_by_id, created_at, last_used_at, revoked_at}
nlohmann::json ApiKeyJson(const storage::ApiKey& key);

// {id, occurred_at, event, actor_id, actor_kind, target, client_ip, request_id, detail}
nlohmann::json AuditEventJson(const storage::AuditEvent& event);

}  // namespace ticketd::api
