// JSON Web Tokens (RFC 7519) signed with HMAC-SHA256, the only algorithm
// accepted: a token naming any other (including "none") is refused before
// its signature is looked at. Pure: the caller passes the key and the time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ticketd::domain {

struct JwtClaims {
  std::string subject;          // `sub`: the user's id
  std::string role;             // `role`: the user's role when the token was issued
  std::string issuer;           // `iss`
  std::string audience;         // `aud`
  std::string token_id;         // `jti`: unique per token
  std::int64_t issued_at = 0;   // `iat`, epoch seconds
  std::int64_t not_before = 0;  // `nbf`
  std::int64_t expires_at = 0;  // `exp`
};

struct JwtExpectations {
  std::string issuer;
  std::string audience;
  std::int64_t leeway_s = 30;  // clock skew tolerated on exp, nbf and iat
};

enum class JwtError {
  kNone,
  kMalformed,     // not three base64url parts of JSON objects
  kAlgorithm,     // header names an algorithm other than HS256
  kSignature,     // signature does not match
  kMissingClaim,  // sub, exp, nbf, iat, iss or aud absent or mistyped
  kExpired,       // exp (plus leeway) is past
  kNotYetValid,   // nbf or iat (minus leeway) is in the future
  kIssuer,        // iss is not the expected issuer
  kAudience,      // aud does not name the expected audience
};

struct JwtResult {
  JwtError error = JwtError::kNone;
  std::optional<JwtClaims> claims;  // set exactly when error is kNone

  bool ok() const { return error == JwtError::kNone; }
};

// A short, client-safe description of the error (no token contents).
std::string_view Describe(JwtError error);

// Signs `claims` with `key` (at least 32 bytes are recommended; callers
// enforce their own minimum). Never fails.
std::string SignJwt(const JwtClaims& claims, std::string_view key);

// Checks the token's form, algorithm, signature (in constant time) and
// claims against `expect` at `now_epoch_seconds`.
JwtResult VerifyJwt(std::string_view token, std::string_view key, const JwtExpectations& expect,
                    std::int64_t now_epoch_seconds);

// Base64url without padding (RFC 4648, section 5); decoding returns
// std::nullopt for anything else, padding included.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace ticketd::domain
