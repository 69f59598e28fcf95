#include "analysis/rules.hpp"

#include <algorithm>
#include <cstring>

#include "analysis/text.hpp"

namespace ticketd::analysis {

namespace {

constexpr std::string_view kLevels[] = {"low", "medium", "high", "critical"};

// Whether the words just before `pos` negate what follows.
bool Negated(std::string_view lower, std::size_t pos) {
  const auto from = pos >= 16 ? pos - 16 : 0;
  const auto before = lower.substr(from, pos - from);
  for (std::string_view neg : {"no ", "not ", "without ", "never ", "isn't ", "wasn't "}) {
    if (text::EndsWith(before, neg)) return true;
  }
  return false;
}

// Lead bytes of the three-byte UTF-8 sequences of CJK scripts (kana, Han,
// Hangul), which are written without spaces between words.
bool IsCjkLead(unsigned char c) {
  return c >= 0xE3 && c <= 0xED;
}

// The lead byte of the last code point of `s` (not empty).
unsigned char LastLead(std::string_view s) {
  auto i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
    --i;
  return static_cast<unsigned char>(s[i]);
}

// `haystack.find(needle, from)`, checking the second byte before a full
// compare: most first-letter matches end there, and the analyzer looks for
// a few hundred phrases in every text.
std::size_t FindFrom(std::string_view haystack, std::string_view needle, std::size_t from) {
  const auto n = needle.size();
  if (n == 0 || haystack.size() < n) return std::string_view::npos;
  const char* const data = haystack.data();
  const auto last = haystack.size() - n;
  while (from <= last) {
    const void* hit = std::memchr(data + from, needle[0], last - from + 1);
    if (hit == nullptr) return std::string_view::npos;
    const auto pos = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
    if ((n == 1 || data[pos + 1] == needle[1]) &&
        std::memcmp(data + pos + 1, needle.data() + 1, n - 1) == 0) {
      return pos;
    }
    from = pos + 1;
  }
  return std::string_view::npos;
}

std::size_t LevelIndex(std::string_view level) {
  for (std::size_t i = 0; i < 4; ++i) {
    if (kLevels[i] == level) return i;
  }
  return 1;
}

std::string Quote(const std::vector<std::string>& phrases) {
  std::string out;
  for (std::size_t i = 0; i < phrases.size() && i < 3; ++i) {
    if (i > 0) out += ", ";
    out += "\"" + phrases[i] + "\"";
  }
  return out;
}

std::vector<std::string> StrongUrgency(const std::vector<std::string>& urgent) {
  static constexpr std::string_view kWeak[] = {"immediately", "right now", "right away",
                                               "critical"};
  std::vector<std::string> strong;
  for (const auto& word : urgent) {
    if (std::find(std::begin(kWeak), std::end(kWeak), word) == std::end(kWeak)) {
      strong.push_back(word);
    }
  }
  return strong;
}

}  // namespace

std::vector<std::string> FindPhrases(const PhraseText& text,
                                     std::initializer_list<std::string_view> phrases) {
  return FindPhrases(text, std::span<const std::string_view>(phrases.begin(), phrases.size()));
}

std::vector<std::string> FindPhrases(std::string_view lower,
                                     std::initializer_list<std::string_view> phrases) {
  return FindPhrases(lower, std::span<const std::string_view>(phrases.begin(), phrases.size()));
}

std::uint32_t PhraseText::Hash(std::string_view word) {
  std::uint32_t h = 2166136261U;
  for (char c : word)
    h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
  return h;
}

PhraseText::PhraseText(std::string_view lower) : lower_(lower) {
  for (std::size_t i = 0; i < lower.size();) {
    if (!text::IsWordByte(static_cast<unsigned char>(lower[i]))) {
      ++i;
      continue;
    }
    auto end = i + 1;
    while (end < lower.size() && text::IsWordByte(static_cast<unsigned char>(lower[end])))
      ++end;
    starts_.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end - i), kNone});
    i = end;
  }
  std::size_t size = 64;
  while (size < starts_.size() * 2)
    size *= 2;
  buckets_.assign(size, kNone);
  for (std::uint32_t k = 0; k < starts_.size(); ++k) {
    auto& head = buckets_[Hash(lower.substr(starts_[k].pos, starts_[k].length)) & (size - 1)];
    starts_[k].next = head;
    head = k;
  }
}

std::vector<std::string> FindPhrases(std::string_view lower,
                                     std::span<const std::string_view> phrases) {
  return FindPhrases(PhraseText(lower), phrases);
}

std::vector<std::string> FindPhrases(const PhraseText& prepared,
                                     std::span<const std::string_view> phrases) {
  const auto lower = prepared.Lower();
  std::vector<std::string> found;
  for (auto phrase : phrases) {
    if (phrase.empty()) continue;
    // CJK words have no spaces around them: their edges need no boundary.
    const bool open_left = IsCjkLead(static_cast<unsigned char>(phrase.front()));
    const bool open_right = IsCjkLead(LastLead(phrase));
    if (!open_left && !open_right && text::IsWordByte(static_cast<unsigned char>(phrase[0]))) {
      // The phrase starts with a whole word: look only where that word stands.
      std::size_t first = 1;
      while (first < phrase.size() && text::IsWordByte(static_cast<unsigned char>(phrase[first])))
        ++first;
      const auto rest = phrase.substr(first);
      const bool hit = prepared.ForEachStart(phrase.substr(0, first), [&](std::size_t pos) {
        const auto end = pos + phrase.size();
        return end <= lower.size() && lower.compare(pos + first, rest.size(), rest) == 0 &&
               (end == lower.size() || !text::IsWordByte(static_cast<unsigned char>(lower[end]))) &&
               !Negated(lower, pos);
      });
      if (hit) found.emplace_back(phrase);
      continue;
    }
    std::size_t pos = 0;
    while ((pos = FindFrom(lower, phrase, pos)) != std::string_view::npos) {
      const auto end = pos + phrase.size();
      const bool left =
          open_left || pos == 0 || !text::IsWordByte(static_cast<unsigned char>(lower[pos - 1]));
      const bool right = open_right || end >= lower.size() ||
                         !text::IsWordByte(static_cast<unsigned char>(lower[end]));
      if (left && right && !Negated(lower, pos)) {
        found.emplace_back(phrase);
        break;
      }
      pos = end;
    }
  }
  return found;
}

SeveritySignals FindSeveritySignals(const PhraseText& lower, std::string_view title_lower) {
  SeveritySignals s;
  s.outage = FindPhrases(lower, {"outage",
                                 "is down",
                                 "are down",
                                 "went down",
                                 "was down",
                                 "service down",
                                 "site down",
                                 "server down",
                                 "system down",
                                 "down for everyone",
                                 "nobody can",
                                 "no one can",
                                 "noone can",
                                 "production is down",
                                 "prod is down",
                                 "completely down",
                                 "service unavailable",
                                 "503 service",
                                 "502 bad gateway",
                                 "not loading for anyone",
                                 "whole site",
                                 "entire site",
                                 "entire system",
                                 "all services",
                                 "all servers"});
  s.data_loss =
      FindPhrases(lower, {"data loss",    "lost data",       "lost all",         "lost my",
                          "lost our",     "data is gone",    "data was deleted", "deleted all",
                          "wiped",        "corrupted",       "data corruption",  "disappeared",
                          "missing data", "lose data",       "losing data",      "data lost",
                          "lose all",     "lost everything", "all my files",     "all our files",
                          "erased"});
  s.security = FindPhrases(lower, {"security breach",
                                   "data breach",
                                   "breach",
                                   "hacked",
                                   "compromised",
                                   "unauthorized access",
                                   "unauthorised access",
                                   "phishing",
                                   "malware",
                                   "ransomware",
                                   "leaked",
                                   "credentials exposed",
                                   "exposed credentials",
                                   "data exposed",
                                   "security vulnerability",
                                   "security incident",
                                   "vulnerability",
                                   "exploit",
                                   "xss",
                                   "sql injection",
                                   "csrf",
                                   "stolen",
                                   "suspicious login",
                                   "suspicious activity",
                                   "fraudulent",
                                   "someone else logged",
                                   "account takeover",
                                   "remote code execution"});
  s.blocker = FindPhrases(lower, {"crash",
                                  "crashes",
                                  "crashed",
                                  "crashing",
                                  "freezes",
                                  "frozen",
                                  "hangs",
                                  "cannot log in",
                                  "can't log in",
                                  "cant log in",
                                  "unable to log in",
                                  "cannot login",
                                  "can't login",
                                  "cant login",
                                  "unable to login",
                                  "locked out",
                                  "blocker",
                                  "blocking",
                                  "blocked",
                                  "stopped working",
                                  "completely broken",
                                  "segfault",
                                  "segmentation fault",
                                  "charged twice",
                                  "double charged",
                                  "charged two times",
                                  "can't access",
                                  "cannot access",
                                  "unable to access",
                                  "data cannot be saved",
                                  "cannot save",
                                  "can't save",
                                  "fatal error",
                                  "kernel panic",
                                  "unusable"});
  s.defect = FindPhrases(
      lower, {"error",       "errors",       "fails",         "failed",      "failing", "failure",
              "not working", "doesn't work", "does not work", "doesnt work", "broken",  "bug",
              "exception",   "wrong",        "incorrect",     "unexpected",  "issue",   "problem",
              "not able",    "unable",       "cannot",        "can't",       "timeout", "timed out",
              "slow",        "regression"});
  s.wide_scope =
      FindPhrases(lower, {"all users",      "all customers",  "all of our",        "every user",
                          "every customer", "everyone",       "everybody",         "entire team",
                          "whole team",     "entire company", "whole company",     "company-wide",
                          "all employees",  "in production",  "production",        "many users",
                          "multiple users", "many customers", "all our customers", "the whole",
                          "all accounts",   "all of us",      "team is affected",  "is affected",
                          "are affected",   "thousands",      "hundreds of"});
  s.urgent = FindPhrases(
      lower, {"urgent", "urgently", "asap", "as soon as possible", "immediately", "emergency",
              "right now", "right away", "top priority", "high priority", "critical", "deadline",
              "losing money", "losing revenue", "sev1", "sev 1"});
  s.relaxed = FindPhrases(lower, {"no rush", "not urgent", "low priority", "whenever you can",
                                  "when you have time", "no hurry", "nice to have"});
  s.cosmetic = FindPhrases(
      lower,
      {"typo",           "typos",         "cosmetic",      "misspelled", "misspelling", "spelling",
       "misaligned",     "alignment",     "padding",       "margin",     "font",        "color",
       "colour",         "tooltip",       "wording",       "grammar",    "looks off",   "pixel",
       "minor",          "slightly",      "visual glitch", "ui glitch",  "css",         "icon",
       "capitalization", "truncated text"});
  s.feature = FindPhrases(
      lower, {"feature request", "would be nice", "it would be great", "would be great",
              "please add", "add support", "support for", "suggestion", "enhancement",
              "allow users to", "would like to be able", "i wish", "proposal", "could you add"});

  const auto title = text::Trim(title_lower);
  const auto words = text::Words(title);
  static constexpr std::string_view kOpeners[] = {"how",   "what", "why",    "where", "when",
                                                  "which", "is",   "are",    "can",   "could",
                                                  "does",  "do",   "should", "who"};
  s.question =
      (!title.empty() && title.back() == '?') ||
      (!words.empty() &&
       std::find(std::begin(kOpeners), std::end(kOpeners), words.front()) != std::end(kOpeners)) ||
      !FindPhrases(lower, {"how do i", "how can i", "how to", "is it possible", "is there a way",
                           "i have a question", "quick question", "wondering"})
           .empty();
  return s;
}

FieldDecision DecidePriority(const SeveritySignals& s) {
  if (s.Incident()) {
    std::vector<std::string> signals;
    if (!s.outage.empty()) signals.push_back("outage: " + Quote(s.outage));
    if (!s.data_loss.empty()) signals.push_back("data loss: " + Quote(s.data_loss));
    if (!s.security.empty()) signals.push_back("security incident: " + Quote(s.security));
    const std::size_t kinds = !s.outage.empty() + !s.data_loss.empty() + !s.security.empty();
    const bool critical = !s.wide_scope.empty() || !s.urgent.empty() || kinds >= 2;
    if (!s.wide_scope.empty()) signals.push_back("wide impact: " + Quote(s.wide_scope));
    if (!s.urgent.empty()) signals.push_back("urgency: " + Quote(s.urgent));
    return {.value = critical ? "critical" : "high",
            .confidence = critical ? 0.85 : 0.75,
            .signals = std::move(signals)};
  }
  if (!s.blocker.empty()) {
    std::vector<std::string> signals = {"blocks work: " + Quote(s.blocker)};
    if (!s.wide_scope.empty()) signals.push_back("wide impact: " + Quote(s.wide_scope));
    // A crash asked about ("why does X crash?") is a question first.
    if (s.question || s.asked) {
      signals.push_back("asked as a question");
      return {.value = "medium", .confidence = 0.55, .signals = std::move(signals)};
    }
    if (!s.relaxed.empty()) {
      signals.push_back("reporter says it can wait: " + Quote(s.relaxed));
      return {.value = "medium", .confidence = 0.6, .signals = std::move(signals)};
    }
    return {.value = "high", .confidence = 0.7, .signals = std::move(signals)};
  }
  // Alone, only a plain call for speed raises it: "immediately", "right
  // now" and "critical" describe behaviour as often as they ask for haste.
  if (const auto strong = StrongUrgency(s.urgent);
      !strong.empty() && s.relaxed.empty() && !s.question && !s.asked) {
    return {.value = "high", .confidence = 0.6, .signals = {"urgency: " + Quote(strong)}};
  }
  if (!s.cosmetic.empty() && (s.defect.empty() || s.defect.size() <= 2)) {
    return {.value = "low", .confidence = 0.65, .signals = {"cosmetic: " + Quote(s.cosmetic)}};
  }
  if (!s.feature.empty()) {
    return {
        .value = "low", .confidence = 0.55, .signals = {"feature request: " + Quote(s.feature)}};
  }
  if (s.question) {
    if (!s.defect.empty()) {
      return {.value = "medium",
              .confidence = 0.5,
              .signals = {"question about a problem: " + Quote(s.defect)}};
    }
    return {.value = "low", .confidence = 0.6, .signals = {"asked as a question"}};
  }
  if (!s.relaxed.empty()) {
    return {.value = "low", .confidence = 0.6, .signals = {"can wait: " + Quote(s.relaxed)}};
  }
  if (!s.defect.empty()) {
    return {.value = "medium", .confidence = 0.55, .signals = {"a defect: " + Quote(s.defect)}};
  }
  return {.value = "medium", .confidence = 0.4, .signals = {"no severity signal; default"}};
}

FieldDecision DecideUrgency(const SeveritySignals& s, const FieldDecision& priority) {
  auto level = LevelIndex(priority.value);
  std::vector<std::string> signals = {"follows priority " + priority.value};
  double confidence = priority.confidence * 0.9;
  if (!s.urgent.empty() && s.relaxed.empty() && level < 3) {
    ++level;
    signals = {"time pressure: " + Quote(s.urgent)};
  } else if (!s.relaxed.empty() && level > 0 && !s.Incident()) {
    --level;
    signals = {"can wait: " + Quote(s.relaxed)};
  }
  return {.value = std::string(kLevels[level]), .confidence = confidence, .signals = signals};
}

}  // namespace ticketd::analysis
