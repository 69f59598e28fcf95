#include "analysis/analyzer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <unordered_map>

#include "analysis/extraction.hpp"
#include "analysis/language.hpp"
#include "analysis/rules.hpp"
#include "analysis/text.hpp"

namespace ticketd::analysis {

namespace {

constexpr std::size_t kMaxTitleChars = 80;
constexpr std::size_t kRuleTextBytes = 20'000;
constexpr std::size_t kMaxKeywords = 8;
constexpr std::size_t kMaxTags = 10;

std::string Capitalize(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string Round2(double value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

// ---- category -------------------------------------------------------------

struct Keywords {
  std::string_view category;
  std::vector<std::string_view> words;
};

// Words of other languages for the categories the model learned in English.
const std::vector<Keywords>& ForeignCategoryWords() {
  static const std::vector<Keywords> kWords = {
      {"billing",
       {"factura",
        "facturas",
        "factures",
        "rechnungen",
        "pagos",
        "pago",
        "reembolso",
        "cobro",
        "cobrado",
        "facture",
        "paiement",
        "remboursement",
        "rechnung",
        "zahlung",
        "erstattung",
        "abbuchung",
        "fatura",
        "pagamento",
        "fattura",
        "rimborso",
        "betaling",
        "factuur",
        "terugbetaling",
        "faktura",
        "p\xC5\x82"
        "atno\xC5\x9B\xC4\x87",
        "\xD1\x81\xD1\x87\xD0\xB5\xD1\x82",
        "\xD0\xBE\xD0\xBF\xD0\xBB\xD0\xB0\xD1\x82\xD0\xB0",
        "\xD0\xB2\xD0\xBE\xD0\xB7\xD0\xB2\xD1\x80\xD0\xB0\xD1\x82",
        "\xE9\x80\x80\xE6\xAC\xBE",
        "\xE4\xBB\x98\xE6\xAC\xBE",
        "\xE8\xAB\x8B\xE6\xB1\x82"}},
      {"user_access",
       {"contrase\xC3\xB1"
        "a",
        "cuenta",
        "iniciar sesi\xC3\xB3n",
        "mot de passe",
        "compte",
        "connexion",
        "passwort",
        "konto",
        "anmelden",
        "senha",
        "conta",
        "accesso",
        "wachtwoord",
        "inloggen",
        "has\xC5\x82o",
        "\xD0\xBF\xD0\xB0\xD1\x80\xD0\xBE\xD0\xBB\xD1\x8C",
        "\xE5\xAF\x86\xE7\xA0\x81",
        "\xE7\x99\xBB\xE5\xBD\x95",
        "\xE3\x83\x91\xE3\x82\xB9\xE3\x83\xAF\xE3\x83\xBC\xE3\x83\x89",
        "\xE3\x83\xAD\xE3\x82\xB0\xE3\x82\xA4\xE3\x83\xB3"}},
      {"bug",
       {"error",
        "falla",
        "no funciona",
        "no puedo",
        "no se puede",
        "no se pueden",
        "no carga",
        "kann nicht",
        "geht nicht",
        "ne marche pas",
        "impossible de",
        "erreur",
        "ne fonctionne pas",
        "fehler",
        "funktioniert nicht",
        "absturz",
        "erro",
        "n\xC3\xA3o funciona",
        "errore",
        "non funziona",
        "fout",
        "werkt niet",
        "st\xC3\xBCrzt",
        "abgest\xC3\xBCrzt",
        "se cierra",
        "se bloquea",
        "plante",
        "se ferme",
        "si blocca",
        "trava",
        "b\xC5\x82\xC4\x85"
        "d",
        "\xD0\xBE\xD1\x88\xD0\xB8\xD0\xB1\xD0\xBA\xD0\xB0",
        "\xD0\xBD\xD0\xB5 \xD1\x80\xD0\xB0\xD0\xB1\xD0\xBE\xD1\x82\xD0\xB0\xD0\xB5\xD1\x82",
        "\xE9\x94\x99\xE8\xAF\xAF",
        "\xE3\x82\xA8\xE3\x83\xA9\xE3\x83\xBC"}},
      {"feature_request",
       {"sugerencia",
        "ser\xC3\xAD"
        "a genial",
        "suggestion", "fonctionnalit\xC3\xA9", "vorschlag", "w\xC3\xBCnschenswert",
        "sugest\xC3\xA3o", "suggerimento"}},
  };
  return kWords;
}

// Security incidents, spelled out; a stronger signal than the model.
bool IsSecurityIncident(const SeveritySignals& s) {
  return !s.security.empty();
}

// The first crash-like phrase among the report's blockers, or "".
std::string CrashPhrase(const SeveritySignals& s) {
  static constexpr std::string_view kCrash[] = {"crash",
                                                "crashes",
                                                "crashed",
                                                "crashing",
                                                "freezes",
                                                "frozen",
                                                "hangs",
                                                "segfault",
                                                "segmentation fault",
                                                "kernel panic",
                                                "closes immediately",
                                                "force closes",
                                                "keeps crashing",
                                                "stopped working"};
  for (const auto& phrase : s.blocker) {
    if (std::find(std::begin(kCrash), std::end(kCrash), phrase) != std::end(kCrash)) return phrase;
  }
  return {};
}

// Words that make a `general` question a technical one.
const std::string_view kTechnicalWords[] = {
    "install",  "installation", "configure",  "configuration", "api",      "sdk",
    "compile",  "build",        "server",     "database",      "library",  "version",
    "python",   "javascript",   "docker",     "npm",           "command",  "cli",
    "deploy",   "code",         "function",   "module",        "plugin",   "extension",
    "debug",    "script",       "tensorflow", "gpu",           "linux",    "windows",
    "terminal", "package",      "dependency", "setting",       "settings", "integration"};

struct CategoryDecision {
  FieldDecision field;
  CategoryScores scores;
};

constexpr std::string_view kStopwords[] = {
    "about", "above",   "after",   "again",   "all",    "also",   "always",  "am",    "an",
    "and",   "any",     "are",     "as",      "at",     "be",     "because", "been",  "before",
    "being", "below",   "between", "both",    "but",    "by",     "can",     "cant",  "could",
    "did",   "didnt",   "do",      "does",    "doesnt", "doing",  "dont",    "down",  "during",
    "each",  "even",    "every",   "few",     "for",    "from",   "get",     "gets",  "getting",
    "got",   "had",     "has",     "have",    "having", "he",     "her",     "here",  "hers",
    "him",   "his",     "how",     "however", "if",     "im",     "in",      "into",  "is",
    "isnt",  "it",      "its",     "ive",     "just",   "like",   "make",    "many",  "me",
    "might", "more",    "most",    "much",    "must",   "my",     "need",    "new",   "no",
    "nor",   "not",     "now",     "of",      "off",    "on",     "once",    "one",   "only",
    "or",    "other",   "our",     "out",     "over",   "own",    "please",  "same",  "see",
    "seems", "she",     "should",  "since",   "so",     "some",   "still",   "such",  "than",
    "that",  "the",     "their",   "them",    "then",   "there",  "these",   "they",  "this",
    "those", "through", "to",      "too",     "try",    "trying", "under",   "until", "up",
    "us",    "use",     "used",    "using",   "very",   "want",   "was",     "way",   "we",
    "well",  "were",    "what",    "when",    "where",  "which",  "while",   "who",   "why",
    "will",  "with",    "would",   "yet",     "you",    "your"};

bool IsStopword(std::string_view word) {
  return std::binary_search(std::begin(kStopwords), std::end(kStopwords), word);
}

// Whether a word feature of the model is made of filler words only ("w:since",
// "t:this_is"): true to the data, but no reason a person can use.
bool IsFillerFeature(std::string_view feature) {
  static const auto kStems = [] {
    std::vector<std::string> stems;
    for (auto word : kStopwords)
      stems.push_back(text::Stem(word));
    std::sort(stems.begin(), stems.end());
    return stems;
  }();
  if (!text::StartsWith(feature, "w:") && !text::StartsWith(feature, "t:")) return false;
  auto rest = feature.substr(2);
  while (!rest.empty()) {
    const auto cut = rest.find('_');
    const auto word = rest.substr(0, cut);
    if (!std::binary_search(kStems.begin(), kStems.end(), word, std::less<>())) return false;
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  }
  return true;
}

// Hand-set evidence of kinds of reports, added to the model's log-odds
// between bug, feature_request and general. The model learns the words of
// the projects it was trained on; these say what any project's reports
// look like (a template's kind field, a question for a title, a pasted
// traceback), so they hold where the words differ.
struct KindRule {
  std::string_view feature;
  std::size_t model_class;  // index in kModelClasses
  double boost;             // added to the class's log-odds
};

constexpr KindRule kKindRules[] = {
    {"ty:defect", 0, 2.5},        {"ty:wish", 1, 2.5},   {"ty:ask", 2, 2.5},
    {"hk:wish", 1, 1.0},          {"hk:defect", 0, 0.5}, {"hk:ask", 2, 0.5},
    {"s:title_question", 2, 0.8}, {"pt:ask", 2, 0.6},    {"p:ask", 2, 0.4},
    {"p:ask+", 2, 0.3},           {"pt:wish", 1, 0.8},   {"kt:wish", 1, 0.4},
    {"p:wish", 1, 0.3},           {"p:wish+", 1, 0.3},   {"pt:defect", 0, 0.6},
    {"kt:defect", 0, 0.5},        {"p:defect", 0, 0.3},  {"p:defect+", 0, 0.3},
    {"s:error_output", 0, 0.6},   {"s:log", 0, 0.3}};

// Applies kKindRules to `scores` when the model's answer is one of the
// three kinds of developer reports; answers the signals of the rules that
// moved it, strongest first.
std::vector<std::string> ApplyKindRules(const std::vector<std::uint64_t>& ids,
                                        CategoryScores& scores) {
  constexpr std::size_t kReportClasses = 3;  // bug, feature_request, general
  if (scores.best >= kReportClasses) return {};
  static const auto kIds = [] {
    std::array<std::uint64_t, std::size(kKindRules)> out{};
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = FeatureId(kKindRules[i].feature);
    return out;
  }();
  std::array<double, kModelClassCount> logit{};
  for (std::size_t k = 0; k < kModelClassCount; ++k)
    logit[k] = std::log(std::max(scores.probability[k], 1e-12));
  std::vector<std::pair<double, std::string_view>> fired;
  for (std::size_t i = 0; i < kIds.size(); ++i) {
    if (!std::binary_search(ids.begin(), ids.end(), kIds[i])) continue;
    logit[kKindRules[i].model_class] += kKindRules[i].boost;
    fired.emplace_back(kKindRules[i].boost, kKindRules[i].feature);
  }
  if (fired.empty()) return {};
  const double top = *std::max_element(logit.begin(), logit.end());
  double sum = 0.0;
  for (std::size_t k = 0; k < kModelClassCount; ++k)
    sum += scores.probability[k] = std::exp(logit[k] - top);
  for (auto& p : scores.probability)
    p /= sum;
  const auto previous = scores.best;
  scores.best = static_cast<std::size_t>(
      std::max_element(scores.probability.begin(), scores.probability.end()) -
      scores.probability.begin());
  std::vector<std::string> signals;
  // Not a structured binding: clang 14 cannot capture one in a lambda.
  for (const auto& boosted : fired) {
    const std::string_view feature = boosted.second;
    const auto& rule = *std::find_if(std::begin(kKindRules), std::end(kKindRules),
                                     [&](const KindRule& r) { return r.feature == feature; });
    if (rule.model_class == scores.best) signals.push_back(DescribeFeature(feature));
  }
  if (previous != scores.best) scores.top_features.clear();  // they argued for the old answer
  return signals;
}

CategoryDecision DecideCategory(const AnalysisInput& input, const PhraseText& lower,
                                const Extraction& extraction, const SeveritySignals& severity,
                                const LanguageGuess& language, const CategoryModel& model) {
  CategoryDecision out;
  const auto ids = CategoryFeatureIds(input.title, input.text);
  out.scores = model.Score(ids);
  const auto kind_signals = ApplyKindRules(ids, out.scores);
  const auto& scores = out.scores;
  auto& field = out.field;
  field.value = std::string(kModelClasses[scores.best]);
  field.confidence = scores.probability[scores.best];
  auto add_signal = [&](std::string signal, std::size_t limit) {
    if (field.signals.size() < limit &&
        std::find(field.signals.begin(), field.signals.end(), signal) == field.signals.end()) {
      field.signals.push_back(std::move(signal));
    }
  };
  for (const auto& signal : kind_signals)
    add_signal(signal, 2);
  for (const auto& c : scores.top_features) {
    if (!IsFillerFeature(c.feature)) add_signal(DescribeFeature(c.feature), 3);
  }
  if (field.signals.empty()) field.signals.push_back("no known words; the model's prior");

  if (language.code != "en") {
    // The model knows English; other languages are read through keywords.
    std::string best;
    std::size_t best_hits = 0;
    std::vector<std::string> found_words;
    for (const auto& entry : ForeignCategoryWords()) {
      auto found = FindPhrases(lower, entry.words);
      if (found.size() > best_hits) {
        best_hits = found.size();
        best = std::string(entry.category);
        found_words = std::move(found);
      }
    }
    if (best_hits > 0) {
      field.value = best;
      field.confidence = std::min(0.8, 0.5 + 0.1 * static_cast<double>(best_hits));
      field.signals = {language.name + " keywords: " + found_words.front()};
    } else {
      field.confidence = std::min(field.confidence, 0.35);
      field.signals.push_back("text is in " + language.name + "; English model, low confidence");
    }
  }

  if (IsSecurityIncident(severity)) {
    field.value = "security";
    field.confidence = std::max(0.7, field.confidence);
    field.signals.insert(field.signals.begin(),
                         "security incident: \"" + severity.security.front() + "\"");
    return out;
  }

  // Kinds of problem that hold in any product, over the model's words.
  auto set = [&](std::string_view category, std::string signal) {
    if (field.value == category) return;
    field.value = std::string(category);
    field.confidence = std::max(0.6, std::min(field.confidence, 0.8));
    field.signals.insert(field.signals.begin(), std::move(signal));
  };
  const auto& v = field.value;
  const bool report = v == "general" || v == "technical" || v == "bug";
  // Money the customer was charged or is owed; the documents that name it
  // count as money too, except beside a broken device ("nobody can print
  // invoices"), where only money owed keeps the report in billing.
  static constexpr std::string_view kOwed[] = {
      "refund",          "refunded",   "vat",    "credit note",   "overcharged",   "charged me",
      "charged my card", "charged us", "billed", "charged twice", "double charged"};
  static constexpr std::string_view kBillingDocuments[] = {"invoice", "invoices", "receipt"};
  const auto owed = FindPhrases(lower, kOwed);
  auto money = owed;
  for (auto& document : FindPhrases(lower, kBillingDocuments))
    money.push_back(std::move(document));
  const bool charging =
      std::any_of(severity.hardware.begin(), severity.hardware.end(),
                  [](const auto& h) { return h.find("charg") != std::string::npos; });
  if (!severity.hardware.empty() && (v != "billing" || charging || owed.empty())) {
    set("technical", "hardware fault: \"" + severity.hardware.front() + "\"");
    return out;
  }
  // The office network or the VPN that does not connect: IT's, even when
  // a sign-in fails on the way ("VPN says authentication failed").
  const bool developer_text = extraction.has_code || extraction.has_log;
  if (!severity.network.empty() && !developer_text && !severity.how_to &&
      (report || v == "user_access" || v == "feature_request")) {
    set("technical", "connection problem: \"" + severity.network.front() + "\"");
    return out;
  }
  if (!severity.access.empty() && (report || v == "feature_request")) {
    set("user_access", "sign-in problem: \"" + severity.access.front() + "\"");
    return out;
  }
  // Someone asking to be let into a drive, a folder or a system: an access
  // request, however much it reads like a wish.
  static constexpr std::string_view kAccessRequest[] = {
      "i need access",     "we need access",      "access to the shared", "grant me access",
      "i'd like access",   "i would like access", "she needs access",     "he needs access",
      "grant me read",     "grant me write",      "give me access",       "request access",
      "requesting access", "access request",      "get access to",        "permission to access",
      "need permission",   "need permissions",    "read/write access",    "read and write access",
      "write access to",   "read access to",      "add me to the"};
  if (const auto wanted = FindPhrases(lower, kAccessRequest);
      !wanted.empty() && !developer_text && (report || v == "feature_request")) {
    set("user_access", "access request: \"" + wanted.front() + "\"");
    return out;
  }
  // An outage or lost data is a fault of the product, not a request, and
  // an outage stays one when it is the payment service that is down.
  // A report with code or a log in it that the model calls a question is
  // most often a developer's question about their own build ("fatal error:
  // foo.h not found", "files missing from dist"): those keep the model's answer.
  if ((!severity.outage.empty() || !severity.data_loss.empty()) && !severity.how_to &&
      !developer_text &&
      (v == "general" || v == "technical" || v == "feature_request" ||
       (v == "billing" && !severity.outage.empty()))) {
    set("bug", !severity.outage.empty() ? "outage: \"" + severity.outage.front() + "\""
                                        : "data loss: \"" + severity.data_loss.front() + "\"");
    return out;
  }
  if (extraction.has_trace && !severity.how_to && v != "billing" && v != "user_access") {
    set("bug", "contains a stack trace");
    return out;
  }
  // Slowness that also freezes is still slowness when the reporter can wait.
  if (!severity.performance.empty() && report &&
      (severity.blocker.empty() || !severity.relaxed.empty()) && !severity.how_to) {
    set("performance", "slowness: \"" + severity.performance.front() + "\"");
    return out;
  }
  if (!severity.ui_glitch.empty() && (report || v == "feature_request" || v == "billing") &&
      (v != "billing" || severity.blocker.empty()) && severity.feature.empty() &&
      !severity.how_to) {
    set("bug", "display glitch: \"" + severity.ui_glitch.front() + "\"");
    return out;
  }
  if (severity.how_to && v == "feature_request" && severity.feature.empty()) {
    set("general", "a how-to question");
  }
  // Another service's connection that fails (Slack, Jira, a webhook...),
  // also when it "stopped working".
  if (!severity.integration.empty() && !developer_text &&
      (v == "bug" || v == "general" || v == "technical" ||
       (v == "feature_request" && severity.feature.empty()))) {
    set("integration", "an integration fails: \"" + severity.integration.front() + "\"");
    return out;
  }
  // A crash told as a statement ("the app closes immediately") is a bug
  // report, not a question, whatever words it shares with them.
  if ((v == "general" || v == "technical") && !severity.question && !developer_text) {
    if (const auto crash = CrashPhrase(severity); !crash.empty()) {
      set("bug", "crash: \"" + crash + "\"");
      return out;
    }
  }
  // A wish told as such ("I'd love to be able to...") that the model reads
  // as a request for help.
  static constexpr std::string_view kAddRequests[] = {"would it be possible to add",
                                                      "is it possible to add",
                                                      "can you add",
                                                      "could you add",
                                                      "please add",
                                                      "a wish for",
                                                      "just a wish"};
  const bool add_request =
      std::any_of(severity.feature.begin(), severity.feature.end(), [](const auto& f) {
        return std::find(std::begin(kAddRequests), std::end(kAddRequests), f) !=
               std::end(kAddRequests);
      });
  if ((v == "general" || (v == "billing" && severity.blocker.empty())) &&
      ((!severity.question && severity.defect.empty()) || add_request)) {
    static constexpr std::string_view kWishes[] = {
        "i'd love to",           "i would love to",       "we'd love to",
        "would love to be able", "would like to be able", "i wish",
        "it would be great",     "would be nice",         "please add",
        "could you add"};
    for (const auto& wish : severity.feature) {
      if (std::find(std::begin(kWishes), std::end(kWishes), wish) != std::end(kWishes) ||
          std::find(std::begin(kAddRequests), std::end(kAddRequests), wish) !=
              std::end(kAddRequests)) {
        set("feature_request", "a wish: \"" + wish + "\"");
        return out;
      }
    }
  }
  // A paid plan's life (its renewal, cancelling it, its billing period) is
  // billing's business, even when the model reads a cancellation as an order
  // (a newsletter's subscription is not a paid plan).
  if (v == "general" && !severity.question) {
    static constexpr std::string_view kPlan[] = {"cancel my subscription",
                                                 "cancel our subscription",
                                                 "cancel the subscription",
                                                 "billing period",
                                                 "billing cycle",
                                                 "auto-renew",
                                                 "auto renewal",
                                                 "renewal",
                                                 "downgrade my plan",
                                                 "upgrade my plan",
                                                 "downgrade our plan",
                                                 "upgrade our plan"};
    if (const auto plan = FindPhrases(lower, kPlan);
        !plan.empty() && FindPhrases(lower, {"newsletter", "mailing list"}).empty()) {
      set("billing", "a paid plan: \"" + plan.front() + "\"");
      return out;
    }
  }
  // Money the customer was charged or is owed, in a text the model reads
  // as an order or a request: "the invoice charges us 21% VAT", "I still
  // have not received my refund".
  if ((v == "general" || v == "technical" ||
       (v == "feature_request" && severity.feature.empty())) &&
      !developer_text) {
    if (!money.empty()) {
      set("billing", "money charged or owed: \"" + money.front() + "\"");
      return out;
    }
  }
  // Billing too when no money is named: "paid", "expenses" or "payroll"
  // alone are the product's subject, not a charge.
  if ((v == "general" || (v == "feature_request" && severity.feature.empty()) ||
       (v == "user_access" && severity.access.empty()) || (v == "billing" && money.empty())) &&
      !severity.question && !severity.how_to && !developer_text) {
    if (!severity.opening_failure.empty()) {
      set("bug", "opens with a failure: \"" + severity.opening_failure.front() + "\"");
      return out;
    }
  }
  // A question that names no defect ("Where is my package?") is not a bug
  // report, whatever nouns it shares with them.
  if (v == "bug" && severity.question && severity.defect.empty() && severity.blocker.empty() &&
      !extraction.has_log && extraction.description.error_codes.empty()) {
    set("general", "a question naming no defect");
  }

  if (field.value == "general") {
    auto technical = FindPhrases(lower, kTechnicalWords);
    const bool evidence = extraction.has_code || extraction.has_log ||
                          !extraction.description.error_codes.empty() ||
                          !extraction.description.error_messages.empty();
    if (technical.size() >= 2 || (evidence && !technical.empty())) {
      field.value = "technical";
      field.signals.insert(field.signals.begin(),
                           "technical question: \"" + technical.front() + "\"" +
                               (technical.size() > 1 ? ", \"" + technical[1] + "\"" : ""));
    }
  }
  return out;
}

// ---- subcategory, department ---------------------------------------------

struct Subcategory {
  std::string_view name;
  std::vector<std::string_view> words;
};

FieldDecision DecideSubcategory(std::string_view category, const PhraseText& lower, bool how_to) {
  static const std::vector<std::pair<std::string_view, std::vector<Subcategory>>> kTable = {
      {"bug",
       {{"crash",
         {"crash", "crashes", "crashed", "segfault", "segmentation fault", "freezes", "hangs",
          // German, Spanish, French
          "st\xC3\xBCrzt", "absturz", "abgest\xC3\xBCrzt", "se cierra", "se bloquea", "plante"}},
        {"performance",
         {"slow", "slowness", "latency", "memory leak", "high cpu", "performance", "takes forever",
          "timeout"}},
        {"data", {"data loss", "corrupted", "lost data", "missing data", "sync"}},
        {"installation",
         {"install", "installation", "build fails", "compile", "compilation", "dependency"}},
        {"ui",
         {"button", "layout", "display", "render", "rendering", "screen", "css", "ui", "typo",
          "typos", "misspelled", "spelling", "misaligned", "font", "wording"}},
        {"integration", {"api", "webhook", "integration", "plugin", "extension"}}}},
      {"performance",
       {{"timeout", {"timeout", "timeouts", "timed out", "times out", "gateway timeout", "504"}},
        {"slowness", {"slow", "slower", "sluggish", "takes forever", "latency", "load time"}},
        {"resources", {"high cpu", "memory usage", "memory leak"}}}},
      // The network first: a laptop that cannot reach the VPN is the VPN's
      // problem, not the laptop's.
      {"technical",
       {{"network", {"vpn", "wifi", "wi-fi", "network", "internet", "ethernet", "dns", "proxy"}},
        {"email", {"mailbox", "mail server", "exchange server", "outlook", "receiving mail"}},
        {"hardware",
         {"printer", "imprimante", "drucker", "impresora", "scanner", "copier", "projector",
          "webcam", "headset", "docking station", "monitor", "laptop", "router"}},
        {"installation", {"install", "installation", "setup", "set up", "build", "compile"}},
        {"configuration", {"config", "configure", "configuration", "setting", "settings"}},
        {"performance", {"slow", "performance", "latency", "memory"}},
        {"integration", {"api", "webhook", "integration", "plugin", "sdk"}}}},
      {"feature_request",
       {{"integration", {"api", "integration", "webhook", "plugin", "support for"}},
        {"ui", {"button", "ui", "layout", "dark mode", "theme", "shortcut"}},
        {"performance", {"faster", "performance", "speed"}}}},
      {"billing",
       {{"refund", {"refund", "refunds", "reimbursement", "money back"}},
        {"invoice", {"invoice", "invoices", "bill", "receipt"}},
        {"cancellation_fee", {"cancellation fee", "cancellation fees", "early termination"}},
        {"payment", {"payment", "payments", "pay", "card", "charge", "charged", "paypal"}},
        {"subscription", {"subscription", "plan", "renewal"}}}},
      {"user_access",
       {{"password_reset", {"reset", "forgot", "forgotten", "pin"}},
        {"account_deletion",
         {"delete", "deleting", "close my account", "remove my account", "cancel my account"}},
        {"account_creation",
         {"create", "creating", "sign up", "signup", "register", "registration", "open an account",
          "new account"}},
        {"login",
         {"log in", "login", "sign in", "locked", "two-factor", "2fa", "password", "credentials"}},
        {"permissions",
         {"access to", "permission", "permissions", "grant", "shared drive", "shared folder",
          "read access", "write access"}},
        {"account_change", {"edit", "change", "update", "switch", "modify"}}}},
      {"general",
       {{"shipping_address", {"shipping address", "delivery address", "address"}},
        {"delivery", {"delivery", "deliver", "shipping", "shipment", "track", "tracking"}},
        {"order", {"order", "orders", "purchase", "buy", "bought"}},
        {"newsletter", {"newsletter", "subscribe", "unsubscribe", "mailing list"}},
        {"contact", {"human", "agent", "customer service", "contact", "speak", "talk to", "call"}},
        {"feedback", {"complaint", "complain", "review", "feedback", "dissatisfied"}}}},
      {"security",
       {{"account_compromise",
         {"hacked", "compromised", "account takeover", "suspicious login", "someone else logged"}},
        {"phishing", {"phishing", "scam", "fraudulent"}},
        {"vulnerability",
         {"vulnerability", "exploit", "xss", "sql injection", "csrf", "remote code execution"}},
        {"data_exposure", {"leaked", "exposed", "breach"}}}},
  };
  static constexpr std::pair<std::string_view, std::string_view> kDefaults[] = {
      {"bug", "functional"},          {"feature_request", "enhancement"},
      {"billing", "billing_inquiry"}, {"user_access", "account"},
      {"general", "inquiry"},         {"security", "security_report"},
      {"performance", "slowness"}};

  for (const auto& [name, subs] : kTable) {
    if (name != category) continue;
    for (const auto& sub : subs) {
      const auto found = FindPhrases(lower, sub.words);
      if (!found.empty()) {
        return {.value = std::string(sub.name),
                .confidence = 0.65,
                .signals = {"word \"" + found.front() + "\""}};
      }
    }
  }
  // A technical text that asks how is a how-to; one that reports a fault
  // naming no known area is a technical issue.
  if (category == "technical") {
    return {.value = how_to ? "how_to" : "technical_issue",
            .confidence = 0.3,
            .signals = {how_to ? "asks how" : "no specific word"}};
  }
  for (const auto& [name, fallback] : kDefaults) {
    if (name == category) {
      return {.value = std::string(fallback), .confidence = 0.3, .signals = {"no specific word"}};
    }
  }
  return {.value = "other", .confidence = 0.3, .signals = {"no specific word"}};
}

FieldDecision DecideDepartment(const FieldDecision& category) {
  static constexpr std::pair<std::string_view, std::string_view> kDepartments[] = {
      {"bug", "engineering"},
      {"performance", "engineering"},
      {"integration", "engineering"},
      {"technical", "technical_support"},
      {"feature_request", "product"},
      {"billing", "billing"},
      {"user_access", "account_services"},
      {"security", "security"},
      {"general", "customer_support"}};
  for (const auto& [name, department] : kDepartments) {
    if (name == category.value) {
      return {.value = std::string(department),
              .confidence = category.confidence,
              .signals = {"handles " + category.value + " tickets"}};
    }
  }
  return {.value = "customer_support", .confidence = 0.3, .signals = {"default"}};
}

// ---- title, keywords -------------------------------------------------------

// How much a sentence names a problem: two points per failure word, one per
// word that only says something is wanted ("help", "need", "how").
int ProblemScore(std::string_view lower) {
  static constexpr std::string_view kProblemWords[] = {
      "error", "fail", "fails", "failed", "crash", "crashes", "cannot", "can't", "cant", "unable",
      "not working", "doesn't", "does not", "broken", "wrong", "stuck", "missing", "down", "slow",
      "lost", "charged", "refund", "password", "issue", "problem", "bug", "exception", "gone",
      "deleted", "disappeared", "overlaps", "locked", "leaked", "pushed", "exposed", "phishing",
      "stopped", "empty", "timeout", "returns", "charged twice", "failing", "won't", "committed",
      "jamming", "jammed", "flickers", "does nothing", "nothing happens", "skips", "ransom",
      "denied", "charge", "wiped", "hacked", "instead of", "billed", "overcharged", "no sound",
      "duplicate", "freezes", "won't open", "damaged", "corrupt", "drops", "keeps dropping",
      "disconnects", "freeze", "charges", "bounces", "black screen", "blank screen", "spinner",
      "forever", "never loads", "never finishes", "keeps loading",
      // German, Spanish, French
      "st\xC3\xBCrzt", "absturz", "fehler", "funktioniert nicht", "geht nicht", "no funciona",
      "no puedo", "falla", "ne fonctionne pas", "ne marche pas", "erreur", "plante"};
  static constexpr std::string_view kWishWords[] = {"not", "help",    "how",        "want",  "need",
                                                    "add", "support", "would like", "access"};
  return static_cast<int>(2 * FindPhrases(lower, kProblemWords).size() +
                          FindPhrases(lower, kWishWords).size());
}

// A sentence that says by when or how urgently ("I need this fixed before my
// demo", "please help asap") rather than what is wrong.
bool IsDeadline(std::string_view lower) {
  static constexpr std::string_view kWhen[] = {
      "urgent",          "asap",         "as soon as possible", "deadline",      "before my",
      "before the",      "by today",     "by tomorrow",         "by end of day", "by eod",
      "need this fixed", "need it fixed"};
  if (std::any_of(std::begin(kWhen), std::end(kWhen),
                  [&](std::string_view w) { return text::ContainsPhrase(lower, w); })) {
    return true;
  }
  // "before 5pm", "by 3 pm": a time of day.
  for (std::string_view word : {"before ", "by "}) {
    for (auto at = lower.find(word); at != std::string_view::npos; at = lower.find(word, at + 1)) {
      const auto next = at + word.size();
      if (next < lower.size() && text::IsAsciiDigit(lower[next]) &&
          (at == 0 || !text::IsWordByte(static_cast<unsigned char>(lower[at - 1])))) {
        return true;
      }
    }
  }
  return false;
}

// A sentence that gives a way to reach the reporter ("call me at +1 415
// 555 0132") rather than the problem: a phone number or a contact cue.
bool IsContactSentence(std::string_view lower) {
  static constexpr std::string_view kCues[] = {"call me",     "reach me",     "contact me",
                                               "text me",     "my number",    "my phone",
                                               "my email is", "my e-mail is", "phone:"};
  // Whole words: "text messages" is no "text me".
  if (std::any_of(std::begin(kCues), std::end(kCues),
                  [&](std::string_view cue) { return text::ContainsPhrase(lower, cue); })) {
    return true;
  }
  // Seven or more digits in a run of digits, spaces, dashes, dots and
  // brackets, as a phone number is written; not a date (2026-10-01) nor a
  // version (5.3.0), whose groups are split by '-' or '.' alone.
  std::size_t digits = 0;
  std::size_t groups = 0;
  bool spaced = false;  // digits split by a space, bracket or '+'
  char last = 0;        // the separator since the last digit, if any
  auto phone = [&] { return digits >= 7 && (spaced || groups <= 2); };
  for (char c : lower) {
    if (text::IsAsciiDigit(c)) {
      if (digits > 0 && last != 0 && last != '-' && last != '.') spaced = true;
      if (digits == 0 || last != 0) ++groups;
      ++digits;
      last = 0;
      continue;
    }
    if (std::string_view(" -.()+").find(c) == std::string_view::npos) {
      if (phone()) return true;
      digits = groups = 0;
      spaced = false;
      last = 0;
    } else if (last == 0 || c != ' ') {
      last = c;
    }
  }
  return phone();
}

// A complaint about the support itself ("this is the third time I'm
// writing", "nobody has answered"), which names no problem of the product:
// where it starts in `lower`, or npos.
std::size_t MetaComplaintAt(std::string_view lower);

bool IsMetaComplaint(std::string_view lower) {
  return MetaComplaintAt(lower) != std::string_view::npos;
}

std::size_t MetaComplaintAt(std::string_view lower) {
  static constexpr std::string_view kMeta[] = {
      "third time",          "second time i",       "fourth time",        "writing again",
      "nobody has answered", "no one has answered", "still waiting for",  "no response",
      "nobody answers",      "no one answers",      "haven't heard back", "no reply"};
  auto first = std::string_view::npos;
  for (auto m : kMeta)
    first = std::min(first, lower.find(m));
  return first;
}

// Leading filler that names no problem.
std::string_view StripFiller(std::string_view s) {
  static constexpr std::string_view kFillers[] = {
      "so ",
      "hello team, ",
      "hi team, ",
      "hi all, ",
      "hello all, ",
      "hi there, ",
      "hello there, ",
      "dear team, ",
      "dear support, ",
      "hola, ",
      "hola ",
      "buenos d\xC3\xAD"
      "as, ",  // two literals: an "a" right after an escape would join it
      "buenas tardes, ",
      "bonjour, ",
      "bonjour ",
      "guten tag, ",
      "guten tag ",
      "hallo, ",
      "hallo ",
      "ciao, ",
      "ol\xC3\xA1, ",
      "hej, ",
      "minor thing: ",
      "small thing: ",
      "quick question: ",
      "quick question - ",
      "quick question, ",
      "tiny thing, but ",
      "small thing, but ",
      "minor thing, but ",
      "tiny thing: ",
      "minor issue: ",
      "small issue: ",
      "question: ",
      "fyi: ",
      "fyi, ",
      "heads up: ",
      "basically ",
      "i think ",
      "i believe ",
      "it seems that ",
      "it seems like ",
      "unfortunately ",
      "apparently ",
      "hello, ",
      "hi, ",
      "hey, ",
      "hi ",
      "hello ",
      "hey ",
      "please help, ",
      "please help: ",
      "we noticed that ",
      "i noticed that ",
      "i found that ",
      "just wanted to say that "};
  bool again = true;
  while (again) {
    again = false;
    const auto lower = text::Lower(s.substr(0, 40));
    for (auto filler : kFillers) {
      if (text::StartsWith(lower, filler)) {
        s.remove_prefix(filler.size());
        again = true;
        break;
      }
    }
  }
  return text::Trim(s);
}

bool IsGenericTitle(std::string_view title) {
  static constexpr std::string_view kGeneric[] = {
      "help", "problem", "issue",   "bug",         "question",  "error",       "urgent", "support",
      "hi",   "hello",   "help me", "please help", "need help", "not working", "ticket", "request"};
  const auto lower = text::Lower(text::Trim(title));
  auto trimmed = std::string_view(lower);
  while (!trimmed.empty() && std::ispunct(static_cast<unsigned char>(trimmed.back()))) {
    trimmed.remove_suffix(1);
  }
  return std::find(std::begin(kGeneric), std::end(kGeneric), trimmed) != std::end(kGeneric);
}

std::string CategoryLabel(std::string_view category) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"bug", "Bug"},
      {"feature_request", "Feature request"},
      {"general", "Question"},
      {"technical", "Technical"},
      {"billing", "Billing"},
      {"user_access", "Account access"},
      {"security", "Security"},
      {"performance", "Performance"},
      {"integration", "Integration"}};
  for (const auto& [name, label] : kLabels) {
    if (name == category) return std::string(label);
  }
  return "Request";
}

// Shouted text ("YOUR APP DELETED MY CONTACTS") in sentence case: a title
// in capitals reads as the reporter's anger, not as the problem.
std::string SentenceCase(std::string s) {
  std::size_t upper = 0, letters = 0;
  for (char c : s) {
    if (text::IsAsciiLetter(c)) {
      ++letters;
      if (c >= 'A' && c <= 'Z') ++upper;
    }
  }
  if (letters < 12 || upper * 10 < letters * 8) return s;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool word_start = i == 0 || !text::IsWordByte(static_cast<unsigned char>(s[i - 1]));
    const bool word_end =
        i + 1 == s.size() || !text::IsAsciiLetter(s[i + 1]);  // "I", "I'm", "I've"
    if (s[i] == 'I' && word_start && word_end) continue;
    s[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  }
  return s;
}

// Words a title must not end on: it would read as cut mid-phrase.
bool IsDanglingWord(std::string_view word) {
  static constexpr std::string_view kDangling[] = {
      "a", "about", "an", "and", "are", "as", "at", "because", "beim", "but", "by", "de", "del",
      "dem", "den", "der", "des", "die", "das", "du", "el", "en", "et", "for", "from", "in", "into",
      "is", "la", "las", "le", "les", "los", "my", "of", "on", "or", "our", "that", "the", "their",
      "this", "to", "und", "was", "were", "when", "where", "which", "while", "with", "y", "your",
      "zu",
      // adjectives that wait for their noun: "for the whole"
      "whole", "entire", "new", "old", "same", "other", "every", "all", "some", "its", "his",
      "long", "short", "big", "small", "large", "her",
      // verbs that wait for what is (not) possible: "the team can't", "no puede"
      // ("as it should" is whole: modals of manner stay)
      "can", "can't", "cannot", "cant", "couldn't", "won't", "unable", "able", "no", "not", "puede",
      "pueden", "puedo", "kann", "k\xC3\xB6nnen", "peut", "peuvent"};
  const auto lower = text::Lower(word);
  return std::find(std::begin(kDangling), std::end(kDangling), lower) != std::end(kDangling);
}

// `s` in at most `max_chars`: whole when it fits; else cut at the last
// clause boundary (", ", " - ", "; ", " because ", " when ", " and "...)
// that keeps enough of it, else after a leading clause ("After the sync,
// all notes are gone") when the rest fits, else at a word boundary; never
// ending on a word like "the" or "to", nor before an e-mail address.
std::string ShortenTitle(std::string_view s, std::size_t max_chars) {
  s = text::Trim(s);
  // "change the email from a@b.com to c@d.com": the request ends before
  // the addresses.
  if (const auto at = s.find('@'); at != std::string_view::npos) {
    auto word = s.find_last_of(' ', at);
    for (int k = 0; k < 2 && word != std::string_view::npos && word > 0; ++k) {
      const auto prev = s.find_last_of(' ', word - 1);
      const auto before = s.substr(prev == std::string_view::npos ? 0 : prev + 1,
                                   word - (prev == std::string_view::npos ? 0 : prev + 1));
      if (!IsDanglingWord(before) && before != "from" && before != "is") break;
      word = prev;
    }
    if (word != std::string_view::npos && word >= 20) s = text::Trim(s.substr(0, word));
  }
  // "My laptop (Dell Latitude 5430, asset tag IT-04417) won't turn on": an
  // aside in brackets gives way when the sentence is too long to keep whole.
  std::string without_asides;
  if (text::CodePoints(s) > max_chars) {
    for (std::size_t i = 0; i < s.size();) {
      const auto open = s.find(" (", i);
      const auto close = open == std::string_view::npos ? open : s.find(')', open);
      if (close == std::string_view::npos) {
        without_asides.append(s.substr(i));
        break;
      }
      without_asides.append(s.substr(i, open - i));
      i = close + 1;
    }
    s = without_asides;
  }
  auto clean_end = [](std::string_view t) {
    for (;;) {
      while (!t.empty() && std::string_view(" ,;:-([{").find(t.back()) != std::string_view::npos)
        t.remove_suffix(1);
      const auto space = t.find_last_of(' ');
      if (space == std::string_view::npos || !IsDanglingWord(t.substr(space + 1))) return t;
      if (text::Lower(t.substr(space + 1)) == "in") {  // "can't log in" is whole
        const auto prev = t.find_last_of(' ', space - 1);
        const auto verb =
            text::Lower(t.substr(prev == std::string_view::npos ? 0 : prev + 1,
                                 space - (prev == std::string_view::npos ? 0 : prev + 1)));
        if (verb == "log" || verb == "sign" || verb == "logged" || verb == "signed" ||
            verb == "check" || verb == "plug" || verb == "plugged") {
          return t;
        }
      }
      if (const auto last = text::Lower(t.substr(space + 1)); last == "on" || last == "off") {
        // "won't turn on", "can't switch it off" end on their particle.
        const auto prev = t.find_last_of(' ', space - 1);
        const auto verb =
            text::Lower(t.substr(prev == std::string_view::npos ? 0 : prev + 1,
                                 space - (prev == std::string_view::npos ? 0 : prev + 1)));
        if (verb == "turn" || verb == "power" || verb == "switch" || verb == "turns" ||
            verb == "powers" || verb == "it") {
          return t;
        }
      }
      t = t.substr(0, space);
    }
  };
  if (text::CodePoints(s) <= max_chars) return std::string(clean_end(s));

  // "Whenever I share a dashboard, the link says 'Access denied'": the main
  // clause names the problem, the leading one only when it happens.
  static constexpr std::string_view kLeading[] = {
      "when ", "whenever ", "if ", "every time ", "each time ", "after ", "while ", "as soon as "};
  const auto lower = text::Lower(s);
  if (std::any_of(std::begin(kLeading), std::end(kLeading),
                  [&](std::string_view w) { return text::StartsWith(lower, w); })) {
    if (const auto comma = s.find(", "); comma != std::string_view::npos) {
      const auto rest = s.substr(comma + 2);
      if (text::CodePoints(rest) <= max_chars && text::Words(rest).size() >= 4 &&
          ProblemScore(text::Lower(s.substr(0, comma))) == 0) {
        return Capitalize(std::string(clean_end(rest)));
      }
    }
  }

  static constexpr std::string_view kBoundaries[] = {
      ", ", " - ", " \xE2\x80\x93 ", "; ", " (", " because ", " when ", " since ", " after ",
      " while ", " but ", " which ", " so ", " and ", " if ", " as ",
      // Spanish, French, German
      " y ", " pero ", " porque ", " et ", " mais ", " parce que ", " und ", " aber ", " weil "};
  std::size_t best = 0;
  for (auto b : kBoundaries) {
    for (auto pos = s.find(b); pos != std::string_view::npos; pos = s.find(b, pos + 1)) {
      if (text::CodePoints(s.substr(0, pos)) <= max_chars && pos > best) best = pos;
    }
  }
  if (best >= 35) return std::string(clean_end(s.substr(0, best)));

  if (const auto comma = s.find(", "); comma != std::string_view::npos && comma < 45) {
    const auto rest = s.substr(comma + 2);
    if (text::CodePoints(rest) <= max_chars && text::Words(rest).size() >= 4) {
      return Capitalize(std::string(clean_end(rest)));
    }
  }
  return std::string(clean_end(text::Shorten(s, max_chars)));
}

// A title cut inside a quotation ("keeps showing 'paper jam") gets its
// closing mark, a word shorter when there is no room for it.
std::string CloseQuotation(std::string title, std::size_t max_chars) {
  char open = 0;
  for (std::size_t i = 0; i < title.size(); ++i) {
    const char c = title[i];
    if (c != '\'' && c != '"') continue;
    const bool after_space = i == 0 || title[i - 1] == ' ' || title[i - 1] == '(';
    if (open == 0 && after_space) {
      open = c;
    } else if (open == c && !after_space) {
      open = 0;
    }
  }
  if (open == 0) return title;
  while (text::CodePoints(title) + 1 > max_chars) {
    const auto space = title.find_last_of(' ');
    if (space == std::string::npos) break;
    title.resize(space);
  }
  while (!title.empty() && (title.back() == ',' || title.back() == ' '))
    title.pop_back();
  return title + open;
}

FieldDecision DecideTitle(const AnalysisInput& input, const Extraction& extraction,
                          std::string_view category) {
  const auto given = text::Squeeze(input.title);
  if (!given.empty() && !IsGenericTitle(given)) {
    auto title = text::Shorten(given, kMaxTitleChars);
    return {.value = title,
            .confidence = 0.85,
            .signals = {given.size() > kMaxTitleChars ? "the reporter's title, shortened"
                                                      : "the reporter's title"}};
  }

  std::optional<std::string_view> best;
  int best_score = -100;
  int best_problem = 0;
  for (std::size_t i = 0; i < extraction.sentences.size() && i < 12; ++i) {
    std::string_view sentence = extraction.sentences[i];
    // "I wanted to ask about something that has bugged me: the shared link
    // says 'Access denied'": a preamble before a colon names no problem.
    if (const auto colon = sentence.find(": "); colon != std::string_view::npos) {
      const auto head = sentence.substr(0, colon);
      const auto tail = sentence.substr(colon + 2);
      static constexpr std::string_view kPreamble[] = {"i ",    "i'",     "we ",   "there ",
                                                       "just ", "so ",    "this ", "something ",
                                                       "here ", "quick ", "one "};
      const auto head_lower = text::Lower(head);
      if (text::Words(head).size() >= 4 && ProblemScore(head_lower) == 0 &&
          ProblemScore(text::Lower(tail)) > 0 &&
          std::any_of(std::begin(kPreamble), std::end(kPreamble),
                      [&](std::string_view p) { return text::StartsWith(head_lower, p); })) {
        sentence = tail;
      }
      // "Low priority, no rush at all: the clock in room 4 is wrong": how
      // little it matters, before the problem ("URGENT:" stays).
      static constexpr std::string_view kHowMuch[] = {"low priority", "no rush", "not urgent",
                                                      "fyi", "minor"};
      if (text::Words(tail).size() >= 4 &&
          std::any_of(std::begin(kHowMuch), std::end(kHowMuch),
                      [&](std::string_view w) { return text::StartsWith(head_lower, w); })) {
        sentence = tail;
      }
    }
    // "Under normal traffic it's fine, but above 200 requests a second it
    // fails": the problem is after the "but".
    if (const auto but = sentence.find(", but "); but != std::string_view::npos) {
      const auto head = sentence.substr(0, but);
      const auto tail = sentence.substr(but + 6);
      if (ProblemScore(text::Lower(head)) == 0 && ProblemScore(text::Lower(tail)) >= 2) {
        sentence = tail;
      }
    }
    const auto lower = text::Lower(sentence);
    if (IsGreeting(lower) || text::Words(sentence).size() < 2) continue;
    if (IsContactSentence(lower)) continue;
    int problem = ProblemScore(lower);
    // "This happens every night": it tells when, the problem was named before.
    static constexpr std::string_view kRefersBack[] = {
        "this happens", "it happens", "this happened", "it happened", "this started", "it started"};
    if (std::any_of(std::begin(kRefersBack), std::end(kRefersBack),
                    [&](std::string_view r) { return text::StartsWith(lower, r); })) {
      problem = std::min(problem, 1);
    }
    // "I reinstalled it, but the problem remains": the problem was named before.
    static constexpr std::string_view kPersists[] = {
        "problem persists", "problem remains", "issue persists",    "issue remains",
        "still happens",    "problem bleibt",  "el problema sigue", "le probl\xC3\xA8me persiste"};
    if (std::any_of(std::begin(kPersists), std::end(kPersists),
                    [&](std::string_view r) { return lower.find(r) != std::string::npos; })) {
      problem = std::min(problem, 1);
    }
    // "I need this fixed before my 3pm demo": when, not what.
    if (problem < 2 && IsDeadline(lower)) continue;
    if (IsMetaComplaint(lower) && problem == 0) continue;
    int score = problem - static_cast<int>(i);
    if (sentence.size() > 160) score -= 2;
    if (lower.find('@') != std::string::npos) score -= 2;  // an address is not the problem
    if (score > best_score) {
      best_score = score;
      best_problem = problem;
      best = sentence;
    }
  }

  std::string title;
  std::vector<std::string> signals;
  // No sentence names a failure ("This happens every night at 02:00") but
  // the text carries the error itself: the error is the better title.
  const auto& messages = extraction.description.error_messages;
  const auto message = std::find_if(messages.begin(), messages.end(), [](const auto& m) {
    return !text::StartsWith(m, "Traceback") && text::Words(m).size() >= 2;
  });
  if (best_problem < 2 && message != messages.end() &&
      (extraction.has_trace || extraction.has_log || extraction.has_code)) {
    title = Capitalize(ShortenTitle(*message, kMaxTitleChars));
    return {.value = title, .confidence = 0.55, .signals = {"the error the text quotes"}};
  }
  if (best.has_value()) {
    title = std::string(StripFiller(*best));
    // "X deleted my contacts and nobody has answered": keep the problem.
    const auto title_lower = text::Lower(title);
    if (const auto meta = MetaComplaintAt(title_lower); meta != std::string::npos) {
      const auto head = std::string_view(title_lower).substr(0, meta);
      std::size_t cut = std::string_view::npos;
      for (std::string_view b : {" and ", ", ", "; ", " - "}) {
        const auto pos = head.rfind(b);
        if (pos != std::string_view::npos && (cut == std::string_view::npos || pos > cut))
          cut = pos;
      }
      if (cut != std::string_view::npos && cut >= 15) title.resize(cut);
    }
    while (!title.empty() && (title.back() == '.' || title.back() == '!'))
      title.pop_back();
    signals.push_back(best_score > 0 ? "the sentence that states the problem"
                                     : "the first sentence of the text");
  } else {
    title = text::Squeeze(input.text);
    signals.push_back("the text itself");
  }
  title =
      CloseQuotation(Capitalize(ShortenTitle(SentenceCase(title), kMaxTitleChars)), kMaxTitleChars);

  // A word or two names no problem: say what kind of request it is.
  if (text::Words(title).size() < 3) {
    auto prefixed =
        CategoryLabel(category) + ": " + (title.empty() ? std::string("no details") : title);
    title = text::Shorten(prefixed, kMaxTitleChars);
    signals.push_back("too short to stand alone; prefixed with the category");
  }
  const auto& codes = extraction.description.error_codes;
  // "HTTP 500" adds nothing to a title that already says "500 Internal...".
  const auto said = [&](const std::string& code) {
    return title.find(code) != std::string::npos ||
           (code.starts_with("HTTP ") && text::ContainsPhrase(title, code.substr(5)));
  };
  if (!codes.empty() && !said(codes.front()) &&
      text::CodePoints(title) + codes.front().size() + 3 <= kMaxTitleChars) {
    title += " (" + codes.front() + ")";
    signals.push_back("error code " + codes.front());
  }
  if (title.empty()) title = CategoryLabel(category);
  return {.value = title, .confidence = best_score > 0 ? 0.65 : 0.45, .signals = signals};
}

std::vector<std::string> DecideKeywords(const AnalysisInput& input, const Extraction& extraction) {
  struct Count {
    std::string word;
    int count = 0;
    std::size_t first = 0;
  };
  // Looked up by view: a word already counted allocates nothing.
  struct ViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Count> counts;
  std::unordered_map<std::string, std::size_t, ViewHash, std::equal_to<>> index;  // -> counts
  index.reserve(512);
  std::size_t order = 0;
  auto add = [&](std::string_view word, int weight) {
    if (word.size() < 3 || IsStopword(word)) return;
    if (const auto found = index.find(word); found != index.end()) {
      counts[found->second].count += weight;
      return;
    }
    if (counts.size() < 400) {
      index.emplace(std::string(word), counts.size());
      counts.push_back({std::string(word), weight, order++});
    }
  };
  text::ForEachWord(input.title, [&](std::string_view w) { add(w, 3); });
  for (const auto& sentence : extraction.sentences)
    text::ForEachWord(sentence, [&](std::string_view w) { add(w, 1); });
  std::sort(counts.begin(), counts.end(), [](const Count& a, const Count& b) {
    return a.count != b.count ? a.count > b.count : a.first < b.first;
  });
  std::vector<std::string> keywords;
  for (const auto& c : counts) {
    if (keywords.size() >= kMaxKeywords) break;
    keywords.push_back(c.word);
  }
  return keywords;
}

// ---- the rest of the ticket -------------------------------------------------

std::vector<std::string> DecideTags(const Analysis& a, const SeveritySignals& s,
                                    const Extraction& extraction) {
  std::vector<std::string> tags;
  auto add = [&](std::string tag) {
    std::replace(tag.begin(), tag.end(), '_', '-');
    std::replace(tag.begin(), tag.end(), ' ', '-');
    tag = text::Lower(tag);
    if (!tag.empty() && tags.size() < kMaxTags &&
        std::find(tags.begin(), tags.end(), tag) == tags.end()) {
      tags.push_back(tag);
    }
  };
  add(a.category.value);
  add(a.subcategory.value);
  if (!s.outage.empty()) add("outage");
  if (!s.data_loss.empty()) add("data-loss");
  if (!s.security.empty()) add("security");
  // A double charge raises the priority but blocks nobody's work, nor does
  // a crash the reporter can work around.
  if (s.relaxed.empty() && std::any_of(s.blocker.begin(), s.blocker.end(), [](const auto& b) {
        return b.find("charged") == std::string::npos;
      })) {
    add("blocker");
  }
  if (!s.cosmetic.empty()) add("cosmetic");
  if (extraction.has_log) add("stack-trace");
  if (!extraction.description.error_codes.empty()) add("error-code");
  if (a.language.value != "en") add("lang-" + a.language.value);
  auto first_word = [](const std::string& s) { return s.substr(0, s.find_first_of(" ,")); };
  if (!a.description.environment.os.empty()) add(first_word(a.description.environment.os));
  // Every browser named ("Firefox, Chrome 131"), each by its name.
  for (std::string_view rest = a.description.environment.browser; !rest.empty();) {
    const auto comma = rest.find(", ");
    add(first_word(std::string(rest.substr(0, comma))));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  return tags;
}

std::string DecideEffort(const Analysis& a, const SeveritySignals& s) {
  const auto& c = a.category.value;
  if (s.Incident()) return "4-8 hours (incident response)";
  if (c == "bug" || c == "performance" || c == "integration") {
    return a.description.steps_to_reproduce.empty() && a.description.error_messages.empty()
               ? "4-8 hours (needs reproduction first)"
               : "2-4 hours";
  }
  if (c == "feature_request") return "3-5 days (design and implementation)";
  if (c == "security") return "1-2 days";
  if (c == "technical") return "1-2 hours";
  return "under 1 hour";
}

std::string DecideBusinessImpact(const Analysis& a, const SeveritySignals& s) {
  const auto& p = a.priority.value;
  if (p == "critical") {
    return "high: " +
           std::string(!s.outage.empty()      ? "service outage"
                       : !s.data_loss.empty() ? "customer data at risk"
                                              : "security exposure") +
           (s.wide_scope.empty() ? "" : " with wide impact");
  }
  if (p == "high") return "medium-high: blocks the reporter's work";
  if (p == "low") return "low: no work is blocked";
  return "medium: one person or a workaround-able problem";
}

std::vector<std::string> DecideActions(const Analysis& a, const SeveritySignals& s) {
  std::vector<std::string> actions;
  const auto& c = a.category.value;
  const auto& d = a.description;
  if (!s.outage.empty()) actions.push_back("Open an incident and page the on-call engineer");
  if (!s.data_loss.empty()) actions.push_back("Stop further writes and check the latest backups");
  if (c == "security") {
    actions.push_back("Escalate to the security team; revoke or rotate exposed credentials");
  }
  if (c == "bug" || c == "performance" || c == "integration") {
    actions.push_back(d.steps_to_reproduce.empty() ? "Ask the reporter for steps to reproduce"
                                                   : "Reproduce with the reported steps");
    // A person's OS and browser help with a defect they see, not with an
    // outage, a server-to-server integration or a failure under load.
    if (d.environment.Empty() && s.outage.empty() && c == "bug" && s.performance.empty()) {
      actions.push_back("Ask for the OS, browser and app version");
    }
    if (!d.error_codes.empty()) {
      actions.push_back("Search the logs for " + d.error_codes.front());
    } else if (!d.error_messages.empty()) {
      actions.push_back("Search the logs for the reported error message");
    }
  } else if (c == "feature_request") {
    actions.push_back("Add to the product backlog and ask about the use case");
  } else if (c == "billing") {
    actions.push_back("Check the customer's payment and invoice history");
  } else if (c == "user_access") {
    actions.push_back("Verify the account owner's identity before changing access");
  } else if (c == "technical") {
    if (!s.hardware.empty()) {
      actions.push_back("Send IT to check or replace the device (" + s.hardware.front() + ")");
    } else if (!s.network.empty()) {
      actions.push_back("Check the connection with the reporter (" + s.network.front() +
                        "): location, device, and whether colleagues are affected");
    } else {
      actions.push_back("Answer from the documentation or knowledge base");
    }
  } else if (c == "general") {
    actions.push_back("Answer from the knowledge base or route to customer support");
  }
  if (a.language.value != "en") {
    actions.push_back("Reply in the reporter's language (" + a.language.value +
                      ") or route to a speaker of it");
  }
  return actions;
}

std::string DecideReasoning(const Analysis& a, const LanguageGuess& language) {
  auto explain = [](std::string_view name, const FieldDecision& f) {
    std::string out = std::string(name) + " " + f.value + " (" + Round2(f.confidence) + ")";
    if (!f.signals.empty()) {
      out += ": ";
      for (std::size_t i = 0; i < f.signals.size() && i < 3; ++i) {
        if (i > 0) out += "; ";
        out += f.signals[i];
      }
    }
    return out + ".";
  };
  std::string reasoning = explain("Category", a.category) + " " + explain("Priority", a.priority);
  if (language.code != "en") {
    reasoning += " The text is in " + language.name + " (" + language.code +
                 "); the offline model is trained on English, so the category rests on keywords.";
  }
  return reasoning;
}

}  // namespace

AnalysisResult Analyze(const AnalysisInput& raw, const AnalyzerOptions& options) {
  if (text::Trim(raw.text).empty() && text::Trim(raw.title).empty()) {
    return AnalysisError{.kind = AnalysisError::Kind::kEmpty,
                         .path = "user_input",
                         .reason = "must contain a description of the problem"};
  }
  const auto length = text::CodePoints(raw.text) + text::CodePoints(raw.title);
  if (length > options.max_input_chars) {
    return AnalysisError{.kind = AnalysisError::Kind::kTooLong,
                         .path = "user_input",
                         .reason = "has " + std::to_string(length) + " characters; at most " +
                                   std::to_string(options.max_input_chars) + " are accepted"};
  }

  // Text cut from the input ends up in JSON: repair broken UTF-8 first.
  const AnalysisInput input{.text = text::ValidUtf8(raw.text),
                            .title = text::ValidUtf8(raw.title),
                            .page_context = raw.page_context};
  const auto& model = options.model != nullptr ? *options.model : CategoryModel::BuiltIn();
  const auto extraction = Extract(input.text, input.page_context);
  std::string combined = input.title;
  combined += "\n";
  combined.append(input.text, 0, std::min(input.text.size(), kRuleTextBytes));
  // The report opens with its title, else its first sentence that is not a
  // greeting or a pleasantry ("Hello there,", "I hope you are well").
  std::string_view opening = std::string_view(input.text).substr(0, 200);
  if (!input.title.empty()) {
    opening = input.title;
  } else {
    for (std::size_t i = 0; i < extraction.sentences.size() && i < 5; ++i) {
      opening = extraction.sentences[i];
      if (!IsGreeting(text::Lower(opening))) break;
    }
  }
  const auto title_lower = text::Lower(opening);
  // The rules read the reporter's prose only: code, logs, template comments
  // and system tables name crashes and vulnerabilities they do not report.
  std::string prose = input.title;
  prose += "\n";
  prose += extraction.prose;
  const auto lower = text::Lower(prose);
  const PhraseText phrase_text(lower);
  auto severity = FindSeveritySignals(phrase_text, title_lower);
  const auto language = DetectLanguage(combined);

  Analysis a;
  a.description = extraction.description;
  a.language = {
      .value = language.code, .confidence = language.confidence, .signals = language.signals};
  a.category = DecideCategory(input, phrase_text, extraction, severity, language, model).field;
  a.subcategory = DecideSubcategory(a.category.value, phrase_text, severity.how_to);
  // A report the category calls a question is asked, whatever its title;
  // a broken device or a network that does not connect is a fault told.
  const bool fault = !severity.hardware.empty() || !severity.network.empty();
  severity.asked = a.category.value == "general" || (a.category.value == "technical" && !fault);
  a.priority = DecidePriority(severity);
  a.urgency = DecideUrgency(severity, a.priority);
  a.department = DecideDepartment(a.category);
  a.title = DecideTitle(input, extraction, a.category.value);
  if (a.description.summary.empty()) {
    a.description.summary = text::Shorten(text::Squeeze(input.text), 300);
  }
  if (a.description.summary.empty()) a.description.summary = a.title.value;
  a.keywords = DecideKeywords(input, extraction);
  a.tags = DecideTags(a, severity, extraction);
  a.estimated_effort = DecideEffort(a, severity);
  a.business_impact = DecideBusinessImpact(a, severity);
  a.suggested_actions = DecideActions(a, severity);
  a.confidence_score =
      std::round((0.6 * a.category.confidence + 0.4 * a.priority.confidence) * 1000) / 1000;
  a.reasoning = DecideReasoning(a, language);
  return a;
}

nlohmann::json ToAiAnalysisJson(const Analysis& a) {
  auto field = [](const FieldDecision& f) {
    return nlohmann::json{{"value", f.value},
                          {"confidence", std::round(f.confidence * 1000) / 1000},
                          {"signals", f.signals}};
  };
  const auto& d = a.description;
  nlohmann::json environment = {
      {"os", d.environment.os.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.environment.os)},
      {"browser", d.environment.browser.empty() ? nlohmann::json(nullptr)
                                                : nlohmann::json(d.environment.browser)},
      {"app_versions", d.environment.app_versions}};
  return {
      {"confidence_score", a.confidence_score},
      {"reasoning", a.reasoning},
      {"suggested_category", a.category.value},
      {"suggested_priority", a.priority.value},
      {"keywords", a.keywords},
      {"estimated_effort", a.estimated_effort},
      {"business_impact", a.business_impact},
      {"suggested_actions", a.suggested_actions},
      {"knowledge_base_matches", nlohmann::json::array()},
      {"similar_tickets", nlohmann::json::array()},
      {"file_analysis_summary", nullptr},
      {"language", a.language.value},
      {"model", "offline"},
      {"title", a.title.value},
      {"tags", a.tags},
      {"structured_description",
       {{"summary", d.summary},
        {"steps_to_reproduce", d.steps_to_reproduce},
        {"expected_behavior", d.expected_behavior},
        {"actual_behavior", d.actual_behavior},
        {"environment", environment},
        {"error_messages", d.error_messages},
        {"error_codes", d.error_codes},
        {"urls", d.urls}}},
      {"fields",
       {{"title", field(a.title)},
        {"category", field(a.category)},
        {"subcategory", field(a.subcategory)},
        {"priority", field(a.priority)},
        {"urgency", field(a.urgency)},
        {"department", field(a.department)},
        {"language", field(a.language)}}},
  };
}

std::string RenderDescriptionMarkdown(const Analysis& a) {
  const auto& d = a.description;
  std::string out = "## Summary\n\n" + d.summary + "\n";
  if (!d.steps_to_reproduce.empty()) {
    out += "\n## Steps to reproduce\n\n";
    for (std::size_t i = 0; i < d.steps_to_reproduce.size(); ++i) {
      out += std::to_string(i + 1) + ". " + d.steps_to_reproduce[i] + "\n";
    }
  }
  if (!d.expected_behavior.empty())
    out += "\n## Expected behavior\n\n" + d.expected_behavior + "\n";
  if (!d.actual_behavior.empty()) out += "\n## Actual behavior\n\n" + d.actual_behavior + "\n";
  if (!d.environment.Empty()) {
    out += "\n## Environment\n\n";
    if (!d.environment.os.empty()) out += "- OS: " + d.environment.os + "\n";
    if (!d.environment.browser.empty()) out += "- Browser: " + d.environment.browser + "\n";
    for (const auto& [name, version] : d.environment.app_versions) {
      out += "- " + name + ": " + version + "\n";
    }
  }
  if (!d.error_messages.empty() || !d.error_codes.empty()) {
    out += "\n## Errors\n\n";
    for (const auto& code : d.error_codes)
      out += "- Code: `" + code + "`\n";
    if (!d.error_messages.empty()) {
      out += "\n```\n";
      for (const auto& message : d.error_messages)
        out += message + "\n";
      out += "```\n";
    }
  }
  if (!d.urls.empty()) {
    out += "\n## Links\n\n";
    for (const auto& url : d.urls)
      out += "- " + url + "\n";
  }
  return out;
}

}  // namespace ticketd::analysis
