#include "api/ai_routes.hpp"

#include <array>
#include <chrono>

#include "analysis/batch.hpp"
#include "api/agent_tools.hpp"
#include "api/authentication.hpp"
#include "api/reply.hpp"
#include "common/log.hpp"
#include "domain/access.hpp"
#include "domain/account_requests.hpp"
#include "domain/ticket_json.hpp"
#include "domain/time_format.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;
using nlohmann::json;

constexpr std::size_t kMaxConversationItems = 50;
constexpr std::size_t kMaxIntegrationName = 100;
constexpr int kSimilarLimit = 5;
constexpr int kArticleLimit = 3;
// Below this rank an article shares a word or two with the text, no more.
constexpr double kMinArticleRank = 0.2;
constexpr double kMinOtherKindArticleRank = 0.5;

// "" stands for "none" in the analyzer's and some models' answers.
json Nullable(const json& value) {
  return value.is_string() && value.get_ref<const std::string&>().empty() ? json() : value;
}

// The model's choice of one field, as ai_analysis.fields shows it.
json ModelDecision(const json& value, double confidence, const ai::DraftOutcome& outcome) {
  return {{"value", value},
          {"confidence", confidence},
          {"signals", json::array({"chosen by " + outcome.provider + " (" + outcome.model + ")"})}};
}

std::string Now() {
  return domain::FormatUtc(std::chrono::system_clock::now());
}

// Staff see every ticket; everyone else only their own.
std::optional<std::string> SimilarScope(const http::Principal& principal) {
  if (domain::Allows(principal.role, domain::Action::kTicketReadAll)) return std::nullopt;
  return principal.id;
}

json IntegrationRouting(const AiCreateRequest& request) {
  if (!request.integration_preference) return nullptr;
  return {{"recommended_integration", *request.integration_preference},
          {"routing_confidence", 1.0},
          {"routed", false},
          {"reason", "no integration is configured yet; the ticket stays in this service"}};
}

}  // namespace

domain::FieldErrors DecodeAiCreateRequest(const json& body, std::size_t max_chars,
                                          AiCreateRequest& out) {
  domain::FieldErrors errors;
  static constexpr std::array<std::string_view, 6> kKnown = {
      "user_input",       "uploaded_files",         "conversation_context",
      "user_preferences", "integration_preference", "page_context"};
  if (!domain::CheckMembers(body, kKnown, errors)) return errors;

  if (const auto input = body.find("user_input"); input == body.end() || input->is_null()) {
    errors.push_back({"user_input", "is required"});
  } else if (!input->is_string()) {
    errors.push_back({"user_input", "must be a string"});
  } else if (domain::IsBlank(input->get_ref<const std::string&>())) {
    errors.push_back({"user_input", "must not be blank"});
  } else if (auto text = domain::DecodeText(*input, "user_input", 0, errors)) {
    if (const auto length = domain::CodePointCount(*text); length > max_chars) {
      errors.push_back({"user_input", "has " + std::to_string(length) + " characters; at most " +
                                          std::to_string(max_chars) + " are accepted"});
    } else {
      out.user_input = std::move(*text);
    }
  }

  if (const auto files = body.find("uploaded_files"); files != body.end() && !files->is_null()) {
    if (!files->is_array()) {
      errors.push_back({"uploaded_files", "must be a list of upload ids"});
    } else if (!files->empty()) {
      errors.push_back({"uploaded_files",
                        "file uploads are not available yet; send an empty list or leave it out"});
    }
  }
  if (const auto turns = body.find("conversation_context");
      turns != body.end() && !turns->is_null()) {
    if (!turns->is_array() || turns->size() > kMaxConversationItems) {
      errors.push_back(
          {"conversation_context",
           "must be a list of at most " + std::to_string(kMaxConversationItems) + " objects"});
    } else {
      for (std::size_t i = 0; i < turns->size(); ++i) {
        if (!(*turns)[i].is_object()) {
          errors.push_back(
              {"conversation_context[" + std::to_string(i) + "]", "must be an object"});
        }
      }
      out.conversation_context = *turns;
    }
  }
  for (const auto* name : {"user_preferences", "page_context"}) {
    const auto found = body.find(name);
    if (found == body.end() || found->is_null()) continue;
    if (!found->is_object()) {
      errors.push_back({name, "must be an object"});
    } else {
      (std::string_view(name) == "page_context" ? out.page_context : out.user_preferences) = *found;
    }
  }
  if (const auto integration = body.find("integration_preference");
      integration != body.end() && !integration->is_null()) {
    out.integration_preference =
        domain::DecodeText(*integration, "integration_preference", kMaxIntegrationName, errors);
  }
  return errors;
}

json OfflineDraft(const std::string& text, std::size_t max_chars) {
  const auto result = analysis::Analyze({.text = text}, {.max_input_chars = max_chars});
  if (const auto* error = std::get_if<analysis::AnalysisError>(&result)) {
    return {{"error", error->reason}};
  }
  return analysis::TicketFieldsJson(std::get<analysis::Analysis>(result));
}

std::string WithOriginalReport(std::string description, std::string_view original) {
  constexpr std::string_view kHeading = "\n\n## Original report\n\n";
  constexpr std::string_view kCut = "\n\n(cut at the description limit)";
  const std::size_t used = domain::CodePointCount(description) + kHeading.size() + kCut.size();
  if (used >= domain::kDescriptionMax) return description;
  const std::size_t room = domain::kDescriptionMax - used;
  description += kHeading;
  if (domain::CodePointCount(original) <= room) {
    description += original;
    return description;
  }
  // Cut at a code point boundary after `room` code points.
  std::size_t points = 0;
  std::size_t end = 0;
  while (end < original.size() && points < room) {
    ++end;
    while (end < original.size() && (static_cast<unsigned char>(original[end]) & 0xC0) == 0x80)
      ++end;
    ++points;
  }
  description += original.substr(0, end);
  description += kCut;
  return description;
}

TicketProposal ProposeTicket(const ai::DraftOutcome& outcome, const analysis::Analysis& offline,
                             std::string_view original) {
  const auto offline_fields = analysis::TicketFieldsJson(offline);
  TicketProposal proposal;
  proposal.ai_analysis = offline_fields.at("ai_analysis");
  auto& ai = proposal.ai_analysis;

  proposal.offline_fields = {
      {"title", offline_fields.at("title")},
      {"description", WithOriginalReport(offline_fields.at("description"), original)},
      {"category", offline_fields.at("category")},
      {"priority", offline_fields.at("priority")},
      {"urgency", offline_fields.at("urgency")},
      {"subcategory", Nullable(offline_fields.at("subcategory"))},
      {"department", Nullable(offline_fields.at("department"))},
      {"tags", offline_fields.at("tags")}};
  if (outcome.offline) {
    proposal.fields = proposal.offline_fields;
  } else {
    const auto& draft = outcome.draft;
    const double confidence = draft.value("confidence", 0.5);
    proposal.fields = {{"title", draft.at("title")},
                       {"description", WithOriginalReport(draft.at("description"), original)},
                       {"category", draft.at("category")},
                       {"priority", draft.at("priority")},
                       {"urgency", draft.at("urgency")},
                       {"subcategory", Nullable(draft.at("subcategory"))},
                       {"department", Nullable(draft.at("department"))},
                       {"tags", draft.at("tags")}};
    ai["confidence_score"] = confidence;
    ai["reasoning"] = draft.value("reasoning", "");
    ai["suggested_category"] = draft.at("category");
    ai["suggested_priority"] = draft.at("priority");
    if (draft.at("language").is_string()) ai["language"] = draft.at("language");
    ai["title"] = draft.at("title");
    ai["tags"] = draft.at("tags");
    for (const auto* name :
         {"title", "category", "subcategory", "priority", "urgency", "department"}) {
      ai["fields"][name] = ModelDecision(draft.at(name), confidence, outcome);
    }
    auto& structured = ai["structured_description"];
    for (const auto* name : {"summary", "expected_behavior", "actual_behavior"}) {
      if (draft.at(name).is_string()) structured[name] = draft.at(name);
    }
    for (const auto* name : {"steps_to_reproduce", "error_messages"}) {
      if (!draft.at(name).empty()) structured[name] = draft.at(name);
    }
    if (draft.at("environment").is_string())
      structured["environment_text"] = draft.at("environment");
  }
  const auto engine_report = outcome.AnalysisJson();
  for (const auto& [key, value] : engine_report.items())
    ai[key] = value;
  return proposal;
}

namespace {

class AiRoutes {
 public:
  explicit AiRoutes(AiRouteDeps deps) : deps_(deps) {}

  awaitable<http::Response> Create(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kTicketCreate)) {
      co_return Refuse(context, *refused);
    }
    AiCreateRequest request;
    if (auto problem = Decode(context, request)) co_return Reply(context, *problem);
    const auto scope = SimilarScope(context.principal);
    const auto creator = context.principal.id;
    auto created = co_await Offload(deps_.drafting, [&]() -> std::variant<json, http::Problem> {
      auto proposal = Draft(request, scope);
      if (auto* problem = std::get_if<http::Problem>(&proposal)) return *problem;
      auto& [fields, ai_analysis, offline_fields] = std::get<TicketProposal>(proposal);
      domain::TicketChanges changes;
      if (auto errors = domain::DecodeChanges(fields, domain::BodyKind::kCreate, changes);
          !errors.empty()) {
        // A model's draft that our rules refuse (a tag with spaces, say):
        // the offline analysis decides the fields instead, and says why.
        ai_analysis["rejected_fields"] = json::array();
        for (const auto& error : errors)
          ai_analysis["rejected_fields"].push_back(
              {{"path", error.path}, {"reason", error.reason}});
        changes = {};
        if (auto offline_errors =
                domain::DecodeChanges(offline_fields, domain::BodyKind::kCreate, changes);
            !offline_errors.empty()) {
          log::Error("ai", "the offline analysis proposed fields our rules refuse",
                     {{"path", offline_errors[0].path}, {"reason", offline_errors[0].reason}});
          return http::InternalError();
        }
      }
      auto draft = domain::NewTicket(changes, creator);
      draft.ai_analysis = ai_analysis;
      const auto ticket = deps_.tickets.Create(draft, Now());
      return json{{"ticket", domain::ToJson(ticket, {})}, {"ai_analysis", ai_analysis}};
    });
    if (auto* problem = std::get_if<http::Problem>(&created)) co_return Reply(context, *problem);
    auto& answer = std::get<json>(created);
    const auto& ai = answer.at("ai_analysis");
    answer["integration_routing"] = IntegrationRouting(request);
    answer["confidence_score"] = ai.at("confidence_score");
    answer["suggested_actions"] = ai.at("suggested_actions");
    answer["file_analysis_summary"] = ai.at("file_analysis_summary");
    const std::string id = answer.at("ticket").at("id");
    auto response = Json(context, http::Status::created, answer);
    response.set(beast_http::field::location, "/api/v1/tickets/" + id);
    response.set(beast_http::field::etag, ETagOf(answer.at("ticket").at("version").get<int>()));
    co_return response;
  }

  awaitable<http::Response> Categorize(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kTicketCreate)) {
      co_return Refuse(context, *refused);
    }
    AiCreateRequest request;
    if (auto problem = Decode(context, request)) co_return Reply(context, *problem);
    const auto scope = SimilarScope(context.principal);
    auto proposal = co_await Offload(deps_.drafting, [&] { return Draft(request, scope); });
    if (auto* problem = std::get_if<http::Problem>(&proposal)) co_return Reply(context, *problem);
    const auto& [fields, ai_analysis, offline_fields] = std::get<TicketProposal>(proposal);
    co_return Json(context, http::Status::ok,
                   {{"ticket", fields},
                    {"ai_analysis", ai_analysis},
                    {"integration_routing", IntegrationRouting(request)},
                    {"confidence_score", ai_analysis.at("confidence_score")},
                    {"suggested_actions", ai_analysis.at("suggested_actions")}});
  }

  awaitable<http::Response> Status(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kStatsRead)) {
      co_return Refuse(context, *refused);
    }
    const auto snapshot = deps_.live.Current();
    json chain = json::array();
    for (const auto& name : snapshot->config.fallback_chain)
      chain.push_back(name);
    chain.push_back("offline");
    co_return Json(context, http::Status::ok,
                   {{"config_version", snapshot->version},
                    {"config_source", snapshot->source},
                    {"fallback_chain", chain},
                    {"providers", deps_.engine.StatusJson().at("providers")},
                    {"offline", {{"available", true}, {"model", "offline"}}},
                    {"agent",
                     {{"max_iterations", snapshot->config.agent.max_iterations},
                      {"deadline_ms", snapshot->config.agent.deadline_ms}}}});
  }

 private:
  std::optional<http::Problem> Decode(const http::RequestContext& context,
                                      AiCreateRequest& request) const {
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) return *problem;
    if (auto errors =
            DecodeAiCreateRequest(std::get<JsonBody>(body).value, deps_.max_input_chars, request);
        !errors.empty()) {
      return http::ValidationFailed(std::move(errors));
    }
    return std::nullopt;
  }

  // Runs on the drafting pool: offline analysis, the engine (providers and
  // tools, under the caller's scope), then duplicates and articles.
  std::variant<TicketProposal, http::Problem> Draft(const AiCreateRequest& request,
                                                    const std::optional<std::string>& scope) {
    const auto analyzed =
        analysis::Analyze({.text = request.user_input, .page_context = request.page_context},
                          {.max_input_chars = deps_.max_input_chars});
    if (const auto* error = std::get_if<analysis::AnalysisError>(&analyzed)) {
      return http::ValidationFailed({{error->path, error->reason}});
    }
    const auto& offline = std::get<analysis::Analysis>(analyzed);

    ToolCallerScope caller(scope);
    const auto outcome =
        deps_.engine.Draft({.user_text = request.user_input,
                            .context = {{"page", request.page_context},
                                        {"conversation", request.conversation_context},
                                        {"preferences", request.user_preferences}}});
    auto proposal = ProposeTicket(outcome, offline, request.user_input);
    auto& ai = proposal.ai_analysis;
    const std::string title = proposal.fields.at("title");
    // The title and the analyzer's keywords, not every word of the text:
    // common words would relate every ticket and article to every other.
    std::string keywords;
    for (const auto& keyword : offline.keywords)
      keywords += (keywords.empty() ? "" : " ") + keyword;
    try {
      json similar = json::array();
      json duplicates = json::array();
      for (const auto& ticket :
           deps_.tickets.FindSimilar(title, title + " " + keywords, scope, kSimilarLimit)) {
        if (!IsRelated(ticket)) continue;
        auto item = SimilarTicketJson(ticket);
        if (item.at("likely_duplicate").get<bool>()) duplicates.push_back(item.at("id"));
        similar.push_back(std::move(item));
      }
      ai["similar_tickets"] = similar;
      ai["likely_duplicates"] = duplicates;
      domain::ArticleQuery query;
      query.size = kArticleLimit;
      query.text = AnyWordQuery(title + " " + keywords, 16);
      json articles = json::array();
      if (!query.text->empty()) {
        // An article of another kind of problem needs a strong match: a
        // checkout outage shares "every" and "minutes" with the VPN article.
        const auto category = proposal.fields.value("category", std::string());
        for (const auto& hit : deps_.articles.List(query).items) {
          const auto rank = hit.rank.value_or(0.0);
          const bool same_kind = !hit.article.category.has_value() ||
                                 domain::ToString(*hit.article.category) == category;
          if (rank >= (same_kind ? kMinArticleRank : kMinOtherKindArticleRank)) {
            articles.push_back(ArticleMatchJson(hit));
          }
        }
      }
      ai["knowledge_base_matches"] = articles;
      if (!duplicates.empty()) {
        ai["suggested_actions"].push_back("Check ticket " + duplicates[0].get<std::string>() +
                                          ": it looks like the same problem");
      }
      if (!articles.empty()) {
        ai["suggested_actions"].push_back("Point to the article \"" +
                                          articles[0].at("title").get<std::string>() + "\"");
      }
    } catch (const std::exception& error) {
      // The ticket matters more than its neighbours: file it without them.
      log::Warn("ai", "similar tickets or articles could not be searched",
                {{"error", error.what()}});
    }
    return proposal;
  }

  AiRouteDeps deps_;
};

}  // namespace

void AddAiRoutes(http::Router& router, AiRouteDeps deps) {
  auto routes = std::make_shared<AiRoutes>(deps);
  const auto bind = [routes](auto method) -> http::Handler {
    return [routes, method](http::RequestContext& context) { return ((*routes).*method)(context); };
  };
  router.Add(http::Verb::post, "/api/v1/tickets/ai-create", bind(&AiRoutes::Create));
  router.Add(http::Verb::post, "/api/v1/ai/categorize", bind(&AiRoutes::Categorize));
  router.Add(http::Verb::get, "/api/v1/ai/agents/status", bind(&AiRoutes::Status));
}

}  // namespace ticketd::api
