#include "datasets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <unordered_map>

namespace ticketd::accuracy {

namespace {

using analysis::kModelClassCount;

std::optional<std::size_t> Column(const std::vector<std::string>& header, const std::string& name) {
  const auto found = std::find(header.begin(), header.end(), name);
  if (found == header.end()) return std::nullopt;
  return static_cast<std::size_t>(found - header.begin());
}

}  // namespace

std::optional<std::vector<std::vector<std::string>>> ReadCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool row_started = false;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (quoted) {
      if (c == '"' && i + 1 < data.size() && data[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
      continue;
    }
    row_started = true;
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      row_started = false;
    } else {
      field.push_back(c);
    }
  }
  if (row_started) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<DataSet> LoadGithubIssues(const std::string& path) {
  const auto rows = ReadCsv(path);
  if (!rows || rows->empty()) return std::nullopt;
  const auto& header = rows->front();
  const auto repo = Column(header, "repo");
  const auto label = Column(header, "label");
  const auto title = Column(header, "title");
  const auto body = Column(header, "body");
  if (!repo || !label || !title || !body) return std::nullopt;
  const std::map<std::string, std::string> mapping = {
      {"bug", "bug"}, {"feature", "feature_request"}, {"question", "general"}};

  DataSet set{.name = "github-issues-train.csv",
              .classes = {"bug", "feature_request", "general"},
              .examples = {},
              .groups_are_sources = true};
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    if (row.size() != header.size()) continue;
    const auto mapped = mapping.find(row[*label]);
    if (mapped == mapping.end()) continue;
    set.examples.push_back(
        {.title = row[*title], .body = row[*body], .label = mapped->second, .group = row[*repo]});
  }
  return set;
}

std::optional<DataSet> LoadSupportIntents(const std::string& path) {
  const auto rows = ReadCsv(path);
  if (!rows || rows->empty()) return std::nullopt;
  const auto& header = rows->front();
  const auto instruction = Column(header, "instruction");
  const auto category = Column(header, "category");
  const auto intent = Column(header, "intent");
  if (!instruction || !category || !intent) return std::nullopt;
  const std::map<std::string, std::string> mapping = {
      {"PAYMENT", "billing"},          {"INVOICE", "billing"},          {"REFUND", "billing"},
      {"CANCELLATION_FEE", "billing"}, {"ACCOUNT", "user_access"},      {"ORDER", "general"},
      {"DELIVERY", "general"},         {"SHIPPING_ADDRESS", "general"}, {"CONTACT", "general"},
      {"FEEDBACK", "general"},         {"NEWSLETTER", "general"}};

  DataSet set{.name = "customer-support-intents.csv",
              .classes = {"billing", "user_access", "general"}};
  for (std::size_t i = 1; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    if (row.size() != header.size()) continue;
    const auto mapped = mapping.find(row[*category]);
    if (mapped == mapping.end()) continue;
    set.examples.push_back(
        {.title = "", .body = row[*instruction], .label = mapped->second, .group = row[*intent]});
  }
  return set;
}

std::string DataDir() {
  if (const char* env = std::getenv("TICKETD_DATA_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  if (std::filesystem::is_directory("../shared/data")) return "../shared/data";
  return std::string(TICKETD_SOURCE_DIR) + "/../shared/data";
}

std::vector<std::vector<bool>> FoldMask(const std::vector<const DataSet*>& sets, int folds,
                                        int fold, bool by_group) {
  std::vector<std::vector<bool>> mask;
  for (const auto* set : sets) {
    if (by_group) {
      // Whole groups (a GitHub project, a support intent) go to one fold, so
      // the held-out texts come from projects or intents training never saw.
      std::map<std::string, int> group_fold;
      for (const auto& e : set->examples)
        group_fold.emplace(e.group, 0);
      int next = 0;
      for (auto& [group, assigned] : group_fold)
        assigned = next++ % folds;
      std::vector<bool> held(set->examples.size(), false);
      for (std::size_t i = 0; i < held.size(); ++i) {
        held[i] = group_fold[set->examples[i].group] == fold;
      }
      mask.push_back(std::move(held));
      continue;
    }
    // Round-robin within each label after a fixed shuffle: stratified folds.
    std::vector<std::size_t> order(set->examples.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::mt19937 rng(20240611);
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[rng() % i]);
    std::map<std::string, int> seen;
    std::vector<bool> held(set->examples.size(), false);
    for (auto index : order) {
      const int position = seen[set->examples[index].label]++;
      held[index] = position % folds == fold;
    }
    mask.push_back(std::move(held));
  }
  return mask;
}

analysis::CategoryModel Train(const std::vector<const DataSet*>& sets, const TrainOptions& options,
                              const std::vector<std::vector<bool>>* held_out) {
  struct Row {
    std::vector<std::uint32_t> features;
    std::size_t label;
    double weight;
  };

  // Features of every training example, and how many examples have each.
  std::vector<std::vector<std::string>> texts;
  std::vector<std::size_t> labels;
  std::vector<double> weights;
  std::vector<const std::string*> source_groups;  // null for texts of other sets
  for (std::size_t s = 0; s < sets.size(); ++s) {
    const auto& examples = sets[s]->examples;
    std::map<std::string, std::size_t> per_class;
    for (std::size_t i = 0; i < examples.size(); ++i) {
      if (held_out != nullptr && (*held_out)[s][i]) continue;
      ++per_class[examples[i].label];
    }
    for (std::size_t i = 0; i < examples.size(); ++i) {
      if (held_out != nullptr && (*held_out)[s][i]) continue;
      const auto label = analysis::ModelClassIndex(examples[i].label);
      if (label == kModelClassCount) continue;
      texts.push_back(analysis::CategoryFeatures(examples[i].title, examples[i].body));
      labels.push_back(label);
      source_groups.push_back(sets[s]->groups_are_sources ? &examples[i].group : nullptr);
      // Each set weighs the same in total, and each class the same within it.
      weights.push_back(
          1.0 / static_cast<double>(sets.size() * per_class.size() * per_class[examples[i].label]));
    }
  }
  const double mean_weight =
      std::accumulate(weights.begin(), weights.end(), 0.0) / static_cast<double>(weights.size());
  for (auto& w : weights)
    w /= mean_weight;

  struct Seen {
    std::size_t count = 0;
    bool outside_sources = false;
    std::vector<const std::string*> groups;
  };
  std::unordered_map<std::string, Seen> seen;
  for (std::size_t t = 0; t < texts.size(); ++t) {
    for (const auto& f : texts[t]) {
      auto& entry = seen[f];
      ++entry.count;
      if (source_groups[t] == nullptr) {
        entry.outside_sources = true;
      } else if (std::none_of(entry.groups.begin(), entry.groups.end(),
                              [&](const std::string* g) { return *g == *source_groups[t]; })) {
        entry.groups.push_back(source_groups[t]);
      }
    }
  }
  std::vector<std::string> vocabulary;
  for (const auto& [feature, entry] : seen) {
    if (entry.count < options.min_count) continue;
    if (!entry.outside_sources && entry.groups.size() < options.min_groups) continue;
    vocabulary.push_back(feature);
  }
  std::sort(vocabulary.begin(), vocabulary.end());
  std::unordered_map<std::string, std::uint32_t> index;
  for (std::uint32_t i = 0; i < vocabulary.size(); ++i)
    index.emplace(vocabulary[i], i);

  std::vector<bool> is_kind(vocabulary.size());
  for (std::size_t f = 0; f < vocabulary.size(); ++f)
    is_kind[f] = analysis::IsKindFeature(vocabulary[f]);
  std::vector<std::size_t> word_counts(texts.size());
  for (std::size_t t = 0; t < texts.size(); ++t) {
    word_counts[t] = static_cast<std::size_t>(
        std::count_if(texts[t].begin(), texts[t].end(),
                      [](const std::string& f) { return !analysis::IsKindFeature(f); }));
  }

  std::vector<Row> rows;
  rows.reserve(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    Row row{.features = {}, .label = labels[i], .weight = weights[i]};
    for (const auto& f : texts[i]) {
      if (const auto found = index.find(f); found != index.end()) {
        row.features.push_back(found->second);
      }
    }
    rows.push_back(std::move(row));
  }

  // Multinomial logistic regression, AdaGrad steps, L2 on touched weights.
  // Scoring scales by the text's full feature count, so training does too.
  std::vector<double> w(vocabulary.size() * kModelClassCount, 0.0);
  std::vector<double> g2(w.size(), 1e-8);
  std::array<double, kModelClassCount> bias{};
  std::array<double, kModelClassCount> bias_g2{};
  bias_g2.fill(1e-8);
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::mt19937 rng(7);
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[rng() % i]);
    for (auto r : order) {
      const auto& row = rows[r];
      const double word_value = analysis::FeatureValue(word_counts[r]);
      auto value_of = [&](std::uint32_t f) {
        return is_kind[f] ? analysis::kKindFeatureValue : word_value;
      };
      std::array<double, kModelClassCount> logit = bias;
      for (auto f : row.features) {
        for (std::size_t k = 0; k < kModelClassCount; ++k)
          logit[k] += value_of(f) * w[f * kModelClassCount + k];
      }
      const double top = *std::max_element(logit.begin(), logit.end());
      double sum = 0.0;
      for (auto& l : logit)
        sum += (l = std::exp(l - top));
      for (std::size_t k = 0; k < kModelClassCount; ++k) {
        const double error = row.weight * (logit[k] / sum - (k == row.label ? 1.0 : 0.0));
        bias_g2[k] += error * error;
        bias[k] -= options.learning_rate * error / std::sqrt(bias_g2[k]);
        for (auto f : row.features) {
          auto& weight = w[f * kModelClassCount + k];
          const double grad = error * value_of(f) + options.l2 * weight;
          auto& acc = g2[f * kModelClassCount + k];
          acc += grad * grad;
          weight -= options.learning_rate * grad / std::sqrt(acc);
        }
      }
    }
  }

  std::unordered_map<std::string, analysis::ClassWeights> kept;
  for (std::size_t f = 0; f < vocabulary.size(); ++f) {
    analysis::ClassWeights row{};
    double largest = 0.0;
    for (std::size_t k = 0; k < kModelClassCount; ++k) {
      row[k] = static_cast<float>(w[f * kModelClassCount + k]);
      largest = std::max(largest, std::abs(w[f * kModelClassCount + k]));
    }
    if (largest >= options.prune_below) kept.emplace(vocabulary[f], row);
  }
  return analysis::CategoryModel(bias, std::move(kept));
}

std::string ScoredCategory(const std::string& predicted) {
  return predicted == "technical" ? "general" : predicted;
}

Report Score(const std::vector<std::string>& classes, const std::vector<std::string>& gold,
             const std::vector<std::string>& predicted) {
  Report report;
  report.total = gold.size();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    ++report.confusion[gold[i]][predicted[i]];
    if (gold[i] == predicted[i]) ++correct;
  }
  report.accuracy = gold.empty() ? 0.0 : static_cast<double>(correct) / gold.size();
  double f1_sum = 0.0;
  for (const auto& name : classes) {
    std::size_t tp = 0, fp = 0, fn = 0;
    for (std::size_t i = 0; i < gold.size(); ++i) {
      if (predicted[i] == name && gold[i] == name) ++tp;
      if (predicted[i] == name && gold[i] != name) ++fp;
      if (predicted[i] != name && gold[i] == name) ++fn;
    }
    ClassScore score{.name = name, .support = tp + fn};
    score.precision = tp + fp == 0 ? 0.0 : static_cast<double>(tp) / (tp + fp);
    score.recall = tp + fn == 0 ? 0.0 : static_cast<double>(tp) / (tp + fn);
    score.f1 = score.precision + score.recall == 0
                   ? 0.0
                   : 2 * score.precision * score.recall / (score.precision + score.recall);
    f1_sum += score.f1;
    report.classes.push_back(score);
  }
  report.macro_f1 = classes.empty() ? 0.0 : f1_sum / classes.size();
  return report;
}

std::string Format(const std::string& heading, const Report& report) {
  std::string out = heading + "\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-16s %9s %9s %9s %8s\n", "class", "precision", "recall",
                "f1", "support");
  out += line;
  for (const auto& c : report.classes) {
    std::snprintf(line, sizeof line, "  %-16s %9.3f %9.3f %9.3f %8zu\n", c.name.c_str(),
                  c.precision, c.recall, c.f1, c.support);
    out += line;
  }
  std::snprintf(line, sizeof line, "  macro-F1 %.3f   accuracy %.3f   (%zu texts)\n",
                report.macro_f1, report.accuracy, report.total);
  out += line;

  std::vector<std::string> columns;
  for (const auto& [gold, row] : report.confusion) {
    for (const auto& [predicted, count] : row) {
      if (std::find(columns.begin(), columns.end(), predicted) == columns.end()) {
        columns.push_back(predicted);
      }
    }
  }
  std::sort(columns.begin(), columns.end());
  out += "  confusion (rows: gold, columns: predicted)\n  " + std::string(16, ' ');
  for (const auto& c : columns) {
    std::snprintf(line, sizeof line, " %15.15s", c.c_str());
    out += line;
  }
  out += "\n";
  for (const auto& [gold, row] : report.confusion) {
    std::snprintf(line, sizeof line, "  %-16s", gold.c_str());
    out += line;
    for (const auto& c : columns) {
      const auto found = row.find(c);
      std::snprintf(line, sizeof line, " %15zu", found == row.end() ? 0 : found->second);
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace ticketd::accuracy
