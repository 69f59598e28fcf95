// Secrets handled by accounts: password hashes, opaque tokens and API keys.
// Pure computation on libsodium (no I/O); thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ticketd::domain {

// An argon2id string (libsodium's crypto_pwhash_str with the interactive
// limits: about 64 MiB and a fraction of a second). Throws std::runtime_error
// only when memory for the hash cannot be had.
std::string HashPassword(std::string_view password);

// True when `password` matches `hash`; false for a malformed hash.
bool VerifyPassword(std::string_view password, const std::string& hash);

// 32 random bytes, base64url: refresh tokens and API key secrets.
std::string NewOpaqueToken();

// SHA-256 of `secret`: what is stored instead of tokens and keys.
std::string Digest(std::string_view secret);

// A new API key "tkd_<prefix>_<secret>": the prefix (8 lowercase
// alphanumerics) identifies the key in lists and logs, the secret is shown
// once and stored only as Digest(whole key).
struct NewApiKey {
  std::string key;
  std::string prefix;
};
NewApiKey MakeApiKey();

// The prefix of a key of MakeApiKey's form, or std::nullopt.
std::optional<std::string> ApiKeyPrefix(std::string_view key);

// How long an account stays locked after `failed_logins` consecutive
// failures: nothing below 5, then 1 minute doubling per failure up to 1 hour.
std::chrono::seconds LockoutFor(int failed_logins);

}  // namespace ticketd::domain
