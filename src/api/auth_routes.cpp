#include "api/auth_routes.hpp"

#include <array>
#include <chrono>

#include "api/account_json.hpp"
#include "api/authentication.hpp"
#include "api/reply.hpp"
#include "common/log.hpp"
#include "domain/access.hpp"
#include "domain/account_requests.hpp"
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

http::Problem NotAUser() {
  return http::Forbidden("NOT_A_USER",
                         "API keys have no account; GET /api/v1/auth/verify describes the key.");
}

class AuthRoutes {
 public:
  AuthRoutes(storage::UserRepository& users, storage::RefreshTokenRepository& refresh_tokens,
             AuditTrail& audit, boost::asio::thread_pool& blocking,
             boost::asio::thread_pool& hashing, TokenSettings settings)
      : users_(users),
        refresh_(refresh_tokens),
        audit_(audit),
        blocking_(blocking),
        hashing_(hashing),
        settings_(std::move(settings)) {}

  awaitable<http::Response> Register(http::RequestContext& context) {
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    Registration registration;
    if (auto errors = DecodeRegistration(std::get<JsonBody>(body).value, registration);
        !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }

    const auto hash =
        co_await Offload(hashing_, [&] { return domain::HashPassword(registration.password); });
    const auto created = co_await Offload(blocking_, [&] {
      return users_.Create(registration.email, registration.full_name, hash, domain::Role::kUser);
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
    auto event = SignInEvent(context, "auth.registered", user.id);
    co_await audit_.Record(std::move(event));
    co_return Json(context, http::Status::created, UserJson(user));
  }

  awaitable<http::Response> Login(http::RequestContext& context) {
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    SignIn sign_in;
    if (auto errors = DecodeSignIn(std::get<JsonBody>(body).value, sign_in); !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }

    struct Outcome {
      std::optional<storage::User> user;  // signed in
      std::optional<storage::IssuedRefresh> refresh;
      std::optional<std::string> refused_id;  // the account a failure was against
      std::string reason = "bad_credentials";
      std::optional<std::string> locked_until;  // when this failure locked the account
    };
    // The attempt is counted before the password is checked, under the row
    // lock: parallel guesses cannot outrun the lockout.
    struct Found {
      std::optional<storage::User> user;
      std::optional<storage::PasswordAttempt> attempt;
    };
    const auto found = co_await Offload(blocking_, [&]() -> Found {
      auto user = sign_in.email.empty() ? std::nullopt : users_.FindByEmail(sign_in.email);
      if (!user) return {};
      auto attempt = users_.BeginPasswordAttempt(user->id);
      return {std::move(user), attempt};
    });
    const auto& user = found.user;
    // Verified whatever the account's state (an unknown email against a
    // decoy), so that every refusal takes the same time as a wrong password.
    const bool password_ok = co_await Offload(hashing_, [&] {
      return domain::VerifyPassword(sign_in.password, user ? user->password_hash : DecoyHash());
    });
    const auto outcome = co_await Offload(blocking_, [&]() -> Outcome {
      if (!user || !found.attempt) return {};
      const bool locked = found.attempt->locked;
      if (!locked && user->is_active && password_ok) {
        users_.RecordLogin(user->id);
        return {.user = user, .refresh = refresh_.Issue(user->id)};
      }
      Outcome refused{.refused_id = user->id,
                      .reason = locked             ? "locked"
                                : !user->is_active ? "inactive"
                                                   : "bad_credentials",
                      .locked_until = found.attempt->locked_until};
      return refused;
    });
    if (outcome.user) {
      auto event = SignInEvent(context, "auth.login_succeeded", outcome.user->id);
      co_await audit_.Record(std::move(event));
      co_return Json(context, http::Status::ok, TokenAnswer(*outcome.user, outcome.refresh->token));
    }

    // Every failure, also for an address that names no account, is a
    // warning; the log names the account's id, never the address.
    log::Warn("auth", "login failed",
              {{"user_id", outcome.refused_id ? json(*outcome.refused_id) : json(nullptr)},
               {"reason", outcome.refused_id ? outcome.reason : std::string("unknown_email")},
               {"request_id", context.request_id}});
    // An address that names no account is kept only by its domain: it may be
    // someone's mistyped address or password.
    json detail = {{"reason", outcome.reason}};
    if (!outcome.refused_id && !sign_in.email.empty()) {
      detail["email_domain"] = domain::EmailDomain(sign_in.email);
    }
    auto failed = SignInEvent(context, "auth.login_failed", outcome.refused_id, detail);
    co_await audit_.Record(std::move(failed));
    if (outcome.locked_until) {
      auto locked = SignInEvent(context, "auth.account_locked", outcome.refused_id,
                                {{"locked_until", *outcome.locked_until}});
      co_await audit_.Record(std::move(locked));
    }
    co_return Refuse(context, Unauthenticated("INVALID_CREDENTIALS",
                                              "The email or password is wrong, or the account is "
                                              "locked for a while after repeated failures."));
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
        // Whoever presented it is unknown: the thief or the victim.
        auto event = SignInEvent(context, "auth.refresh_reused", std::nullopt);
        event.target = rejected->user_id;
        co_await audit_.Record(std::move(event));
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
    const auto user_id =
        co_await Offload(blocking_, [&] { return refresh_.Revoke(std::get<std::string>(token)); });
    if (user_id) {
      auto event = SignInEvent(context, "auth.logout", user_id);
      co_await audit_.Record(std::move(event));
    }
    co_return http::Response{http::Status::no_content, context.request.version()};
  }

  awaitable<http::Response> Me(http::RequestContext& context) {
    if (context.principal.kind != http::PrincipalKind::kUser) {
      co_return Reply(context, NotAUser());
    }
    const auto user =
        co_await Offload(blocking_, [&] { return users_.FindById(context.principal.id); });
    if (!user)
      co_return Refuse(context, Unauthenticated("INVALID_TOKEN", "The account no longer exists."));
    co_return Json(context, http::Status::ok, UserJson(*user));
  }

  // PUT /me: one's own name and password. A new password needs the current
  // one and ends every refresh token of the account (other devices sign in
  // again once their access token expires).
  awaitable<http::Response> UpdateMe(http::RequestContext& context) {
    if (context.principal.kind != http::PrincipalKind::kUser) {
      co_return Reply(context, NotAUser());
    }
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    domain::ProfileChange change;
    if (auto errors = domain::DecodeProfileChange(std::get<JsonBody>(body).value, change);
        !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }

    const auto& id = context.principal.id;
    const auto user = co_await Offload(blocking_, [&] { return users_.FindById(id); });
    if (!user)
      co_return Refuse(context, Unauthenticated("INVALID_TOKEN", "The account no longer exists."));
    if (change.password) {
      if (auto reason = domain::CheckPassword(*change.password, user->email)) {
        co_return Reply(context, http::ValidationFailed({{"password", *reason}}));
      }
      // Counted like a sign-in, so that a stolen token cannot guess the
      // password without running into the lockout.
      const auto attempt =
          co_await Offload(blocking_, [&] { return users_.BeginPasswordAttempt(id); });
      // A locked account is refused without hashing: a signed-in caller
      // learns nothing from the timing, and the hashing threads stay free.
      bool verified = false;
      if (attempt && !attempt->locked) {
        verified = co_await Offload(hashing_, [&] {
          return domain::VerifyPassword(*change.current_password, user->password_hash);
        });
      }
      if (!verified) {
        auto event =
            audit_.EventFor(context, "auth.password_change_failed", id,
                            {{"reason", attempt && attempt->locked ? "locked" : "wrong_password"}});
        co_await audit_.Record(std::move(event));
        co_return Reply(context,
                        http::Forbidden("WRONG_PASSWORD",
                                        "current_password is not the account's password, "
                                        "or the account is locked for a while after "
                                        "repeated failures; the password was not changed."));
      }
    }

    struct Outcome {
      std::optional<storage::User> user;
      int revoked = 0;
    };
    std::optional<std::string> new_hash;
    if (change.password) {
      new_hash = co_await Offload(hashing_, [&] { return domain::HashPassword(*change.password); });
    }
    const auto outcome = co_await Offload(blocking_, [&]() -> Outcome {
      storage::UserUpdate update{.full_name = change.full_name, .password_hash = new_hash};
      auto updated = users_.Update(id, update);
      if (!updated || !change.password) return {std::move(updated)};
      return {std::move(updated), refresh_.RevokeAllFor(id)};
    });
    if (!outcome.user)
      co_return Refuse(context, Unauthenticated("INVALID_TOKEN", "The account no longer exists."));
    if (change.password) {
      auto event = audit_.EventFor(context, "auth.password_changed", id,
                                   {{"revoked_refresh_tokens", outcome.revoked}});
      co_await audit_.Record(std::move(event));
    }
    co_return Json(context, http::Status::ok, UserJson(*outcome.user));
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

  // An event of the sign-in routes. They are public, so the request's
  // principal is not who acted (a stale token may ride along): the actor is
  // the account `user_id` names, or nobody.
  storage::AuditEvent SignInEvent(const http::RequestContext& context, std::string name,
                                  const std::optional<std::string>& user_id,
                                  json detail = json::object()) const {
    auto event = audit_.EventFor(context, std::move(name), user_id, std::move(detail));
    event.actor_id = user_id;
    event.actor_kind = user_id ? "user" : "anonymous";
    return event;
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
      static constexpr std::array<std::string_view, 1> kKnown = {"refresh_token"};
      domain::CheckMembers(value, kKnown, errors);
      token = Member(value, "refresh_token", errors);
    } else {
      errors.push_back({"body", "must be a JSON object"});
    }
    if (!errors.empty()) co_return http::ValidationFailed(std::move(errors));
    co_return *token;
  }

  storage::UserRepository& users_;
  storage::RefreshTokenRepository& refresh_;
  AuditTrail& audit_;
  boost::asio::thread_pool& blocking_;
  boost::asio::thread_pool& hashing_;
  TokenSettings settings_;
};

}  // namespace

domain::FieldErrors DecodeRegistration(const json& body, Registration& out) {
  if (!body.is_object()) return {{"body", "must be a JSON object"}};

  domain::FieldErrors errors;
  static constexpr std::array<std::string_view, 3> kKnown = {"email", "full_name", "password"};
  domain::CheckMembers(body, kKnown, errors);
  const auto email = Member(body, "email", errors);
  std::optional<std::string> full_name;
  if (const auto found = body.find("full_name"); found == body.end()) {
    errors.push_back({"full_name", "is required"});
  } else {
    full_name = domain::DecodeDisplayName(*found, "full_name", domain::kMaxFullName, errors);
  }
  const auto password = Member(body, "password", errors);
  std::optional<std::string> normalized;
  // The address is checked once; why it was refused is worked out only then.
  if (email && !(normalized = NormalizeEmail(*email))) {
    errors.push_back({"email", EmailProblem(*email).value_or("is not accepted")});
  }
  if (password && normalized) {
    if (auto reason = domain::CheckPassword(*password, *normalized)) {
      errors.push_back({"password", *reason});
    }
  }
  if (!errors.empty()) return errors;

  out = {.email = std::move(*normalized),
         .full_name = std::move(*full_name),
         .password = std::move(*password)};
  return {};
}

domain::FieldErrors DecodeSignIn(const json& body, SignIn& out) {
  domain::FieldErrors errors;
  static constexpr std::array<std::string_view, 2> kKnown = {"email", "password"};
  const bool is_object = domain::CheckMembers(body, kKnown, errors);
  auto email = is_object ? Member(body, "email", errors) : std::nullopt;
  auto password = is_object ? Member(body, "password", errors) : std::nullopt;
  if (!errors.empty()) return errors;

  out = {.email = NormalizeEmail(*email).value_or(""), .password = std::move(*password)};
  return {};
}

std::optional<std::string> EmailProblem(std::string_view email) {
  constexpr std::string_view kExample = " such as name@example.com";
  const std::size_t length = domain::CodePointCount(email);
  if (length > kMaxEmail) {
    return "must be at most " + std::to_string(kMaxEmail) + " characters long; this one has " +
           std::to_string(length);
  }
  const auto at = email.find('@');
  if (length < 3 || at == 0 || at == std::string_view::npos) {
    return "must be an email address" + std::string(kExample);
  }
  if (email.find('@', at + 1) != std::string_view::npos) {
    return "must hold exactly one @, as an email address" + std::string(kExample) + " does";
  }
  const auto domain = email.substr(at + 1);
  const auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') {
    return "must have a domain with a dot after the @" + std::string(kExample);
  }
  for (const char c : email) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return "must not contain spaces or control characters";
  }
  if (!domain::IsStorableText(email)) return "must be UTF-8 text";
  return std::nullopt;
}

std::optional<std::string> NormalizeEmail(std::string_view email) {
  if (EmailProblem(email)) return std::nullopt;
  std::string out(email);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void AddAuthRoutes(http::Router& router, storage::UserRepository& users,
                   storage::RefreshTokenRepository& refresh_tokens, AuditTrail& audit,
                   boost::asio::thread_pool& blocking, boost::asio::thread_pool& hashing,
                   TokenSettings settings) {
  auto routes = std::make_shared<AuthRoutes>(users, refresh_tokens, audit, blocking, hashing,
                                             std::move(settings));
  const auto bind = [routes](auto method) -> http::Handler {
    return [routes, method](http::RequestContext& context) { return ((*routes).*method)(context); };
  };
  router.Add(http::Verb::post, "/api/v1/auth/register", bind(&AuthRoutes::Register));
  router.Add(http::Verb::post, "/api/v1/auth/login", bind(&AuthRoutes::Login));
  router.Add(http::Verb::post, "/api/v1/auth/refresh", bind(&AuthRoutes::Refresh));
  router.Add(http::Verb::post, "/api/v1/auth/logout", bind(&AuthRoutes::Logout));
  router.Add(http::Verb::get, "/api/v1/auth/me", bind(&AuthRoutes::Me));
  router.Add(http::Verb::put, "/api/v1/auth/me", bind(&AuthRoutes::UpdateMe));
  router.Add(http::Verb::get, "/api/v1/auth/verify", bind(&AuthRoutes::Verify));
}

}  // namespace ticketd::api
