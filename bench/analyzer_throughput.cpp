// ticketd-analyzer-bench: analyses per second of the offline analyzer on one
// thread, for inputs of about 2 KB made from the GitHub issues of
// ../shared/data (cut or repeated to 2,048 bytes), or from a built-in
// report when the data is missing.
//
//   ticketd-analyzer-bench [--seconds S] [--bytes N]
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "accuracy/datasets.hpp"
#include "analysis/analyzer.hpp"

namespace {

constexpr const char* kFallback =
    "Since this morning the VPN drops every five minutes and the whole sales team is affected. "
    "Steps to reproduce:\n1. Connect to the VPN from Windows 11\n2. Open the CRM in Chrome 120\n"
    "3. Wait five minutes\nExpected: the connection stays up\nActual: it drops with error "
    "0x80070005 and https://crm.example.com/login shows HTTP 503\n";

std::string Fit(std::string text, std::size_t bytes) {
  if (text.empty()) text = kFallback;
  while (text.size() < bytes)
    text += "\n" + text;
  text.resize(bytes);
  return text;
}

// CPU time of the calling thread, in seconds: on a machine shared with other
// work, wall time undercounts what one core does.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5.0;
  std::size_t bytes = 2048;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--bytes") == 0 && i + 1 < argc) {
      bytes = static_cast<std::size_t>(std::atol(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: ticketd-analyzer-bench [--seconds S] [--bytes N]\n");
      return 2;
    }
  }

  std::vector<ticketd::analysis::AnalysisInput> inputs;
  const auto github = ticketd::accuracy::LoadGithubIssues(ticketd::accuracy::DataDir() +
                                                          "/github-issues-train.csv");
  if (github) {
    for (std::size_t i = 0; i < github->examples.size(); i += 7) {
      const auto& e = github->examples[i];
      inputs.push_back({.text = Fit(e.body, bytes), .title = e.title});
    }
  } else {
    std::fprintf(stderr, "ticketd-analyzer-bench: data missing; using one built-in report\n");
    inputs.push_back({.text = Fit(kFallback, bytes), .title = ""});
  }

  // Warm up (the model's table is built on first use), then measure. The
  // digest of the warm-up answers tells whether a speed-up changed them.
  std::size_t sink = 0;
  std::uint64_t digest = 14695981039346656037ULL;
  for (const auto& input : inputs) {
    const auto result = ticketd::analysis::Analyze(input);
    const auto* analysis = std::get_if<ticketd::analysis::Analysis>(&result);
    const auto json = analysis == nullptr ? std::string("error")
                                          : ticketd::analysis::ToAiAnalysisJson(*analysis).dump();
    for (char c : json)
      digest = (digest ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  std::size_t count = 0;
  const double cpu_start = ThreadCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const auto limit = std::chrono::duration<double>(seconds);
  auto elapsed = std::chrono::duration<double>(0);
  while (elapsed < limit) {
    for (const auto& input : inputs) {
      const auto result = ticketd::analysis::Analyze(input);
      sink += std::get_if<ticketd::analysis::Analysis>(&result)->title.value.size();
      ++count;
    }
    elapsed = std::chrono::steady_clock::now() - start;
  }
  const double cpu = ThreadCpuSeconds() - cpu_start;
  std::printf(
      "ticketd-analyzer-bench: %zu analyses of %zu-byte inputs (%zu distinct) in %.2f s "
      "on one thread (%.2f s of CPU): %.0f analyses/s of wall time, %.0f per CPU "
      "second (checksum %zu, answers digest %016llx)\n",
      count, bytes, inputs.size(), elapsed.count(), cpu,
      static_cast<double>(count) / elapsed.count(), static_cast<double>(count) / cpu, sink % 1000,
      static_cast<unsigned long long>(digest));
  return 0;
}
