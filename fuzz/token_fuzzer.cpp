// Fuzzes token verification and the reading of credentials from headers.
// Random bytes rarely carry a valid HMAC, so an input that starts with '~'
// is taken as the signing input "header.payload" and signed here with the
// key: that reaches the claim checks behind the signature. Any other input
// is verified as it is, and also read as an Authorization and an X-API-Key
// header value.
#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/authentication.hpp"
#include "domain/credentials.hpp"
#include "domain/jwt.hpp"

namespace {

namespace domain = ticketd::domain;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";
constexpr std::int64_t kNow = 1'800'000'000;
constexpr char kSignMarker = '~';  // not in the base64url alphabet nor '.'

// `signing_input` + "." + base64url(HMAC-SHA256(kKey, signing_input)).
std::string Sign(std::string_view signing_input) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kKey.data()),
                              kKey.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac.data());

  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, kVariant)> encoded{};
  sodium_bin2base64(encoded.data(), encoded.size(), mac.data(), mac.size(), kVariant);
  return std::string(signing_input) + "." + encoded.data();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  return sodium_init() < 0 ? 1 : 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const domain::JwtExpectations kExpect{.issuer = "ticketd", .audience = "ticketd-api"};

  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string token;
  if (!input.empty() && input.front() == kSignMarker) {
    input.remove_prefix(1);
    token = Sign(input);
  } else {
    token = input;
  }

  const auto result = domain::VerifyJwt(token, kKey, kExpect, kNow);
  (void)result;

  // Header values cannot hold CR, LF or NUL; Beast refuses them earlier.
  if (token.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos) {
    ticketd::http::Request request{ticketd::http::Verb::get, "/api/v1/tickets", 11};
    request.set(ticketd::http::beast_http::field::authorization, token);
    (void)ticketd::api::CredentialOf(request);
    request.erase(ticketd::http::beast_http::field::authorization);
    request.set("X-API-Key", token);
    (void)ticketd::api::CredentialOf(request);
    (void)domain::ApiKeyPrefix(token);
  }
  return 0;
}
