// The labelled data sets of ../shared/data as analyzer examples, the
// trainer of the category model, and the scores the accuracy tool prints.
// Used by ticketd-train, ticketd-accuracy and the analyzer's tests; the data
// itself never enters the repository.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/category_model.hpp"

namespace ticketd::accuracy {

struct Example {
  std::string title;
  std::string body;
  std::string label;  // a ticket category: bug, feature_request, general, ...
  std::string group;  // where it came from (GitHub project, intent)
};

struct DataSet {
  std::string name;
  std::vector<std::string> classes;  // the gold labels, in report order
  std::vector<Example> examples;
  // Whether a group is a source with its own vocabulary (a GitHub project:
  // its name, modules, template), rather than a kind of request (an intent).
  bool groups_are_sources = false;
};

// RFC 4180 rows (quoted fields may hold commas, quotes and newlines), the
// header row included. Empty when the file cannot be read.
std::optional<std::vector<std::vector<std::string>>> ReadCsv(const std::string& path);

// github-issues-train.csv: bug -> bug, feature -> feature_request,
// question -> general. nullopt when the file is missing or malformed.
std::optional<DataSet> LoadGithubIssues(const std::string& path);

// customer-support-intents.csv: PAYMENT, INVOICE, REFUND, CANCELLATION_FEE
// -> billing; ACCOUNT -> user_access; the rest -> general.
std::optional<DataSet> LoadSupportIntents(const std::string& path);

// The data folder: $TICKETD_DATA_DIR, else ../shared/data from the working
// directory, else ../shared/data beside the repository this was built from.
std::string DataDir();

struct TrainOptions {
  int epochs = 12;
  double learning_rate = 0.4;
  double l2 = 2e-6;
  std::size_t min_count = 2;  // features seen in fewer examples are dropped
  double prune_below = 0.02;  // features whose largest |weight| is smaller are dropped
  // A feature seen only in texts of sets whose groups are sources must be
  // seen in this many of their groups: a word of one project alone (its
  // name, its modules, its template) says nothing about other projects.
  std::size_t min_groups = 2;
};

// Trains the category model on `examples` (each data set given equal total
// weight, classes balanced within it). Deterministic for the same input.
analysis::CategoryModel Train(const std::vector<const DataSet*>& sets, const TrainOptions& options,
                              const std::vector<std::vector<bool>>* held_out = nullptr);

// Which examples of each set form fold `fold` of `folds` (stratified by
// label, deterministic). With `by_group`, each group (GitHub project,
// support intent) lies wholly in one fold: the held-out texts are of kinds
// training never saw.
std::vector<std::vector<bool>> FoldMask(const std::vector<const DataSet*>& sets, int folds,
                                        int fold, bool by_group = false);

// How the analyzer's category counts against a gold label: `technical`
// counts as `general`.
std::string ScoredCategory(const std::string& predicted);

struct ClassScore {
  std::string name;
  std::size_t support = 0;
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
};

struct Report {
  std::vector<ClassScore> classes;
  double macro_f1 = 0.0;
  double accuracy = 0.0;
  std::size_t total = 0;
  // confusion[gold][predicted]
  std::map<std::string, std::map<std::string, std::size_t>> confusion;
};

Report Score(const std::vector<std::string>& classes, const std::vector<std::string>& gold,
             const std::vector<std::string>& predicted);

// The report as text: per-class table, macro-F1, confusion table.
std::string Format(const std::string& heading, const Report& report);

}  // namespace ticketd::accuracy
