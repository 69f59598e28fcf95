// The learned part of category classification: a linear model (multinomial
// logistic regression) over word, title and structure features of a text.
// The weights compiled into the binary come from `ticketd-train`
// (bench/accuracy/train.cpp); docs/analyzer.md says how to regenerate them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ticketd::analysis {

// The categories the model tells apart. `technical`, `security`,
// `performance` and `integration` are decided by rules on top of it.
inline constexpr std::size_t kModelClassCount = 5;
inline constexpr std::array<std::string_view, kModelClassCount> kModelClasses = {
    "bug", "feature_request", "general", "billing", "user_access"};

// Index of `category` in kModelClasses, or kModelClassCount when it is not
// one of them.
std::size_t ModelClassIndex(std::string_view category);

// The model's features of a text: "t:" title words and word pairs, "w:"
// words and word pairs of the prose (code blocks, logs, URLs and template
// comments left out), "h:" Markdown headings; and kind features: "s:"
// structure (code, log, error output, URL, question, length), "k:"/"kt:"
// word families of the body/title, "p:"/"pt:" phrase kinds (ask, wish,
// defect), "ty:" the kind a template field declares, "hk:" headings of a
// kind. Sorted, without duplicates. Shared by the analyzer and the
// training tool so that both see the same features.
std::vector<std::string> CategoryFeatures(std::string_view title, std::string_view body);

// The same features as ids (FeatureId of each), without building strings:
// what the analyzer scores. Sorted, without duplicates.
std::vector<std::uint64_t> CategoryFeatureIds(std::string_view title, std::string_view body);

// A feature's id: a 64-bit FNV-1a hash of its text.
std::uint64_t FeatureId(std::string_view feature);

using ClassWeights = std::array<float, kModelClassCount>;

// One feature's share of a decision.
struct Contribution {
  std::string feature;
  double weight = 0.0;
};

inline constexpr std::size_t kTopFeatures = 8;

struct CategoryScores {
  std::array<double, kModelClassCount> probability{};
  std::size_t best = 0;
  // The known features that pushed hardest towards `best`, strongest first
  // (at most kTopFeatures), for the signals of a decision.
  std::vector<Contribution> top_features;
  // How many of the text's features the model knows.
  std::size_t known_features = 0;
};

// Immutable after construction; Score is safe to call from many threads.
class CategoryModel {
 public:
  CategoryModel(std::array<double, kModelClassCount> bias,
                std::unordered_map<std::string, ClassWeights> weights);

  // The weights compiled into the binary (src/analysis/category_weights.cpp).
  static const CategoryModel& BuiltIn();

  // Class probabilities for a feature id list from CategoryFeatureIds.
  CategoryScores Score(const std::vector<std::uint64_t>& feature_ids) const;

  const std::array<double, kModelClassCount>& Bias() const { return bias_; }
  const std::unordered_map<std::string, ClassWeights>& Weights() const { return weights_; }

 private:
  struct IdEntry {
    std::uint64_t id = 0;
    ClassWeights weights{};
    const std::string* name = nullptr;  // a key of weights_; null for a free slot
  };
  const IdEntry* Find(std::uint64_t id) const;

  std::array<double, kModelClassCount> bias_;
  std::unordered_map<std::string, ClassWeights> weights_;
  std::vector<IdEntry> table_;  // open addressing by id, a power of two in size
};

// Input scaling shared by training and scoring. Word features ("t:", "w:",
// "h:") of a text share 1/sqrt(their count), so that long and short texts
// weigh alike; kind features (word families, phrases, structure, declared
// kind) are worth kKindFeatureValue in any text, so that what carries from
// one project to another is not drowned by the words of a long report.
double FeatureValue(std::size_t word_feature_count);
bool IsKindFeature(std::string_view feature);
inline constexpr double kKindFeatureValue = 0.4;
// The top bit of a kind feature's id is set: scoring tells them apart.
inline constexpr std::uint64_t kKindIdBit = 1ULL << 63;

// A feature as a person reads it in a signal: `title word "crash"`.
std::string DescribeFeature(std::string_view feature);

}  // namespace ticketd::analysis
