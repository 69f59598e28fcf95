// The pure parts of the AI endpoints: request decoding, the configuration
// change body, the proposal merging a provider's draft with the offline
// analysis, and the search helpers of the agent tools.
#include <gtest/gtest.h>

#include "api/agent_tools.hpp"
#include "api/ai_config_routes.hpp"
#include "api/ai_routes.hpp"
#include "domain/ticket_json.hpp"
#include "domain/time_format.hpp"

namespace ticketd::api {
namespace {

using nlohmann::json;

std::vector<std::string> Paths(const domain::FieldErrors& errors) {
  std::vector<std::string> paths;
  for (const auto& error : errors)
    paths.push_back(error.path);
  return paths;
}

TEST(DecodeAiCreateRequest, TakesEveryMemberOfTheContract) {
  AiCreateRequest request;
  const auto errors = DecodeAiCreateRequest(
      {{"user_input", "The export button does nothing"},
       {"uploaded_files", json::array()},
       {"conversation_context", json::array({{{"role", "user"}, {"content", "hi"}}})},
       {"user_preferences", {{"language", "en"}}},
       {"integration_preference", "jira"},
       {"page_context", {{"url", "https://app.example.com/export"}}}},
      50'000, request);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(request.user_input, "The export button does nothing");
  EXPECT_EQ(request.conversation_context.size(), 1u);
  EXPECT_EQ(request.user_preferences.at("language"), "en");
  EXPECT_EQ(request.integration_preference, "jira");
  EXPECT_EQ(request.page_context.at("url"), "https://app.example.com/export");
}

TEST(DecodeAiCreateRequest, NullMembersMeanAbsent) {
  AiCreateRequest request;
  EXPECT_TRUE(DecodeAiCreateRequest({{"user_input", "x"},
                                     {"uploaded_files", nullptr},
                                     {"integration_preference", nullptr},
                                     {"user_preferences", nullptr}},
                                    10, request)
                  .empty());
  EXPECT_FALSE(request.integration_preference);
}

struct BadBody {
  const char* name;
  json body;
  const char* path;
};

class DecodeAiCreateRequestRefuses : public ::testing::TestWithParam<BadBody> {};

TEST_P(DecodeAiCreateRequestRefuses, NamingTheMember) {
  AiCreateRequest request;
  const auto errors = DecodeAiCreateRequest(GetParam().body, 20, request);
  const auto paths = Paths(errors);
  EXPECT_NE(std::find(paths.begin(), paths.end(), GetParam().path), paths.end())
      << GetParam().body.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeAiCreateRequestRefuses,
    ::testing::Values(
        BadBody{"missing", json::object(), "user_input"},
        BadBody{"null", {{"user_input", nullptr}}, "user_input"},
        BadBody{"number", {{"user_input", 5}}, "user_input"},
        BadBody{"blank", {{"user_input", " \t\n"}}, "user_input"},
        BadBody{"too_long", {{"user_input", std::string(21, 'a')}}, "user_input"},
        BadBody{"too_long_in_code_points", {{"user_input", "ééééééééééééééééééééé"}}, "user_input"},
        BadBody{"files", {{"user_input", "x"}, {"uploaded_files", {"id"}}}, "uploaded_files"},
        BadBody{"files_type", {{"user_input", "x"}, {"uploaded_files", "id"}}, "uploaded_files"},
        BadBody{"turn",
                {{"user_input", "x"}, {"conversation_context", {1}}},
                "conversation_context[0]"},
        BadBody{
            "turns", {{"user_input", "x"}, {"conversation_context", "x"}}, "conversation_context"},
        BadBody{
            "preferences", {{"user_input", "x"}, {"user_preferences", "x"}}, "user_preferences"},
        BadBody{"page", {{"user_input", "x"}, {"page_context", 1}}, "page_context"},
        BadBody{"integration",
                {{"user_input", "x"}, {"integration_preference", 1}},
                "integration_preference"},
        BadBody{"unknown", {{"user_input", "x"}, {"priority", "high"}}, "priority"},
        BadBody{"not_object", json::array(), "body"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DecodeAiCreateRequest, ExactlyTheLimitIsAccepted) {
  AiCreateRequest request;
  EXPECT_TRUE(DecodeAiCreateRequest({{"user_input", "éééé"}}, 4, request).empty());
  EXPECT_FALSE(DecodeAiCreateRequest({{"user_input", "ééééé"}}, 4, request).empty());
}

TEST(DecodeAiConfigChange, ErrorsOfTheConfigurationSitUnderConfig) {
  ai::AiConfig config;
  std::optional<std::string> comment;
  const json body = {{"config",
                      {{"providers", {{{"name", "a"}, {"kind", "nope"}, {"model", "m"}}}},
                       {"fallback_chain", {"a", "ghost"}}}},
                     {"comment", "try"}};
  const auto paths = Paths(DecodeAiConfigChange(body, config, comment));
  EXPECT_NE(std::find(paths.begin(), paths.end(), "config.providers[0].kind"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "config.fallback_chain[1]"), paths.end());
}

TEST(DecodeAiConfigChange, AcceptsAValidDocumentAndItsComment) {
  ai::AiConfig config;
  std::optional<std::string> comment;
  const json body = {{"config", {{"agent", {{"max_iterations", 2}, {"deadline_ms", 5000}}}}},
                     {"comment", "two turns"}};
  EXPECT_TRUE(DecodeAiConfigChange(body, config, comment).empty());
  EXPECT_EQ(config.agent.max_iterations, 2);
  EXPECT_EQ(comment, "two turns");
}

TEST(DecodeAiConfigChange, RefusesAMissingConfigALongCommentAndStrangers) {
  ai::AiConfig config;
  std::optional<std::string> comment;
  EXPECT_EQ(Paths(DecodeAiConfigChange({{"comment", "x"}}, config, comment)),
            std::vector<std::string>{"config"});
  EXPECT_EQ(Paths(DecodeAiConfigChange({{"config", json::array()}}, config, comment)),
            std::vector<std::string>{"config"});
  const auto long_comment = Paths(DecodeAiConfigChange(
      {{"config", json::object()}, {"comment", std::string(501, 'c')}}, config, comment));
  EXPECT_EQ(long_comment, std::vector<std::string>{"comment"});
  EXPECT_EQ(Paths(DecodeAiConfigChange({{"config", json::object()}, {"x", 1}}, config, comment)),
            std::vector<std::string>{"x"});
}

TEST(AnyWordQuery, JoinsDistinctWordsAsAlternatives) {
  EXPECT_EQ(AnyWordQuery("The VPN drops; the VPN-client says: error 809!"),
            "the or vpn or drops or client or says or error or 809");
  EXPECT_EQ(AnyWordQuery("a an or -- !!"), "");
  EXPECT_EQ(AnyWordQuery("one two three four", 2), "one or two");
  EXPECT_EQ(AnyWordQuery("Größe ändern"), "größe or ändern");
}

TEST(SimilarTicketJson, OnlyTheTitlesMakeADuplicate) {
  storage::SimilarTicket near{
      .id = "a", .title = "VPN drops", .title_similarity = 0.8, .text_rank = 0.1};
  storage::SimilarTicket wordy{
      .id = "b", .title = "Other", .title_similarity = 0.2, .text_rank = 0.9};
  EXPECT_EQ(SimilarTicketJson(near).at("similarity"), 0.8);
  EXPECT_TRUE(SimilarTicketJson(near).at("likely_duplicate").get<bool>());
  EXPECT_EQ(SimilarTicketJson(wordy).at("similarity"), 0.2);
  EXPECT_EQ(SimilarTicketJson(wordy).at("text_match"), 0.9);
  EXPECT_FALSE(SimilarTicketJson(wordy).at("likely_duplicate").get<bool>());
  storage::SimilarTicket edge{.id = "c", .title = "x", .title_similarity = kLikelyDuplicate};
  EXPECT_TRUE(SimilarTicketJson(edge).at("likely_duplicate").get<bool>());
  // Reworded: titles somewhat alike, texts very alike.
  storage::SimilarTicket reworded{
      .id = "d", .title = "y", .title_similarity = 0.38, .text_rank = 0.94};
  EXPECT_TRUE(IsLikelyDuplicate(reworded));
  storage::SimilarTicket unrelated_title{
      .id = "e", .title = "z", .title_similarity = 0.1, .text_rank = 0.95};
  EXPECT_FALSE(IsLikelyDuplicate(unrelated_title));
  EXPECT_TRUE(IsRelated(unrelated_title));
  storage::SimilarTicket noise{
      .id = "f", .title = "w", .title_similarity = 0.01, .text_rank = 0.05};
  EXPECT_FALSE(IsRelated(noise));
  EXPECT_FALSE(IsLikelyDuplicate(noise));
  // Shared product words alone: a text match below kRelatedText.
  storage::SimilarTicket same_product{
      .id = "g", .title = "v", .title_similarity = 0.12, .text_rank = 0.444};
  EXPECT_FALSE(IsRelated(same_product));
  storage::SimilarTicket edge_text{
      .id = "h", .title = "u", .title_similarity = 0.0, .text_rank = kRelatedText};
  EXPECT_TRUE(IsRelated(edge_text));
}

TEST(WithOriginalReport, KeepsThePersonsWordsWithinTheLimit) {
  EXPECT_EQ(WithOriginalReport("## Summary\n\nx", "raw words"),
            "## Summary\n\nx\n\n## Original report\n\nraw words");
  const std::string long_report(domain::kDescriptionMax, 'a');
  const auto cut = WithOriginalReport("summary", long_report);
  EXPECT_EQ(domain::CodePointCount(cut), domain::kDescriptionMax);
  EXPECT_TRUE(cut.ends_with("(cut at the description limit)"));
  const auto utf8 = WithOriginalReport("s", std::string(99'990, 'y') + "ééééééééééééééé");
  EXPECT_LE(domain::CodePointCount(utf8), domain::kDescriptionMax);
  EXPECT_TRUE(domain::IsStorableText(utf8));
}

analysis::Analysis Analysed(const std::string& text) {
  return std::get<analysis::Analysis>(analysis::Analyze({.text = text}));
}

constexpr const char* kCrash = "The app crashes with a segmentation fault when I open settings";

TEST(ProposeTicket, OfflineOutcomeUsesTheAnalysis) {
  const auto offline = Analysed(kCrash);
  ai::DraftOutcome outcome;  // offline by default
  const auto proposal = ProposeTicket(outcome, offline, kCrash);
  const std::string description = proposal.fields.at("description");
  EXPECT_TRUE(description.ends_with(std::string("## Original report\n\n") + kCrash)) << description;
  EXPECT_EQ(proposal.fields.at("title"), offline.title.value);
  EXPECT_EQ(proposal.fields.at("category"), offline.category.value);
  EXPECT_EQ(proposal.fields, proposal.offline_fields);
  EXPECT_EQ(proposal.ai_analysis.at("model"), "offline");
  EXPECT_TRUE(proposal.ai_analysis.contains("fields"));
}

TEST(ProposeTicket, ProviderDraftDecidesItsFieldsAndKeepsTheOfflineRest) {
  const auto offline = Analysed(kCrash);
  ai::DraftOutcome outcome;
  outcome.offline = false;
  outcome.provider = "openai";
  outcome.model = "gpt-test";
  outcome.draft = {{"title", "Settings crash"},
                   {"description", "Opening settings crashes the app."},
                   {"category", "bug"},
                   {"priority", "high"},
                   {"urgency", "medium"},
                   {"subcategory", ""},
                   {"department", "Engineering"},
                   {"tags", {"crash"}},
                   {"summary", "Crash"},
                   {"steps_to_reproduce", {"Open settings"}},
                   {"expected_behavior", nullptr},
                   {"actual_behavior", "Crash"},
                   {"environment", nullptr},
                   {"error_messages", json::array()},
                   {"language", "en"},
                   {"confidence", 0.8},
                   {"reasoning", "A crash"}};
  const auto proposal = ProposeTicket(outcome, offline, kCrash);
  EXPECT_EQ(proposal.fields.at("title"), "Settings crash");
  EXPECT_EQ(proposal.fields.at("description"),
            std::string("Opening settings crashes the app.\n\n## Original report\n\n") + kCrash);
  EXPECT_TRUE(proposal.fields.at("subcategory").is_null());
  EXPECT_EQ(proposal.fields.at("department"), "Engineering");
  const auto& ai = proposal.ai_analysis;
  EXPECT_EQ(ai.at("model"), "gpt-test");
  EXPECT_EQ(ai.at("provider"), "openai");
  EXPECT_EQ(ai.at("confidence_score"), 0.8);
  EXPECT_EQ(ai.at("suggested_priority"), "high");
  EXPECT_EQ(ai.at("fields").at("priority").at("value"), "high");
  EXPECT_EQ(ai.at("keywords"), analysis::ToAiAnalysisJson(offline).at("keywords"));
  EXPECT_EQ(proposal.offline_fields.at("title"), offline.title.value);
}

}  // namespace
}  // namespace ticketd::api
