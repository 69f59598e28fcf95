// Fuzzes what a language-model provider answers, which this service must not
// trust more than a client: a misconfigured base URL, a compromised
// OpenAI-compatible server or a model told what to say by the person's text
// all write it. The same body is read as an OpenAI, a Gemini and an
// Anthropic answer, then taken the way AiEngine and ai-create take it: the
// usage priced and added up over the turns of a draft, tool calls echoed
// back in the next request, the answer's JSON object lifted out of the text
// and checked against the draft schema, and a valid draft turned into ticket
// fields, decoded like a POST body and encoded with its ai_analysis. The
// first line of the body also stands for a Retry-After header on a 429.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "ai/ai_config.hpp"
#include "ai/ai_engine.hpp"
#include "ai/http_client.hpp"
#include "ai/provider.hpp"
#include "ai/ticket_draft.hpp"
#include "analysis/analyzer.hpp"
#include "api/ai_routes.hpp"
#include "domain/ticket.hpp"
#include "domain/ticket_json.hpp"

namespace {

namespace ai = ticketd::ai;
namespace analysis = ticketd::analysis;
namespace api = ticketd::api;
namespace domain = ticketd::domain;

// What the person wrote, and what the offline analyzer made of it: fixed, so
// that every input is judged against the same fallback.
constexpr std::string_view kOriginal = "Outlook crashes when I open a shared calendar.";
const std::string kCreatedBy = "00000000-0000-4000-8000-000000000001";

const analysis::Analysis& OfflineAnalysis() {
  static const analysis::Analysis offline =
      std::get<analysis::Analysis>(analysis::Analyze({.text = std::string(kOriginal)}));
  return offline;
}

ai::ProviderConfig ConfigFor(ai::ProviderKind kind) {
  ai::ProviderConfig config{.name = std::string(ai::ToString(kind)), .kind = kind, .model = "m"};
  // A price for the configured model and for one a body may name.
  config.prices = {{"m", {.input_per_1m_usd = 2.5, .output_per_1m_usd = 10}},
                   {"gpt-4o", {.input_per_1m_usd = 1e6, .output_per_1m_usd = 1e6}}};
  return config;
}

// The next turn's request, as the agent loop sends it after tool calls: the
// model's own turn echoed back, one result per call.
void EchoInNextRequest(const ai::ProviderConfig& config, const ai::ChatReply& reply) {
  ai::ChatRequest request{.system = "system prompt"};
  request.messages.push_back(
      {.role = ai::ChatMessage::Role::kUser, .text = std::string(kOriginal)});
  request.messages.push_back({.role = ai::ChatMessage::Role::kAssistant,
                              .text = reply.text,
                              .tool_calls = reply.tool_calls});
  for (const auto& call : reply.tool_calls) {
    request.messages.push_back(
        {.role = ai::ChatMessage::Role::kTool,
         .text = call.arguments_error.empty() ? call.arguments.dump() : "{\"error\":\"arguments\"}",
         .tool_call_id = call.id,
         .tool_name = call.name,
         .tool_error = !call.arguments_error.empty()});
  }
  request.response_schema = ai::TicketDraftSchema();
  switch (config.kind) {
    case ai::ProviderKind::kGemini:
      (void)ai::BuildGeminiRequest(config, "key", request);
      break;
    case ai::ProviderKind::kAnthropic:
      (void)ai::BuildAnthropicRequest(config, "key", request);
      break;
    default:
      (void)ai::BuildOpenAiRequest(config, "key", request);
  }
}

// What ai-create does with a draft that passed the schema.
void FileTicket(const ai::DraftOutcome& outcome) {
  auto proposal = api::ProposeTicket(outcome, OfflineAnalysis(), kOriginal);
  (void)proposal.ai_analysis.at("confidence_score");
  (void)proposal.ai_analysis.at("suggested_actions");

  // Fields the ticket rules refuse make the offline analysis decide instead.
  domain::TicketChanges changes;
  if (!domain::DecodeChanges(proposal.fields, domain::BodyKind::kCreate, changes).empty()) {
    changes = {};
    if (!domain::DecodeChanges(proposal.offline_fields, domain::BodyKind::kCreate, changes).empty())
      return;
  }
  auto ticket = domain::NewTicket(changes, kCreatedBy);
  ticket.ai_analysis = proposal.ai_analysis;
  (void)domain::ToJson(ticket, {}).dump();
}

void TakeReply(const ai::ProviderConfig& config, const ai::ChatReply& reply) {
  ai::DraftOutcome outcome{.provider = config.name, .model = reply.model, .offline = false};
  // A draft takes at least two turns when the first calls tools or is
  // corrected; each adds its usage.
  for (int turn = 0; turn < 2; ++turn) {
    outcome.calls.push_back({.provider = config.name,
                             .model = reply.model,
                             .attempt = 1,
                             .outcome = "ok",
                             .http_status = 200,
                             .usage = reply.usage,
                             .cost_usd = ai::CostUsd(config, reply.model, reply.usage)});
    outcome.usage += reply.usage;
    outcome.cost_usd += outcome.calls.back().cost_usd;
  }
  (void)outcome.AnalysisJson().dump();

  EchoInNextRequest(config, reply);

  const auto draft = ai::ExtractJsonObject(reply.text);
  if (!draft || !ai::ValidateTicketDraft(*draft).empty()) return;
  outcome.draft = *draft;
  FileTicket(outcome);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  constexpr std::array kKinds = {ai::ProviderKind::kOpenAi, ai::ProviderKind::kGemini,
                                 ai::ProviderKind::kAnthropic};
  for (const auto kind : kKinds) {
    const auto config = ConfigFor(kind);
    ai::ChatResult result;
    switch (kind) {
      case ai::ProviderKind::kGemini:
        result = ai::ParseGeminiResponse(body, config);
        break;
      case ai::ProviderKind::kAnthropic:
        result = ai::ParseAnthropicResponse(body, config);
        break;
      default:
        result = ai::ParseOpenAiResponse(body, config);
    }
    if (const auto* reply = std::get_if<ai::ChatReply>(&result)) TakeReply(config, *reply);
  }

  const ai::HttpResponse refused{.status = 429,
                                 .body = std::string(body),
                                 .retry_after = std::string(body.substr(0, body.find('\n')))};
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  (void)ai::ClassifyHttpFailure(refused, now);
  return 0;
}
