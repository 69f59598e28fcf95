#include "analysis/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace ticketd::analysis::text {

namespace {

// ASCII only, whatever the C locale says; UTF-8 bytes pass unchanged.
char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = AsciiLower(c);
  return out;
}

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    auto line = s.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> words;
  ForEachWord(s, [&](std::string_view word) { words.emplace_back(word); });
  return words;
}

std::string_view StemView(std::string_view word, char* buffer) {
  auto strip = [&](std::string_view suffix, std::size_t keep) -> bool {
    return word.size() >= suffix.size() + keep && EndsWith(word, suffix);
  };
  if (strip("ies", 3)) {
    const auto base = word.size() - 3;
    std::copy_n(word.data(), base, buffer);
    buffer[base] = 'y';
    return {buffer, base + 1};
  }
  if (strip("ing", 4)) return word.substr(0, word.size() - 3);
  if (strip("ed", 4)) return word.substr(0, word.size() - 2);
  if (strip("es", 4) && (EndsWith(word, "shes") || EndsWith(word, "ches") ||
                         EndsWith(word, "xes") || EndsWith(word, "sses"))) {
    return word.substr(0, word.size() - 2);
  }
  if (strip("s", 3) && !EndsWith(word, "ss") && !EndsWith(word, "us") && !EndsWith(word, "is")) {
    return word.substr(0, word.size() - 1);
  }
  return word;
}

std::string Stem(std::string_view word) {
  std::string buffer(word.size() + 1, '\0');
  return std::string(StemView(word, buffer.data()));
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      // Runs of ASCII, most of any text, are copied whole.
      auto end = i + 1;
      while (end < s.size() && static_cast<unsigned char>(s[end]) < 0x80)
        ++end;
      out.append(s.substr(i, end - i));
      i = end;
      continue;
    }
    std::size_t length = c < 0x80         ? 1
                         : (c >> 5) == 6  ? 2
                         : (c >> 4) == 14 ? 3
                         : (c >> 3) == 30 ? 4
                                          : 0;
    bool valid = length > 0 && i + length <= s.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (valid && length > 1) {
      // Overlong forms, surrogates and code points past U+10FFFF are invalid too.
      std::uint32_t cp = c & (0x7F >> length);
      for (std::size_t k = 1; k < length; ++k)
        cp = (cp << 6) | (s[i + k] & 0x3F);
      static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = cp >= kMinimum[length] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (valid) {
      out.append(s.substr(i, length));
      i += length;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {

// Byte length of the first `count` code points of `s`.
std::size_t PrefixBytes(std::string_view s, std::size_t count) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == count) return i;
      ++seen;
    }
  }
  return s.size();
}

}  // namespace

std::string Shorten(std::string_view s, std::size_t max_chars) {
  s = Trim(s);
  if (CodePoints(s) > max_chars) {
    auto cut = s.substr(0, PrefixBytes(s, max_chars));
    const auto space = cut.find_last_of(' ');
    if (space != std::string_view::npos && space >= cut.size() * 2 / 3) cut = cut.substr(0, space);
    s = cut;
  }
  while (!s.empty() && std::string_view(" ,;:-([{").find(s.back()) != std::string_view::npos) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string Squeeze(std::string_view s, std::string_view drop) {
  // Written in place: the result is never longer than `s` (a space is
  // written only for a run of whitespace read).
  std::string out(s.size(), '\0');
  std::size_t size = 0;
  bool space = false;
  for (char c : s) {
    if (!drop.empty() && drop.find(c) != std::string_view::npos) continue;
    if (IsAsciiSpace(c)) {
      space = size != 0;
      continue;
    }
    if (space) out[size++] = ' ';
    space = false;
    out[size++] = c;
  }
  out.resize(size);
  return out;
}

bool ContainsPhrase(std::string_view haystack, std::string_view needle) {
  std::size_t pos = 0;
  while ((pos = haystack.find(needle, pos)) != std::string_view::npos) {
    const bool left = pos == 0 || !IsWordByte(static_cast<unsigned char>(haystack[pos - 1]));
    const auto end = pos + needle.size();
    const bool right =
        end >= haystack.size() || !IsWordByte(static_cast<unsigned char>(haystack[end]));
    if (left && right) return true;
    ++pos;
  }
  return false;
}

bool IsFence(std::string_view line) {
  line = Trim(line);
  return StartsWith(line, "```") || StartsWith(line, "~~~");
}

bool LooksLikeLogLine(std::string_view line) {
  const auto trimmed = Trim(line);
  if (trimmed.empty()) return false;
  if (StartsWith(trimmed, "at ") && trimmed.find('(') != std::string_view::npos) return true;
  if (StartsWith(trimmed, "File \"") || StartsWith(trimmed, "Traceback (")) return true;
  if (line.size() >= 4 && (StartsWith(line, "    ") || line[0] == '\t')) return true;
  if (trimmed.size() < 20) return false;  // too short for either test below
  // A signature's phone line ("Tel. +44 20 7946 0321") is digits, not a log.
  static constexpr std::string_view kPhoneLabels[] = {"Tel",    "tel", "Phone", "phone", "Mobile",
                                                      "mobile", "Fax", "fax",   "+"};
  if (std::any_of(std::begin(kPhoneLabels), std::end(kPhoneLabels),
                  [&](std::string_view l) { return StartsWith(trimmed, l); })) {
    return false;
  }
  // Counted without branches, in byte arithmetic, so that the compiler
  // vectorizes the loop: the analyzer asks this of every line, twice.
  std::size_t letters = 0;
  std::size_t spaces = 0;
  for (char ch : trimmed) {
    const auto c = static_cast<unsigned char>(ch);
    // IsWordByte(c), any script: (c | 0x20) - 'a', wrapped to a byte, is at
    // most 25 for ASCII letters only.
    letters += static_cast<unsigned char>((c | 0x20U) - 'a') <= 'z' - 'a' || c >= 0x80;
    spaces += c == ' ';
  }
  // Paths, hex dumps, timestamps: mostly not letters, or long without spaces.
  if (trimmed.size() >= 20 && letters * 2 < trimmed.size()) return true;
  return trimmed.size() >= 60 && spaces * 30 < trimmed.size();
}

}  // namespace ticketd::analysis::text
