// The AI endpoints (issue #4): POST /api/v1/tickets/ai-create (a person's
// words become a ticket), POST /api/v1/ai/categorize (the same analysis,
// nothing stored) and GET /api/v1/ai/agents/status (providers, circuits,
// recent errors). Drafting blocks (providers over HTTP, tools on
// PostgreSQL) and runs on its own thread pool.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>

#include "ai/ai_engine.hpp"
#include "analysis/analyzer.hpp"
#include "api/live_ai_config.hpp"
#include "http/router.hpp"
#include "storage/article_repository.hpp"
#include "storage/ticket_repository.hpp"

namespace ticketd::api {

// A decoded ai-create or categorize body.
struct AiCreateRequest {
  std::string user_input;
  nlohmann::json conversation_context = nlohmann::json::array();
  nlohmann::json user_preferences = nlohmann::json::object();
  std::optional<std::string> integration_preference;
  nlohmann::json page_context = nlohmann::json::object();  // url, title, user_agent...
};

// user_input is required, not blank and at most `max_chars` code points;
// uploaded_files must be empty until uploads exist; conversation_context is
// at most 50 objects; user_preferences and page_context are objects;
// integration_preference a string or null. One error per wrong member.
domain::FieldErrors DecodeAiCreateRequest(const nlohmann::json& body, std::size_t max_chars,
                                          AiCreateRequest& out);

// What the engine's draft and the offline analysis say the ticket is.
struct TicketProposal {
  nlohmann::json fields;          // a POST /api/v1/tickets body
  nlohmann::json ai_analysis;     // the AiAnalysis schema, plus provider, usage...
  nlohmann::json offline_fields;  // what the offline analysis alone proposes
};

// Pure. A provider's draft decides the fields it gives; the offline analysis
// fills the rest of ai_analysis (keywords, effort, structured description).
// When the engine answered offline, the analysis alone decides. Either way
// the description ends with the person's own words (`original`), so that
// nothing they wrote is lost or unsearchable.
TicketProposal ProposeTicket(const ai::DraftOutcome& outcome, const analysis::Analysis& offline,
                             std::string_view original);

// `description` followed by the original report under its own heading, the
// report cut (and marked so) where both would exceed the description limit.
std::string WithOriginalReport(std::string description, std::string_view original);

// The engine's offline link: the analyzer's draft of `text`.
nlohmann::json OfflineDraft(const std::string& text, std::size_t max_chars);

struct AiRouteDeps {
  ai::AiEngine& engine;
  LiveAiConfig& live;
  storage::TicketRepository& tickets;
  storage::ArticleRepository& articles;
  boost::asio::thread_pool& drafting;  // blocking AI work
  std::size_t max_input_chars = 50'000;
};

void AddAiRoutes(http::Router& router, AiRouteDeps deps);

}  // namespace ticketd::api
