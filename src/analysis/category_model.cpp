#include "analysis/category_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <utility>

#include "analysis/category_weights.hpp"
#include "analysis/text.hpp"

namespace ticketd::analysis {

namespace {

// The body is read up to here for features: the problem is stated early,
// and the cost stays bounded for long pastes.
constexpr std::size_t kFeatureBodyBytes = 12'000;

// 64-bit FNV-1a, fed piece by piece: a feature's id is the hash of its
// text, so ids are computed without building the strings.
constexpr std::uint64_t kFnvBasis = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t Fnv(std::uint64_t h, std::string_view piece) {
  for (char c : piece)
    h = (h ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return h;
}

// Collects feature ids; the training tool and the tests use StringSink,
// which collects the same features as text.
bool IsKindPrefix(std::string_view prefix) {
  // Every prefix but the word prefixes "t:", "w:" and "h:" (byte tests:
  // this runs for every feature).
  const bool word_prefix = prefix.size() == 2 && prefix[1] == ':' &&
                           (prefix[0] == 't' || prefix[0] == 'w' || prefix[0] == 'h');
  return !word_prefix;
}

std::uint64_t Tagged(std::uint64_t hash, std::string_view prefix) {
  return IsKindPrefix(prefix) ? hash | kKindIdBit : hash & ~kKindIdBit;
}

struct IdSink {
  std::vector<std::uint64_t> out;
  void Add(std::string_view prefix, std::string_view word) {
    out.push_back(Tagged(Fnv(Fnv(kFnvBasis, prefix), word), prefix));
  }
  void Add(std::string_view prefix, std::string_view first, std::string_view second) {
    out.push_back(Tagged(Fnv(Fnv(Fnv(Fnv(kFnvBasis, prefix), first), "_"), second), prefix));
  }
};

struct StringSink {
  std::vector<std::string> out;
  void Add(std::string_view prefix, std::string_view word) {
    std::string feature(prefix);
    feature += word;
    out.push_back(std::move(feature));
  }
  void Add(std::string_view prefix, std::string_view first, std::string_view second) {
    std::string feature(prefix);
    feature += first;
    feature += '_';
    feature += second;
    out.push_back(std::move(feature));
  }
};

// A word's stem, held in place: the word buffer of ForEachWord is reused.
struct StemBuffer {
  char bytes[32];
  std::size_t size = 0;
  std::string_view View() const { return {bytes, size}; }
  void Set(std::string_view word) {
    const auto stem = text::StemView(word, bytes);
    if (stem.data() != bytes) std::memcpy(bytes, stem.data(), stem.size());
    size = stem.size();
  }
};

// Filler words: pronouns, articles, auxiliaries, prepositions and adverbs
// such as "now" and "too". A model trained on a few thousand texts learns
// them as evidence ("we" for general, "be" for feature requests) because of
// who wrote the training texts, not because of what was asked; they are
// left out of the word features. Negations, question words and modals
// ("not", "how", "should") stay: they do tell kinds of request apart.
constexpr std::string_view kFillerWords[] = {
    "about",   "above", "after", "again", "all",   "already", "also",  "am",      "an",
    "and",     "any",   "are",   "as",    "at",    "be",      "been",  "before",  "being",
    "between", "both",  "but",   "by",    "did",   "do",      "does",  "doing",   "done",
    "during",  "each",  "etc",   "even",  "every", "for",     "from",  "get",     "gets",
    "getting", "got",   "had",   "has",   "have",  "having",  "he",    "her",     "here",
    "hers",    "him",   "his",   "if",    "im",    "in",      "into",  "is",      "it",
    "its",     "ive",   "just",  "me",    "mine",  "my",      "now",   "of",      "on",
    "onto",    "or",    "our",   "ours",  "quite", "really",  "same",  "she",     "since",
    "so",      "some",  "still", "such",  "than",  "that",    "the",   "their",   "theirs",
    "them",    "then",  "there", "these", "they",  "this",    "those", "through", "to",
    "too",     "us",    "very",  "was",   "we",    "were",    "while", "will",    "with",
    "yet",     "you",   "your",  "yours"};

bool IsFillerWord(std::string_view word) {
  static const auto kSet = [] {
    text::WordMap<bool> set(std::size(kFillerWords));
    for (auto filler : kFillerWords)
      set[filler] = true;
    return set;
  }();
  return word.size() <= 7 && kSet.Find(word) != nullptr;
}

// Words and word pairs of `line`, filler words left out (a pair joins the
// words on either side of them); `on_stem` sees each stem, filler included,
// and whether it is the line's first, for phrase look-ups.
template <class Sink, class OnStem>
void AddWords(std::string_view line, std::string_view prefix, Sink& sink, OnStem&& on_stem) {
  StemBuffer previous;
  StemBuffer current;
  bool first = true;
  text::ForEachWord(line, [&](std::string_view word) {
    current.Set(word);
    on_stem(current.View(), first);
    first = false;
    if (IsFillerWord(word)) return;
    sink.Add(prefix, current.View());
    if (previous.size != 0) sink.Add(prefix, previous.View(), current.View());
    previous = current;
  });
}

// A map from 64-bit ids (hashes of stems or stem runs) to small values,
// built once: open addressing in a power-of-two table, 0 marking a free
// slot. Cheaper per look-up than std::unordered_map for the per-word
// family and phrase tests.
template <class Value>
class IdMap {
 public:
  void Reserve(std::size_t count) {
    std::size_t size = 64;
    while (size < count * 4)
      size *= 2;
    slots_.assign(size, {0, Value{}});
  }
  // Keeps the first value given for an id.
  void Emplace(std::uint64_t id, Value value) {
    for (auto slot = Slot(id);; slot = (slot + 1) & (slots_.size() - 1)) {
      if (slots_[slot].first == id) return;
      if (slots_[slot].first == 0) {
        slots_[slot] = {id, value};
        return;
      }
    }
  }
  const Value* Find(std::uint64_t id) const {
    for (auto slot = Slot(id);; slot = (slot + 1) & (slots_.size() - 1)) {
      if (slots_[slot].first == id) return &slots_[slot].second;
      if (slots_[slot].first == 0) return nullptr;
    }
  }

 private:
  std::size_t Slot(std::uint64_t id) const {
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ULL) >> 40) & (slots_.size() - 1);
  }
  std::vector<std::pair<std::uint64_t, Value>> slots_;
};

std::uint64_t StemId(std::string_view stem) {
  return Fnv(kFnvBasis, stem) | 1;  // never 0, the free-slot mark
}

// The id of a run of two stems, or of a run and one more stem.
std::uint64_t RunId(std::uint64_t first, std::uint64_t second) {
  return ((first * 0xC2B2AE3D27D4EB4FULL) ^ second) * kFnvPrime | 1;
}

// "### Steps to reproduce" and "**Expected behavior**" become
// "h:steps_to_reproduce" and "h:expected_behavior".
// Answers the heading's text, or empty when the line is not a heading.
template <class Sink>
std::string_view AddHeading(std::string_view line, Sink& sink) {
  line = text::Trim(line);
  std::string_view inner;
  if (text::StartsWith(line, "#")) {
    const auto first = line.find_first_not_of('#');
    inner = line.substr(first == std::string_view::npos ? line.size() : first);
  } else if (text::StartsWith(line, "**") && text::EndsWith(line, "**") && line.size() > 4) {
    inner = line.substr(2, line.size() - 4);
  } else {
    return {};
  }
  char joined[4 * 25 + 4];
  std::size_t size = 0;
  std::size_t count = 0;
  text::ForEachWord(inner, [&](std::string_view word) {
    if (count == 4) return;
    if (count++ > 0) joined[size++] = '_';
    StemBuffer stem;
    stem.Set(word);
    std::memcpy(joined + size, stem.bytes, stem.size);
    size += stem.size;
  });
  if (count > 0) sink.Add("h:", std::string_view(joined, size));
  return count > 0 ? inner : std::string_view();
}

// "hk:" features of template headings that name a kind of report: GitHub's
// default feature template ("Is your feature request related to a
// problem?", "Describe the solution you'd like"), bug sections ("Describe
// the bug", "Stack trace", "Error message"), question sections.
template <class Sink>
void AddHeadingKind(std::string_view heading, Sink& sink) {
  const auto lower = text::Lower(heading.substr(0, 80));
  static constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
      {"feature request", "wish"},
      {"solution you", "wish"},
      {"alternatives", "wish"},
      {"motivation", "wish"},
      {"proposal", "wish"},
      {"use case", "wish"},
      {"describe the bug", "defect"},
      {"bug report", "defect"},
      {"stack trace", "defect"},
      {"traceback", "defect"},
      {"error message", "defect"},
      {"log output", "defect"},
      {"crash", "defect"},
      {"question", "ask"}};
  for (const auto& [phrase, kind] : kKinds) {
    if (lower.find(phrase) != std::string::npos) sink.Add("hk:", kind);
  }
}

// Error output pasted as code: a traceback, an exception, a failed command.
// One pass over the line, comparing only where a mark's first byte stands.
bool LooksLikeErrorOutput(std::string_view line) {
  static const text::MarkSet kMarks = {"Traceback (most recent call last)",
                                       "Exception",
                                       "Error:",
                                       "error:",
                                       "ERROR",
                                       "panic:",
                                       "Segmentation fault",
                                       "FAILED",
                                       "fatal:",
                                       "Fatal error",
                                       "Unhandled"};
  return kMarks.FoundIn(line);
}

// Whether a template heading asks which kind of report this is ("Issue
// type", "Do you want to request a feature or report a bug?"): the line
// after it says so in the reporter's words.
bool AsksForKind(std::string_view heading) {
  const auto lower = text::Lower(heading.substr(0, 80));
  return text::ContainsPhrase(lower, "type") || text::ContainsPhrase(lower, "kind") ||
         (lower.find("feature") != std::string::npos && lower.find("bug") != std::string::npos);
}

// "ty:" features of the answer to such a heading: "Bug", "Feature Request",
// "Support", "Documentation Bug".
template <class Sink>
void AddDeclaredKind(std::string_view answer, Sink& sink) {
  bool any = false;
  std::size_t words = 0;
  text::ForEachWord(answer, [&](std::string_view word) {
    if (words++ >= 6) return;
    char buffer[32];
    const auto stem = text::StemView(word, buffer);
    std::string_view kind;
    if (stem == "feature" || stem == "enhancement" || stem == "improvement" || stem == "idea" ||
        stem == "request") {
      kind = "wish";
    } else if (stem == "bug" || stem == "crash" || stem == "regression" || stem == "defect" ||
               stem == "error") {
      kind = "defect";
    } else if (stem == "question" || stem == "support" || stem == "help" || stem == "how") {
      kind = "ask";
    }
    if (kind.empty()) return;
    sink.Add("ty:", kind);
    any = true;
  });
  if (!any && words > 0) sink.Add("ty:", "other");
}

bool IsQuestionTitle(std::string_view title) {
  const auto trimmed = text::Trim(title);
  if (!trimmed.empty() && trimmed.back() == '?') return true;
  const auto words = text::Words(trimmed);
  if (words.empty()) return false;
  static constexpr std::string_view kOpeners[] = {"how",   "what", "why",  "is",    "can",
                                                  "where", "when", "does", "which", "should"};
  return std::find(std::begin(kOpeners), std::end(kOpeners), words.front()) != std::end(kOpeners);
}

// Hand-written word families of each kind of request. A text gets "k:"
// features for the families its words fall in, so that the model can
// learn what a family means from some texts and apply it to words of the
// family it never saw in training (a refund intent teaches "fee").
enum Family : std::size_t { kBilling, kAccess, kDefect, kWish, kAsk, kService, kFamilyCount };

constexpr std::string_view kFamilyNames[kFamilyCount] = {"billing", "access", "defect",
                                                         "wish",    "ask",    "service"};

const IdMap<Family>& FamilyOfStem() {
  static const auto kTable = [] {
    const std::pair<Family, std::vector<std::string_view>> lists[] = {
        {kBilling,
         {"refund",        "invoice",      "bill",        "billing", "billed",       "payment",
          "pay",           "paid",         "charge",      "charged", "fee",          "fees",
          "price",         "pricing",      "cost",        "money",   "card",         "credit",
          "debit",         "paypal",       "transaction", "receipt", "subscription", "reimburse",
          "reimbursement", "compensation", "cash",        "bank",    "installment",  "overcharged",
          "discount",      "tax",          "vat"}},
        {kAccess,
         {"account",    "accounts",     "password", "passwords",      "login",        "logon",
          "signin",     "signup",       "register", "registration",   "username",     "profile",
          "credential", "credentials",  "2fa",      "authentication", "authenticate", "locked",
          "lockout",    "verification", "verify",   "permission",     "permissions",  "role",
          "sso",        "otp",          "unlock",   "membership"}},
        {kDefect,
         {"crash",      "crashes",      "crashed", "error",  "errors",  "exception",  "fail",
          "fails",      "failed",       "failure", "broken", "bug",     "regression", "traceback",
          "segfault",   "freeze",       "freezes", "hang",   "hangs",   "incorrect",  "wrong",
          "unexpected", "unexpectedly", "doesnt",  "isnt",   "wont",    "leak",       "corrupt",
          "corrupted",  "undefined",    "null",    "stuck",  "invalid", "glitch",     "abort",
          "aborted",    "panic",        "throws",  "thrown"}},
        {kWish,
         {"feature",    "add",          "adding",    "option",    "allow",      "allowing",
          "enable",     "proposal",     "propose",   "suggest",   "suggestion", "enhancement",
          "improve",    "improvement",  "wish",      "nice",      "ability",    "configurable",
          "customize",  "customizable", "implement", "introduce", "idea",       "request",
          "requesting", "extend",       "missing",   "provide",   "offer",      "prefer"}},
        {kAsk,
         {"how",       "what",        "why",        "question",      "questions",     "possible",
          "wonder",    "wondering",   "understand", "documentation", "docs",          "example",
          "examples",  "tutorial",    "explain",    "clarify",       "clarification", "advice",
          "recommend", "recommended", "guide",      "confused",      "meaning",       "difference",
          "anyone",    "somebody",    "tips",       "learn",         "usage"}},
        {kService,
         {"order",      "orders",      "delivery",  "deliver",        "shipping",  "ship",
          "shipment",   "package",     "parcel",    "track",          "tracking",  "address",
          "newsletter", "unsubscribe", "complaint", "complain",       "feedback",  "review",
          "agent",      "human",       "operator",  "representative", "contact",   "call",
          "phone",      "speak",       "talk",      "purchase",       "purchased", "item",
          "items",      "product",     "store",     "courier"}},
    };
    IdMap<Family> table;
    table.Reserve(256);
    for (const auto& [family, words] : lists) {
      for (auto word : words)
        table.Emplace(StemId(text::Stem(word)), family);
    }
    return table;
  }();
  return kTable;
}

constexpr std::string_view kFamilyPlural[kFamilyCount] = {"billing+", "access+", "defect+",
                                                          "wish+",    "ask+",    "service+"};

// Adds "k:<family>" for one hit and "k:<family>+" for two or more, with a
// "kt:" prefix for hits in the title.
template <class Sink>
void AddFamilies(const std::array<std::size_t, kFamilyCount>& hits, std::string_view prefix,
                 Sink& sink) {
  for (std::size_t f = 0; f < kFamilyCount; ++f) {
    if (hits[f] == 0) continue;
    sink.Add(prefix, kFamilyNames[f]);
    if (hits[f] >= 2) sink.Add(prefix, kFamilyPlural[f]);
  }
}

// Phrases of a kind of text, read as runs of two or three stems (words of
// one letter are not words: "how do I" is "how do"): asking how, wishing
// for more, and telling what went wrong. They carry a kind of request
// across projects whose single words differ.
enum PhraseKind : std::size_t { kAskPhrase, kWishPhrase, kDefectPhrase, kPhraseKindCount };

constexpr std::string_view kPhraseKindNames[kPhraseKindCount] = {"ask", "wish", "defect"};
constexpr std::string_view kPhraseKindPlural[kPhraseKindCount] = {"ask+", "wish+", "defect+"};

const IdMap<PhraseKind>& PhraseKindOfRun() {
  static const auto kTable = [] {
    const std::pair<PhraseKind, std::vector<std::string_view>> lists[] = {
        {kAskPhrase, {"how do",       "how can",        "how to",           "how should",
                      "how would",    "how does",       "is it possible",   "is there way",
                      "is there any", "what is the",    "what the best",    "best way to",
                      "right way to", "correct way to", "any idea",         "any ideas",
                      "can someone",  "can anyone",     "does anyone",      "anyone know",
                      "im trying to", "am trying to",   "not sure how",     "not sure if",
                      "not sure why", "why does",       "why is",           "what does",
                      "help me",      "need help",      "question about",   "wondering if",
                      "want to know", "like to know",   "is this expected", "is this intended",
                      "is this bug",  "am missing",     "doing wrong",      "understand why"}},
        {kWishPhrase, {"would be nice",  "would be great", "would be useful",   "would be helpful",
                       "would be cool",  "be nice to",     "nice to have",      "add support",
                       "support for",    "please add",     "could you add",     "can you add",
                       "like to see",    "would love",     "feature request",   "allow to",
                       "allow user",     "allow users",    "ability to",        "option to",
                       "should be able", "be able to",     "make it possible",  "provide way",
                       "new feature",    "add an option",  "add option",        "add new",
                       "propose to",     "suggest to",     "suggest adding",    "would like",
                       "it would be",    "we could",       "instead of having", "request to add"}},
        {kDefectPhrase,
         {"doesnt work",        "does not work",      "not working",      "stopped working",
          "no longer",          "steps to reproduce", "to reproduce",     "expected behavior",
          "actual behavior",    "expected result",    "actual result",    "throws an",
          "throws error",       "error message",      "stack trace",      "fails to",
          "failed to",          "unable to",          "crashes when",     "after updating",
          "after upgrading",    "since updating",     "used to work",     "worked before",
          "is broken",          "not correctly",      "wrong result",     "incorrect result",
          "got an error",       "get an error",       "getting an error", "an error occurred",
          "segmentation fault", "memory leak",        "regression in",    "does not compile"}},
    };
    IdMap<PhraseKind> table;
    table.Reserve(160);
    for (const auto& [kind, phrases] : lists) {
      for (auto phrase : phrases) {
        std::vector<std::uint64_t> stems;
        text::ForEachWord(
            phrase, [&](std::string_view word) { stems.push_back(StemId(text::Stem(word))); });
        if (stems.size() == 2) table.Emplace(RunId(stems[0], stems[1]), kind);
        if (stems.size() == 3) table.Emplace(RunId(RunId(stems[0], stems[1]), stems[2]), kind);
      }
    }
    return table;
  }();
  return kTable;
}

// What the words of a title or a body fall in.
struct KindHits {
  std::array<std::size_t, kFamilyCount> families{};
  std::array<std::size_t, kPhraseKindCount> phrases{};

  // The two stems before on the line, as a run id and a stem id (0: none).
  std::uint64_t previous_run = 0;
  std::uint64_t previous = 0;

  void Add(std::string_view stem, bool line_start) {
    if (line_start) previous_run = previous = 0;
    const auto id = StemId(stem);
    if (const auto* family = FamilyOfStem().Find(id)) ++families[*family];
    const auto& phrase_table = PhraseKindOfRun();
    std::uint64_t run = 0;
    if (previous != 0) {
      run = RunId(previous, id);
      if (const auto* kind = phrase_table.Find(run)) ++phrases[*kind];
    }
    if (previous_run != 0) {
      if (const auto* kind = phrase_table.Find(RunId(previous_run, id))) ++phrases[*kind];
    }
    previous_run = run;
    previous = id;
  }

  template <class Sink>
  void Emit(std::string_view family_prefix, std::string_view phrase_prefix, Sink& sink) const {
    AddFamilies(families, family_prefix, sink);
    for (std::size_t k = 0; k < kPhraseKindCount; ++k) {
      if (phrases[k] == 0) continue;
      sink.Add(phrase_prefix, kPhraseKindNames[k]);
      if (phrases[k] >= 2) sink.Add(phrase_prefix, kPhraseKindPlural[k]);
    }
  }
};

std::string_view LengthBucket(std::size_t words) {
  if (words == 0) return "len0";
  if (words <= 10) return "len1";
  if (words <= 30) return "len2";
  if (words <= 100) return "len3";
  if (words <= 300) return "len4";
  return "len5";
}

}  // namespace

std::size_t ModelClassIndex(std::string_view category) {
  for (std::size_t i = 0; i < kModelClassCount; ++i) {
    if (kModelClasses[i] == category) return i;
  }
  return kModelClassCount;
}

namespace {

template <class Sink>
void VisitFeatures(std::string_view title, std::string_view body, Sink& sink) {
  KindHits title_hits;
  KindHits body_hits;
  AddWords(title, "t:", sink, [&](auto stem, bool start) { title_hits.Add(stem, start); });
  title_hits.Emit("kt:", "pt:", sink);
  if (IsQuestionTitle(title)) sink.Add("s:", "title_question");

  if (body.size() > kFeatureBodyBytes) body = body.substr(0, kFeatureBodyBytes);
  bool in_code = false;
  bool has_code = false;
  bool has_log = false;
  bool has_url = false;
  bool has_image = false;
  bool has_question = false;
  std::size_t prose_words = 0;
  bool has_error_output = false;
  bool awaiting_kind = false;  // the last heading asked for the kind of report
  std::string prose;
  prose.reserve(256);
  bool in_comment = false;
  for (auto line : text::Lines(body)) {
    // HTML comments of issue templates are the template's words, not the
    // reporter's: they would tie a kind of report to one project's form.
    if (!in_code) {
      const auto trimmed = text::Trim(line);
      if (in_comment) {
        if (trimmed.find("-->") != std::string_view::npos) in_comment = false;
        continue;
      }
      if (text::StartsWith(trimmed, "<!--")) {
        in_comment = trimmed.find("-->") == std::string_view::npos;
        continue;
      }
    }
    if (text::IsFence(line)) {
      in_code = !in_code;
      has_code = true;
      continue;
    }
    if (in_code) {
      if (!has_error_output && LooksLikeErrorOutput(line)) has_error_output = true;
      continue;
    }
    if (text::LooksLikeLogLine(line)) {
      has_log = true;
      if (!has_error_output && LooksLikeErrorOutput(line)) has_error_output = true;
      continue;
    }
    if (const auto heading = AddHeading(line, sink); !heading.empty()) {
      awaiting_kind = AsksForKind(heading);
      AddHeadingKind(heading, sink);
    } else if (awaiting_kind && !text::Trim(line).empty()) {
      AddDeclaredKind(line, sink);
      awaiting_kind = false;
    }
    if (line.find("![") != std::string_view::npos) has_image = true;
    // URLs and inline code say little about the kind of request; drop them.
    prose.clear();
    for (std::size_t i = 0; i < line.size();) {
      if (line[i] == 'h' && (line.substr(i, 7) == "http://" || line.substr(i, 8) == "https://")) {
        has_url = true;
        while (i < line.size() && line[i] != ' ' && line[i] != ')')
          ++i;
        continue;
      }
      if (line[i] == '`') {
        const auto close = line.find('`', i + 1);
        if (close != std::string_view::npos) {
          has_code = true;
          i = close + 1;
          prose.push_back(' ');
          continue;
        }
      }
      // "Does this occur with extensions disabled?: Yes" is a form field.
      if (line[i] == '?' && (i + 1 == line.size() || line[i + 1] != ':')) has_question = true;
      prose.push_back(line[i]);
      ++i;
    }
    AddWords(prose, "w:", sink, [&](auto stem, bool start) {
      ++prose_words;
      body_hits.Add(stem, start);
    });
  }
  body_hits.Emit("k:", "p:", sink);

  if (has_code) sink.Add("s:", "code");
  if (has_log) sink.Add("s:", "log");
  if (has_error_output) sink.Add("s:", "error_output");
  if (has_url) sink.Add("s:", "url");
  if (has_image) sink.Add("s:", "image");
  if (has_question) sink.Add("s:", "question");
  sink.Add("s:", LengthBucket(prose_words));
}

}  // namespace

std::uint64_t FeatureId(std::string_view feature) {
  return Tagged(Fnv(kFnvBasis, feature), feature.substr(0, feature.find(':') + 1));
}

bool IsKindFeature(std::string_view feature) {
  return IsKindPrefix(feature.substr(0, feature.find(':') + 1));
}

std::vector<std::string> CategoryFeatures(std::string_view title, std::string_view body) {
  StringSink sink;
  VisitFeatures(title, body, sink);
  std::sort(sink.out.begin(), sink.out.end());
  sink.out.erase(std::unique(sink.out.begin(), sink.out.end()), sink.out.end());
  return std::move(sink.out);
}

std::vector<std::uint64_t> CategoryFeatureIds(std::string_view title, std::string_view body) {
  IdSink sink;
  sink.out.reserve(64 + body.size() / 3);
  VisitFeatures(title, body, sink);
  std::sort(sink.out.begin(), sink.out.end());
  sink.out.erase(std::unique(sink.out.begin(), sink.out.end()), sink.out.end());
  return std::move(sink.out);
}

double FeatureValue(std::size_t feature_count) {
  return feature_count == 0 ? 0.0 : 1.0 / std::sqrt(static_cast<double>(feature_count));
}

CategoryModel::CategoryModel(std::array<double, kModelClassCount> bias,
                             std::unordered_map<std::string, ClassWeights> weights)
    : bias_(bias), weights_(std::move(weights)) {
  std::size_t size = 16;
  while (size < weights_.size() * 2)
    size *= 2;
  table_.assign(size, IdEntry{});
  for (const auto& [feature, w] : weights_) {
    auto slot = FeatureId(feature) & (size - 1);
    while (table_[slot].name != nullptr)
      slot = (slot + 1) & (size - 1);
    table_[slot] = {.id = FeatureId(feature), .weights = w, .name = &feature};
  }
}

const CategoryModel::IdEntry* CategoryModel::Find(std::uint64_t id) const {
  const auto mask = table_.size() - 1;
  for (auto slot = id & mask;; slot = (slot + 1) & mask) {
    const auto& entry = table_[slot];
    if (entry.name == nullptr) return nullptr;
    if (entry.id == id) return &entry;
  }
}

const CategoryModel& CategoryModel::BuiltIn() {
  static const CategoryModel model = [] {
    std::array<double, kModelClassCount> bias{};
    std::copy(std::begin(generated::kCategoryBias), std::end(generated::kCategoryBias),
              bias.begin());
    std::unordered_map<std::string, ClassWeights> weights;
    weights.reserve(generated::kCategoryWeightCount);
    for (std::size_t i = 0; i < generated::kCategoryWeightCount; ++i) {
      const auto& row = generated::kCategoryWeights[i];
      ClassWeights w{};
      std::copy(std::begin(row.weights), std::end(row.weights), w.begin());
      weights.emplace(row.feature, w);
    }
    return CategoryModel(bias, std::move(weights));
  }();
  return model;
}

CategoryScores CategoryModel::Score(const std::vector<std::uint64_t>& feature_ids) const {
  CategoryScores scores;
  const auto kinds = static_cast<std::size_t>(
      std::count_if(feature_ids.begin(), feature_ids.end(),
                    [](std::uint64_t id) { return (id & kKindIdBit) != 0; }));
  const double word_value = FeatureValue(feature_ids.size() - kinds);
  auto value_of = [&](std::uint64_t id) {
    return (id & kKindIdBit) != 0 ? kKindFeatureValue : word_value;
  };
  std::array<double, kModelClassCount> logit = bias_;
  std::vector<const IdEntry*> known;
  known.reserve(feature_ids.size());
  for (const auto id : feature_ids) {
    const auto* entry = Find(id);
    if (entry == nullptr) continue;
    known.push_back(entry);
    const double value = value_of(id);
    for (std::size_t k = 0; k < kModelClassCount; ++k)
      logit[k] += value * entry->weights[k];
  }
  scores.known_features = known.size();

  const double top = *std::max_element(logit.begin(), logit.end());
  double sum = 0.0;
  for (std::size_t k = 0; k < kModelClassCount; ++k) {
    scores.probability[k] = std::exp(logit[k] - top);
    sum += scores.probability[k];
  }
  for (auto& p : scores.probability)
    p /= sum;
  scores.best = static_cast<std::size_t>(
      std::max_element(scores.probability.begin(), scores.probability.end()) -
      scores.probability.begin());

  // A feature's pull towards the winner is its weight there minus its mean.
  std::vector<std::pair<double, const IdEntry*>> pulls;
  pulls.reserve(known.size());
  for (const auto* entry : known) {
    double mean = 0.0;
    for (float w : entry->weights)
      mean += w;
    mean /= static_cast<double>(kModelClassCount);
    const double pull = value_of(entry->id) * (entry->weights[scores.best] - mean);
    if (pull > 0) pulls.emplace_back(pull, entry);
  }
  const auto keep = std::min<std::size_t>(kTopFeatures, pulls.size());
  std::partial_sort(pulls.begin(), pulls.begin() + static_cast<std::ptrdiff_t>(keep), pulls.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first
                                                : *a.second->name < *b.second->name;
                    });
  for (std::size_t i = 0; i < keep; ++i)
    scores.top_features.push_back({*pulls[i].second->name, pulls[i].first});
  return scores;
}

std::string DescribeFeature(std::string_view feature) {
  auto words = [](std::string_view s) {
    if (text::EndsWith(s, "+")) s.remove_suffix(1);  // "several of": said once is enough
    std::string out(s);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
  };
  if (text::StartsWith(feature, "t:")) return "title word \"" + words(feature.substr(2)) + "\"";
  if (text::StartsWith(feature, "w:")) return "word \"" + words(feature.substr(2)) + "\"";
  if (text::StartsWith(feature, "h:")) return "heading \"" + words(feature.substr(2)) + "\"";
  if (feature == "s:code") return "contains code";
  if (feature == "s:log") return "contains a log or stack trace";
  if (feature == "s:url") return "contains a link";
  if (feature == "s:image") return "contains a screenshot";
  if (feature == "s:question" || feature == "s:title_question") return "asked as a question";
  if (text::StartsWith(feature, "s:len")) return "length of the text";
  if (feature == "s:error_output") return "contains error output";
  if (text::StartsWith(feature, "ty:"))
    return "the template's kind field says " + words(feature.substr(3));
  if (text::StartsWith(feature, "hk:"))
    return "a template heading of kind " + words(feature.substr(3));
  if (text::StartsWith(feature, "pt:")) return "a title phrase of kind " + words(feature.substr(3));
  if (text::StartsWith(feature, "p:")) return "phrases of kind " + words(feature.substr(2));
  if (text::StartsWith(feature, "kt:")) return "title words of kind " + words(feature.substr(3));
  if (text::StartsWith(feature, "k:")) return "words of kind " + words(feature.substr(2));
  return std::string(feature);
}

}  // namespace ticketd::analysis
