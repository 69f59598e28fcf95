// The offline ticket analyzer: turns a person's description of a problem
// into every AI field of a ticket (title, category, priority, urgency,
// department, tags, a structured description) with the confidence and the
// signals behind each choice.
//
// Pure and deterministic: no I/O, no clock, no mutable global state. Every
// function here is safe to call concurrently from any number of threads.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "analysis/category_model.hpp"

namespace ticketd::analysis {

// What the person gave us. `title` may be empty; `page_context` is an
// optional JSON object (url, title, user_agent, ...) from the extension.
struct AnalysisInput {
  std::string text;
  std::string title;
  nlohmann::json page_context = nlohmann::json::object();
};

struct AnalyzerOptions {
  // Inputs longer than this (title plus text, in code points) are refused.
  std::size_t max_input_chars = 50'000;
  // The category model; nullptr means the weights compiled into the binary.
  // Not owned; must outlive every Analyze call that uses it.
  const CategoryModel* model = nullptr;
};

// One decided field: its value, how sure the analyzer is (0..1) and the
// human-readable signals that decided it.
struct FieldDecision {
  std::string value;
  double confidence = 0.0;
  std::vector<std::string> signals;
};

struct Environment {
  std::string os;
  std::string browser;
  // Software named with a version in the text ("node" -> "18.2.0").
  std::map<std::string, std::string> app_versions;

  bool Empty() const { return os.empty() && browser.empty() && app_versions.empty(); }
};

struct StructuredDescription {
  std::string summary;
  std::vector<std::string> steps_to_reproduce;
  std::string expected_behavior;
  std::string actual_behavior;
  Environment environment;
  std::vector<std::string> error_messages;
  std::vector<std::string> error_codes;
  std::vector<std::string> urls;
};

struct Analysis {
  FieldDecision title;  // value has at most 80 characters
  FieldDecision category;
  FieldDecision subcategory;
  FieldDecision priority;
  FieldDecision urgency;
  FieldDecision department;
  std::vector<std::string> tags;
  StructuredDescription description;
  std::vector<std::string> keywords;
  FieldDecision language;  // ISO 639-1 code
  double confidence_score = 0.0;
  std::string reasoning;
  std::vector<std::string> suggested_actions;
  std::string estimated_effort;
  std::string business_impact;
};

// Why an input was refused; `path` names the offending field ("user_input")
// and `reason` says what is wrong, ready for a 422's errors[] entry.
struct AnalysisError {
  enum class Kind { kEmpty, kTooLong };
  Kind kind;
  std::string path;
  std::string reason;
};

using AnalysisResult = std::variant<Analysis, AnalysisError>;

// Analyzes one input. Empty input (only whitespace in title and text) and
// input over options.max_input_chars are answered with an AnalysisError,
// never an exception.
AnalysisResult Analyze(const AnalysisInput& input, const AnalyzerOptions& options = {});

// The `ai_analysis` object of the ticket schema (PRODUCT.md), with
// model = "offline" and empty knowledge_base_matches and similar_tickets.
nlohmann::json ToAiAnalysisJson(const Analysis& analysis);

// The structured description as Markdown, for the ticket's `description`.
// Sections that the text did not give are left out; never empty.
std::string RenderDescriptionMarkdown(const Analysis& analysis);

}  // namespace ticketd::analysis
