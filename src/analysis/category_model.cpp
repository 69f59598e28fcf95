#include "analysis/category_model.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "analysis/category_weights.hpp"
#include "analysis/text.hpp"

namespace ticketd::analysis {

namespace {

// The body is read up to here for features: the problem is stated early,
// and the cost stays bounded for long pastes.
constexpr std::size_t kFeatureBodyBytes = 12'000;

void AddWords(const std::vector<std::string>& words, std::string_view prefix,
              std::vector<std::string>& out) {
  std::string previous;
  for (const auto& raw : words) {
    auto word = text::Stem(raw);
    out.push_back(std::string(prefix) + word);
    if (!previous.empty()) out.push_back(std::string(prefix) + previous + "_" + word);
    previous = std::move(word);
  }
}

// "### Steps to reproduce" and "**Expected behavior**" become
// "h:steps_to_reproduce" and "h:expected_behavior".
std::string HeadingFeature(std::string_view line) {
  line = text::Trim(line);
  std::string_view inner;
  if (text::StartsWith(line, "#")) {
    inner = line.substr(line.find_first_not_of('#') == std::string_view::npos
                            ? line.size()
                            : line.find_first_not_of('#'));
  } else if (text::StartsWith(line, "**") && text::EndsWith(line, "**") && line.size() > 4) {
    inner = line.substr(2, line.size() - 4);
  } else {
    return {};
  }
  const auto words = text::Words(inner);
  if (words.empty()) return {};
  std::string feature = "h:";
  for (std::size_t i = 0; i < words.size() && i < 4; ++i) {
    if (i > 0) feature += '_';
    feature += text::Stem(words[i]);
  }
  return feature;
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

const std::unordered_map<std::string, Family>& FamilyOfStem() {
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
    std::unordered_map<std::string, Family> table;
    for (const auto& [family, words] : lists) {
      for (auto word : words)
        table.emplace(text::Stem(word), family);
    }
    return table;
  }();
  return kTable;
}

// Adds "k:<family>" for one hit and "k:<family>+" for two or more, with a
// "kt:" prefix for hits in the title.
void AddFamilies(const std::array<std::size_t, kFamilyCount>& hits, std::string_view prefix,
                 std::vector<std::string>& out) {
  for (std::size_t f = 0; f < kFamilyCount; ++f) {
    if (hits[f] == 0) continue;
    out.push_back(std::string(prefix) + std::string(kFamilyNames[f]));
    if (hits[f] >= 2) out.push_back(std::string(prefix) + std::string(kFamilyNames[f]) + "+");
  }
}

void CountFamilies(const std::vector<std::string>& words,
                   std::array<std::size_t, kFamilyCount>& hits) {
  const auto& table = FamilyOfStem();
  for (const auto& word : words) {
    if (const auto found = table.find(text::Stem(word)); found != table.end()) {
      ++hits[found->second];
    }
  }
}

std::string LengthBucket(std::size_t words) {
  if (words == 0) return "s:len0";
  if (words <= 10) return "s:len1";
  if (words <= 30) return "s:len2";
  if (words <= 100) return "s:len3";
  if (words <= 300) return "s:len4";
  return "s:len5";
}

}  // namespace

std::size_t ModelClassIndex(std::string_view category) {
  for (std::size_t i = 0; i < kModelClassCount; ++i) {
    if (kModelClasses[i] == category) return i;
  }
  return kModelClassCount;
}

std::vector<std::string> CategoryFeatures(std::string_view title, std::string_view body) {
  std::vector<std::string> out;
  const auto title_words = text::Words(title);
  AddWords(title_words, "t:", out);
  std::array<std::size_t, kFamilyCount> title_hits{};
  std::array<std::size_t, kFamilyCount> body_hits{};
  CountFamilies(title_words, title_hits);
  AddFamilies(title_hits, "kt:", out);
  if (IsQuestionTitle(title)) out.emplace_back("s:title_question");

  if (body.size() > kFeatureBodyBytes) body = body.substr(0, kFeatureBodyBytes);
  bool in_code = false;
  bool has_code = false;
  bool has_log = false;
  bool has_url = false;
  bool has_image = false;
  bool has_question = false;
  std::size_t prose_words = 0;
  for (auto line : text::Lines(body)) {
    if (text::IsFence(line)) {
      in_code = !in_code;
      has_code = true;
      continue;
    }
    if (in_code) continue;
    if (text::LooksLikeLogLine(line)) {
      has_log = true;
      continue;
    }
    if (auto heading = HeadingFeature(line); !heading.empty()) out.push_back(std::move(heading));
    if (line.find("![") != std::string_view::npos) has_image = true;
    // URLs and inline code say little about the kind of request; drop them.
    std::string prose;
    prose.reserve(line.size());
    for (std::size_t i = 0; i < line.size();) {
      if (line.substr(i, 7) == "http://" || line.substr(i, 8) == "https://") {
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
      if (line[i] == '?') has_question = true;
      prose.push_back(line[i]);
      ++i;
    }
    const auto words = text::Words(prose);
    prose_words += words.size();
    AddWords(words, "w:", out);
    CountFamilies(words, body_hits);
  }
  AddFamilies(body_hits, "k:", out);

  if (has_code) out.emplace_back("s:code");
  if (has_log) out.emplace_back("s:log");
  if (has_url) out.emplace_back("s:url");
  if (has_image) out.emplace_back("s:image");
  if (has_question) out.emplace_back("s:question");
  out.push_back(LengthBucket(prose_words));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double FeatureValue(std::size_t feature_count) {
  return feature_count == 0 ? 0.0 : 1.0 / std::sqrt(static_cast<double>(feature_count));
}

CategoryModel::CategoryModel(std::array<double, kModelClassCount> bias,
                             std::unordered_map<std::string, ClassWeights> weights)
    : bias_(bias), weights_(std::move(weights)) {}

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

CategoryScores CategoryModel::Score(const std::vector<std::string>& features) const {
  CategoryScores scores;
  const double value = FeatureValue(features.size());
  std::array<double, kModelClassCount> logit = bias_;
  std::vector<const std::pair<const std::string, ClassWeights>*> known;
  known.reserve(features.size());
  for (const auto& feature : features) {
    const auto found = weights_.find(feature);
    if (found == weights_.end()) continue;
    known.push_back(&*found);
    for (std::size_t k = 0; k < kModelClassCount; ++k)
      logit[k] += value * found->second[k];
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
  std::vector<Contribution> pulls;
  pulls.reserve(known.size());
  for (const auto* entry : known) {
    double mean = 0.0;
    for (float w : entry->second)
      mean += w;
    mean /= static_cast<double>(kModelClassCount);
    const double pull = value * (entry->second[scores.best] - mean);
    if (pull > 0) pulls.push_back({entry->first, pull});
  }
  const auto keep = std::min<std::size_t>(3, pulls.size());
  std::partial_sort(pulls.begin(), pulls.begin() + static_cast<std::ptrdiff_t>(keep), pulls.end(),
                    [](const Contribution& a, const Contribution& b) {
                      return a.weight != b.weight ? a.weight > b.weight : a.feature < b.feature;
                    });
  pulls.resize(keep);
  scores.top_features = std::move(pulls);
  return scores;
}

std::string DescribeFeature(std::string_view feature) {
  auto words = [](std::string_view s) {
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
  if (text::StartsWith(feature, "kt:")) return "title words of kind " + words(feature.substr(3));
  if (text::StartsWith(feature, "k:")) return "words of kind " + words(feature.substr(2));
  return std::string(feature);
}

}  // namespace ticketd::analysis
