// The rule-based layers of the analyzer: what the words of a report say
// about its severity (outage, data loss, security incident, crash, cosmetic,
// question), and the priority and urgency that follow. Pure functions over
// lower-cased text.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.hpp"

namespace ticketd::analysis {

// A lower-cased text prepared for many phrase look-ups: a hash index of its
// words, so that a phrase is checked only where its first word stands, in
// one look-up instead of a scan of the text. Refers to `lower`, which must
// outlive it.
class PhraseText {
 public:
  explicit PhraseText(std::string_view lower);

  std::string_view Lower() const { return lower_; }

  // Calls `visit(pos)` for each position where the word `word` (a maximal
  // run of word bytes) starts, until `visit` returns true; answers whether
  // it did.
  template <class Visit>
  bool ForEachStart(std::string_view word, Visit&& visit) const {
    if (buckets_.empty()) return false;
    for (auto i = buckets_[Hash(word) & (buckets_.size() - 1)]; i != kNone; i = starts_[i].next) {
      const auto& start = starts_[i];
      if (start.length == word.size() && lower_.compare(start.pos, start.length, word) == 0 &&
          visit(static_cast<std::size_t>(start.pos))) {
        return true;
      }
    }
    return false;
  }

 private:
  struct Start {
    std::uint32_t pos;
    std::uint32_t length;
    std::uint32_t next;
  };
  static constexpr std::uint32_t kNone = 0xFFFFFFFFU;
  static std::uint32_t Hash(std::string_view word);

  std::string_view lower_;
  std::vector<Start> starts_;
  std::vector<std::uint32_t> buckets_;  // a power of two in size
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
  // Kinds of problem that decide the category over the model's words.
  std::vector<std::string> performance;  // slowness, timeouts, 504
  std::vector<std::string> access;       // log-in, 2FA, lock-out, password reset
  std::vector<std::string> hardware;     // a device that is broken: "printer broken"
  std::vector<std::string> network;      // the office network or VPN fails: "can't connect to VPN"
  std::vector<std::string> ui_glitch;    // overlap, misaligned, typo
  std::vector<std::string> integration;  // another service's link fails: "Slack ... stopped"
  // A failure the report opens with (title or first sentence), told as a
  // statement: "the checkout button does nothing", "the import skips rows".
  std::vector<std::string> opening_failure;
  bool how_to = false;    // opens with "how do I", "is it possible to"...
  bool question = false;  // phrased as a question
  // Classified as a question or a general request though not phrased as
  // one: a crash or an urgent word in it makes it medium, not high.
  bool asked = false;

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

// Pairs of a phrase of `first` and one of `second` in the same sentence,
// at most `window` bytes apart, either order ("our API key ... pushed to
// GitHub"), each as "first ... second"; negated phrases do not count.
std::vector<std::string> FindNear(const PhraseText& text, std::span<const std::string_view> first,
                                  std::span<const std::string_view> second, std::size_t window);
std::vector<std::string> FindPhrases(const PhraseText& text,
                                     std::initializer_list<std::string_view> phrases);

// Phrases of `phrases` present in `lower` at word boundaries and not negated
// ("no data loss" does not count as data loss).
std::vector<std::string> FindPhrases(std::string_view lower,
                                     std::span<const std::string_view> phrases);
std::vector<std::string> FindPhrases(std::string_view lower,
                                     std::initializer_list<std::string_view> phrases);

}  // namespace ticketd::analysis
