#include "ai/redaction.hpp"

#include <array>
#include <cctype>
#include <functional>

namespace ticketd::ai {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAlnum(char c) {
  return IsDigit(c) || IsAlpha(c);
}
bool IsTokenChar(char c) {
  return IsAlnum(c) || c == '_' || c == '-';
}
char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool StartsWithAt(std::string_view text, std::size_t at, std::string_view prefix,
                  bool ignore_case = false) {
  if (text.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char a = ignore_case ? Lower(text[at + i]) : text[at + i];
    if (a != prefix[i]) return false;
  }
  return true;
}

// One masking pass: `find` looks for a span starting exactly at `at` and
// returns its length (0: none here); the span becomes `mask`. Spans start
// only at word boundaries unless `find` checks itself.
std::string Replace(std::string_view text, std::string_view mask, int& count,
                    const std::function<std::size_t(std::string_view, std::size_t)>& find) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t length = find(text, at);
    if (length == 0) {
      out += text[at];
      ++at;
      continue;
    }
    out += mask;
    at += length;
    ++count;
  }
  return out;
}

bool AtWordStart(std::string_view text, std::size_t at) {
  return at == 0 || !IsTokenChar(text[at - 1]);
}

std::size_t TokenRun(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && (IsTokenChar(text[end]) || text[end] == '.'))
    ++end;
  // A sentence's full stop is not part of the token.
  while (end > at && text[end - 1] == '.')
    --end;
  return end - at;
}

// ---- tokens

constexpr std::array<std::string_view, 9> kTokenPrefixes = {
    "sk-", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "xoxa-"};

bool LooksLikeJwt(std::string_view run) {
  if (run.substr(0, 3) != "eyJ") return false;
  int dots = 0;
  for (const char c : run)
    dots += c == '.';
  return dots == 2 && run.size() >= 20;
}

bool LooksRandom(std::string_view run) {
  if (run.size() < 32) return false;
  bool upper = false, lower = false, digit = false, non_hex = false;
  for (const char c : run) {
    if (c == '.') return false;
    upper |= c >= 'A' && c <= 'Z';
    lower |= c >= 'a' && c <= 'z';
    digit |= IsDigit(c);
    non_hex |= IsAlpha(c) && !((Lower(c) >= 'a' && Lower(c) <= 'f'));
  }
  return digit && non_hex && (upper && lower);
}

std::size_t FindToken(std::string_view text, std::size_t at) {
  if (!AtWordStart(text, at) || !IsTokenChar(text[at])) return 0;
  const auto run_length = TokenRun(text, at);
  const auto run = text.substr(at, run_length);
  for (const auto prefix : kTokenPrefixes) {
    if (run.substr(0, prefix.size()) == prefix && run.size() >= prefix.size() + 12)
      return run_length;
  }
  if (run.size() == 20 && run.substr(0, 4) == "AKIA") return run_length;
  if (run.size() >= 30 && run.substr(0, 4) == "AIza") return run_length;
  if (LooksLikeJwt(run)) return run_length;
  if (LooksRandom(run)) return run_length;
  return 0;
}

// `Bearer x` keeps `Bearer ` and masks x; done as its own pass so the scheme
// word survives.
std::string MaskBearer(std::string_view text, int& count) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    if (AtWordStart(text, at) && StartsWithAt(text, at, "bearer", true) && at + 6 < text.size() &&
        text[at + 6] == ' ') {
      std::size_t start = at + 6;
      while (start < text.size() && text[start] == ' ')
        ++start;
      const auto run = TokenRun(text, start);
      if (run >= 8) {
        out.append(text.substr(at, start - at));
        out += kTokenMask;
        at = start + run;
        ++count;
        continue;
      }
    }
    out += text[at];
    ++at;
  }
  return out;
}

// ---- passwords

constexpr std::array<std::string_view, 14> kSecretKeys = {
    "password", "passwd",  "passphrase", "pwd",          "pass",          "secret",   "api_key",
    "apikey",   "api-key", "token",      "access_token", "client_secret", "passcode", "pin"};

// Length of the secret key word starting at `at`, or 0. The word is a key
// itself or ends in one after `_` or `-` (db_password, x-api-key).
std::size_t KeyLength(std::string_view text, std::size_t at) {
  if (!AtWordStart(text, at)) return 0;
  std::size_t end = at;
  while (end < text.size() && IsTokenChar(text[end]))
    ++end;
  std::string word;
  for (std::size_t i = at; i < end; ++i)
    word += Lower(text[i]);
  for (const auto key : kSecretKeys) {
    if (word == key) return word.size();
    if (word.size() > key.size() && word.ends_with(key)) {
      const char joint = word[word.size() - key.size() - 1];
      if (joint == '_' || joint == '-') return word.size();
    }
  }
  return 0;
}

bool IsPasswordWord(std::string_view word) {
  std::string lower;
  for (const char c : word)
    lower += Lower(c);
  return lower.ends_with("password") || lower.ends_with("passwd") || lower.ends_with("passcode") ||
         lower.ends_with("pin");
}

bool NextWordHasNonLetter(std::string_view text, std::size_t at) {
  for (std::size_t i = at; i < text.size() && text[i] != ' ' && text[i] != '\n'; ++i) {
    if (!IsAlpha(text[i]) && !(i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n'))
      return true;
    if (IsDigit(text[i])) return true;
  }
  return false;
}

std::string MaskSecrets(std::string_view text, int& count) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t key_start = at;
    const std::size_t key = KeyLength(text, at);
    if (key == 0) {
      out += text[at];
      ++at;
      continue;
    }

    std::size_t cursor = key_start + key;
    while (cursor < text.size() && (text[cursor] == '"' || text[cursor] == '\''))
      ++cursor;
    std::size_t sep = cursor;
    while (sep < text.size() && text[sep] == ' ')
      ++sep;
    bool has_separator = false;
    if (sep < text.size() && (text[sep] == '=' || text[sep] == ':')) {
      ++sep;
      has_separator = true;
    } else if (StartsWithAt(text, sep, "is ", true) && IsPasswordWord(text.substr(at, key)) &&
               NextWordHasNonLetter(text, sep + 3)) {
      // "my password is hunter2", not "my password is wrong".
      sep += 3;
      has_separator = true;
    }
    if (!has_separator) {
      out.append(text.substr(at, key));
      at += key;
      continue;
    }
    while (sep < text.size() && text[sep] == ' ')
      ++sep;
    std::size_t value = sep;
    char quote = 0;
    if (value < text.size() && (text[value] == '"' || text[value] == '\'')) quote = text[value++];
    std::size_t end = value;
    while (end < text.size()) {
      const char c = text[end];
      if (quote != 0 ? c == quote
                     : (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == ',' || c == ';' ||
                        c == '&' || c == '"' || c == '\'')) {
        break;
      }
      ++end;
    }
    // A lone full stop after the value ends the sentence, not the password.
    if (quote == 0 && end > value + 1 && text[end - 1] == '.') --end;
    if (end == value) {
      out.append(text.substr(at, sep - at));
      at = sep;
      continue;
    }
    out.append(text.substr(at, value - at));
    out += kSecretMask;
    at = end;
    ++count;
  }
  return out;
}

// ---- e-mail addresses

bool IsLocalChar(char c) {
  // Bytes above 0x7F belong to UTF-8 letters (internationalised addresses).
  return static_cast<unsigned char>(c) >= 0x80 || IsAlnum(c) || c == '.' || c == '_' || c == '%' ||
         c == '+' || c == '-';
}

std::string MaskEmails(std::string_view text, int& count) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '@' || at < copied) continue;
    std::size_t start = at;
    while (start > copied && IsLocalChar(text[start - 1]))
      --start;
    while (start < at && text[start] == '.')
      ++start;
    std::size_t end = at + 1;
    while (end < text.size() && (IsAlnum(text[end]) || text[end] == '-' || text[end] == '.'))
      ++end;
    while (end > at + 1 && text[end - 1] == '.')
      --end;
    std::size_t last_dot = 0;
    for (std::size_t i = at + 1; i < end; ++i) {
      if (text[i] == '.') last_dot = i;
    }
    if (start == at || last_dot == 0 || last_dot <= at + 1) continue;
    bool tld_letters = end - last_dot - 1 >= 2;
    for (std::size_t i = last_dot + 1; i < end; ++i)
      tld_letters &= IsAlpha(text[i]);
    if (!tld_letters) continue;
    out.append(text.substr(copied, start - copied));
    out += kEmailMask;
    copied = end;
    at = end - 1;
    ++count;
  }
  out.append(text.substr(copied));
  return out;
}

// ---- numbers: cards and phones

struct NumberRun {
  std::size_t length = 0;  // bytes
  int digits = 0;
  int groups = 0;       // digit groups
  char separator = 0;   // the one separator used between groups, or 0
  bool mixed = false;   // more than one kind of separator
  bool plus = false;    // starts with '+'
  bool parens = false;  // has '(' or ')'
  std::string group_sizes;
};

NumberRun ScanNumber(std::string_view text, std::size_t at, std::string_view separators) {
  NumberRun run;
  std::size_t cursor = at;
  if (cursor < text.size() && text[cursor] == '+') {
    run.plus = true;
    ++cursor;
  }
  std::size_t last_digit_end = 0;
  int group = 0;
  while (cursor < text.size()) {
    const char c = text[cursor];
    if (IsDigit(c)) {
      ++run.digits;
      ++group;
      ++cursor;
      last_digit_end = cursor;
      continue;
    }
    const bool is_paren = c == '(' || c == ')';
    if (separators.find(c) == std::string_view::npos) break;
    // One separator between digit groups (a space may follow ')' or '-').
    if (group > 0) {
      run.group_sizes += static_cast<char>('0' + std::min(group, 9));
      ++run.groups;
      group = 0;
    }
    if (is_paren) {
      run.parens = true;
    } else if (c != ' ' || run.separator == 0) {
      if (run.separator != 0 && run.separator != c && c != ' ') run.mixed = true;
      if (run.separator == 0 || c != ' ') run.separator = run.separator == 0 ? c : run.separator;
    }
    ++cursor;
    if (cursor < text.size() && !IsDigit(text[cursor]) && text[cursor] != ' ' &&
        text[cursor] != '(' && text[cursor] != '-')
      break;
  }
  if (group > 0) {
    run.group_sizes += static_cast<char>('0' + std::min(group, 9));
    ++run.groups;
  }
  run.length = last_digit_end > at ? last_digit_end - at : 0;
  return run;
}

bool NumberBoundaryOk(std::string_view text, std::size_t at, std::size_t length) {
  if (at > 0) {
    const char before = text[at - 1];
    if (IsAlnum(before) || before == '.' || before == '_' || before == '/' || before == ':' ||
        before == '-' || before == '#')
      return false;
  }
  const std::size_t end = at + length;
  if (end < text.size()) {
    const char after = text[end];
    if (IsAlnum(after) || after == '_' || after == '/' || after == ':' || after == '@')
      return false;
    // A dot followed by a digit continues a version or an address.
    if (after == '.' && end + 1 < text.size() && IsDigit(text[end + 1])) return false;
  }
  return true;
}

std::size_t FindCard(std::string_view text, std::size_t at) {
  if (!IsDigit(text[at])) return 0;
  const auto run = ScanNumber(text, at, " -");
  if (run.length == 0 || run.digits < 13 || run.digits > 19 || run.mixed) return 0;
  if (!NumberBoundaryOk(text, at, run.length)) return 0;
  if (!PassesLuhn(text.substr(at, run.length))) return 0;
  return run.length;
}

constexpr std::array<std::string_view, 8> kPhoneWords = {"phone", "tel",      "mobile", "cell",
                                                         "call",  "whatsapp", "sms",    "fax"};

bool PhoneWordBefore(std::string_view text, std::size_t at) {
  const std::size_t from = at > 24 ? at - 24 : 0;
  std::string window;
  for (std::size_t i = from; i < at; ++i)
    window += Lower(text[i]);
  for (const auto word : kPhoneWords) {
    if (window.find(word) != std::string::npos) return true;
  }
  return false;
}

bool LooksLikeDate(const NumberRun& run) {
  return run.groups == 3 &&
         (run.group_sizes == "422" || run.group_sizes == "224" || run.group_sizes == "222") &&
         (run.separator == '-' || run.separator == '/' || run.separator == '.');
}

std::size_t FindPhone(std::string_view text, std::size_t at) {
  const char first = text[at];
  if (!(IsDigit(first) || first == '+' || first == '(')) return 0;
  if (first == '+' && (at + 1 >= text.size() || !IsDigit(text[at + 1]))) return 0;
  const auto run = ScanNumber(text, at, " -.()");
  if (run.length == 0 || run.digits < 7 || run.digits > 15) return 0;
  if (!NumberBoundaryOk(text, at, run.length)) return 0;
  if (run.plus) return run.length;
  if (run.separator == '.' && !run.parens) return 0;  // versions, IP addresses
  if (LooksLikeDate(run)) return 0;
  if (run.groups >= 2 && (run.separator == ' ' || run.separator == '-' || run.parens)) {
    // A group count of two with a long first group reads as a number, not a phone.
    if (run.groups == 2 && !run.parens && run.group_sizes[0] > '4' && !PhoneWordBefore(text, at))
      return 0;
    return run.length;
  }
  if (run.groups == 1 && run.digits >= 7 && PhoneWordBefore(text, at)) return run.length;
  return 0;
}

}  // namespace

bool PassesLuhn(std::string_view digits) {
  int sum = 0;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!IsDigit(*it)) continue;
    int digit = *it - '0';
    if (count % 2 == 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    ++count;
  }
  return count > 0 && sum % 10 == 0;
}

RedactionResult Redact(std::string_view text, const RedactionConfig& config) {
  RedactionResult result;
  std::string current(text);

  // Secrets first: a password may look like anything the later passes catch.
  if (config.tokens) current = MaskBearer(current, result.counts.tokens);
  if (config.passwords) current = MaskSecrets(current, result.counts.passwords);
  if (config.tokens) current = Replace(current, kTokenMask, result.counts.tokens, FindToken);
  if (config.emails) current = MaskEmails(current, result.counts.emails);
  if (config.cards) current = Replace(current, kCardMask, result.counts.cards, FindCard);
  if (config.phones) current = Replace(current, kPhoneMask, result.counts.phones, FindPhone);

  result.text = std::move(current);
  return result;
}

}  // namespace ticketd::ai
