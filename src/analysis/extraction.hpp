// Reading the parts of a problem report out of its text: Markdown template
// sections (steps, expected and actual behaviour, environment), numbered
// steps, error messages and codes, URLs, operating system and browser.
#pragma once

#include <string>
#include <string_view>

#include "analysis/analyzer.hpp"

namespace ticketd::analysis {

struct Extraction {
  StructuredDescription description;
  // Prose sentences in reading order, without headings, code and logs.
  std::vector<std::string> sentences;
  // The reporter's own lines, one per line: no template comments, code,
  // logs or table rows (system-information tables). What the severity
  // rules read, so that "--crash-reporter-id" in a pasted table or a
  // template's "report a security vulnerability privately" count for nothing.
  std::string prose;
  bool has_code = false;
  bool has_log = false;
  // A stack trace's frames or header (Python, Java, JavaScript, C#, gdb)
  // pasted into the text, outside a fenced code block: what a person
  // reporting a failure pastes. Fenced traces are left to the model and its
  // kind rules, which learned that developers fence them in questions too.
  bool has_trace = false;
  // Template headings seen ("steps to reproduce", "expected behavior").
  std::vector<std::string> headings;
};

// A greeting, a pleasantry or a sign-off ("Hi,", "I hope you are well",
// "Kind regards"): no part of the problem. `lower` is lower-cased.
bool IsGreeting(std::string_view lower);

// `page_context` may add a URL and, from its user agent, the OS and browser.
Extraction Extract(std::string_view text, const nlohmann::json& page_context);

}  // namespace ticketd::analysis
