// Language identification for the analyzer: the script of the letters for
// non-Latin writing, else the share of each language's most common words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ticketd::analysis {

struct LanguageGuess {
  std::string code;  // ISO 639-1
  std::string name;  // English name of the language
  double confidence = 0.0;
  std::vector<std::string> signals;
};

// Reads at most the first few thousand bytes. Text with too few words to
// tell is reported as English with a low confidence and says so.
LanguageGuess DetectLanguage(std::string_view text);

}  // namespace ticketd::analysis
