// The rule-based layers of the analyzer: what the words of a report say
// about its severity (outage, data loss, security incident, crash, cosmetic,
// question), and the priority and urgency that follow. Pure functions over
// lower-cased text.
#pragma once

#include <bitset>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.hpp"

namespace ticketd::analysis {

// A lower-cased text prepared for many phrase look-ups: it knows the first
// two bytes of each of its words, so that absent phrases cost no scan.
// Refers to `lower`, which must outlive it.
class PhraseText {
 public:
  explicit PhraseText(std::string_view lower);

  std::string_view Lower() const { return lower_; }
  // Whether some word of the text starts with bytes `a` and `b`.
  bool MayStartWord(unsigned char a, unsigned char b) const {
    return starts_->test(static_cast<std::size_t>(a) << 8 | b);
  }

 private:
  std::string_view lower_;
  std::unique_ptr<std::bitset<65536>> starts_;
};

// Which severity signals a text carries; each list holds the phrases found.
struct SeveritySignals {
  std::vector<std::string> outage;
  std::vector<std::string> data_loss;
  std::vector<std::string> security;
  std::vector<std::string> blocker;
  std::vector<std::string> defect;
  std::vector<std::string> wide_scope;
  std::vector<std::string> urgent;
  std::vector<std::string> relaxed;  // "no rush", "not urgent"
  std::vector<std::string> cosmetic;
  std::vector<std::string> feature;
  bool question = false;

  bool Incident() const { return !outage.empty() || !data_loss.empty() || !security.empty(); }
};

// `lower` is the lower-cased title and text; `title_lower` the title alone
// (or the first sentence when there is no title), used to tell questions.
SeveritySignals FindSeveritySignals(const PhraseText& text, std::string_view title_lower);

// Outages, data loss and security incidents are high or critical (critical
// when wide in scope or urgent); crashes and lock-outs high; cosmetic
// issues, questions and feature requests low; the rest medium.
FieldDecision DecidePriority(const SeveritySignals& signals);

// The priority's level moved by the urgency words ("asap", "no rush").
FieldDecision DecideUrgency(const SeveritySignals& signals, const FieldDecision& priority);

std::vector<std::string> FindPhrases(const PhraseText& text,
                                     std::span<const std::string_view> phrases);
std::vector<std::string> FindPhrases(const PhraseText& text,
                                     std::initializer_list<std::string_view> phrases);

// Phrases of `phrases` present in `lower` at word boundaries and not negated
// ("no data loss" does not count as data loss).
std::vector<std::string> FindPhrases(std::string_view lower,
                                     std::span<const std::string_view> phrases);
std::vector<std::string> FindPhrases(std::string_view lower,
                                     std::initializer_list<std::string_view> phrases);

}  // namespace ticketd::analysis
