// Masking of personal data and secrets before text leaves the process for an
// external language model. Pure and deterministic; the offline analyzer works
// on the original text and never needs it.
#pragma once

#include <string>
#include <string_view>

#include "ai/ai_config.hpp"

namespace ticketd::ai {

// How many spans of each kind were masked.
struct RedactionCounts {
  int emails = 0;
  int phones = 0;
  int cards = 0;
  int tokens = 0;
  int passwords = 0;

  int Total() const { return emails + phones + cards + tokens + passwords; }
  bool operator==(const RedactionCounts&) const = default;
};

struct RedactionResult {
  std::string text;
  RedactionCounts counts;
};

// The placeholders that replace masked spans.
inline constexpr std::string_view kEmailMask = "[email]";
inline constexpr std::string_view kPhoneMask = "[phone]";
inline constexpr std::string_view kCardMask = "[card]";
inline constexpr std::string_view kTokenMask = "[token]";
inline constexpr std::string_view kSecretMask = "[redacted]";

// Masks, as switched on in `config`:
// - tokens: `Bearer <token>`, well-known key shapes (sk-..., ghp_..., AKIA...,
//   AIza..., xox?-..., glpat-..., JSON Web Tokens) and long mixed-case
//   letter-and-digit strings that are not plain hexadecimal (commit ids
//   stay readable);
// - passwords: the value after password/passwd/pwd/secret/token/api_key and
//   similar keys written `key=value`, `key: value` or `password is value`
//   (the key stays, so the ticket still says a password was involved);
// - e-mail addresses;
// - card numbers: 13 to 19 digits, optionally grouped by single spaces or
//   dashes, that pass the Luhn check (other long numbers stay);
// - phone numbers: 7 to 15 digits written with a leading `+`, or grouped by
//   spaces, dashes, dots or parentheses, or plain digits right after a word
//   such as phone, tel or mobile. Dates, times, versions and IP addresses
//   are left alone.
// Text outside the masked spans is returned byte for byte.
RedactionResult Redact(std::string_view text, const RedactionConfig& config);

// True when the digits of `digits` (non-digits ignored) pass the Luhn check.
bool PassesLuhn(std::string_view digits);

}  // namespace ticketd::ai
