// Turns a person's text into a ticket draft: tries the configured providers
// in fallback order (each with retries, a circuit breaker and the agent's
// tool loop), validates every answer against the ticket-draft schema with
// one corrective retry, and always ends in the offline analyzer, so a draft
// is produced when every provider fails. Text is redacted before it leaves
// the process. Usage, cost, attempts and fallbacks are reported with the
// draft; per-provider status feeds GET /api/v1/ai/agents/status.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ai/ai_config.hpp"
#include "ai/http_client.hpp"
#include "ai/provider.hpp"
#include "ai/redaction.hpp"
#include "ai/resilience.hpp"
#include "ai/tool_registry.hpp"

namespace ticketd::ai {

// The built-in analyzer: the original (unredacted) text in, its analysis
// out. Runs locally; must not throw.
using OfflineAnalyzer = std::function<nlohmann::json(const std::string& user_text)>;

// Reads an environment variable (for provider keys); std::nullopt when unset.
using KeyLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct DraftRequest {
  std::string user_text;
  // Optional page context (URL, page title, browser...); redacted like the
  // text and sent to models in the same user message, as data.
  nlohmann::json context;
};

// One HTTP exchange with a provider.
struct CallRecord {
  std::string provider;
  std::string model;
  int attempt = 1;      // 1 for the first try of a model turn, 2.. for retries
  std::string outcome;  // ok, tool_calls, invalid_answer, or an ErrorKind name
  long http_status = 0;
  Usage usage;
  double cost_usd = 0;
  std::int64_t duration_ms = 0;
};

// A link of the chain that did not produce the draft, and why.
struct FallbackRecord {
  std::string provider;
  std::string reason;  // an ErrorKind name
  std::string detail;
};

struct ToolInvocation {
  std::string provider;
  std::string name;
  bool ok = false;
  std::string error;  // why it failed, when it did
};

struct DraftOutcome {
  // From a provider: an object that passed TicketDraftSchema. From the
  // offline analyzer: whatever it returned.
  nlohmann::json draft;
  std::string provider = "offline";  // the link that produced the draft
  std::string model = "offline";
  bool offline = true;
  Usage usage;          // every call of this draft, failed ones included
  double cost_usd = 0;  // from the configured prices
  int attempts = 0;     // HTTP exchanges made
  std::vector<CallRecord> calls;
  std::vector<FallbackRecord> fallbacks;
  std::vector<ToolInvocation> tools;
  RedactionCounts redactions;

  // The members for ticket.ai_analysis: model, provider, usage
  // {input_tokens, output_tokens, cost_usd}, attempts, fallbacks [{provider,
  // reason}] (no detail: it may quote a provider's answer or an internal
  // host, and the ticket's reader may be anyone), tool_calls [{provider,
  // name, ok}], redactions.
  nlohmann::json AnalysisJson() const;
};

struct RecentError {
  std::string at;  // RFC 3339 UTC
  std::string kind;
  long http_status = 0;
  std::string message;
};

// A snapshot of one configured provider.
struct ProviderStatus {
  std::string name;
  std::string kind;
  std::string model;
  std::string circuit;  // closed, open or half_open
  bool key_present = false;
  bool in_chain = false;
  std::int64_t calls = 0;  // HTTP exchanges
  std::int64_t successes = 0;
  std::int64_t failures = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0;
  std::vector<RecentError> recent_errors;  // newest last, at most kMaxRecentErrors

  static constexpr std::size_t kMaxRecentErrors = 10;
  nlohmann::json ToJson() const;
};

// Cost of `usage` at `model`'s configured price (0 when no price is set).
double CostUsd(const ProviderConfig& provider, std::string_view model, const Usage& usage);

class AiEngine {
 public:
  struct Options {
    KeyLookup keys;                            // required
    std::shared_ptr<HttpTransport> transport;  // null: libcurl
    Clock* clock = nullptr;                    // null: SystemClock()
    std::function<double()> random;            // [0, 1) for jitter; null: a seeded PRNG
    // OPENAI_BASE_URL: where openai providers without a base_url of their
    // own are called (see EffectiveBaseUrl); empty: OpenAI's public API.
    std::string openai_base_url;
  };

  // `tools` may be null (no agent tools) and must outlive the engine.
  AiEngine(AiConfig config, OfflineAnalyzer offline, const ToolRegistry* tools, Options options);

  // Produces a draft. Thread-safe; never throws for provider failures.
  DraftOutcome Draft(const DraftRequest& request);

  // Swaps in a new configuration (live reload). Calls already running finish
  // on the old one. Circuit state and counters survive for providers whose
  // name, kind and base URL stay.
  void Reconfigure(AiConfig config);

  // One entry per configured provider, in configuration order. Thread-safe.
  std::vector<ProviderStatus> Status() const;
  nlohmann::json StatusJson() const;

 private:
  struct Runtime;
  struct Snapshot;
  struct Link;

  std::shared_ptr<const Snapshot> Current() const;
  std::shared_ptr<Snapshot> Build(AiConfig config);
  std::optional<nlohmann::json> RunLink(const Snapshot& snapshot, const Link& link,
                                        const std::string& user_message, Clock::TimePoint deadline,
                                        DraftOutcome& outcome);
  ChatResult CallWithRetries(const Snapshot& snapshot, const Link& link, const ChatRequest& request,
                             Clock::TimePoint deadline, DraftOutcome& outcome);
  double Random();

  OfflineAnalyzer offline_;
  const ToolRegistry* tools_;
  Options options_;
  Clock& clock_;

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::map<std::string, std::shared_ptr<Runtime>, std::less<>> runtimes_;
  std::mutex random_mutex_;
  std::uint64_t random_state_;
};

}  // namespace ticketd::ai
