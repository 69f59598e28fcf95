#include "analysis/extraction.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

#include "analysis/text.hpp"

namespace ticketd::analysis {

namespace {

constexpr std::size_t kMaxSteps = 20;
constexpr std::size_t kMaxErrors = 5;
constexpr std::size_t kMaxCodes = 10;
constexpr std::size_t kMaxUrls = 20;
constexpr std::size_t kMaxVersions = 10;
constexpr std::size_t kMaxSentences = 40;
constexpr std::size_t kMaxProseBytes = 20'000;
constexpr std::size_t kSectionChars = 500;

enum class Section { kNone, kSummary, kSteps, kExpected, kActual, kEnvironment, kLogs, kOther };

bool Has(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

Section SectionOf(std::string_view lower_heading) {
  const auto h = lower_heading;
  if (Has(h, "expected") || Has(h, "desired")) return Section::kExpected;
  if (Has(h, "actual") || Has(h, "current behav") || Has(h, "what happen") || Has(h, "observed")) {
    return Section::kActual;
  }
  if (Has(h, "step") || Has(h, "reproduc") || Has(h, "repro")) return Section::kSteps;
  if (Has(h, "environment") || Has(h, "system info") || Has(h, "version") || Has(h, "platform") ||
      text::ContainsPhrase(h, "os") || Has(h, "browser") || Has(h, "device") || Has(h, "setup")) {
    return Section::kEnvironment;
  }
  if (Has(h, "log") || Has(h, "stack") || Has(h, "trace") || Has(h, "error message") ||
      Has(h, "output")) {
    return Section::kLogs;
  }
  if (Has(h, "describe") || Has(h, "description") || Has(h, "summary") || Has(h, "problem") ||
      Has(h, "issue") || Has(h, "bug")) {
    return Section::kSummary;
  }
  return Section::kOther;
}

// The heading text of a Markdown heading, a bold-only line or a short line
// ending in a colon; empty when the line is not a heading.
std::string_view HeadingText(std::string_view line) {
  line = text::Trim(line);
  if (text::StartsWith(line, "#")) {
    const auto start = line.find_first_not_of("# ");
    return start == std::string_view::npos ? std::string_view{} : text::Trim(line.substr(start));
  }
  if (line.size() > 4 && text::StartsWith(line, "**") && text::EndsWith(line, "**") &&
      line.find("**", 2) == line.size() - 2) {
    auto inner = text::Trim(line.substr(2, line.size() - 4));
    if (text::EndsWith(inner, ":")) inner.remove_suffix(1);
    return inner;
  }
  if (line.size() > 2 && line.size() <= 40 && line.back() == ':' &&
      line.find_first_of(".!?") == std::string_view::npos) {
    return text::Trim(line.substr(0, line.size() - 1));
  }
  return {};
}

// "1. open", "2) click", "- go to", "* press" -> the item text; else empty.
std::string_view ListItem(std::string_view line) {
  line = text::Trim(line);
  std::size_t i = 0;
  while (i < line.size() && text::IsAsciiDigit(line[i]))
    ++i;
  if (i > 0 && i < 4 && i < line.size() && (line[i] == '.' || line[i] == ')')) {
    return text::Trim(line.substr(i + 1));
  }
  if (line.size() > 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
    auto item = text::Trim(line.substr(2));
    if (text::StartsWith(item, "[ ] ") || text::StartsWith(item, "[x] ")) item = item.substr(4);
    return item;
  }
  return {};
}

bool IsNumbered(std::string_view line) {
  line = text::Trim(line);
  return !line.empty() && text::IsAsciiDigit(line[0]) && !ListItem(line).empty();
}

// "Expected: it saves" -> {"expected", "it saves"} for a few known labels.
std::pair<Section, std::string_view> InlineLabel(std::string_view line) {
  line = text::Trim(line);
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon > 30 || colon + 1 >= line.size()) {
    return {Section::kNone, {}};
  }
  auto label = text::Lower(line.substr(0, colon));
  label.erase(std::remove(label.begin(), label.end(), '*'), label.end());
  const auto value = text::Trim(line.substr(colon + 1));
  if (value.empty()) return {Section::kNone, {}};
  const auto section = SectionOf(label);
  if (section == Section::kExpected || section == Section::kActual) return {section, value};
  return {Section::kNone, {}};
}

// `s` without Markdown emphasis and code marks, whitespace squeezed.
std::string CleanInline(std::string_view s) {
  return text::Squeeze(s, "*`");
}

void AddUnique(std::vector<std::string>& list, std::string value, std::size_t max) {
  if (value.empty() || list.size() >= max) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

void ScanUrls(std::string_view line, std::vector<std::string>& urls) {
  // Every URL taken has "://", and a colon is rarer than an "h": most lines
  // end here, before looking at each "h".
  if (!Has(line, "://")) return;
  for (std::size_t pos = 0; (pos = line.find("http", pos)) != std::string_view::npos;) {
    const auto rest = line.substr(pos);
    if (!text::StartsWith(rest, "http://") && !text::StartsWith(rest, "https://")) {
      pos += 4;
      continue;
    }
    std::size_t end = pos;
    while (end < line.size() &&
           std::string_view(" \t<>\"'`)]|").find(line[end]) == std::string_view::npos) {
      ++end;
    }
    auto url = line.substr(pos, end - pos);
    while (!url.empty() && std::string_view(".,;:!?").find(url.back()) != std::string_view::npos) {
      url.remove_suffix(1);
    }
    if (url.size() > 10) AddUnique(urls, std::string(url), kMaxUrls);
    pos = end;
  }
}

bool IsUpperOrDigit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsHttpReason(std::string_view after) {
  static constexpr std::string_view kReasons[] = {
      "bad request",       "unauthorized", "forbidden",           "not found",
      "internal server",   "bad gateway",  "service unavailable", "gateway timeout",
      "too many requests", "conflict"};
  const auto lower = text::Lower(after.substr(0, 24));
  return std::any_of(std::begin(kReasons), std::end(kReasons),
                     [&](std::string_view r) { return text::StartsWith(lower, r); });
}

// Error codes: ERR_NAME_NOT_RESOLVED, ECONNREFUSED, 0x80070005, ORA-00942,
// E1234, TS2322, and HTTP statuses named as such ("HTTP 503", "500 Internal
// Server Error", "status code 404").
void ScanErrorCodes(std::string_view line, std::vector<std::string>& codes) {
  // A dotted code a device shows after "error" ("Error 13.B2.D2",
  // "Erreur 49.4C02"), kept whole: its parts are no codes alone.
  if (line.find('.') != std::string_view::npos) {
    const auto lower = text::Lower(line);
    for (std::string_view word : {"error ", "erreur ", "fehler ", "code "}) {
      for (auto at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
        if (at > 0 && text::IsWordByte(static_cast<unsigned char>(lower[at - 1]))) continue;
        const auto start = at + word.size();
        auto end = start;
        while (end < line.size() && (text::IsAsciiAlnum(line[end]) || line[end] == '.'))
          ++end;
        while (end > start && line[end - 1] == '.')
          --end;
        const auto token = line.substr(start, end - start);
        const bool dotted = token.find('.') != std::string_view::npos;
        const bool digit =
            std::any_of(token.begin(), token.end(), [](char c) { return text::IsAsciiDigit(c); });
        if (dotted && digit && token.size() >= 4 && token.size() <= 16 &&
            text::IsAsciiDigit(token[0])) {
          AddUnique(codes, std::string(token), kMaxCodes);
        }
      }
    }
  }
  std::size_t i = 0;
  while (i < line.size() && codes.size() < kMaxCodes) {
    if (!text::IsAsciiAlnum(line[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < line.size() &&
           (text::IsAsciiAlnum(line[end]) || line[end] == '_' || line[end] == '-')) {
      ++end;
    }
    auto token = line.substr(i, end - i);
    while (!token.empty() && token.back() == '-')
      token.remove_suffix(1);
    const std::size_t start = i;
    i = end;
    if (token.size() < 3 || token.size() > 40) continue;
    // A token opening with a lower-case letter has a letter and is not all
    // upper case nor "0x...": none of the kinds below. Most words end here.
    if (token[0] >= 'a' && token[0] <= 'z') continue;
    const bool left_ok = start == 0 || std::string_view(" \t([{:'\"=,").find(line[start - 1]) !=
                                           std::string_view::npos;
    if (!left_ok) continue;

    const bool all_upper = std::all_of(token.begin(), token.end(),
                                       [](char c) { return IsUpperOrDigit(c) || c == '-'; });
    std::size_t letters = 0, digits = 0;
    for (char c : token) {
      if (text::IsAsciiLetter(c)) ++letters;
      if (text::IsAsciiDigit(c)) ++digits;
    }
    if (text::StartsWith(token, "0x") && token.size() >= 6 && token.size() <= 10) {
      AddUnique(codes, std::string(token), kMaxCodes);
    } else if (text::StartsWith(token, "ERR_") && all_upper) {
      AddUnique(codes, std::string(token), kMaxCodes);
    } else if (all_upper && token[0] == 'E' && digits == 0 && token.size() >= 5 &&
               token.size() <= 12 && token.find('_') == std::string_view::npos &&
               token.find('-') == std::string_view::npos) {
      // errno names: ENOENT, ECONNREFUSED, EACCES
      static constexpr std::string_view kErrno[] = {
          "ENOENT",    "EACCES",     "EPERM",     "ECONNREFUSED", "ECONNRESET",
          "ETIMEDOUT", "EADDRINUSE", "ENOTFOUND", "EPIPE",        "ENOMEM",
          "ENOSPC",    "EEXIST",     "EISDIR",    "EAGAIN",       "EHOSTUNREACH"};
      if (std::find(std::begin(kErrno), std::end(kErrno), token) != std::end(kErrno)) {
        AddUnique(codes, std::string(token), kMaxCodes);
      }
    } else if (all_upper && letters >= 1 && letters <= 5 && digits >= 2 && digits <= 6 &&
               text::IsAsciiLetter(token[0]) && text::IsAsciiDigit(token.back())) {
      // Letter prefix then digits only: E1234, TS2322, ORA-00942, CS0246.
      std::size_t k = 0;
      while (k < token.size() && text::IsAsciiLetter(token[k]))
        ++k;
      if (k < token.size() && token[k] == '-') ++k;
      const bool digits_only =
          std::all_of(token.begin() + static_cast<std::ptrdiff_t>(k), token.end(),
                      [](char c) { return text::IsAsciiDigit(c); });
      // Document numbers (INV-20931, ORD-1234) and device models (Galaxy
      // S23, Pixel 8) look the same: the prefix or the word before says.
      static constexpr std::string_view kDocumentPrefixes[] = {
          "INV",  "ORD",  "PO",  "SO",  "TKT", "TIX",  "REF", "CASE", "ACC",
          "ACCT", "CUST", "SKU", "RMA", "QT",  "BILL", "REQ", "CS",   "INC"};
      const auto prefix = token.substr(0, token[k - 1] == '-' ? k - 1 : k);
      const bool document = std::find(std::begin(kDocumentPrefixes), std::end(kDocumentPrefixes),
                                      prefix) != std::end(kDocumentPrefixes) &&
                            !(prefix == "CS" && token.find('-') == std::string_view::npos);
      const auto from = start >= 24 ? start - 24 : 0;
      const auto before = text::Lower(line.substr(from, start - from));
      static constexpr std::string_view kNotErrorWords[] = {
          "invoice", "order", "ticket", "case", "reference", "receipt", "account", "customer",
          "galaxy", "pixel", "iphone", "ipad", "model", "device", "phone", "samsung", "xiaomi",
          "asset", "tag", "serial", "inventory",
          // brands: "Dell WD19", "Jabra Evolve2" name models
          "dell", "lenovo", "logitech", "jabra", "canon", "epson", "brother", "asus", "acer",
          "plantronics", "cisco", "benq", "desk", "room", "floor"};
      const bool named_otherwise =
          std::any_of(std::begin(kNotErrorWords), std::end(kNotErrorWords),
                      [&](std::string_view w) { return before.find(w) != std::string::npos; });
      const bool short_model = k == 1 && token.size() <= 4 && token[0] != 'E';  // S23, A54
      if (digits_only && k > 0 && !document && !named_otherwise && !short_model) {
        AddUnique(codes, std::string(token), kMaxCodes);
      }
    } else if (letters == 0 && token.size() >= 3 && token.size() <= 6 &&
               !(token.size() == 3 && (token[0] == '4' || token[0] == '5'))) {
      // "Error 809", "error code 0412": a number the text names as an error.
      const auto from = start >= 12 ? start - 12 : 0;
      const auto before = text::Lower(text::Trim(line.substr(from, start - from)));
      if (text::EndsWith(before, "error") || text::EndsWith(before, "error code")) {
        AddUnique(codes, "Error " + std::string(token), kMaxCodes);
      }
    } else if (letters == 0 && token.size() == 3 && (token[0] == '4' || token[0] == '5')) {
      const auto from = start >= 20 ? start - 20 : 0;
      const auto before = text::Lower(text::Trim(line.substr(from, start - from)));
      const bool named = text::EndsWith(before, "http") || text::EndsWith(before, "status") ||
                         text::EndsWith(before, "error") || text::EndsWith(before, "code");
      if (named || IsHttpReason(text::Trim(line.substr(i)))) {
        AddUnique(codes, "HTTP " + std::string(token), kMaxCodes);
      }
    }
  }
}

bool IsErrorLine(std::string_view line) {
  static const text::MarkSet kMarkers = {
      "Error:",    "Error ", "ERROR",   "Exception",          "Traceback",
      "FATAL",     "fatal:", "panic:",  "Segmentation fault", "Uncaught",
      "Unhandled", "error:", "failed:", "Failed to"};
  return kMarkers.FoundIn(line);
}

// A sentence of the reporter's, not a program's output: opens with a
// pronoun, an article or a conjunction and has a sentence's length ("We
// start getting HTTP 500 Internal Server Error on about 30% of calls").
bool LooksLikeProse(std::string_view line) {
  static constexpr std::string_view kOpeners[] = {
      "i ",    "i'",    "we ",    "we'",    "our ",   "my ",    "the ", "it ",  "it'",
      "this ", "when ", "since ", "after ", "under ", "every ", "if ",  "but ", "and ",
      "so ",   "also ", "then ",  "there ", "they ",  "you ",   "your "};
  const auto lower = text::Lower(line.substr(0, 16));
  const bool opens_like_prose =
      std::any_of(std::begin(kOpeners), std::end(kOpeners),
                  [&](std::string_view w) { return text::StartsWith(lower, w); });
  return opens_like_prose && std::count(line.begin(), line.end(), ' ') >= 8;
}

// "Traceback (most recent call last):", which says that a trace follows; the
// error is its last line.
bool IsTraceHeader(std::string_view trimmed) {
  return text::StartsWith(trimmed, "Traceback (");
}

// A frame or header of a stack trace (Python, Java, JavaScript, C#, gdb).
bool IsTraceLine(std::string_view line) {
  const auto trimmed = text::Trim(line);
  if (text::StartsWith(trimmed, "Traceback (") || text::StartsWith(trimmed, "File \"")) return true;
  if (text::StartsWith(trimmed, "at ") && Has(trimmed, "(")) return true;
  return text::StartsWith(trimmed, "#") && trimmed.size() > 3 && Has(trimmed, " in ") &&
         text::IsAsciiDigit(trimmed[1]);
}

// Where the words of a lower-cased text start (an ASCII letter after a byte
// that is not a word byte, or at the start), grouped by that letter: a name
// is then compared only where a word with its first letter starts, instead
// of searching the whole text once per name.
class WordStarts {
 public:
  explicit WordStarts(std::string_view lower) : lower_(lower) {
    // Counting sort by first letter: count, turn counts into offsets, fill.
    auto letter_at = [&](std::size_t i) -> int {
      const char c = lower[i];
      if (c < 'a' || c > 'z') return -1;
      if (i > 0 && text::IsWordByte(static_cast<unsigned char>(lower[i - 1]))) return -1;
      return c - 'a';
    };
    for (std::size_t i = 0; i < lower.size(); ++i) {
      if (const int letter = letter_at(i); letter >= 0) ++offsets_[letter + 1];
    }
    for (std::size_t letter = 0; letter < 26; ++letter)
      offsets_[letter + 1] += offsets_[letter];
    starts_.resize(offsets_[26]);
    auto next = offsets_;
    for (std::size_t i = 0; i < lower.size(); ++i) {
      if (const int letter = letter_at(i); letter >= 0) starts_[next[letter]++] = i;
    }
  }

  std::string_view Lower() const { return lower_; }

  // The word starts with `letter` (a-z), in increasing order.
  std::span<const std::size_t> Of(char letter) const {
    const auto l = static_cast<std::size_t>(letter - 'a');
    return std::span<const std::size_t>(starts_).subspan(offsets_[l],
                                                         offsets_[l + 1] - offsets_[l]);
  }

 private:
  std::string_view lower_;
  std::array<std::size_t, 27> offsets_{};
  std::vector<std::size_t> starts_;
};

// First match of one of `names` (lower-case, each starting with a letter
// a-z) in the indexed text, with the version that follows it: "windows 11",
// "chrome 120.0.6099".
std::string FindNamed(const WordStarts& words, std::string_view original,
                      std::initializer_list<std::pair<std::string_view, std::string_view>> names) {
  const auto lower = words.Lower();
  // The first name found; a later mention of it with a version wins over a
  // bare one ("the iOS app ... iOS 18.1").
  for (const auto& [needle, display] : names) {
    std::string bare;
    // A match must start a word ("ios" in "bios" is none), so only word
    // starts are tried. No name overlaps itself where one of its words
    // starts, so skipping matches that overlap an earlier one, as a
    // search of the whole text would, never applies.
    for (const auto pos : words.Of(needle[0])) {
      if (lower.substr(pos, needle.size()) != needle) continue;
      const auto end = pos + needle.size();
      const bool right = end >= lower.size() || !text::IsAsciiLetter(lower[end]);
      if (!right) continue;
      std::size_t v = end;
      while (v < lower.size() && (lower[v] == ' ' || lower[v] == '/' || lower[v] == 'v'))
        ++v;
      std::size_t w = v;
      while (w < lower.size() && (text::IsAsciiDigit(lower[w]) || lower[w] == '.')) {
        ++w;
      }
      while (w > v && lower[w - 1] == '.')
        --w;
      if (w > v && w - v <= 16)
        return std::string(display) + " " + std::string(original.substr(v, w - v));
      if (bare.empty()) bare = std::string(display);
    }
    if (!bare.empty()) return bare;
  }
  return {};
}

std::string FindOs(const WordStarts& words, std::string_view original) {
  return FindNamed(words, original,
                   {{"windows server", "Windows Server"},
                    {"macos sequoia", "macOS Sequoia"},
                    {"macos sonoma", "macOS Sonoma"},
                    {"macos ventura", "macOS Ventura"},
                    {"macos monterey", "macOS Monterey"},
                    {"macos big sur", "macOS Big Sur"},
                    {"windows", "Windows"},
                    {"macos", "macOS"},
                    {"mac os x", "macOS"},
                    {"os x", "macOS"},
                    {"on my mac", "macOS"},
                    {"on a mac", "macOS"},
                    {"on mac", "macOS"},
                    {"macbook", "macOS"},
                    {"ubuntu", "Ubuntu"},
                    {"debian", "Debian"},
                    {"fedora", "Fedora"},
                    {"centos", "CentOS"},
                    {"arch linux", "Arch Linux"},
                    {"android", "Android"},
                    {"ipados", "iPadOS"},
                    {"ios", "iOS"},
                    {"chromeos", "ChromeOS"},
                    {"linux", "Linux"}});
}

// Every browser named, in the order of the list, joined with ", "
// ("Firefox, Chrome 131").
std::string FindBrowser(const WordStarts& words, std::string_view original) {
  static constexpr std::pair<std::string_view, std::string_view> kBrowsers[] = {
      {"firefox", "Firefox"},   {"microsoft edge", "Edge"}, {"edge", "Edge"},
      {"chromium", "Chromium"}, {"chrome", "Chrome"},       {"safari", "Safari"},
      {"opera", "Opera"},       {"brave", "Brave"}};
  std::string all;
  std::vector<std::string_view> seen;
  for (const auto& [needle, display] : kBrowsers) {
    if (std::find(seen.begin(), seen.end(), display) != seen.end()) continue;
    auto found = FindNamed(words, original, {{needle, display}});
    if (found.empty()) continue;
    seen.push_back(display);
    if (!all.empty()) all += ", ";
    all += found;
  }
  return all;
}

bool IsVersionStart(std::string_view s, std::size_t i) {
  return i + 2 < s.size() && text::IsAsciiDigit(s[i]) &&
         (s[i + 1] == '.' ||
          (text::IsAsciiDigit(s[i + 1]) &&
           (s[i + 2] == '.' ||
            (i + 3 < s.size() && text::IsAsciiDigit(s[i + 2]) && s[i + 3] == '.'))));
}

std::string VersionAt(std::string_view s, std::size_t i) {
  auto j = i;
  while (j < s.size() && (text::IsAsciiDigit(s[j]) || s[j] == '.'))
    ++j;
  while (j > i && s[j - 1] == '.')
    --j;
  return std::string(s.substr(i, j - i));
}

// Versions named in prose: "version 5.3.0" and "app version 4.12.2" as the
// app's, "GlobalProtect 6.1" (a capitalized name, not an OS or a browser,
// then a dotted number) under its name; device models ("iPhone 15 Pro",
// "Galaxy S23", "Pixel 8") as "device".
void ScanProseVersions(std::string_view line, std::map<std::string, std::string>& versions) {
  // Most lines name no version and no model: none without a digit.
  if (std::none_of(line.begin(), line.end(), [](char c) { return text::IsAsciiDigit(c); })) return;
  const auto lower = text::Lower(line);
  for (std::size_t pos = lower.find("version");
       pos != std::string::npos && versions.size() < kMaxVersions;
       pos = lower.find("version", pos + 7)) {
    auto v = pos + 7;
    if (v < lower.size() && lower[v] == 's') continue;
    while (v < lower.size() && (lower[v] == ' ' || lower[v] == ':' || lower[v] == 'v'))
      ++v;
    if (v < lower.size() && text::IsAsciiDigit(lower[v]) && v + 1 < lower.size() &&
        lower[v + 1] != ' ' && VersionAt(lower, v).find('.') != std::string::npos) {
      versions.emplace("app", VersionAt(line, v));
    }
  }
  // "After upgrading to v3.2.0": a version the reporter moved to is the app's.
  for (std::string_view move : {"upgraded to ", "upgrading to ", "updated to ", "updating to ",
                                "upgrade to ", "update to "}) {
    const auto pos = lower.find(move);
    if (pos == std::string::npos) continue;
    auto v = pos + move.size();
    if (v < lower.size() && lower[v] == 'v') ++v;
    if (v < lower.size() && text::IsAsciiDigit(lower[v]) &&
        VersionAt(lower, v).find('.') != std::string::npos) {
      versions.emplace("app", VersionAt(line, v));
      break;
    }
  }
  static constexpr std::string_view kNotProducts[] = {
      "windows", "macos", "ios", "ipados", "android", "ubuntu", "debian", "fedora", "linux",
      "chrome", "firefox", "safari", "edge", "opera", "brave", "chromium", "version", "the", "at",
      "on", "from", "to", "and", "since", "about", "or", "of", "in", "by", "v", "build", "step",
      "page", "line", "section", "chapter", "figure", "table", "jan", "feb", "mar", "apr", "may",
      "jun", "jul", "aug", "sep", "oct", "nov", "dec", "http", "api", "node", "python", "with",
      "after", "before", "until", "upgrade", "update", "release", "for", "but", "using",
      // macOS names its releases: "macOS Sonoma 14.3" is the OS (FindOs)
      "sonoma", "ventura", "monterey", "sequoia", "catalina", "mojave", "sur", "january",
      "february", "march", "april", "june", "july", "august", "september", "october", "november",
      "december",
      // an error's number: "Erreur 49.4", "Error 13.20"
      "error", "erreur", "fehler", "code",
      // places: "Room 2.07", "Etage 3.1"
      "room", "desk", "floor", "etage", "building", "salle", "sala", "zimmer", "gate"};
  std::size_t i = 0;
  while (i < line.size() && versions.size() < kMaxVersions) {
    if (!text::IsAsciiLetter(line[i]) ||
        (i > 0 && text::IsWordByte(static_cast<unsigned char>(line[i - 1])))) {
      ++i;
      continue;
    }
    auto j = i;
    while (j < line.size() && (text::IsAsciiAlnum(line[j]) || line[j] == '-'))
      ++j;
    const auto name = line.substr(i, j - i);
    if (j + 1 < line.size() && line[j] == ' ' && text::IsAsciiAlnum(line[j + 1])) {
      const auto lname = std::string_view(lower).substr(i, j - i);
      const auto next = j + 1;
      if ((lname == "iphone" || lname == "ipad" || lname == "pixel" || lname == "galaxy" ||
           lname == "oneplus" || lname == "xperia" || lname == "redmi") &&
          next < line.size() && text::IsAsciiAlnum(line[next])) {
        auto k = next;
        while (k < line.size() && text::IsAsciiAlnum(line[k]))
          ++k;
        std::string model = std::string(name) + " " + std::string(line.substr(next, k - next));
        for (std::string_view tier :
             {" Pro Max", " Pro", " Max", " Plus", " Ultra", " mini", " FE"}) {
          if (line.substr(k, tier.size()) == tier &&
              (k + tier.size() == line.size() || !text::IsAsciiLetter(line[k + tier.size()]))) {
            model += tier;
            break;
          }
        }
        const bool has_digit =
            std::any_of(model.begin(), model.end(), [](char c) { return text::IsAsciiDigit(c); });
        if (has_digit) versions.emplace("device", model);
      } else if (name.size() >= 3 && std::isupper(static_cast<unsigned char>(name[0])) &&
                 IsVersionStart(line, next) && !text::EndsWith(lname, "raum") &&
                 std::find(std::begin(kNotProducts), std::end(kNotProducts), lname) ==
                     std::end(kNotProducts)) {
        versions.emplace(std::string(name), VersionAt(line, next));
      }
    }
    i = j;
  }
}

// Error strings inside a JSON error body: {"error":"invalid_token"} and
// {"code":"rate_limited"} give "invalid_token" and "rate_limited".
void ScanJsonErrors(std::string_view line, std::vector<std::string>& codes) {
  if (line.find('"') == std::string_view::npos) return;  // every key is quoted
  for (std::string_view key : {"\"error\"", "\"error_code\"", "\"code\"", "\"errorCode\""}) {
    for (auto pos = line.find(key); pos != std::string_view::npos; pos = line.find(key, pos + 1)) {
      auto v = pos + key.size();
      while (v < line.size() && (line[v] == ' ' || line[v] == ':'))
        ++v;
      if (v >= line.size() || line[v] != '"') continue;
      const auto close = line.find('"', v + 1);
      if (close == std::string_view::npos) continue;
      const auto value = line.substr(v + 1, close - v - 1);
      const bool identifier = value.size() >= 3 && value.size() <= 40 &&
                              std::all_of(value.begin(), value.end(), [](char c) {
                                return text::IsAsciiAlnum(c) || c == '_' || c == '-' || c == '.';
                              });
      if (identifier) AddUnique(codes, std::string(value), kMaxCodes);
    }
  }
}

// A quoted message the reporter says the product showed: "the message
// 'Credenciales inválidas'", "it says \"Session expired\"". A quote counts
// when one of these words stands just before it, in any of a few languages.
void ScanQuotedMessages(std::string_view line, std::vector<std::string>& messages) {
  static constexpr std::string_view kCues[] = {
      "message",  "error",    "says",          "said",    "shows",  "showing",
      "displays", "reads",    "saying",        "mensaje", "dice",   "aparece",
      "muestra",  "meldung",  "fehlermeldung", "zeigt",   "erreur", "affiche",
      "indique",  "mensagem", "messaggio",     "popup",   "prompt", "alert"};
  // No quote mark (nor a lead byte of a typographic one), no message.
  if (std::none_of(line.begin(), line.end(),
                   [](char c) { return c == '\'' || c == '"' || c == '\xC2' || c == '\xE2'; })) {
    return;
  }
  const auto lower = text::Lower(line);
  static constexpr std::string_view kOpen[] = {"'",        "\"",           "\xE2\x80\x9C",
                                               "\xC2\xAB", "\xE2\x80\x9E", "\xE2\x80\x98"};
  static constexpr std::string_view kClose[] = {"'",        "\"",           "\xE2\x80\x9D",
                                                "\xC2\xBB", "\xE2\x80\x9C", "\xE2\x80\x99"};
  for (std::size_t q = 0; q < std::size(kOpen); ++q) {
    for (auto pos = line.find(kOpen[q]);
         pos != std::string_view::npos && messages.size() < kMaxErrors;
         pos = line.find(kOpen[q], pos + 1)) {
      // An apostrophe inside a word ("don't") opens nothing.
      if (pos > 0 && text::IsAsciiAlnum(line[pos - 1])) continue;
      const auto start = pos + kOpen[q].size();
      auto close = line.find(kClose[q], start);
      // Nor does one inside a word close ("Thank you for you're order").
      while (q == 0 && close != std::string_view::npos && close + 1 < line.size() &&
             text::IsAsciiAlnum(line[close + 1]) && close > start &&
             text::IsAsciiAlnum(line[close - 1])) {
        close = line.find(kClose[q], close + 1);
      }
      if (close == std::string_view::npos || close - start < 4 || close - start > 120) continue;
      // JSON keys ("error":) and bare identifiers as values (:"invalid_token")
      // are fields and codes, not messages.
      const auto quoted = line.substr(start, close - start);
      const auto after = close + kClose[q].size();
      if (after < line.size() && line[after] == ':') {
        pos = close;
        continue;
      }
      if (pos > 0 && line[pos - 1] == ':' && quoted.find(' ') == std::string_view::npos) {
        pos = close;
        continue;
      }
      // A quoted identifier or path ("KeyError: 'notes_v2'") names a thing,
      // not a message: one word holding '_', '/' or '.'.
      if (quoted.find(' ') == std::string_view::npos &&
          quoted.find_first_of("_/.") != std::string_view::npos) {
        pos = close;
        continue;
      }
      const auto from = pos >= 30 ? pos - 30 : 0;
      const auto before = std::string_view(lower).substr(from, pos - from);
      const bool cued = std::any_of(std::begin(kCues), std::end(kCues), [&](std::string_view c) {
        return before.find(c) != std::string_view::npos;
      });
      if (cued) AddUnique(messages, std::string(text::Trim(quoted)), kMaxErrors);
      pos = close;
    }
  }
}

// "Node version: 18.2.0", "- react: 18.2", "Python 3.11.4" on environment
// lines -> name and version.
void ScanVersions(std::string_view line, std::map<std::string, std::string>& versions) {
  auto item = ListItem(line);
  if (item.empty()) item = text::Trim(line);
  const auto colon = item.find(':');
  if (colon != std::string_view::npos && colon > 0 && colon <= 40) {
    auto key = text::Lower(CleanInline(item.substr(0, colon)));
    auto value = CleanInline(item.substr(colon + 1));
    for (std::string_view suffix : {" version", " versions"}) {
      if (text::EndsWith(key, suffix)) key.resize(key.size() - suffix.size());
    }
    if (key == "version") key = "app";  // "Version: 5.4.1" beside "App version: 5.4.1"
    const bool os_or_browser =
        key == "os" || Has(key, "operating") || Has(key, "browser") || Has(key, "platform");
    if (!key.empty() && !value.empty() && value.size() <= 80 && !os_or_browser &&
        std::any_of(value.begin(), value.end(), [](char c) { return text::IsAsciiDigit(c); }) &&
        versions.size() < kMaxVersions) {
      versions.emplace(key, value);
    }
  }
}

struct UserAgentInfo {
  std::string os;
  std::string browser;
};

UserAgentInfo ParseUserAgent(std::string_view agent) {
  const auto lower = text::Lower(agent);
  const WordStarts words(lower);
  UserAgentInfo info;
  info.os = FindOs(words, agent);
  // Agent strings name Safari and Chrome in most browsers: test the specific first.
  if (Has(lower, "edg/")) {
    info.browser = FindNamed(words, agent, {{"edg", "Edge"}});
  } else if (Has(lower, "firefox/")) {
    info.browser = FindNamed(words, agent, {{"firefox", "Firefox"}});
  } else if (Has(lower, "chrome/")) {
    info.browser = FindNamed(words, agent, {{"chrome", "Chrome"}});
  } else if (Has(lower, "safari/")) {
    info.browser = "Safari";
  }
  if (Has(lower, "windows nt 10")) info.os = "Windows 10 or 11";
  if (Has(lower, "mac os x")) info.os = "macOS";
  return info;
}

// Prose lines -> sentences on ". ", "! ", "? ".
// Words German and French write after an ordinal ("2. Stock", "3. Etage",
// "1. Mai"): the '.' before them ends no sentence.
bool OrdinalFollows(std::string_view rest) {
  static constexpr std::string_view kWords[] = {
      "Stock",   "Etage",       "OG",      "UG",       "Obergeschoss", "Januar",
      "Februar", "M\xC3\xA4rz", "April",   "Mai",      "Juni",         "Juli",
      "August",  "September",   "Oktober", "November", "Dezember",     "Woche",
      "Quartal", "Mahnung",     "Klasse",  "Reihe"};
  return std::any_of(std::begin(kWords), std::end(kWords), [&](std::string_view w) {
    return text::StartsWith(rest, w) &&
           (rest.size() == w.size() ||
            !text::IsWordByte(static_cast<unsigned char>(rest[w.size()])));
  });
}

void SplitSentences(std::string_view prose, std::vector<std::string>& out) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < prose.size() && out.size() < kMaxSentences; ++i) {
    const char c = prose[i];
    // "im 2. Stock", "am 3. Mai": a German ordinal ends no sentence.
    bool ordinal = false;
    if (c == '.' && i + 2 < prose.size() && prose[i + 1] == ' ') {
      const auto word_start =
          prose.find_last_of(' ', i) == std::string_view::npos ? 0 : prose.find_last_of(' ', i) + 1;
      const auto number = prose.substr(word_start, i - word_start);
      ordinal =
          !number.empty() && number.size() <= 2 &&
          std::all_of(number.begin(), number.end(), [](char d) { return text::IsAsciiDigit(d); }) &&
          OrdinalFollows(prose.substr(i + 2));
    }
    const bool end = (c == '.' || c == '!' || c == '?') && !ordinal &&
                     (i + 1 == prose.size() || prose[i + 1] == ' ');
    if (end || i + 1 == prose.size()) {
      auto sentence = text::Squeeze(prose.substr(start, i + 1 - start));
      if (sentence.size() > 1) out.push_back(std::move(sentence));
      start = i + 1;
    }
  }
}

std::string JoinShort(const std::vector<std::string>& parts) {
  std::string joined;
  for (const auto& p : parts) {
    if (!joined.empty()) joined += ' ';
    joined += p;
    if (joined.size() > kSectionChars * 2) break;
  }
  return text::Shorten(joined, kSectionChars);
}

}  // namespace

bool IsGreeting(std::string_view lower) {
  static constexpr std::string_view kGreetings[] = {
      "hi",           "hello",  "hey",       "dear",      "good morning", "good afternoon",
      "good evening", "thanks", "thank you", "greetings", "regards",      "cheers",
      "best regards"};
  // Pleasantries and introductions name no problem at any length.
  static constexpr std::string_view kPleasantries[] = {"i hope this finds you",
                                                       "hope this finds you",
                                                       "i hope you are",
                                                       "hope you are",
                                                       "i hope you're",
                                                       "hope you're",
                                                       "i hope all is",
                                                       "hope all is",
                                                       "i'm writing on behalf",
                                                       "i am writing on behalf",
                                                       "i'm writing to",
                                                       "i am writing to",
                                                       "i'm reaching out",
                                                       "thank you very much",
                                                       "many thanks",
                                                       "thank you for your help",
                                                       "thanks for your help",
                                                       "thanks a lot",
                                                       "thank you in advance",
                                                       "i hope this message finds",
                                                       "hope this message finds",
                                                       "i hope this email finds",
                                                       "hope this email finds",
                                                       "i hope this e-mail finds",
                                                       "i am reaching out",
                                                       "my name is",
                                                       "thanks in advance",
                                                       "thank you in advance",
                                                       "kind regards",
                                                       "best wishes"};
  if (std::any_of(std::begin(kPleasantries), std::end(kPleasantries),
                  [&](std::string_view p) { return text::StartsWith(lower, p); })) {
    return true;
  }
  const auto words = text::Words(lower);
  if (words.size() > 6) return false;
  return std::any_of(std::begin(kGreetings), std::end(kGreetings),
                     [&](std::string_view g) { return text::StartsWith(lower, g); });
}

Extraction Extract(std::string_view input, const nlohmann::json& page_context) {
  Extraction out;
  auto& d = out.description;
  Section section = Section::kNone;
  bool in_code = false;
  bool saw_steps_section = false;
  std::vector<std::string> summary_parts, expected_parts, actual_parts, first_prose;
  bool signed_off = false;
  std::vector<std::string> loose_numbered;
  bool in_comment = false;

  for (auto line : text::Lines(input)) {
    const auto trimmed = text::Trim(line);
    // HTML comments in issue templates are instructions to the reporter.
    if (in_comment) {
      if (Has(trimmed, "-->")) in_comment = false;
      continue;
    }
    if (text::StartsWith(trimmed, "<!--")) {
      in_comment = !Has(trimmed, "-->");
      continue;
    }
    ScanUrls(line, d.urls);
    if (text::IsFence(line)) {
      in_code = !in_code;
      out.has_code = true;
      continue;
    }
    if (in_code && section == Section::kSteps && d.steps_to_reproduce.empty() && !trimmed.empty()) {
      // Steps given as code: the first line says what to run.
      d.steps_to_reproduce.push_back("Run the code or commands of the report, starting with: " +
                                     text::Shorten(trimmed, 120));
    }
    if (in_code || text::LooksLikeLogLine(line)) {
      // A fenced block is code unless it holds a trace or error output.
      const bool error_line = IsErrorLine(line);
      const bool trace_line = IsTraceLine(line);
      if (trace_line && !in_code) out.has_trace = true;
      if (!in_code || error_line || trace_line) out.has_log = true;
      if (error_line && !IsTraceHeader(trimmed)) {
        AddUnique(d.error_messages, text::Shorten(trimmed, 300), kMaxErrors);
      }
      ScanErrorCodes(line, d.error_codes);
      ScanJsonErrors(line, d.error_codes);
      if (section == Section::kEnvironment) ScanVersions(line, d.environment.app_versions);
      continue;
    }
    if (trimmed.empty()) continue;
    if (trimmed.front() != '|' && !text::StartsWith(trimmed, "<details") &&
        out.prose.size() < kMaxProseBytes) {
      out.prose.append(trimmed);
      out.prose.push_back('\n');
    }
    ScanErrorCodes(line, d.error_codes);
    ScanJsonErrors(line, d.error_codes);
    // What the reporter expected ("Validation error: discount must be at
    // most 100%") is no error they saw.
    if (section != Section::kExpected) {
      // A line of the reporter's prose that names an error is no error
      // message: only a line that looks printed by a program is quoted whole.
      if (IsErrorLine(line) && !LooksLikeProse(trimmed) && !IsTraceHeader(trimmed)) {
        AddUnique(d.error_messages, text::Shorten(trimmed, 300), kMaxErrors);
      }
      ScanQuotedMessages(trimmed, d.error_messages);
    }
    ScanProseVersions(trimmed, d.environment.app_versions);

    if (const auto heading = HeadingText(line); !heading.empty()) {
      section = SectionOf(text::Lower(heading));
      if (section == Section::kSteps) saw_steps_section = true;
      AddUnique(out.headings, text::Lower(CleanInline(heading)), 20);
      continue;
    }
    if (const auto [label, value] = InlineLabel(line); label != Section::kNone) {
      (label == Section::kExpected ? expected_parts : actual_parts).push_back(CleanInline(value));
      continue;
    }

    switch (section) {
      case Section::kSteps: {
        const auto item = ListItem(line);
        if (d.steps_to_reproduce.size() < kMaxSteps) {
          d.steps_to_reproduce.push_back(
              text::Shorten(CleanInline(item.empty() ? trimmed : item), 200));
        }
        continue;
      }
      case Section::kExpected:
        expected_parts.push_back(CleanInline(trimmed));
        continue;
      case Section::kActual:
        actual_parts.push_back(CleanInline(trimmed));
        SplitSentences(CleanInline(trimmed), out.sentences);
        continue;
      case Section::kEnvironment:
        ScanVersions(line, d.environment.app_versions);
        continue;
      case Section::kLogs:
        continue;
      default:
        break;
    }
    if (IsNumbered(line)) {
      if (loose_numbered.size() < kMaxSteps) {
        loose_numbered.push_back(text::Shorten(CleanInline(ListItem(line)), 200));
      }
      continue;
    }
    const auto clean = CleanInline(trimmed);
    if (section == Section::kSummary) summary_parts.push_back(clean);
    // The summary leaves out greetings and pleasantries, and stops at a
    // sign-off ("Thanks a lot,"): what follows is a signature.
    if (first_prose.size() < 6 && !signed_off) {
      std::vector<std::string> parts;
      SplitSentences(clean, parts);
      std::string kept;
      for (const auto& part : parts) {
        if (IsGreeting(text::Lower(part))) continue;
        if (!kept.empty()) kept += ' ';
        kept += part;
      }
      if (!kept.empty()) {
        first_prose.push_back(std::move(kept));
      } else if (!first_prose.empty()) {
        signed_off = true;  // a greeting after the text is its farewell
      }
    }
    SplitSentences(clean, out.sentences);
  }

  if (!saw_steps_section && loose_numbered.size() >= 2) d.steps_to_reproduce = loose_numbered;
  d.summary = JoinShort(summary_parts.empty() ? first_prose : summary_parts);
  d.expected_behavior = JoinShort(expected_parts);
  d.actual_behavior = JoinShort(actual_parts);

  // Environment: named anywhere in the text, or in the page's user agent.
  const auto sample = input.substr(0, std::min<std::size_t>(input.size(), 20'000));
  const auto lower = text::Lower(sample);
  const WordStarts words(lower);
  d.environment.os = FindOs(words, sample);
  d.environment.browser = FindBrowser(words, sample);
  if (page_context.is_object()) {
    if (const auto agent = page_context.find("user_agent");
        agent != page_context.end() && agent->is_string()) {
      const auto info = ParseUserAgent(agent->get<std::string>());
      if (d.environment.os.empty()) d.environment.os = info.os;
      if (d.environment.browser.empty()) d.environment.browser = info.browser;
    }
    if (const auto url = page_context.find("url"); url != page_context.end() && url->is_string()) {
      const auto value = url->get<std::string>();
      if (!value.empty() && std::find(d.urls.begin(), d.urls.end(), value) == d.urls.end()) {
        d.urls.insert(d.urls.begin(), value);
        if (d.urls.size() > kMaxUrls) d.urls.pop_back();
      }
    }
  }
  return out;
}

}  // namespace ticketd::analysis
