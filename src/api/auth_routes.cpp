#include "api/auth_routes.hpp"

#include <chrono>

#include "api/authentication.hpp"
#include "api/reply.hpp"
#include "common/log.hpp"
#include "domain/access.hpp"
#include "domain/credentials.hpp"
#include "domain/time_format.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;
using nlohmann::json;

std::int64_t EpochSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json UserJson(const storage::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"full_name", user.full_name},
          {"role", domain::ToString(user.role)},
          {"is_active", user.is_active},
          {"created_at", user.created_at},
          {"last_login_at", user.last_login_at ? json(*user.last_login_at) : json(nullptr)}};
}

// Reads a string member; records an error when it is missing or not a string.
std::optional<std::string> Member(const json& body, const char* name, domain::FieldErrors& errors) {
  const auto found = body.find(name);
  if (found == body.end() || !found->is_string()) {
    errors.push_back({name, found == body.end() ? "is required" : "must be a string"});
    return std::nullopt;
  }
  return found->get<std::string>();
}

// A password hash that matches nothing, verified when the email is unknown
// so that both answers take the same time.
const std::string& DecoyHash() {
  static const std::string hash = domain::HashPassword("decoy password that never matches");
  return hash;
}

class AuthRoutes {
 public:
  AuthRoutes(storage::UserRepository& users, storage::RefreshTokenRepository& refresh_tokens,
             boost::asio::thread_pool& blocking, TokenSettings settings)
      : users_(users),
        refresh_(refresh_tokens),
        blocking_(blocking),
        settings_(std::move(settings)) {}

  awaitable<http::Response> Register(http::RequestContext& context) {
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    const auto& value = std::get<JsonBody>(body).value;
    if (!value.is_object()) {
      co_return Reply(context, http::ValidationFailed({{"body", "must be a JSON object"}}));
    }

    domain::FieldErrors errors;
    const auto email = Member(value, "email", errors);
    const auto full_name = Member(value, "full_name", errors);
    const auto password = Member(value, "password", errors);
    std::optional<std::string> normalized;
    if (email && !(normalized = NormalizeEmail(*email))) {
      errors.push_back({"email", "must be an email address such as name@example.com"});
    }
    if (full_name &&
        (full_name->empty() || full_name->size() > 200 || !domain::IsStorableText(*full_name))) {
      errors.push_back({"full_name", "must be 1 to 200 characters of text"});
    }
    if (password && normalized) {
      if (auto reason = domain::CheckPassword(*password, *normalized)) {
        errors.push_back({"password", *reason});
      }
    }
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));

    const auto created = co_await Offload(blocking_, [&] {
      return users_.Create(*normalized, *full_name, domain::HashPassword(*password),
                           domain::Role::kUser);
    });
    if (std::holds_alternative<storage::EmailTaken>(created)) {
      co_return Reply(context, http::Problem{http::Status::conflict,
                                             "EMAIL_TAKEN",
                                             "Email already registered",
                                             "An account with this email exists; sign in.",
                                             {}});
    }
    const auto& user = std::get<storage::User>(created);
    log::Info("auth", "registered", {{"user_id", user.id}, {"request_id", context.request_id}});
    co_return Json(context, http::Status::created, UserJson(user));
  }

  awaitable<http::Response> Login(http::RequestContext& context) {
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    const auto& value = std::get<JsonBody>(body).value;
    domain::FieldErrors errors;
    const auto email = value.is_object() ? Member(value, "email", errors) : std::nullopt;
    const auto password = value.is_object() ? Member(value, "password", errors) : std::nullopt;
    if (!value.is_object()) errors.push_back({"body", "must be a JSON object"});
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));

    const auto normalized = NormalizeEmail(*email).value_or("");
    struct Outcome {
      std::optional<storage::User> user;
      std::optional<storage::IssuedRefresh> refresh;
    };
    const auto outcome = co_await Offload(blocking_, [&]() -> Outcome {
      auto user = normalized.empty() ? std::nullopt : users_.FindByEmail(normalized);
      if (!user) {
        domain::VerifyPassword(*password, DecoyHash());
        return {};
      }
      const bool locked = user->locked_until.has_value() &&
                          *user->locked_until > domain::FormatUtc(std::chrono::system_clock::now());
      if (locked || !user->is_active || !domain::VerifyPassword(*password, user->password_hash)) {
        if (!locked) users_.RecordFailedLogin(user->id);
        log::Warn("auth", "login failed",
                  {{"user_id", user->id}, {"locked", locked}, {"request_id", context.request_id}});
        return {};
      }
      users_.RecordLogin(user->id);
      return {user, refresh_.Issue(user->id)};
    });
    if (!outcome.user) {
      co_return Refuse(context, Unauthenticated("INVALID_CREDENTIALS",
                                                "The email or password is wrong, or the account is "
                                                "locked for a while after repeated failures."));
    }
    co_return Json(context, http::Status::ok, TokenAnswer(*outcome.user, outcome.refresh->token));
  }

  awaitable<http::Response> Refresh(http::RequestContext& context) {
    auto token = co_await RefreshTokenOf(context);
    if (auto* problem = std::get_if<http::Problem>(&token)) co_return Reply(context, *problem);
    const auto rotated =
        co_await Offload(blocking_, [&] { return refresh_.Rotate(std::get<std::string>(token)); });
    if (const auto* rejected = std::get_if<storage::RefreshRejected>(&rotated)) {
      if (rejected->reused) {
        log::Warn("auth", "refresh token reused; family revoked",
                  {{"request_id", context.request_id}});
      }
      co_return Refuse(context, Unauthenticated("INVALID_REFRESH_TOKEN",
                                                "The refresh token is unknown, expired or already "
                                                "used; sign in again."));
    }
    const auto& issued = std::get<storage::IssuedRefresh>(rotated);
    const auto user = co_await Offload(blocking_, [&] { return users_.FindById(issued.user_id); });
    if (!user || !user->is_active) {
      co_return Refuse(context,
                       Unauthenticated("INVALID_REFRESH_TOKEN", "The account is disabled."));
    }
    co_return Json(context, http::Status::ok, TokenAnswer(*user, issued.token));
  }

  awaitable<http::Response> Logout(http::RequestContext& context) {
    auto token = co_await RefreshTokenOf(context);
    if (auto* problem = std::get_if<http::Problem>(&token)) co_return Reply(context, *problem);
    co_await Offload(blocking_, [&] {
      refresh_.Revoke(std::get<std::string>(token));
      return true;
    });
    co_return http::Response{http::Status::no_content, context.request.version()};
  }

  awaitable<http::Response> Me(http::RequestContext& context) {
    if (context.principal.kind != http::PrincipalKind::kUser) {
      co_return Reply(context, http::Forbidden("NOT_A_USER",
                                               "API keys have no account; GET /api/v1/auth/verify "
                                               "describes the key."));
    }
    const auto user =
        co_await Offload(blocking_, [&] { return users_.FindById(context.principal.id); });
    if (!user)
      co_return Refuse(context, Unauthenticated("INVALID_TOKEN", "The account no longer exists."));
    co_return Json(context, http::Status::ok, UserJson(*user));
  }

  awaitable<http::Response> Verify(http::RequestContext& context) {
    const auto& principal = context.principal;
    co_return Json(
        context, http::Status::ok,
        {{"valid", true},
         {"user_id", principal.id},
         {"principal_type", principal.KindName()},
         {"role", domain::ToString(principal.role)},
         {"expires_at", principal.expires_at > 0 ? json(principal.expires_at) : json(nullptr)}});
  }

 private:
  json TokenAnswer(const storage::User& user, const std::string& refresh_token) const {
    const auto now = EpochSeconds();
    const domain::JwtClaims claims{.subject = user.id,
                                   .role = std::string(domain::ToString(user.role)),
                                   .issuer = settings_.expect.issuer,
                                   .audience = settings_.expect.audience,
                                   .token_id = domain::NewOpaqueToken().substr(0, 16),
                                   .issued_at = now,
                                   .not_before = now,
                                   .expires_at = now + settings_.access_lifetime.count()};
    return {{"access_token", domain::SignJwt(claims, settings_.jwt_key)},
            {"refresh_token", refresh_token},
            {"token_type", "bearer"},
            {"expires_in", settings_.access_lifetime.count()},
            {"user", UserJson(user)}};
  }

  // {"refresh_token": "..."} from the body, or the problem to answer.
  awaitable<std::variant<std::string, http::Problem>> RefreshTokenOf(
      const http::RequestContext& context) {
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return *problem;
    const auto& value = std::get<JsonBody>(body).value;
    domain::FieldErrors errors;
    std::optional<std::string> token;
    if (value.is_object()) {
      token = Member(value, "refresh_token", errors);
    } else {
      errors.push_back({"body", "must be a JSON object"});
    }
    if (!errors.empty()) co_return http::ValidationFailed(std::move(errors));
    co_return *token;
  }

  storage::UserRepository& users_;
  storage::RefreshTokenRepository& refresh_;
  boost::asio::thread_pool& blocking_;
  TokenSettings settings_;
};

}  // namespace

std::optional<std::string> NormalizeEmail(std::string_view email) {
  if (email.size() < 3 || email.size() > 254) return std::nullopt;
  const auto at = email.find('@');
  if (at == 0 || at == std::string_view::npos ||
      email.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return std::nullopt;
  std::string out;
  out.reserve(email.size());
  for (const char c : email) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return std::nullopt;
    out += static_cast<char>(std::tolower(byte));
  }
  if (!domain::IsStorableText(out)) return std::nullopt;
  return out;
}

void AddAuthRoutes(http::Router& router, storage::UserRepository& users,
                   storage::RefreshTokenRepository& refresh_tokens,
                   boost::asio::thread_pool& blocking, TokenSettings settings) {
  auto routes = std::make_shared<AuthRoutes>(users, refresh_tokens, blocking, std::move(settings));
  const auto bind = [routes](auto method) -> http::Handler {
    return [routes, method](http::RequestContext& context) { return ((*routes).*method)(context); };
  };
  router.Add(http::Verb::post, "/api/v1/auth/register", bind(&AuthRoutes::Register));
  router.Add(http::Verb::post, "/api/v1/auth/login", bind(&AuthRoutes::Login));
  router.Add(http::Verb::post, "/api/v1/auth/refresh", bind(&AuthRoutes::Refresh));
  router.Add(http::Verb::post, "/api/v1/auth/logout", bind(&AuthRoutes::Logout));
  router.Add(http::Verb::get, "/api/v1/auth/me", bind(&AuthRoutes::Me));
  router.Add(http::Verb::get, "/api/v1/auth/verify", bind(&AuthRoutes::Verify));
}

}  // namespace ticketd::api
