#include "analysis/rules.hpp"

#include <algorithm>
#include <cstring>

#include "analysis/text.hpp"

namespace ticketd::analysis {

namespace {

constexpr std::string_view kLevels[] = {"low", "medium", "high", "critical"};

// Whether the words just before `pos` negate what follows, also through
// one softening word ("not super urgent", "not really broken").
bool Negated(std::string_view lower, std::size_t pos) {
  const auto from = pos >= 32 ? pos - 32 : 0;
  const auto before = lower.substr(from, pos - from);
  static constexpr std::string_view kNegations[] = {"no ",    "not ",   "without ",
                                                    "never ", "isn't ", "wasn't "};
  for (std::string_view neg : kNegations) {
    if (text::EndsWith(before, neg)) return true;
  }
  static constexpr std::string_view kSofteners[] = {"super ",        "very ",   "that ",
                                                    "too ",          "really ", "so ",
                                                    "particularly ", "overly ", "terribly "};
  for (std::string_view soft : kSofteners) {
    if (!text::EndsWith(before, soft)) continue;
    const auto rest = before.substr(0, before.size() - soft.size());
    for (std::string_view neg : kNegations) {
      if (text::EndsWith(rest, neg)) return true;
    }
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

namespace {

// Start and end of each non-negated hit of `phrases` that begins with a
// whole word (the ones FindNear is given).
std::vector<std::pair<std::size_t, std::size_t>> Hits(const PhraseText& prepared,
                                                      std::span<const std::string_view> phrases,
                                                      std::vector<std::size_t>& which) {
  const auto lower = prepared.Lower();
  std::vector<std::pair<std::size_t, std::size_t>> hits;
  for (std::size_t p = 0; p < phrases.size(); ++p) {
    const auto phrase = phrases[p];
    std::size_t first = 0;
    while (first < phrase.size() && text::IsWordByte(static_cast<unsigned char>(phrase[first])))
      ++first;
    if (first == 0) continue;
    const auto rest = phrase.substr(first);
    prepared.ForEachStart(phrase.substr(0, first), [&](std::size_t pos) {
      const auto end = pos + phrase.size();
      if (end <= lower.size() && lower.compare(pos + first, rest.size(), rest) == 0 &&
          (end == lower.size() || !text::IsWordByte(static_cast<unsigned char>(lower[end]))) &&
          !Negated(lower, pos)) {
        hits.emplace_back(pos, end);
        which.push_back(p);
      }
      return false;
    });
  }
  return hits;
}

}  // namespace

namespace {

// Whether the '.' at `i` follows a number of one or two digits ("im 2.
// Stock"): an ordinal, not the end of a sentence.
bool AfterOrdinal(std::string_view lower, std::size_t i) {
  std::size_t digits = 0;
  while (digits < i && text::IsAsciiDigit(lower[i - 1 - digits]))
    ++digits;
  const bool word_start =
      digits == i || !text::IsWordByte(static_cast<unsigned char>(lower[i - 1 - digits]));
  return lower[i] == '.' && digits >= 1 && digits <= 2 && word_start;
}

// Whether a sentence ends between `from` and `to` of `lower`: a line break,
// or a '.', '!' or '?' followed by a space or the end ("2.07", "v1.2" and
// the ordinal "2. Stock" end nothing).
bool EndsASentence(std::string_view lower, std::size_t from, std::size_t to) {
  for (auto i = from; i < to; ++i) {
    const char c = lower[i];
    if (c == '\n') return true;
    if ((c == '.' || c == '!' || c == '?') &&
        (i + 1 >= lower.size() || text::IsAsciiSpace(lower[i + 1])) && !AfterOrdinal(lower, i)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> FindNear(const PhraseText& prepared,
                                  std::span<const std::string_view> first,
                                  std::span<const std::string_view> second, std::size_t window) {
  const auto lower = prepared.Lower();
  std::vector<std::size_t> which_a, which_b;
  const auto a = Hits(prepared, first, which_a);
  if (a.empty()) return {};
  const auto b = Hits(prepared, second, which_b);
  std::vector<std::string> found;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < b.size(); ++j) {
      const auto from = std::min(a[i].second, b[j].second);
      const auto to = std::max(a[i].first, b[j].first);
      const auto gap = to > from ? lower.substr(from, to - from) : std::string_view();
      if (gap.size() > window || EndsASentence(lower, from, to)) continue;
      auto pair = std::string(first[which_a[i]]) + " ... " + std::string(second[which_b[j]]);
      if (std::find(found.begin(), found.end(), pair) == found.end()) found.push_back(pair);
    }
  }
  return found;
}

namespace {

void Append(std::vector<std::string>& to, std::vector<std::string> more) {
  for (auto& m : more) {
    if (std::find(to.begin(), to.end(), m) == to.end()) to.push_back(std::move(m));
  }
}

// A count of people or things, written as digits: "6 people", "40 users".
std::vector<std::string> FindCountedPeople(std::string_view lower) {
  static constexpr std::string_view kWho[] = {"people",    "users",   "customers", "colleagues",
                                              "employees", "members", "accounts",  "clients",
                                              "stores",    "offices", "teams"};
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (!text::IsAsciiDigit(lower[i]) || (i > 0 && text::IsAsciiDigit(lower[i - 1]))) continue;
    auto j = i;
    while (j < lower.size() && (text::IsAsciiDigit(lower[j]) || lower[j] == ','))
      ++j;
    if (j >= lower.size() || lower[j] != ' ') continue;
    const auto rest = lower.substr(j + 1, 12);
    for (auto who : kWho) {
      if (text::StartsWith(rest, who) && !(j - i == 1 && lower[i] == '1')) {
        return {std::string(lower.substr(i, j - i)) + " " + std::string(who)};
      }
    }
  }
  return {};
}

}  // namespace

SeveritySignals FindSeveritySignals(const PhraseText& lower, std::string_view title_lower) {
  SeveritySignals s;
  s.outage = FindPhrases(
      lower,
      {"outage", "is down", "are down", "went down", "was down", "service down", "site down",
       "server down", "system down", "down for everyone", "nobody can", "no one can", "noone can",
       "production is down", "prod is down", "completely down", "service unavailable",
       "503 service", "502 bad gateway", "not loading for anyone", "whole site", "website is down",
       "for every request", "every page returns", "none of our staff can", "none of us can",
       "can't reach the", "cannot reach the", "stopped arriving for", "not reachable",
       "unreachable", "entire site", "entire system", "all services", "all servers",
       // Spanish, German, French
       "est\xC3\xA1 ca\xC3\xAD"
       "do",
       "est\xC3\xA1 ca\xC3\xAD"
       "da",
       "fuera de servicio", "nadie puede", "ist ausgefallen", "ist down", "niemand kann",
       "est en panne", "hors service", "personne ne peut", "broken for every", "broken for all",
       "down for all", "fails for every", "fails for all"});
  s.data_loss = FindPhrases(
      lower, {"data loss", "lost data", "lost all", "lost my", "lost our", "data is gone",
              "data was deleted", "deleted all", "corrupted", "data corruption", "disappeared",
              "missing data", "lose data", "losing data", "data lost", "lose all",
              "lost everything", "erased", "can't recover", "cannot recover", "unable to recover",
              "restore from backup", "restore from a backup", "all gone",
              // Backups that fail: the next loss cannot be undone.
              "backup failed", "backups failed", "backup fails", "backups fail",
              "backup is failing", "backups are failing", "no backup", "no recent backup",
              "no fresh backup", "without a backup",
              // Spanish, German, French
              "perd\xC3\xAD todos", "datos perdidos", "se borraron", "daten verloren",
              "wurden gel\xC3\xB6scht",
              "donn\xC3\xA9"
              "es perdues",
              "perdu toutes", "ont disparu"});
  // A kind of data and a loss word in one sentence: "all the notes in our
  // project are gone", "my contacts disappeared after the update".
  static constexpr std::string_view kData[] = {
      "data",      "notes",        "note",         "contacts", "contact list", "files",
      "documents", "photos",       "pictures",     "messages", "emails",       "records",
      "entries",   "history",      "projects",     "folders",  "tasks",        "calendar",
      "events",    "database",     "rows",         "work",     "uploads",      "attachments",
      "boards",    "spreadsheets", "drafts",       "document", "chapter",      "content",
      "changes",   "spreadsheet",  "presentation", "report",   "pages",        "thesis",
      "customers", "reports"};
  static constexpr std::string_view kLoss[] = {
      "gone",   "disappeared", "vanished", "deleted",     "wiped",      "lost",       "missing",
      "erased", "removed",     "empty",    "overwritten", "can't find", "cannot find"};
  Append(s.data_loss, FindNear(lower, kData, kLoss, 50));
  s.security = FindPhrases(
      lower,
      {"security breach", "data breach", "breach", "hacked", "compromised", "unauthorized access",
       "unauthorised access", "phishing", "malware", "ransomware", "leaked", "credentials exposed",
       "exposed credentials", "data exposed", "security vulnerability", "security incident",
       "vulnerability", "exploit", "xss", "sql injection", "csrf", "stolen", "suspicious login",
       "suspicious activity", "fraudulent", "someone else logged", "account takeover",
       "remote code execution", "unauthorized login", "unauthorized logins", "unauthorized user",
       "unauthorised login", "hijacked", "taken over", "took over my account", "someone logged",
       "someone has logged", "someone changed", "someone has changed", "someone accessed",
       "someone has access", "someone got into", "somebody logged", "somebody changed",
       "someone is using my account", "password was changed", "password has been changed",
       "email was changed", "unknown login", "unrecognized login", "unrecognised login",
       "login from an unknown", "sign-in from an unknown", "logins from", "fake login", "fake page",
       "wasn't me", "was not me", "weren't me", "were not me", "fake site", "fake website",
       "fake email", "spoofed", "impersonating", "pretending to be", "verify your account",
       "suspicious email", "suspicious link", "virus", "trojan", "keylogger", "spyware", "infected",
       "clicked the link in", "clicked on the link in", "clicked a link in", "clicked on a link in",
       "opened the attachment", "looked like it came from", "looked like it was from",
       "pretended to be", "files were encrypted", "files are encrypted", "ransom",
       // Spanish, German, French
       "hackeado", "hackeada", "me hackearon", "acceso no autorizado", "gehackt",
       "unbefugter zugriff", "pirat\xC3\xA9",
       "pirat\xC3\xA9"
       "e",
       "acc\xC3\xA8s non autoris\xC3\xA9", "hame\xC3\xA7onnage"});
  // A credential and what exposed it, near each other: "pushed our API key
  // to a public repo", "the token was leaked", "entered her password on a
  // fake page" (that one through "fake page" above).
  static constexpr std::string_view kCredentials[] = {
      "password",    "passwords", "api key",    "api keys",     "apikey", "secret key",
      "private key", "ssh key",   "access key", "access token", "token",  "tokens",
      "credentials", "secret",    "secrets",    "aws key"};
  static constexpr std::string_view kExposures[] = {"leaked",
                                                    "leak",
                                                    "exposed",
                                                    "pushed",
                                                    "committed",
                                                    "published",
                                                    "posted",
                                                    "public repo",
                                                    "public repository",
                                                    "publicly",
                                                    "shared publicly",
                                                    "into the public",
                                                    "in the public",
                                                    "public channel",
                                                    "public chat",
                                                    "in plain text",
                                                    "plaintext"};
  Append(s.security, FindNear(lower, kCredentials, kExposures, 60));
  s.blocker = FindPhrases(
      lower,
      {"crash", "crashes", "crashed", "crashing", "freezes", "freeze for", "freeze up",
       "freezes up", "freezing", "frozen", "hangs", "cannot log in", "can't log in", "cant log in",
       "unable to log in", "cannot login", "can't login", "cant login", "unable to login",
       "locked out", "blocker", "blocking", "blocked", "stopped working", "completely broken",
       "segfault", "segmentation fault", "charged twice", "double charged", "charged two times",
       "can't access", "cannot access", "unable to access", "data cannot be saved", "cannot save",
       "can't save", "fatal error", "kernel panic", "closes immediately", "force closes",
       "keeps crashing", "unusable",
       // Spanish, German, French
       "no puedo acceder", "no puedo entrar", "no funciona nada", "kann nicht zugreifen",
       "kann mich nicht anmelden", "funktioniert nicht mehr",
       "je ne peux pas acc\xC3\xA9"
       "der",
       "impossible de me connecter", "n'arrive plus \xC3\xA0 me connecter",
       "n'arrive pas \xC3\xA0 me connecter", "charged my card twice", "charged me twice",
       "completely blank", "blank screen", "blank page", "white screen", "black screen"});
  s.defect = FindPhrases(
      lower, {"error", "errors", "fails", "failed", "failing", "failure", "not working",
              "doesn't work", "does not work", "doesnt work", "broken", "bug", "exception", "wrong",
              "incorrect", "unexpected", "issue", "problem", "not able", "unable", "cannot",
              "can't", "timeout", "timed out", "slow", "regression", "does nothing",
              "nothing happens", "stuck", "skips", "skipped", "not arriving", "stopped",
              // French, Spanish, German
              "bloqu\xC3\xA9",
              "bloqu\xC3\xA9"
              "e",
              "bloqu\xC3\xA9"
              "s",
              "ne marche pas", "ne fonctionne pas", "erreur", "en panne", "no funciona",
              "bloqueado", "bloqueada", "funktioniert nicht", "fehler", "geht nicht"});
  s.wide_scope = FindPhrases(
      lower,
      {"all users", "all customers", "all of our", "every user", "every customer", "everyone",
       "everybody", "entire team", "whole team", "entire company", "whole company", "company-wide",
       "all employees", "in production", "production", "many users", "multiple users",
       "many customers", "all our customers", "the whole office", "the whole floor",
       "the whole building", "the whole site", "the whole branch", "the whole store",
       "the whole system", "the whole app", "the whole website", "the whole service",
       "the whole platform", "the whole network", "all accounts", "all of us", "team is affected",
       "is affected", "are affected", "thousands", "hundreds of", "several people", "many people",
       "multiple people", "several users", "several colleagues", "several of our",
       "whole department", "all staff", "no customer", "no one can", "nobody can", "no user can",
       "customers can't", "customers cannot", "all users in", "for all users", "whole org",
       "entire org", "whole organisation", "whole organization", "every customer",
       "for every customer",
       // French, Spanish, German
       "toute l'\xC3\xA9quipe", "tout le monde", "todo el equipo", "todos los usuarios",
       "das ganze team", "alle mitarbeiter", "alle benutzer"});
  Append(s.wide_scope, FindCountedPeople(lower.Lower()));
  // "Nobody on the floor can print": the people between the words.
  static constexpr std::string_view kNobody[] = {"nobody", "no one", "none of us"};
  static constexpr std::string_view kCan[] = {"can", "is able to", "are able to"};
  for (auto& near : FindNear(lower, kNobody, kCan, 30)) {
    if (std::find(s.wide_scope.begin(), s.wide_scope.end(), near) == s.wide_scope.end()) {
      s.wide_scope.push_back(std::move(near));
    }
  }
  // "I'm telling everyone I know": a threat, not the people affected.
  if (!FindPhrases(lower, {"telling everyone", "tell everyone", "everyone i know"}).empty()) {
    std::erase(s.wide_scope, std::string("everyone"));
  }
  // "Nobody can hear me in calls": one person's microphone, not an outage.
  if (!FindPhrases(lower,
                   {"can hear me", "can see me", "can see my", "can reach me", "can understand me"})
           .empty()) {
    for (std::string_view crowd : {"nobody can", "no one can", "noone can"}) {
      std::erase(s.wide_scope, std::string(crowd));
      std::erase(s.outage, std::string(crowd));
    }
    std::erase_if(s.wide_scope,
                  [](const std::string& p) { return p.find(" ... ") != std::string::npos; });
  }
  s.urgent = FindPhrases(
      lower,
      {"urgent", "urgently", "asap", "as soon as possible", "immediately", "emergency", "right now",
       "right away", "top priority", "high priority", "critical", "deadline", "losing money",
       "losing revenue", "sev1", "sev 1",
       // Spanish, German, French
       "urgente", "urgentemente", "lo antes posible", "cuanto antes", "dringend",
       "so schnell wie m\xC3\xB6glich", "d\xC3\xA8s que possible", "au plus vite", "losing orders",
       "losing sales", "losing leads", "losing customers", "lost orders", "orders are lost",
       "we are losing", "missed two", "missed pickups", "missed deliveries",
       // A deadline the reporter has to meet.
       "fixed today", "by today", "need it today", "needed today", "by end of day",
       "by the end of the day", "by eod", "by tomorrow", "before tomorrow", "within the hour",
       "presentation at", "presentation in", "demo at", "won't get paid", "will not get paid",
       "before my demo", "before the demo", "before my presentation", "before the presentation",
       "before my meeting", "before the meeting", "before my call", "before my flight",
       "demo today", "demo tomorrow", "presentation today", "presentation tomorrow", "in an hour",
       "in two hours", "in 2 hours", "in three hours", "in 3 hours", "won't be paid",
       "will not be paid",
       // German, Spanish, French
       "bis morgen", "bis heute", "bis freitag", "bis montag", "para hoy",
       "para ma\xC3\xB1"
       "ana",
       "antes del viernes", "pour demain", "avant demain", "avant vendredi"});
  s.relaxed = FindPhrases(lower, {"no rush",           "not urgent",         "low priority",
                                  "whenever you can",  "when you have time", "no hurry",
                                  "nice to have",      "work around it",     "can work around",
                                  "a workaround",      "not blocking",       "annoying but",
                                  "just a wish",       "future release",     "not super urgent",
                                  "not very urgent",   "not that urgent",    "not too urgent",
                                  "not really urgent", "not so urgent",      "isn't urgent",
                                  "is not urgent",     "can still work",     "still able to work",
                                  "not a priority",    "no big deal"});
  s.cosmetic = FindPhrases(lower, {"typo",
                                   "typos",
                                   "cosmetic",
                                   "misspelled",
                                   "misspelling",
                                   "spelling",
                                   "misaligned",
                                   "alignment",
                                   "padding",
                                   "margin",
                                   "font",
                                   "color",
                                   "colour",
                                   "tooltip",
                                   "wording",
                                   "grammar",
                                   "looks off",
                                   "pixel",
                                   "minor",
                                   "slightly",
                                   "visual glitch",
                                   "ui glitch",
                                   "css",
                                   "icon",
                                   "capitalization",
                                   "truncated text",
                                   "overlaps",
                                   "overlap",
                                   "overlapping",
                                   "text is cut off",
                                   "text gets cut off",
                                   "label is cut off",
                                   "is truncated",
                                   "misplaced",
                                   "off-center",
                                   "colors",
                                   "colours",
                                   "fonts",
                                   "icons",
                                   "visual thing",
                                   "small visual"});
  s.ui_glitch = FindPhrases(lower, {"typo",
                                    "typos",
                                    "misspelled",
                                    "misspelling",
                                    "misaligned",
                                    "overlaps",
                                    "overlap",
                                    "overlapping",
                                    "cosmetic",
                                    "visual glitch",
                                    "ui glitch",
                                    "display glitch",
                                    "black screen",
                                    "rendering glitch",
                                    "text is cut off",
                                    "text gets cut off",
                                    "label is cut off",
                                    "is truncated",
                                    "off-center",
                                    "looks off",
                                    "wrong font",
                                    "different colors",
                                    "different colours",
                                    "different color",
                                    "visual thing"});
  // Slowness as the problem the report opens with (its title or first
  // sentence): many defect reports mention a timeout on the way.
  s.performance = FindPhrases(text::Trim(title_lower), {"slow",
                                                        "slower",
                                                        "slowness",
                                                        "sluggish",
                                                        "takes forever",
                                                        "timeout",
                                                        "timeouts",
                                                        "timed out",
                                                        "times out",
                                                        "timing out",
                                                        "gateway timeout",
                                                        "504",
                                                        "latency",
                                                        "laggy",
                                                        "lagging",
                                                        "load time",
                                                        "loading time",
                                                        "takes minutes",
                                                        "high cpu",
                                                        "memory usage",
                                                        "slowly",
                                                        "takes more than",
                                                        "takes over",
                                                        "seconds to load",
                                                        "seconds to return",
                                                        "minutes to load",
                                                        "minutes to return"});
  // Failing under load is slowness's kin, named anywhere in the report.
  Append(s.performance, FindPhrases(lower, {"requests/second", "requests per second", "under load",
                                            "at peak", "peak traffic", "high traffic", "rps"}));
  static constexpr std::string_view kServices[] = {"slack",
                                                   "jira",
                                                   "zapier",
                                                   "webhook",
                                                   "webhooks",
                                                   "salesforce",
                                                   "hubspot",
                                                   "zendesk",
                                                   "teams integration",
                                                   "integration",
                                                   "google calendar sync",
                                                   "outlook sync",
                                                   "shopify",
                                                   "quickbooks",
                                                   "xero",
                                                   "okta sync",
                                                   "scim"};
  static constexpr std::string_view kIntegrationFailure[] = {
      "stopped",       "fails",   "failed",       "failing",       "not working", "doesn't work",
      "does not work", "broken",  "not syncing",  "doesn't sync",  "duplicate",   "duplicates",
      "401",           "403",     "unauthorized", "not posting",   "no longer",   "error",
      "not created",   "has not", "hasn't",       "token expired", "410",         "disconnected"};
  s.integration = FindNear(lower, kServices, kIntegrationFailure, 80);
  s.opening_failure = FindPhrases(
      text::Trim(title_lower),
      {"does nothing", "nothing happens", "not working",   "doesn't work",  "does not work",
       "doesnt work",  "stopped working", "stopped",       "skips",         "skipped",
       "fails",        "failed",          "broken",        "not arriving",  "won't open",
       "is damaged",   "is corrupt",      "bounce",        "bounces",       "bounced",
       "rejected",     "spinner",         "loads forever", "keeps loading", "never loads",
       "stuck on",     "stuck at"});
  // Signing in named near a failure ("can't log in", "login fails"), or a
  // lock-out, a second factor or a password reset, which are problems alone.
  static constexpr std::string_view kSignIn[] = {"log in", "login",     "log into",   "sign in",
                                                 "signin", "sign into", "logging in", "signing in"};
  static constexpr std::string_view kFailure[] = {
      "can't",        "cannot",        "cant",        "unable",     "not able",
      "doesn't work", "does not work", "not working", "fails",      "failed",
      "failing",      "error",         "won't",       "impossible", "broken"};
  s.access = FindNear(lower, kSignIn, kFailure, 40);
  Append(s.access, FindPhrases(lower, {"locked out",
                                       "account is locked",
                                       "account locked",
                                       "account has been locked",
                                       "2fa",
                                       "mfa",
                                       "two-factor",
                                       "two factor",
                                       "authenticator",
                                       "verification code",
                                       "backup codes",
                                       "password reset",
                                       "reset my password",
                                       "reset password",
                                       "forgot my password",
                                       "forgot password",
                                       "reset link",
                                       "one-time code",
                                       "change my email",
                                       "change the email",
                                       "update my email",
                                       "change my username",
                                       "email on my account",
                                       "email address on my account",
                                       "access denied",
                                       "n'arrive plus \xC3\xA0 me connecter",
                                       "n'arrive pas \xC3\xA0 me connecter",
                                       "no puedo iniciar sesi\xC3\xB3n",
                                       "kann mich nicht anmelden",
                                       "kann mich nicht einloggen",
                                       "logs me out",
                                       "logging me out",
                                       "logged me out",
                                       "keeps signing me out",
                                       "signs me out"}));
  // A device named near a failure: "the printer is broken", "webcam not
  // working". Keyboards and mice are left out: in software reports they
  // are shortcuts and clicks, not hardware.
  static constexpr std::string_view kDevices[] = {
      "tablet", "phone charger", "printer", "printers", "scanner", "projector", "webcam", "headset",
      "copier", "photocopier", "copy machine", "badge reader", "card reader", "turnstile",
      "docking station", "toner", "laptop", "monitor", "router", "desk phone", "charger", "battery",
      "space bar", "trackpad", "touchpad", "paper",
      // German, French, Spanish
      "beamer", "drucker", "bildschirm", "projektor", "imprimante", "projecteur", "impresora",
      "proyector", "docking", "netzwerkdrucker", "network printer"};
  static constexpr std::string_view kDeviceFailure[] = {"broken",
                                                        "broke",
                                                        "not working",
                                                        "doesn't work",
                                                        "does not work",
                                                        "won't turn on",
                                                        "dead",
                                                        "jammed",
                                                        "not detected",
                                                        "no signal",
                                                        "stopped working",
                                                        "not printing",
                                                        "cracked",
                                                        "won't connect",
                                                        "won't charge",
                                                        "not charging",
                                                        "jamming",
                                                        "jams",
                                                        "jam",
                                                        "flickers",
                                                        "flickering",
                                                        "goes black",
                                                        "overheating",
                                                        "spilled",
                                                        "no power",
                                                        "won't boot",
                                                        "won't start",
                                                        "no sound",
                                                        "no audio",
                                                        "crackling",
                                                        "stopped connecting",
                                                        "won't pair",
                                                        "not recognized",
                                                        "rejects",
                                                        "doesn't recognize",
                                                        "does not recognize",
                                                        "doesn't read",
                                                        "not recognised",
                                                        "won't power on",
                                                        "doesn't turn on",
                                                        "does not turn on",
                                                        "blinks",
                                                        "blinking",
                                                        "kein bild",
                                                        "kein signal",
                                                        "funktioniert nicht",
                                                        "defekt",
                                                        "kaputt",
                                                        "ne fonctionne pas",
                                                        "ne marche pas",
                                                        "ne marche plus",
                                                        "ne fonctionne plus",
                                                        "no funciona",
                                                        "no enciende",
                                                        "stay black",
                                                        "stays black",
                                                        "leere seiten",
                                                        "blank pages",
                                                        "prints blank",

                                                        "not connecting"};
  s.hardware = FindNear(lower, kDevices, kDeviceFailure, 90);
  // A device named alone ("printer", "laptop broken?"): there is nothing
  // else to go by.
  if (s.hardware.empty() && text::Words(lower.Lower()).size() <= 3) {
    for (auto& device : FindPhrases(lower, kDevices))
      s.hardware.push_back(std::move(device));
  }
  // The office network and the ways into it, which are IT's: "wifi down in
  // meeting room B", "can't connect to the VPN from home".
  static constexpr std::string_view kNetwork[] = {"wifi",           "shared mailbox",
                                                  "mail server",    "exchange server",
                                                  "wi-fi",          "wlan",
                                                  "ethernet",       "access point",
                                                  "office network", "vpn",
                                                  "remote desktop", "shared drive",
                                                  "network drive",  "intranet",
                                                  "internet",       "internet connection"};
  static constexpr std::string_view kNetworkFailure[] = {"down",
                                                         "stopped receiving",
                                                         "not receiving",
                                                         "isn't receiving",
                                                         "no longer receives",
                                                         "not working",
                                                         "doesn't work",
                                                         "drops",
                                                         "keeps dropping",
                                                         "no internet",
                                                         "not connecting",
                                                         "won't connect",
                                                         "disconnects",
                                                         "no connection",
                                                         "can't connect",
                                                         "cannot connect",
                                                         "cant connect",
                                                         "unable to connect",
                                                         "fails to connect",
                                                         "failed to connect",
                                                         "keeps disconnecting",
                                                         "connection failed",
                                                         "can't reach",
                                                         "cannot reach",
                                                         "can't access",
                                                         "cannot access",
                                                         "not reachable",
                                                         "lost",
                                                         "no access"};
  s.network = FindNear(lower, kNetwork, kNetworkFailure, 50);
  s.feature = FindPhrases(lower, {"feature request",
                                  "would be nice",
                                  "it would be great",
                                  "would be great",
                                  "please add",
                                  "add support",
                                  "support for",
                                  "suggestion",
                                  "enhancement",
                                  "allow users to",
                                  "would like to be able",
                                  "i wish",
                                  "proposal",
                                  "could you add",
                                  "i'd love to",
                                  "i would love to",
                                  "we'd love to",
                                  "would love to be able",
                                  "would it be possible to add",
                                  "is it possible to add",
                                  "can you add",
                                  "a wish for",
                                  "just a wish"});

  const auto title = text::Trim(title_lower);
  const auto words = text::Words(title);
  static constexpr std::string_view kOpeners[] = {"how",   "what", "why",    "where", "when",
                                                  "which", "is",   "are",    "can",   "could",
                                                  "does",  "do",   "should", "who"};
  static constexpr std::string_view kHowTo[] = {"how do i",         "how do we",
                                                "how can i",        "how can we",
                                                "how to",           "is it possible",
                                                "is there a way",   "can i",
                                                "can we",           "what is the best way",
                                                "where do i",       "where can i",
                                                "is there a limit", "is there any way",
                                                "how many",         "how much"};
  s.how_to = std::any_of(std::begin(kHowTo), std::end(kHowTo), [&](std::string_view opener) {
    return text::StartsWith(title, opener) &&
           (title.size() == opener.size() ||
            !text::IsWordByte(static_cast<unsigned char>(title[opener.size()])));
  });
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
    // Ransomware and breaches reach every account and file at once.
    static constexpr std::string_view kSevere[] = {
        "ransomware",  "ransom", "files were encrypted", "files are encrypted", "security breach",
        "data breach", "breach", "remote code execution"};
    const bool severe = std::any_of(s.security.begin(), s.security.end(), [](const auto& p) {
      return std::find(std::begin(kSevere), std::end(kSevere), p) != std::end(kSevere);
    });
    const bool critical = !s.wide_scope.empty() || !s.urgent.empty() || kinds >= 2 || severe;
    if (!s.wide_scope.empty()) signals.push_back("wide impact: " + Quote(s.wide_scope));
    if (!s.urgent.empty()) signals.push_back("urgency: " + Quote(s.urgent));
    return {.value = critical ? "critical" : "high",
            .confidence = critical ? 0.85 : 0.75,
            .signals = std::move(signals)};
  }
  if (!s.blocker.empty()) {
    std::vector<std::string> signals = {"blocks work: " + Quote(s.blocker)};
    if (!s.wide_scope.empty()) signals.push_back("wide impact: " + Quote(s.wide_scope));
    // A crash asked about ("why does X crash?") is a question first; one
    // that many people hit is not, however the category reads it.
    if (s.question || (s.asked && s.wide_scope.empty())) {
      signals.push_back("asked as a question");
      return {.value = "medium", .confidence = 0.55, .signals = std::move(signals)};
    }
    if (!s.relaxed.empty()) {
      signals.push_back("reporter says it can wait: " + Quote(s.relaxed));
      return {.value = "medium", .confidence = 0.6, .signals = std::move(signals)};
    }
    return {.value = "high", .confidence = 0.7, .signals = std::move(signals)};
  }
  // A failure that many people share ("300 employees won't get paid")
  // weighs more than one person's. Only people count here: "in production"
  // says where, "which versions are affected" asks about code.
  std::vector<std::string> people = s.wide_scope;
  std::erase_if(people, [](const std::string& p) {
    static constexpr std::string_view kNotPeople[] = {
        "production",        "in production",     "is affected",       "are affected",
        "all of our",        "all accounts",      "team is affected",  "the whole system",
        "the whole app",     "the whole website", "the whole service", "the whole platform",
        "the whole network", "the whole site"};
    return std::find(std::begin(kNotPeople), std::end(kNotPeople), p) != std::end(kNotPeople);
  });
  if (!s.defect.empty() && !people.empty() && s.relaxed.empty() && s.feature.empty() &&
      !s.question && !s.asked && s.cosmetic.empty()) {
    return {.value = "high",
            .confidence = 0.6,
            .signals = {"a defect: " + Quote(s.defect), "wide impact: " + Quote(people)}};
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
  // "It crashes immediately" says how, not how soon: only plain calls for
  // speed move the urgency.
  if (const auto strong = StrongUrgency(s.urgent);
      !strong.empty() && s.relaxed.empty() && level < 3) {
    ++level;
    signals = {"time pressure: " + Quote(strong)};
  } else if (!s.relaxed.empty() && level > 0 && !s.Incident()) {
    --level;
    signals = {"can wait: " + Quote(s.relaxed)};
  }
  return {.value = std::string(kLevels[level]), .confidence = confidence, .signals = signals};
}

}  // namespace ticketd::analysis
