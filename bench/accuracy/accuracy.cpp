// ticketd-accuracy: runs the offline analyzer over the labelled sets of
// ../shared/data and prints per-class precision, recall and F1, macro-F1
// and a confusion table for the category, then the priority mix.
//
// The headline is k-fold cross-validation: the model is trained on k-1
// folds and the whole analyzer (model and rules) scores the held-out fold,
// so no text is scored by weights that saw it. --by-group puts whole GitHub
// projects and whole support intents in one fold (leave-project-out), the
// closer measure of text from elsewhere. --built-in scores the
// committed weights instead (they have seen every text: an upper bound).
//
//   ticketd-accuracy [--folds K] [--by-group] [--per-group] [--built-in] [--data DIR]
//                    [--l2 X] [--epochs N] [--min-count N] [--min-groups N]
//                    [--errors FILE]
//
// --errors writes each wrongly classified text as a tab-separated line
// (set, group, gold, predicted, title) to FILE, for reading what the
// analyzer misses; keep that file out of the repository, as the data.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "analysis/analyzer.hpp"
#include "datasets.hpp"

namespace {

using namespace ticketd;

// Priority counts by gold label: label -> priority -> texts.
using PriorityMix = std::map<std::string, std::map<std::string, std::size_t>>;

std::string Predict(const accuracy::Example& e, const analysis::CategoryModel* model,
                    PriorityMix& priorities) {
  const auto result = analysis::Analyze({.text = e.body, .title = e.title},
                                        {.max_input_chars = 1'000'000, .model = model});
  const auto* analysis = std::get_if<analysis::Analysis>(&result);
  if (analysis == nullptr) return "(refused)";
  ++priorities[e.label][analysis->priority.value];
  return accuracy::ScoredCategory(analysis->category.value);
}

void PrintPriorities(const std::string& name, const PriorityMix& mix) {
  std::printf("  priority by gold label on %s:\n", name.c_str());
  for (const auto& [label, counts] : mix) {
    std::printf("    %-16s", label.c_str());
    for (const char* level : {"low", "medium", "high", "critical"}) {
      const auto it = counts.find(level);
      std::printf(" %s %zu", level, it == counts.end() ? std::size_t{0} : it->second);
    }
    std::printf("\n");
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  int folds = 5;
  bool built_in = false;
  bool by_group = false;
  bool per_group = false;  // also a line per group (project or intent)
  accuracy::TrainOptions train;
  std::string data_dir = accuracy::DataDir();
  std::string errors_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--folds") == 0 && i + 1 < argc) {
      folds = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--l2") == 0 && i + 1 < argc) {
      train.l2 = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
      train.epochs = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--min-count") == 0 && i + 1 < argc) {
      train.min_count = static_cast<std::size_t>(std::atol(argv[++i]));
    } else if (std::strcmp(argv[i], "--min-groups") == 0 && i + 1 < argc) {
      train.min_groups = static_cast<std::size_t>(std::atol(argv[++i]));
    } else if (std::strcmp(argv[i], "--per-group") == 0) {
      per_group = true;
    } else if (std::strcmp(argv[i], "--by-group") == 0) {
      by_group = true;
    } else if (std::strcmp(argv[i], "--built-in") == 0) {
      built_in = true;
    } else if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
      data_dir = argv[++i];
    } else if (std::strcmp(argv[i], "--errors") == 0 && i + 1 < argc) {
      errors_path = argv[++i];
    } else {
      std::fprintf(
          stderr,
          "usage: ticketd-accuracy [--folds K] [--by-group] [--per-group] [--built-in] [--data DIR]"
          "\n       [--l2 X] [--epochs N] [--min-count N] [--min-groups N] [--errors FILE]\n");
      return 2;
    }
  }
  if (folds < 2) {
    std::fprintf(stderr, "ticketd-accuracy: --folds must be at least 2\n");
    return 2;
  }
  const auto github = accuracy::LoadGithubIssues(data_dir + "/github-issues-train.csv");
  const auto support = accuracy::LoadSupportIntents(data_dir + "/customer-support-intents.csv");
  if (!github || !support) {
    std::fprintf(stderr, "ticketd-accuracy: cannot read the data sets in %s\n", data_dir.c_str());
    return 1;
  }
  const std::vector<const accuracy::DataSet*> sets = {&*github, &*support};

  std::vector<std::vector<std::string>> predicted(sets.size());
  std::vector<PriorityMix> priorities(sets.size());
  for (std::size_t s = 0; s < sets.size(); ++s) {
    predicted[s].resize(sets[s]->examples.size());
  }
  if (built_in) {
    for (std::size_t s = 0; s < sets.size(); ++s) {
      for (std::size_t i = 0; i < sets[s]->examples.size(); ++i) {
        predicted[s][i] = Predict(sets[s]->examples[i], nullptr, priorities[s]);
      }
    }
  } else {
    const auto& options = train;
    for (int fold = 0; fold < folds; ++fold) {
      const auto mask = accuracy::FoldMask(sets, folds, fold, by_group);
      const auto model = accuracy::Train(sets, options, &mask);
      for (std::size_t s = 0; s < sets.size(); ++s) {
        for (std::size_t i = 0; i < sets[s]->examples.size(); ++i) {
          if (mask[s][i]) predicted[s][i] = Predict(sets[s]->examples[i], &model, priorities[s]);
        }
      }
    }
  }

  if (!errors_path.empty()) {
    std::FILE* out = std::fopen(errors_path.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr, "ticketd-accuracy: cannot write %s\n", errors_path.c_str());
      return 1;
    }
    for (std::size_t s = 0; s < sets.size(); ++s) {
      for (std::size_t i = 0; i < sets[s]->examples.size(); ++i) {
        const auto& e = sets[s]->examples[i];
        if (predicted[s][i] == e.label) continue;
        std::fprintf(out, "%s\t%s\t%s\t%s\t%s\n", sets[s]->name.c_str(), e.group.c_str(),
                     e.label.c_str(), predicted[s][i].c_str(),
                     (e.title.empty() ? e.body.substr(0, 120) : e.title).c_str());
      }
    }
    std::fclose(out);
  }

  std::string mode = built_in ? "built-in weights (trained on all texts)"
                              : std::to_string(folds) + "-fold cross-validation";
  if (!built_in && by_group) mode += ", folds by project / intent";
  for (std::size_t s = 0; s < sets.size(); ++s) {
    std::vector<std::string> gold;
    for (const auto& e : sets[s]->examples)
      gold.push_back(e.label);
    const auto report = accuracy::Score(sets[s]->classes, gold, predicted[s]);
    std::printf("%s", accuracy::Format(sets[s]->name + ", category, " + mode, report).c_str());
    PrintPriorities(sets[s]->name, priorities[s]);
    if (!per_group) continue;
    std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> groups;
    for (std::size_t i = 0; i < gold.size(); ++i) {
      groups[sets[s]->examples[i].group].first.push_back(gold[i]);
      groups[sets[s]->examples[i].group].second.push_back(predicted[s][i]);
    }
    for (const auto& [group, pair] : groups) {
      const auto r = accuracy::Score(sets[s]->classes, pair.first, pair.second);
      if (sets[s]->groups_are_sources) {
        std::printf("%s", accuracy::Format("  group " + group, r).c_str());
        continue;
      }
      std::printf("  group %-32s macro-F1 %.3f  accuracy %.3f  (%zu texts)\n", group.c_str(),
                  r.macro_f1, r.accuracy, r.total);
    }
  }
  return 0;
}
