// The agent's tools (issue #4), defined once for the AI engine's agent loop
// and, unchanged, for the MCP server: search_knowledge_base,
// find_similar_tickets and categorize_issue. Handlers block (PostgreSQL) and
// run on the thread that drives the agent.
#pragma once

#include <optional>
#include <string>

#include "ai/tool_registry.hpp"
#include "storage/article_repository.hpp"
#include "storage/ticket_repository.hpp"

namespace ticketd::api {

// Whose tickets find_similar_tickets may name while a tool runs on this
// thread: a `user` sees only its own (an empty owner means every ticket,
// for staff). Without a scope the tool refuses to run, so a call that
// nobody vouched for never reveals a ticket.
class ToolCallerScope {
 public:
  explicit ToolCallerScope(std::optional<std::string> owner_id);
  ~ToolCallerScope();
  ToolCallerScope(const ToolCallerScope&) = delete;
  ToolCallerScope& operator=(const ToolCallerScope&) = delete;

  // The innermost scope of this thread, or nullptr.
  static const ToolCallerScope* Current();
  const std::optional<std::string>& owner_id() const { return owner_id_; }

 private:
  std::optional<std::string> owner_id_;
  const ToolCallerScope* previous_;
};

// A ticket is a likely duplicate when its title is at least kLikelyDuplicate
// alike (trigram similarity), or when it is reworded: titles at least
// kRelated alike and a text match (the share of the title's and keywords'
// words the ticket holds) of at least kRewordedDuplicate. A text match
// alone never makes a duplicate. Below kRelated alike and below
// kRelatedText in text a ticket is not worth naming at all.
constexpr double kLikelyDuplicate = 0.6;
constexpr double kRewordedDuplicate = 0.8;
constexpr double kRelated = 0.3;
// A text match alone relates tickets from this share: half of the words.
// Reports that only share a few common words ("laptop", "week") hold a
// quarter or less of them.
constexpr double kRelatedText = 0.5;

bool IsLikelyDuplicate(const storage::SimilarTicket& ticket);
bool IsRelated(const storage::SimilarTicket& ticket);

// One similar ticket as tools and ai_analysis.similar_tickets show it: {id,
// title, status, category, created_at, similarity (of the titles, 0..1),
// text_match (full-text rank, 0..1), likely_duplicate}.
nlohmann::json SimilarTicketJson(const storage::SimilarTicket& ticket);

// One knowledge base hit as tools and ai_analysis.knowledge_base_matches
// show it: {id, title, category, tags, rank (0..1), snippet}.
nlohmann::json ArticleMatchJson(const storage::ArticleHit& hit);

// The words of `text` worth searching for, joined for websearch_to_tsquery
// as alternatives ("printer or jams or floor"), at most `max_words`.
std::string AnyWordQuery(std::string_view text, std::size_t max_words = 12);

struct AgentToolDeps {
  storage::ArticleRepository& articles;
  storage::TicketRepository& tickets;
  std::size_t max_input_chars = 50'000;  // categorize_issue's limit
};

// Adds the three tools to `registry`; `deps` must outlive it. Throws
// std::logic_error when a definition is refused (a programming error).
void AddAgentTools(ai::ToolRegistry& registry, AgentToolDeps deps);

}  // namespace ticketd::api
