#include "ai/ai_engine.hpp"

#include <deque>

#include "ai/ticket_draft.hpp"
#include "common/log.hpp"
#include "domain/time_format.hpp"

namespace ticketd::ai {

using nlohmann::json;

// Counters and breaker of one provider; shared across configuration versions.
struct AiEngine::Runtime {
  Runtime(std::string identity_in, CircuitConfig circuit, Clock& clock)
      : identity(std::move(identity_in)), breaker(circuit, clock) {}

  void Record(const CallRecord& call, const ProviderError* error, Clock& clock) {
    std::lock_guard lock(mutex);
    ++calls;
    input_tokens += call.usage.input_tokens;
    output_tokens += call.usage.output_tokens;
    cost_usd += call.cost_usd;
    if (error == nullptr) {
      ++successes;
      return;
    }
    ++failures;
    errors.push_back({domain::FormatUtc(clock.WallNow()), std::string(ToString(error->kind)),
                      error->http_status, error->message.substr(0, 300)});
    while (errors.size() > ProviderStatus::kMaxRecentErrors)
      errors.pop_front();
  }

  // Problems found without a call (an invalid answer, a missing key).
  void Note(ErrorKind kind, std::string message, Clock& clock) {
    std::lock_guard lock(mutex);
    errors.push_back({domain::FormatUtc(clock.WallNow()), std::string(ToString(kind)), 0,
                      message.substr(0, 300)});
    while (errors.size() > ProviderStatus::kMaxRecentErrors)
      errors.pop_front();
  }

  const std::string identity;
  CircuitBreaker breaker;
  std::mutex mutex;
  std::int64_t calls = 0;
  std::int64_t successes = 0;
  std::int64_t failures = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0;
  std::deque<RecentError> errors;
};

struct AiEngine::Link {
  ProviderConfig config;
  std::shared_ptr<Provider> provider;
  std::shared_ptr<Runtime> runtime;
  bool key_present = true;
  bool in_chain = false;
};

struct AiEngine::Snapshot {
  AiConfig config;
  std::vector<Link> providers;     // configuration order
  std::vector<std::size_t> chain;  // indexes into providers, fallback order
};

namespace {

constexpr std::string_view kComponent = "ai";

std::string Identity(const ProviderConfig& provider) {
  return std::string(ToString(provider.kind)) + "|" + EffectiveBaseUrl(provider);
}

std::string ErrorsText(const domain::FieldErrors& errors) {
  json list = json::array();
  for (const auto& error : errors)
    list.push_back({{"path", error.path}, {"reason", error.reason}});
  return list.dump();
}

// The corrective turn: the validation errors go back to the model.
std::string CorrectiveMessage(const domain::FieldErrors& errors) {
  return "Your answer does not match the required ticket JSON schema. Validation errors: " +
         ErrorsText(errors) +
         ". Answer again with only the corrected JSON object, with every required member.";
}

std::string UserMessage(const DraftRequest& request, const RedactionConfig& redaction,
                        RedactionCounts& counts) {
  auto text = Redact(request.user_text, redaction);
  counts = text.counts;
  if (request.context.is_null() || (request.context.is_object() && request.context.empty()))
    return text.text;
  auto context = Redact(request.context.dump(), redaction);
  counts.emails += context.counts.emails;
  counts.phones += context.counts.phones;
  counts.cards += context.counts.cards;
  counts.tokens += context.counts.tokens;
  counts.passwords += context.counts.passwords;
  return "Page context (JSON):\n" + context.text + "\n\nProblem description:\n" + text.text;
}

json CountsJson(const RedactionCounts& counts) {
  return {{"emails", counts.emails},
          {"phones", counts.phones},
          {"cards", counts.cards},
          {"tokens", counts.tokens},
          {"passwords", counts.passwords}};
}

}  // namespace

double CostUsd(const ProviderConfig& provider, std::string_view model, const Usage& usage) {
  auto price = provider.prices.find(std::string(model));
  if (price == provider.prices.end()) price = provider.prices.find(provider.model);
  if (price == provider.prices.end()) return 0;
  return (static_cast<double>(usage.input_tokens) * price->second.input_per_1m_usd +
          static_cast<double>(usage.output_tokens) * price->second.output_per_1m_usd) /
         1'000'000.0;
}

json DraftOutcome::AnalysisJson() const {
  json fallback_list = json::array();
  // The detail (a provider's own error text, a host it could not reach)
  // stays in the log and the staff-only provider status: the ticket is shown
  // to the person who filed it.
  for (const auto& fallback : fallbacks)
    fallback_list.push_back({{"provider", fallback.provider}, {"reason", fallback.reason}});
  json tool_list = json::array();
  for (const auto& tool : tools)
    tool_list.push_back({{"provider", tool.provider}, {"name", tool.name}, {"ok", tool.ok}});
  return {{"model", model},
          {"provider", provider},
          {"usage",
           {{"input_tokens", usage.input_tokens},
            {"output_tokens", usage.output_tokens},
            {"cost_usd", cost_usd}}},
          {"attempts", attempts},
          {"fallbacks", std::move(fallback_list)},
          {"tool_calls", std::move(tool_list)},
          {"redactions", CountsJson(redactions)}};
}

json ProviderStatus::ToJson() const {
  json errors = json::array();
  for (const auto& error : recent_errors) {
    errors.push_back({{"at", error.at},
                      {"kind", error.kind},
                      {"http_status", error.http_status},
                      {"message", error.message}});
  }
  return {
      {"name", name},
      {"kind", kind},
      {"model", model},
      {"circuit", circuit},
      {"key_present", key_present},
      {"in_chain", in_chain},
      {"calls", calls},
      {"successes", successes},
      {"failures", failures},
      {"usage",
       {{"input_tokens", input_tokens}, {"output_tokens", output_tokens}, {"cost_usd", cost_usd}}},
      {"recent_errors", std::move(errors)}};
}

AiEngine::AiEngine(AiConfig config, OfflineAnalyzer offline, const ToolRegistry* tools,
                   Options options)
    : offline_(std::move(offline)),
      tools_(tools),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : SystemClock()),
      random_state_(
          static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) |
          1) {
  if (!options_.transport) options_.transport = MakeCurlTransport();
  auto snapshot = Build(std::move(config));
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<AiEngine::Snapshot> AiEngine::Build(AiConfig config) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->config = std::move(config);
  std::lock_guard lock(mutex_);
  std::map<std::string, std::shared_ptr<Runtime>, std::less<>> runtimes;
  for (const auto& provider : snapshot->config.providers) {
    Link link;
    link.config = provider;
    // Resolved here rather than in the stored configuration, so that the
    // document admins read and write keeps saying what they chose.
    link.config.base_url = EffectiveBaseUrl(provider, options_.openai_base_url);
    std::string key;
    if (!provider.api_key_env.empty()) {
      const auto value = options_.keys ? options_.keys(provider.api_key_env) : std::nullopt;
      link.key_present = value.has_value() && !value->empty();
      if (link.key_present) key = *value;
    }
    link.provider = MakeProvider(link.config, std::move(key), options_.transport);

    const auto identity = Identity(link.config);
    auto existing = runtimes_.find(provider.name);
    if (existing != runtimes_.end() && existing->second->identity == identity) {
      link.runtime = existing->second;
      link.runtime->breaker.Reconfigure(snapshot->config.circuit);
    } else {
      link.runtime = std::make_shared<Runtime>(identity, snapshot->config.circuit, clock_);
    }
    runtimes[provider.name] = link.runtime;
    snapshot->providers.push_back(std::move(link));
  }
  for (const auto& name : snapshot->config.fallback_chain) {
    for (std::size_t i = 0; i < snapshot->providers.size(); ++i) {
      if (snapshot->providers[i].config.name == name) {
        snapshot->chain.push_back(i);
        snapshot->providers[i].in_chain = true;
      }
    }
  }
  runtimes_ = std::move(runtimes);
  return snapshot;
}

void AiEngine::Reconfigure(AiConfig config) {
  auto snapshot = Build(std::move(config));
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<const AiEngine::Snapshot> AiEngine::Current() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

double AiEngine::Random() {
  if (options_.random) return options_.random();
  std::lock_guard lock(random_mutex_);
  // xorshift64*: jitter needs spread, not cryptographic strength.
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  const std::uint64_t value = random_state_ * 2685821657736338717ULL;
  return static_cast<double>(value >> 11) / static_cast<double>(1ULL << 53);
}

DraftOutcome AiEngine::Draft(const DraftRequest& request) {
  const auto snapshot = Current();
  DraftOutcome outcome;
  const auto deadline =
      clock_.Now() + std::chrono::milliseconds(snapshot->config.agent.deadline_ms);

  if (!snapshot->chain.empty()) {
    const auto user_message = UserMessage(request, snapshot->config.redaction, outcome.redactions);
    for (const auto index : snapshot->chain) {
      const auto& link = snapshot->providers[index];
      if (!link.key_present) {
        outcome.fallbacks.push_back({link.config.name, std::string(ToString(ErrorKind::kNoKey)),
                                     link.config.api_key_env + " is not set"});
        continue;
      }
      if (clock_.Now() >= deadline) {
        outcome.fallbacks.push_back({link.config.name, std::string(ToString(ErrorKind::kDeadline)),
                                     "the agent deadline passed before this provider was tried"});
        continue;
      }
      auto draft = RunLink(*snapshot, link, user_message, deadline, outcome);
      if (!draft) continue;
      outcome.draft = std::move(*draft);
      outcome.provider = link.config.name;
      outcome.offline = false;
      return outcome;
    }
    log::Warn(kComponent, "every provider failed; the offline analyzer answers",
              {{"fallbacks", static_cast<int>(outcome.fallbacks.size())}});
  }

  outcome.draft = offline_(request.user_text);
  outcome.provider = "offline";
  outcome.model = "offline";
  outcome.offline = true;
  return outcome;
}

std::optional<json> AiEngine::RunLink(const Snapshot& snapshot, const Link& link,
                                      const std::string& user_message, Clock::TimePoint deadline,
                                      DraftOutcome& outcome) {
  ChatRequest request;
  request.system = snapshot.config.prompts.system;
  request.response_schema = TicketDraftSchema();
  request.messages.push_back({.role = ChatMessage::Role::kUser, .text = user_message});

  const bool have_tools = tools_ != nullptr && !tools_->Empty();
  const auto specs = have_tools ? tools_->Specs() : std::vector<ToolSpec>{};
  const int max_turns = snapshot.config.agent.max_iterations;
  bool corrective_pending = false;
  bool corrected = false;
  auto fail = [&](ErrorKind kind, std::string detail) -> std::optional<json> {
    outcome.fallbacks.push_back({link.config.name, std::string(ToString(kind)), std::move(detail)});
    return std::nullopt;
  };

  for (int turn = 0;; ++turn) {
    // The corrective retry is granted even when it needs one turn more.
    if (turn >= max_turns && !corrective_pending) {
      return fail(ErrorKind::kIterations,
                  "no answer within " + std::to_string(max_turns) + " model turns");
    }
    // The last turn (and the corrective one) offers no tools: it must answer.
    const bool offer_tools = have_tools && turn + 1 < max_turns && !corrective_pending;
    request.tools = offer_tools ? specs : std::vector<ToolSpec>{};
    corrective_pending = false;

    auto result = CallWithRetries(snapshot, link, request, deadline, outcome);
    if (auto* error = std::get_if<ProviderError>(&result)) return fail(error->kind, error->message);
    auto& reply = std::get<ChatReply>(result);

    if (!reply.tool_calls.empty() && offer_tools) {
      outcome.calls.back().outcome = "tool_calls";
      request.messages.push_back({.role = ChatMessage::Role::kAssistant,
                                  .text = reply.text,
                                  .tool_calls = reply.tool_calls});
      for (const auto& call : reply.tool_calls) {
        ToolOutcome ran;
        if (!call.arguments_error.empty()) {
          ran = {false, {{"error", call.arguments_error}}};
        } else {
          ran = tools_->Call(call.name, call.arguments);
        }
        outcome.tools.push_back({link.config.name, call.name, ran.ok,
                                 ran.ok ? std::string() : ran.content.value("error", "")});
        request.messages.push_back({.role = ChatMessage::Role::kTool,
                                    .text = ran.content.dump(),
                                    .tool_call_id = call.id,
                                    .tool_name = call.name,
                                    .tool_error = !ran.ok});
      }
      continue;
    }

    domain::FieldErrors errors;
    auto parsed = ExtractJsonObject(reply.text);
    if (!reply.tool_calls.empty()) {
      errors.push_back({"", "tools are not available on this turn; answer with the ticket JSON"});
    } else if (!parsed) {
      errors.push_back({"", "the answer is not a JSON object"});
    } else {
      errors = ValidateTicketDraft(*parsed);
    }
    if (errors.empty()) {
      outcome.model = reply.model;
      return parsed;
    }

    outcome.calls.back().outcome = "invalid_answer";
    link.runtime->Note(ErrorKind::kInvalidAnswer,
                       errors.front().path + ": " + errors.front().reason, clock_);
    if (corrected) {
      return fail(ErrorKind::kInvalidAnswer, "after the corrective retry: " + errors.front().path +
                                                 " " + errors.front().reason);
    }
    corrected = true;
    corrective_pending = true;
    request.messages.push_back({.role = ChatMessage::Role::kAssistant, .text = reply.text});
    request.messages.push_back(
        {.role = ChatMessage::Role::kUser, .text = CorrectiveMessage(errors)});
  }
}

ChatResult AiEngine::CallWithRetries(const Snapshot& snapshot, const Link& link,
                                     const ChatRequest& request, Clock::TimePoint deadline,
                                     DraftOutcome& outcome) {
  const int attempts = 1 + link.config.max_retries;
  for (int attempt = 1;; ++attempt) {
    const auto started = clock_.Now();
    if (started >= deadline) {
      return ProviderError{.kind = ErrorKind::kDeadline, .message = "the agent deadline passed"};
    }
    if (!link.runtime->breaker.Allow()) {
      return ProviderError{.kind = ErrorKind::kCircuitOpen,
                           .message = "the circuit is open after repeated failures"};
    }

    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - started);
    auto result = link.provider->Complete(request, remaining);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - started);

    CallRecord call{.provider = link.config.name,
                    .model = link.config.model,
                    .attempt = attempt,
                    .duration_ms = elapsed.count()};
    ++outcome.attempts;
    if (auto* reply = std::get_if<ChatReply>(&result)) {
      call.outcome = "ok";
      call.model = reply->model;
      call.usage = reply->usage;
      call.cost_usd = CostUsd(link.config, reply->model, reply->usage);
      outcome.usage += reply->usage;
      outcome.cost_usd += call.cost_usd;
      link.runtime->breaker.RecordSuccess();
      link.runtime->Record(call, nullptr, clock_);
      outcome.calls.push_back(std::move(call));
      return result;
    }

    auto& error = std::get<ProviderError>(result);
    call.outcome = std::string(ToString(error.kind));
    call.http_status = error.http_status;
    link.runtime->breaker.RecordFailure();
    link.runtime->Record(call, &error, clock_);
    outcome.calls.push_back(std::move(call));
    log::Warn(kComponent, "provider call failed",
              {{"provider", link.config.name},
               {"kind", ToString(error.kind)},
               {"http_status", error.http_status},
               {"attempt", attempt}});
    if (!error.Retryable() || attempt >= attempts) return result;

    const auto delay = BackoffDelay(attempt, snapshot.config.retry, Random(), error.retry_after);
    if (clock_.Now() + delay >= deadline) return result;
    clock_.SleepFor(delay);
  }
}

std::vector<ProviderStatus> AiEngine::Status() const {
  const auto snapshot = Current();
  std::vector<ProviderStatus> out;
  for (const auto& link : snapshot->providers) {
    ProviderStatus status;
    status.name = link.config.name;
    status.kind = std::string(ToString(link.config.kind));
    status.model = link.config.model;
    status.circuit = std::string(ToString(link.runtime->breaker.State()));
    status.key_present = link.key_present;
    status.in_chain = link.in_chain;
    {
      std::lock_guard lock(link.runtime->mutex);
      status.calls = link.runtime->calls;
      status.successes = link.runtime->successes;
      status.failures = link.runtime->failures;
      status.input_tokens = link.runtime->input_tokens;
      status.output_tokens = link.runtime->output_tokens;
      status.cost_usd = link.runtime->cost_usd;
      status.recent_errors.assign(link.runtime->errors.begin(), link.runtime->errors.end());
    }
    out.push_back(std::move(status));
  }
  return out;
}

json AiEngine::StatusJson() const {
  const auto snapshot = Current();
  json providers = json::array();
  for (const auto& status : Status())
    providers.push_back(status.ToJson());
  json chain = snapshot->config.fallback_chain;
  chain.push_back("offline");
  return {{"providers", std::move(providers)}, {"fallback_chain", std::move(chain)}};
}

}  // namespace ticketd::ai
