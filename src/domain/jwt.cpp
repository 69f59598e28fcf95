#include "domain/jwt.hpp"

#include <sodium.h>

#include <array>
#include <nlohmann/json.hpp>

namespace ticketd::domain {
namespace {

using nlohmann::json;

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";
constexpr std::size_t kMaxTokenLength = 8192;

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> Mac(std::string_view signing_input,
                                                            std::string_view key) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return mac;
}

std::optional<json> DecodeObject(std::string_view part) {
  const auto bytes = Base64UrlDecode(part);
  if (!bytes) return std::nullopt;
  auto value = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

bool ReadString(const json& object, const char* name, std::string& out) {
  const auto found = object.find(name);
  if (found == object.end() || !found->is_string()) return false;
  out = found->get<std::string>();
  return true;
}

bool ReadTime(const json& object, const char* name, std::int64_t& out) {
  const auto found = object.find(name);
  if (found == object.end() || !found->is_number_integer()) return false;
  out = found->get<std::int64_t>();
  return true;
}

}  // namespace

std::string_view Describe(JwtError error) {
  switch (error) {
    case JwtError::kNone:
      return "valid";
    case JwtError::kMalformed:
      return "the token is malformed";
    case JwtError::kAlgorithm:
      return "the token's algorithm is not accepted";
    case JwtError::kSignature:
      return "the token's signature is invalid";
    case JwtError::kMissingClaim:
      return "the token lacks a required claim";
    case JwtError::kExpired:
      return "the token has expired";
    case JwtError::kNotYetValid:
      return "the token is not valid yet";
    case JwtError::kIssuer:
      return "the token was issued by someone else";
    case JwtError::kAudience:
      return "the token is meant for another audience";
  }
  return "the token is invalid";
}

std::string Base64UrlEncode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string SignJwt(const JwtClaims& claims, std::string_view key) {
  const json payload = {
      {"sub", claims.subject},    {"role", claims.role},      {"iss", claims.issuer},
      {"aud", claims.audience},   {"jti", claims.token_id},   {"iat", claims.issued_at},
      {"nbf", claims.not_before}, {"exp", claims.expires_at},
  };
  std::string token = Base64UrlEncode(kHeader) + "." + Base64UrlEncode(payload.dump());
  const auto mac = Mac(token, key);
  token += '.';
  token += Base64UrlEncode({reinterpret_cast<const char*>(mac.data()), mac.size()});
  return token;
}

JwtResult VerifyJwt(std::string_view token, std::string_view key, const JwtExpectations& expect,
                    std::int64_t now) {
  if (token.size() > kMaxTokenLength) return {JwtError::kMalformed, std::nullopt};
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return {JwtError::kMalformed, std::nullopt};
  }

  // The algorithm is pinned: only the header's alg matters, and it must be HS256.
  const auto header = DecodeObject(token.substr(0, first));
  if (!header) return {JwtError::kMalformed, std::nullopt};
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
    return {JwtError::kAlgorithm, std::nullopt};
  }

  const auto signature = Base64UrlDecode(token.substr(second + 1));
  const auto mac = Mac(token.substr(0, second), key);
  if (!signature || signature->size() != mac.size() ||
      sodium_memcmp(signature->data(), mac.data(), mac.size()) != 0) {
    return {JwtError::kSignature, std::nullopt};
  }

  const auto payload = DecodeObject(token.substr(first + 1, second - first - 1));
  if (!payload) return {JwtError::kMalformed, std::nullopt};
  JwtClaims claims;
  if (!ReadString(*payload, "sub", claims.subject) || !ReadString(*payload, "iss", claims.issuer) ||
      !ReadString(*payload, "aud", claims.audience) ||
      !ReadTime(*payload, "exp", claims.expires_at) ||
      !ReadTime(*payload, "nbf", claims.not_before) ||
      !ReadTime(*payload, "iat", claims.issued_at)) {
    return {JwtError::kMissingClaim, std::nullopt};
  }
  ReadString(*payload, "role", claims.role);
  ReadString(*payload, "jti", claims.token_id);

  if (claims.issuer != expect.issuer) return {JwtError::kIssuer, std::nullopt};
  if (claims.audience != expect.audience) return {JwtError::kAudience, std::nullopt};
  // Written so that no claim value can overflow the arithmetic.
  if (now - expect.leeway_s > claims.expires_at) return {JwtError::kExpired, std::nullopt};
  if (claims.not_before > now + expect.leeway_s || claims.issued_at > now + expect.leeway_s) {
    return {JwtError::kNotYetValid, std::nullopt};
  }
  return {JwtError::kNone, std::move(claims)};
}

}  // namespace ticketd::domain
