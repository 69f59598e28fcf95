#include "domain/credentials.hpp"

#include <sodium.h>

#include <stdexcept>

#include "domain/jwt.hpp"

namespace ticketd::domain {
namespace {

constexpr std::string_view kApiKeyMark = "tkd_";
constexpr std::size_t kPrefixLength = 8;
constexpr int kFailuresBeforeLockout = 5;
constexpr std::chrono::seconds kFirstLockout{60};
constexpr std::chrono::seconds kLongestLockout{3600};

void EnsureSodium() {
  // sodium_init is idempotent and thread-safe; -1 means no entropy source.
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialise");
}

}  // namespace

std::string HashPassword(std::string_view password) {
  EnsureSodium();
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return hash;
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  EnsureSodium();
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string NewOpaqueToken() {
  EnsureSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return Base64UrlEncode({reinterpret_cast<const char*>(bytes), sizeof bytes});
}

std::string Digest(std::string_view secret) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  return {reinterpret_cast<const char*>(digest), sizeof digest};
}

NewApiKey MakeApiKey() {
  EnsureSodium();
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string prefix(kPrefixLength, 'a');
  for (auto& c : prefix)
    c = kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return {std::string(kApiKeyMark) + prefix + "_" + NewOpaqueToken(), prefix};
}

std::optional<std::string> ApiKeyPrefix(std::string_view key) {
  if (!key.starts_with(kApiKeyMark)) return std::nullopt;
  key.remove_prefix(kApiKeyMark.size());
  if (key.size() <= kPrefixLength + 1 || key[kPrefixLength] != '_') return std::nullopt;
  const auto prefix = key.substr(0, kPrefixLength);
  for (const char c : prefix) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  return std::string(prefix);
}

std::chrono::seconds LockoutFor(int failed_logins) {
  if (failed_logins < kFailuresBeforeLockout) return std::chrono::seconds(0);
  const int doublings = std::min(failed_logins - kFailuresBeforeLockout, 6);
  return std::min(kFirstLockout * (1 << doublings), kLongestLockout);
}

}  // namespace ticketd::domain
