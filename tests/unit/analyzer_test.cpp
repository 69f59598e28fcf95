#include "analysis/analyzer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "accuracy/datasets.hpp"
#include "analysis/batch.hpp"
#include "analysis/category_model.hpp"
#include "analysis/text.hpp"

namespace ticketd::analysis {
namespace {

const std::set<std::string> kCategories = {"technical",   "billing",     "feature_request",
                                           "bug",         "user_access", "general",
                                           "integration", "performance", "security"};
const std::set<std::string> kLevels = {"low", "medium", "high", "critical"};

Analysis MustAnalyze(const std::string& text, const std::string& title = "",
                     nlohmann::json page_context = nlohmann::json::object()) {
  auto result = Analyze({.text = text, .title = title, .page_context = std::move(page_context)});
  if (const auto* error = std::get_if<AnalysisError>(&result)) {
    ADD_FAILURE() << "refused: " << error->path << " " << error->reason;
    return {};
  }
  return std::get<Analysis>(std::move(result));
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Lower(const std::string& s) {
  return text::Lower(s);
}

// Every analysis, whatever the input, keeps the ticket's invariants.
void ExpectWellFormed(const Analysis& a) {
  EXPECT_FALSE(a.title.value.empty());
  EXPECT_LE(text::CodePoints(a.title.value), 80u) << a.title.value;
  EXPECT_TRUE(kCategories.count(a.category.value)) << a.category.value;
  EXPECT_TRUE(kLevels.count(a.priority.value)) << a.priority.value;
  EXPECT_TRUE(kLevels.count(a.urgency.value)) << a.urgency.value;
  EXPECT_FALSE(a.department.value.empty());
  EXPECT_FALSE(a.description.summary.empty());
  EXPECT_EQ(a.language.value.size(), 2u);
  for (const auto* f : {&a.title, &a.category, &a.priority, &a.urgency, &a.department}) {
    EXPECT_GE(f->confidence, 0.0);
    EXPECT_LE(f->confidence, 1.0);
    EXPECT_FALSE(f->signals.empty());
  }
  EXPECT_GE(a.confidence_score, 0.0);
  EXPECT_LE(a.confidence_score, 1.0);
}

TEST(Analyze, RefusesEmptyAndBlankInputNamingTheField) {
  for (const std::string text : {"", "   \n\t  "}) {
    const auto result = Analyze({.text = text, .title = " "});
    ASSERT_TRUE(std::holds_alternative<AnalysisError>(result)) << '"' << text << '"';
    const auto& error = std::get<AnalysisError>(result);
    EXPECT_EQ(error.kind, AnalysisError::Kind::kEmpty);
    EXPECT_EQ(error.path, "user_input");
    EXPECT_FALSE(error.reason.empty());
  }
}

TEST(Analyze, RefusesInputOverTheLimitAndSaysHowLong) {
  const std::string text(60'000, 'a');
  const auto result = Analyze({.text = text});
  ASSERT_TRUE(std::holds_alternative<AnalysisError>(result));
  const auto& error = std::get<AnalysisError>(result);
  EXPECT_EQ(error.kind, AnalysisError::Kind::kTooLong);
  EXPECT_NE(error.reason.find("60000"), std::string::npos) << error.reason;
  EXPECT_NE(error.reason.find("50000"), std::string::npos) << error.reason;

  const auto small = Analyze({.text = "the printer is jammed again"}, {.max_input_chars = 10});
  ASSERT_TRUE(std::holds_alternative<AnalysisError>(small));
  EXPECT_EQ(std::get<AnalysisError>(small).kind, AnalysisError::Kind::kTooLong);
}

TEST(Analyze, CountsTheLimitInCharactersNotBytes) {
  // 30,000 two-byte characters are 60,000 bytes but within 50,000 characters.
  std::string text;
  for (int i = 0; i < 30'000; ++i)
    text += "\xC3\xA9";
  EXPECT_TRUE(std::holds_alternative<Analysis>(Analyze({.text = text})));
}

TEST(Analyze, HandlesSixtyThousandCharactersWhenTheLimitAllowsIt) {
  std::string text = "Exporting a report fails with error E4012 since the update.\n";
  while (text.size() < 60'000)
    text += "2024-05-01 12:00:01 worker[42]: retrying export job 17\n";
  const auto result = Analyze({.text = text}, {.max_input_chars = 100'000});
  ASSERT_TRUE(std::holds_alternative<Analysis>(result));
  const auto& a = std::get<Analysis>(result);
  ExpectWellFormed(a);
  EXPECT_NE(Lower(a.title.value).find("export"), std::string::npos) << a.title.value;
  EXPECT_TRUE(Contains(a.description.error_codes, "E4012"));
}

TEST(Analyze, OneWordGetsATitleThatSaysWhatKindOfRequestItIs) {
  const auto a = MustAnalyze("refund");
  ExpectWellFormed(a);
  EXPECT_EQ(a.category.value, "billing");
  EXPECT_NE(a.title.value.find("efund"), std::string::npos) << a.title.value;
  EXPECT_GT(text::Words(a.title.value).size(), 1u) << a.title.value;
  EXPECT_EQ(a.language.value, "en");
  EXPECT_LT(a.language.confidence, 0.5);
}

struct LanguageCase {
  std::string text;
  std::string language;
  std::string category;  // empty: not asserted
};

TEST(Analyze, DetectsTheLanguageAndReadsTheRequestThroughItsKeywords) {
  const std::vector<LanguageCase> cases = {
      {"No puedo iniciar sesi\xC3\xB3n en mi cuenta, la contrase\xC3\xB1"
       "a no funciona desde ayer y necesito ayuda",
       "es", "user_access"},
      {"Bonjour, j'ai \xC3\xA9t\xC3\xA9 d\xC3\xA9"
       "bit\xC3\xA9 deux fois pour mon abonnement et je voudrais un remboursement de la facture",
       "fr", "billing"},
      {"Die App st\xC3\xBCrzt ab, wenn ich auf Speichern klicke. Seit dem Update kommt ein Fehler "
       "und ich kann nicht arbeiten",
       "de", "bug"},
      {"\xD0\x9D\xD0\xB5 \xD0\xBC\xD0\xBE\xD0\xB3\xD1\x83 \xD0\xB2\xD0\xBE\xD0\xB9\xD1\x82\xD0\xB8 "
       "\xD0\xB2 \xD0\xB0\xD0\xBA\xD0\xBA\xD0\xB0\xD1\x83\xD0\xBD\xD1\x82, "
       "\xD0\xBF\xD0\xB0\xD1\x80\xD0\xBE\xD0\xBB\xD1\x8C \xD0\xBD\xD0\xB5 "
       "\xD0\xBF\xD0\xBE\xD0\xB4\xD1\x85\xD0\xBE\xD0\xB4\xD0\xB8\xD1\x82",
       "ru", "user_access"},
      {"\xE6\x88\x91\xE6\x97\xA0\xE6\xB3\x95\xE7\x99\xBB\xE5\xBD\x95\xEF\xBC\x8C\xE5\xAF\x86\xE7"
       "\xA0\x81\xE9\x94\x99\xE8\xAF\xAF",
       "zh", ""},
      {"\xE3\x83\xAD\xE3\x82\xB0\xE3\x82\xA4\xE3\x83\xB3\xE3\x81\xA7\xE3\x81\x8D\xE3\x81\xBE\xE3"
       "\x81\x9B\xE3\x82\x93",
       "ja", "user_access"},
      {"The export button does nothing when I click it in the reports page", "en", ""},
  };
  for (const auto& c : cases) {
    const auto a = MustAnalyze(c.text);
    ExpectWellFormed(a);
    EXPECT_EQ(a.language.value, c.language) << c.text;
    if (!c.category.empty()) {
      EXPECT_EQ(a.category.value, c.category) << c.text;
    }
    if (c.language != "en") {
      EXPECT_NE(a.reasoning.find("(" + c.language + ")"), std::string::npos) << a.reasoning;
      EXPECT_TRUE(Contains(a.tags, "lang-" + c.language));
    }
  }
}

TEST(Analyze, ReadsAMarkdownIssueTemplate) {
  const std::string body =
      "### Describe the bug\n\n"
      "Saving a draft silently discards the attachments.\n\n"
      "### Steps to reproduce\n\n"
      "1. Open a new message\n"
      "2. Attach `report.pdf`\n"
      "3. Click **Save draft**\n\n"
      "### Expected behavior\n\n"
      "The draft keeps its attachment.\n\n"
      "### Actual behavior\n\n"
      "The attachment is gone after reopening the draft.\n\n"
      "### Environment\n\n"
      "- OS: Windows 11\n"
      "- Browser: Firefox 121.0\n"
      "- App version: 4.2.1\n"
      "- Node: 18.19.0\n";
  const auto a = MustAnalyze(body, "Draft loses attachments on save");
  ExpectWellFormed(a);
  const auto& d = a.description;
  EXPECT_EQ(
      d.steps_to_reproduce,
      (std::vector<std::string>{"Open a new message", "Attach report.pdf", "Click Save draft"}));
  EXPECT_EQ(d.expected_behavior, "The draft keeps its attachment.");
  EXPECT_EQ(d.actual_behavior, "The attachment is gone after reopening the draft.");
  EXPECT_EQ(d.environment.os, "Windows 11");
  EXPECT_EQ(d.environment.browser, "Firefox 121.0");
  EXPECT_EQ(d.environment.app_versions.at("app"), "4.2.1");
  EXPECT_EQ(d.environment.app_versions.at("node"), "18.19.0");
  EXPECT_EQ(d.summary, "Saving a draft silently discards the attachments.");
  EXPECT_EQ(a.title.value, "Draft loses attachments on save");
  EXPECT_EQ(a.category.value, "bug");

  const auto markdown = RenderDescriptionMarkdown(a);
  for (const char* section :
       {"## Summary", "## Steps to reproduce", "1. Open a new message", "## Expected behavior",
        "## Actual behavior", "## Environment", "- OS: Windows 11"}) {
    EXPECT_NE(markdown.find(section), std::string::npos) << section << "\n" << markdown;
  }
}

TEST(Analyze, PullsErrorsCodesAndUrlsOutOfAStackTrace) {
  const std::string body =
      "Uploading fails on https://app.example.com/upload?id=7 (see also "
      "https://status.example.com).\n"
      "```\n"
      "Traceback (most recent call last):\n"
      "  File \"/srv/app/upload.py\", line 88, in store\n"
      "    client.put(blob)\n"
      "ConnectionError: [Errno 111] ECONNREFUSED while calling storage\n"
      "```\n"
      "The browser console shows net::ERR_CONNECTION_RESET and the API answers HTTP 503.\n"
      "Windows installer exits with 0x80070005.\n";
  const auto a = MustAnalyze(body);
  ExpectWellFormed(a);
  const auto& d = a.description;
  for (const char* code : {"ECONNREFUSED", "ERR_CONNECTION_RESET", "HTTP 503", "0x80070005"}) {
    EXPECT_TRUE(Contains(d.error_codes, code)) << code;
  }
  EXPECT_TRUE(Contains(d.urls, "https://app.example.com/upload?id=7"));
  EXPECT_TRUE(Contains(d.urls, "https://status.example.com"));
  ASSERT_FALSE(d.error_messages.empty());
  EXPECT_TRUE(std::any_of(d.error_messages.begin(), d.error_messages.end(), [](const auto& m) {
    return m.find("ConnectionError") != std::string::npos;
  }));
  EXPECT_TRUE(Contains(a.tags, "stack-trace"));
  EXPECT_NE(Lower(a.title.value).find("upload"), std::string::npos) << a.title.value;
}

TEST(Analyze, TitleNamesTheProblemRatherThanTheGreeting) {
  const auto a = MustAnalyze(
      "Hi team,\nHope you are all well.\nSince yesterday's update, exporting the monthly report "
      "to PDF fails with a blank page.\nThanks, Dana");
  ExpectWellFormed(a);
  EXPECT_EQ(Lower(a.title.value).find("hi team"), std::string::npos) << a.title.value;
  EXPECT_NE(Lower(a.title.value).find("export"), std::string::npos) << a.title.value;
}

TEST(Analyze, ShortensALongTitleAtAWordBoundary) {
  const std::string title =
      "When I open the dashboard after logging in with single sign-on the charts never finish "
      "loading and the spinner keeps turning";
  const auto a = MustAnalyze("Charts never load.", title);
  EXPECT_LE(a.title.value.size(), 80u);
  EXPECT_EQ(title.rfind(a.title.value, 0), 0u) << a.title.value;
  EXPECT_EQ(title[a.title.value.size()], ' ');
}

struct PriorityCase {
  std::string text;
  std::set<std::string> allowed;
};

TEST(Priority, OutagesDataLossAndSecurityIncidentsAreHighOrCritical) {
  const std::set<std::string> high = {"high", "critical"};
  const std::vector<PriorityCase> cases = {
      {"Since this morning the VPN is down and the whole sales team is affected", {"critical"}},
      {"Production is down: every request returns 502 Bad Gateway", {"critical"}},
      {"The nightly sync wiped all our customer records, we lost data from last week", high},
      {"We had a data loss after the migration; several invoices disappeared", high},
      {"Our admin account was hacked and someone changed the payout bank details", high},
      {"I received a phishing email that looks like it comes from your billing team", high},
      {"There is an SQL injection in the search endpoint that exposes user emails", high},
      {"The app crashes every time I open the settings page", high},
      // Read as a general request by the category model, yet it stops every
      // customer: wide impact outweighs the category.
      {"The order form fails with error 502 after lunch; nobody can place an order", high},
  };
  for (const auto& c : cases) {
    const auto a = MustAnalyze(c.text);
    EXPECT_TRUE(c.allowed.count(a.priority.value)) << c.text << " -> " << a.priority.value;
    EXPECT_TRUE(high.count(a.urgency.value)) << c.text << " -> urgency " << a.urgency.value;
  }
}

TEST(Priority, RansomwareAndBreachesAreCriticalAlone) {
  for (const std::string text : {
           "Our file server shows a ransom note and every document ends in .crypt",
           "We think there was a data breach: customer emails appeared on a paste site",
       }) {
    const auto a = MustAnalyze(text);
    EXPECT_EQ(a.priority.value, "critical") << text;
    EXPECT_EQ(a.category.value, "security") << text;
  }
}

TEST(Priority, OnlyPlainCallsForSpeedMoveTheUrgencyInAnyLanguage) {
  const auto how = MustAnalyze("The iPad app crashes immediately when I open the map view");
  EXPECT_EQ(how.urgency.value, how.priority.value) << how.urgency.signals.front();
  const auto wish =
      MustAnalyze("It would be great to sort the archive by size. Right now I scroll through it.");
  EXPECT_EQ(wish.urgency.value, "low");
  const auto es = MustAnalyze(
      "No puedo acceder a mi correo, dice cuenta bloqueada. Lo necesito urgentemente para hoy.");
  EXPECT_TRUE(std::set<std::string>({"high", "critical"}).count(es.priority.value))
      << es.priority.value;
}

TEST(Priority, CosmeticIssuesAndQuestionsAreLowOrMedium) {
  const std::set<std::string> low = {"low", "medium"};
  for (const std::string text : {
           "There is a typo on the pricing page: 'recieve' should be 'receive'",
           "The save button is misaligned by a few pixels in dark mode",
           "How do I change the language of the interface?",
           "Is there a way to export my tickets as CSV?",
           "Question: what does the 'pending' status mean?",
           "It would be nice to have keyboard shortcuts for the editor",
       }) {
    const auto a = MustAnalyze(text);
    EXPECT_TRUE(low.count(a.priority.value)) << text << " -> " << a.priority.value;
  }
}

TEST(Priority, NegatedIncidentWordsDoNotRaiseIt) {
  const auto a =
      MustAnalyze("The migration finished with no data loss, the font looks a bit small");
  EXPECT_TRUE(a.priority.value == "low" || a.priority.value == "medium") << a.priority.value;
}

TEST(Priority, UrgencyFollowsTimePressure) {
  const auto relaxed = MustAnalyze("The export button is broken. No rush, whenever you can.");
  const auto urgent = MustAnalyze(
      "The export button is broken and I need the report urgently for a deadline today");
  const std::vector<std::string> order = {"low", "medium", "high", "critical"};
  auto rank = [&](const std::string& v) {
    return std::find(order.begin(), order.end(), v) - order.begin();
  };
  EXPECT_LT(rank(relaxed.urgency.value), rank(urgent.urgency.value));
}

struct CategoryCase {
  std::string text;
  std::string category;
};

TEST(Category, TellsBillingAccessAndOtherRequestsApart) {
  const std::vector<CategoryCase> cases = {
      {"I was charged twice for my subscription this month, please refund one payment", "billing"},
      {"Where can I download the invoice for my last order?", "billing"},
      {"I forgot my password and the reset email never arrives", "user_access"},
      {"Please delete my account and all data associated with it", "user_access"},
      {"Where is my package? The tracking number shows no updates since Monday", "general"},
      {"Our admin account was hacked and someone changed the payout details", "security"},
  };
  for (const auto& c : cases) {
    const auto a = MustAnalyze(c.text);
    EXPECT_EQ(a.category.value, c.category) << c.text;
    EXPECT_FALSE(a.department.value.empty());
  }
}

TEST(Category, TellsBugsFromFeatureRequests) {
  const auto bug = MustAnalyze(
      "After upgrading to 2.3 the app crashes on startup with a null pointer exception.",
      "Crash on startup after upgrade");
  EXPECT_EQ(bug.category.value, "bug");
  EXPECT_EQ(bug.department.value, "engineering");
  const auto feature = MustAnalyze(
      "It would be great to have an option to schedule reports weekly. Please add support for "
      "this.",
      "Add scheduled weekly reports");
  EXPECT_EQ(feature.category.value, "feature_request");
  EXPECT_EQ(feature.department.value, "product");
}

TEST(Category, SignalsNameNoFillerWords) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"Since this update, this page crashes since it cannot load this file.",
       "Crash since update"},
      {"How do I do this? Is it possible since this is the only way?", ""},
      {"It would be nice if this could be added since this is what we all do.", ""}};
  for (const auto& [text, title] : cases) {
    const auto a = MustAnalyze(std::string(text), std::string(title));
    for (const auto& signal : a.category.signals) {
      for (std::string_view filler : {"\"since\"", "\"this\"", "\"it\"", "\"is\"", "\"the\""}) {
        EXPECT_EQ(signal.find(filler), std::string::npos) << signal << " in " << text;
      }
    }
    EXPECT_FALSE(a.category.signals.empty()) << text;
  }
}

TEST(Category, FeatureIdsAreTheHashesOfTheTrainingFeatures) {
  // The analyzer scores ids, the training tool learns strings: they must agree.
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"App crashes when I click Save", "### Steps to reproduce\n1. Open it\n2. Click `save`"},
      {"", "Is it possible to add dark mode? https://example.com/x It'd be nice."},
      {"Refunds", "I was charged twice for my subscriptions!\n```\ntrace\n```\n    at x()"},
      {"", ""}};
  for (const auto& [title, body] : cases) {
    std::vector<std::uint64_t> expected;
    for (const auto& feature : CategoryFeatures(title, body))
      expected.push_back(FeatureId(feature));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(CategoryFeatureIds(title, body), expected) << title << " / " << body;
  }
}

TEST(AiAnalysisJson, HasTheSchemaOfProductMd) {
  const auto a = MustAnalyze("The checkout page shows error 500 when I pay with PayPal", "",
                             {{"url", "https://shop.example.com/checkout"},
                              {"user_agent",
                               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                               "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"}});
  const auto json = ToAiAnalysisJson(a);
  for (const char* key :
       {"confidence_score", "reasoning", "suggested_category", "suggested_priority", "keywords",
        "estimated_effort", "business_impact", "suggested_actions", "knowledge_base_matches",
        "similar_tickets", "file_analysis_summary", "language", "model", "fields"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["model"], "offline");
  EXPECT_EQ(json["knowledge_base_matches"], nlohmann::json::array());
  EXPECT_EQ(json["similar_tickets"], nlohmann::json::array());
  EXPECT_TRUE(json["file_analysis_summary"].is_null());
  EXPECT_EQ(json["suggested_category"], a.category.value);
  for (const char* field : {"category", "priority", "urgency", "department", "title"}) {
    ASSERT_TRUE(json["fields"].contains(field)) << field;
    EXPECT_TRUE(json["fields"][field]["value"].is_string());
    EXPECT_TRUE(json["fields"][field]["confidence"].is_number());
    EXPECT_TRUE(json["fields"][field]["signals"].is_array());
  }
  EXPECT_EQ(a.description.urls.front(), "https://shop.example.com/checkout");
  EXPECT_EQ(a.description.environment.browser, "Chrome 120.0.0.0");
  EXPECT_EQ(a.description.environment.os, "Windows 10 or 11");
  EXPECT_TRUE(Contains(a.description.error_codes, "HTTP 500"));
}

TEST(Analyze, IsDeterministicAndSafeToCallFromManyThreads) {
  const std::string text =
      "Since the update the mobile app logs me out every few minutes on Android 14.";
  const auto expected = ToAiAnalysisJson(MustAnalyze(text)).dump();
  std::vector<std::string> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const auto result = Analyze({.text = text});
        seen[t] = ToAiAnalysisJson(std::get<Analysis>(result)).dump();
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const auto& s : seen)
    EXPECT_EQ(s, expected);
}

TEST(Analyze, RepairsBrokenUtf8SoTheJsonCanBeWritten) {
  const auto a = MustAnalyze("Login fails \xFF\xFE with error \xC3 code E1234");
  EXPECT_NO_THROW(ToAiAnalysisJson(a).dump());
  EXPECT_NO_THROW(nlohmann::json(RenderDescriptionMarkdown(a)).dump());
}

TEST(AnalyzeJsonRecord, AcceptsTitleAndBodyOrUserInputAndEchoesTheId) {
  const auto record = AnalyzeJsonRecord(
      R"({"id": 7, "title": "Cannot log in", "body": "Password reset fails"})", {});
  EXPECT_TRUE(record["ok"]);
  EXPECT_EQ(record["id"], 7);
  EXPECT_EQ(record["title"], "Cannot log in");
  EXPECT_TRUE(kCategories.count(record["category"]));
  EXPECT_EQ(record["ai_analysis"]["model"], "offline");

  const auto user_input = AnalyzeJsonRecord(R"({"user_input": "I want a refund"})", {});
  EXPECT_TRUE(user_input["ok"]);
  EXPECT_EQ(user_input["category"], "billing");
}

TEST(AnalyzeJsonRecord, RefusesWhatIsNotAnInputObject) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", ""},
      {"[1, 2]", ""},
      {R"({"body": 5})", "body"},
      {R"({"user_input": "a", "body": "b"})", "body"},
      {R"({"id": "x"})", "user_input"},
      {R"({"user_input": "   "})", "user_input"},
      {R"({"user_input": "a", "page_context": "x"})", "page_context"},
  };
  for (const auto& [line, path] : cases) {
    const auto record = AnalyzeJsonRecord(line, {});
    EXPECT_FALSE(record["ok"]) << line;
    ASSERT_EQ(record["errors"].size(), 1u) << line;
    EXPECT_EQ(record["errors"][0]["path"], path) << line;
    EXPECT_FALSE(record["errors"][0]["reason"].get<std::string>().empty());
  }
}

// ---- real texts from ../shared/data ----------------------------------------

std::optional<accuracy::DataSet> LoadOrSkip(const std::string& file, bool github) {
  const auto path = accuracy::DataDir() + "/" + file;
  if (!std::filesystem::exists(path)) return std::nullopt;
  return github ? accuracy::LoadGithubIssues(path) : accuracy::LoadSupportIntents(path);
}

// Whether the body has a "steps to reproduce" heading followed by anything
// but the template's HTML comment before the next heading.
bool HasFilledStepsSection(const std::string& body) {
  bool in_steps = false;
  bool in_comment = false;
  for (auto line : text::Lines(body)) {
    const auto trimmed = text::Trim(line);
    const auto lower = Lower(std::string(trimmed));
    const bool heading = text::StartsWith(trimmed, "#") ||
                         (text::StartsWith(trimmed, "**") && text::EndsWith(trimmed, "**"));
    if (!in_steps) {
      in_steps = heading && (lower.find("steps to reproduce") != std::string::npos ||
                             lower == "**to reproduce**");
      continue;
    }
    if (in_comment) {
      in_comment = lower.find("-->") == std::string::npos;
      continue;
    }
    if (text::StartsWith(trimmed, "<!--")) {
      in_comment = lower.find("-->") == std::string::npos;
      continue;
    }
    if (trimmed.empty()) continue;
    return !heading;
  }
  return false;
}

#define SKIP_WITHOUT(set, file)                            \
  if (!(set))                                              \
  GTEST_SKIP() << "no " file " in " << accuracy::DataDir() \
               << " (the shared data folder is missing; set TICKETD_DATA_DIR)"

TEST(RealTexts, GithubIssuesGiveWellFormedTicketsWithTheirTemplatesRead) {
  const auto set = LoadOrSkip("github-issues-train.csv", true);
  SKIP_WITHOUT(set, "github-issues-train.csv");
  std::size_t with_steps_heading = 0, steps_read = 0, correct = 0, analysed = 0;
  for (std::size_t i = 0; i < set->examples.size(); i += 5) {
    const auto& e = set->examples[i];
    const auto result = Analyze({.text = e.body, .title = e.title}, {.max_input_chars = 1'000'000});
    ASSERT_TRUE(std::holds_alternative<Analysis>(result)) << e.title;
    const auto& a = std::get<Analysis>(result);
    ExpectWellFormed(a);
    ++analysed;
    if (accuracy::ScoredCategory(a.category.value) == e.label) ++correct;
    if (HasFilledStepsSection(e.body)) {
      ++with_steps_heading;
      if (!a.description.steps_to_reproduce.empty()) ++steps_read;
    }
  }
  ASSERT_GT(with_steps_heading, 10u);
  EXPECT_GE(steps_read * 10, with_steps_heading * 8) << steps_read << " of " << with_steps_heading;
  // The built-in weights have seen these texts: far below this means the
  // weights file and the features no longer match (retrain).
  EXPECT_GE(correct * 100, analysed * 80) << correct << " of " << analysed;
}

TEST(RealTexts, CustomerRequestsGoToBillingAccessOrGeneral) {
  const auto set = LoadOrSkip("customer-support-intents.csv", false);
  SKIP_WITHOUT(set, "customer-support-intents.csv");
  std::size_t correct = 0, analysed = 0;
  for (std::size_t i = 0; i < set->examples.size(); i += 9) {
    const auto& e = set->examples[i];
    const auto a = MustAnalyze(e.body);
    ExpectWellFormed(a);
    ++analysed;
    if (accuracy::ScoredCategory(a.category.value) == e.label) ++correct;
    EXPECT_NE(a.priority.value, "critical") << e.body;
  }
  EXPECT_GE(correct * 100, analysed * 90) << correct << " of " << analysed;
}

// ---- kinds of report that decide category and priority over the model ----

struct KindCase {
  std::string text;
  std::string category;
  std::set<std::string> priorities;  // empty: any
  std::string department;            // empty: any
};

void ExpectKinds(const std::vector<KindCase>& cases) {
  for (const auto& c : cases) {
    const auto a = MustAnalyze(c.text);
    if (!c.category.empty()) {
      EXPECT_EQ(a.category.value, c.category) << c.text;
    }
    if (!c.priorities.empty()) {
      EXPECT_TRUE(c.priorities.count(a.priority.value)) << c.text << " -> " << a.priority.value;
    }
    if (!c.department.empty()) {
      EXPECT_EQ(a.department.value, c.department) << c.text;
    }
  }
}

const std::set<std::string> kHigh = {"high", "critical"};
const std::set<std::string> kLowish = {"low", "medium"};

TEST(Priority, IncidentsInSpanishGermanAndFrenchAreHighToo) {
  ExpectKinds({
      {"Mi cuenta fue hackeada y alguien cambi\xC3\xB3 mi correo", "security", kHigh, "security"},
      {"Der Server ist ausgefallen, niemand kann arbeiten", "", kHigh, ""},
      {"Apr\xC3\xA8s la mise \xC3\xA0 jour, j'ai perdu toutes mes notes", "", kHigh, ""},
  });
}

TEST(Kinds, AWipedOldPhoneOrFilesOnALaptopAreNoDataLoss) {
  for (const std::string text : {
           "My authenticator was on my old phone, which I wiped, so I can't sign in now",
           "My laptop won't turn on and all my files are on it",
       }) {
    const auto a = MustAnalyze(text);
    const auto tags = a.tags;
    EXPECT_EQ(std::find(tags.begin(), tags.end(), "data-loss"), tags.end()) << text;
  }
  const auto charged = MustAnalyze("I was charged twice for the May invoice");
  EXPECT_EQ(std::find(charged.tags.begin(), charged.tags.end(), "blocker"), charged.tags.end());
}

TEST(Kinds, SecurityIncidentsAreSecurityAndHighEvenWhenAsked) {
  ExpectKinds({
      {"My colleague typed his password into a fake login page that came in an email. What now?",
       "security", kHigh, "security"},
      {"Did we leak anything? A developer committed the secret key to the public repository.",
       "security", kHigh, "security"},
      {"Our staging access token was posted in a public chat channel by mistake", "security", kHigh,
       "security"},
      {"Someone changed my password and my recovery e-mail last night, it was not me", "security",
       kHigh, "security"},
      {"Can you check whether there was unauthorized access to our workspace this weekend?",
       "security", kHigh, "security"},
      {"Two laptops in the office got ransomware this morning", "security", kHigh, "security"},
  });
}

TEST(Kinds, AnUnauthorizedStatusOrAWordLikeKeyIsNoIncident) {
  for (const std::string text : {
           "The export endpoint returns 401 Unauthorized when the session token has expired",
           "Which keyboard key opens the search panel?",
           "Please add an option to rotate API keys every 90 days",
       }) {
    const auto a = MustAnalyze(text);
    EXPECT_NE(a.category.value, "security") << text;
  }
}

TEST(Kinds, DataLossIsHighAndCriticalWhenManyAreAffected) {
  ExpectKinds({
      {"After the update my saved drafts disappeared from the app", "", kHigh, ""},
      {"My calendar events are missing after syncing with my phone", "", kHigh, ""},
      {"I can't recover the spreadsheet I was editing yesterday", "", kHigh, ""},
      {"All photos in the shared album were deleted overnight, 40 users use it",
       "",
       {"critical"},
       ""},
      {"Every record in the production database for March was wiped", "", {"critical"}, ""},
  });
}

TEST(Kinds, LostDataNamedNegatedOrAbsentRaisesNothing) {
  for (const std::string text : {
           "The import finished and no files were lost; the progress bar is a bit slow though",
           "How do I remove old contacts from the address book?",
       }) {
    const auto a = MustAnalyze(text);
    EXPECT_TRUE(kLowish.count(a.priority.value)) << text << " -> " << a.priority.value;
  }
}

TEST(Kinds, SlownessSignInTracesHowTosGlitchesAndHardwareHaveTheirCategories) {
  ExpectKinds({
      {"Search has become very slow since Monday, results take 20 seconds",
       "performance",
       {},
       "engineering"},
      {"Requests to the reports page keep timing out for our accountants",
       "performance",
       {},
       "engineering"},
      {"I am locked out of my account after entering the wrong PIN three times",
       "user_access",
       {},
       "account_services"},
      {"The 2FA code from my authenticator app is always rejected",
       "user_access",
       {},
       "account_services"},
      {"Checkout fails with this:\n\nException in thread \"main\" java.lang.NullPointerException\n"
       "\tat com.acme.Cart.total(Cart.java:42)\n\tat com.acme.Main.main(Main.java:7)\n",
       "bug",
       {},
       "engineering"},
      {"The list page is blank and the console says:\n"
       "TypeError: Cannot read properties of undefined (reading 'map')\n"
       "    at renderList (list.js:10:5)\n    at App (app.js:3:1)\n",
       "bug",
       {},
       "engineering"},
      {"How do I export all tickets to a spreadsheet?", "general", kLowish, ""},
      {"Is it possible to give a second person admin rights on our plan?", "general", kLowish, ""},
      {"The footer text overlaps the sidebar on small screens", "bug", {"low"}, "engineering"},
      {"The welcome e-mail has a typo in its first line, Welcom instead of Welcome",
       "bug",
       {"low"},
       "engineering"},
      {"Scanner not working", "technical", {}, ""},
      {"The office printer is jammed again and nobody can print", "technical", {}, ""},
      {"I was double charged for the annual plan, please refund one", "billing", {}, "billing"},
  });
}

TEST(Kinds, FaultsToldAsStatementsAreBugsWhateverWordsTheyShareWithRequests) {
  ExpectKinds({
      // outages and lost data, which the model reads as general requests
      {"Nobody in the Lisbon office can reach the intranet, every page returns 502 Bad Gateway",
       "bug", kHigh, "engineering"},
      {"The payments service is down since the 9:00 release and no customer can pay",
       "bug",
       {"critical"},
       "engineering"},
      {"After the autosave half of my thesis chapter is gone from the editor", "bug", kHigh, ""},
      // a crash or a failure the report opens with, told as a statement
      {"Since the update the desktop app closes immediately after the splash screen", "bug", kHigh,
       "engineering"},
      {"The save button does nothing on the profile page", "bug", {}, "engineering"},
      {"The nightly export skips every order placed after 23:00", "bug", {}, "engineering"},
  });
}

TEST(Kinds, QuestionsAndDevelopersBuildLogsKeepTheModelsAnswer) {
  // Asked as a question, a crash is not turned into a bug report here.
  const auto asked = MustAnalyze("Why does the app crash when I rotate my phone?");
  EXPECT_EQ(Lower(asked.category.signals.front()).find("crash:"), std::string::npos)
      << asked.category.signals.front();
  // A build log with "fatal error" is a developer's question about their
  // own build, not a crash of the product.
  const auto build = MustAnalyze(
      "How can I build the library on Windows? The compiler stops here:\n\n```\n"
      "fatal error: opencv2/core.hpp: No such file or directory\n```\n");
  EXPECT_NE(build.category.value, "bug") << build.category.signals.front();
}

TEST(Kinds, APaidPlansLifeIsBillingButANewsletterIsNot) {
  ExpectKinds({
      {"Please stop the auto-renewal of our team plan before next month", "billing", {}, "billing"},
      {"I want to cancel my subscription when the current billing cycle ends",
       "billing",
       {},
       "billing"},
  });
  const auto newsletter = MustAnalyze("I want to cancel my subscription to the newsletter");
  EXPECT_NE(newsletter.category.value, "billing");
}

TEST(Kinds, DevicesSessionsAndDeniedAccessHaveTheirCategories) {
  ExpectKinds({
      {"The charger of my work laptop is not charging it anymore", "technical", {}, ""},
      {"Paper jam on the second floor copier, tray 3 again", "technical", {}, ""},
      {"My external monitor keeps flickering when the dock is connected", "technical", {}, ""},
      {"The web app keeps logging me out after a minute", "user_access", {}, "account_services"},
      {"Opening the team folder says Access denied although I am an owner",
       "user_access",
       {},
       "account_services"},
  });
}

TEST(Kinds, IntegrationsWishesSlownessAndSoundHaveTheirCategories) {
  ExpectKinds({
      {"The Zapier connection failed again, no new leads reached our CRM since Monday",
       "integration",
       {},
       "engineering"},
      {"Our HubSpot integration is not syncing contacts any more", "integration", {}, ""},
      {"We would love to be able to tag invoices by cost centre", "feature_request", kLowish, ""},
      {"The calendar view renders slowly, a week takes ten seconds", "performance", {}, ""},
      {"My new headset has no sound on the right side", "technical", {}, ""},
      {"The Export and Print links use two different colors in the toolbar",
       "bug",
       {"low"},
       "engineering"},
  });
}

TEST(Kinds, MoneyOwedPoliteRequestsAndWishesAskedAsQuestions) {
  ExpectKinds({
      {"Your March invoice applies 19% VAT although our company is exempt. Could you please "
       "send a corrected one?",
       "billing",
       {},
       "billing"},
      {"I sent the headphones back a month ago and I am still waiting for the refund of 59 EUR.",
       "billing",
       {},
       "billing"},
      {"Would it be possible to add a weekly summary of overdue tasks broken down by project?",
       "feature_request", kLowish, "product"},
      {"Good afternoon, since this morning all mail to our billing@ address bounces with '554 "
       "relay denied'. Could you please have a look?",
       "bug", kLowish, ""},
  });
}

TEST(Kinds, WorkaroundsLowerAndLostBusinessRaisesThePriority) {
  const auto workaround = MustAnalyze(
      "The desktop app freezes for ten seconds when a big board opens. Annoying but we can work "
      "around it.");
  EXPECT_EQ(workaround.priority.value, "medium") << workaround.priority.signals.front();
  EXPECT_EQ(std::find(workaround.tags.begin(), workaround.tags.end(), "blocker"),
            workaround.tags.end());
  const auto losing = MustAnalyze(
      "Above 300 requests per second the orders endpoint answers HTTP 500 for a third of the "
      "calls and we are losing orders.");
  EXPECT_EQ(losing.category.value, "performance");
  EXPECT_TRUE(kHigh.count(losing.priority.value)) << losing.priority.value;
}

TEST(Kinds, SignInAndDevicesInFrenchAndGermanEvenWithARoomNumber) {
  ExpectKinds({
      {"Je n'arrive plus \xC3\xA0 me connecter au portail depuis ce matin",
       "user_access",
       {},
       "account_services"},
      {"Der Drucker im Raum 3.12 ist kaputt, er zieht kein Papier mehr ein", "technical", {}, ""},
  });
}

TEST(Kinds, ASignedLetterNetworkFaultsAndGermanOrdinals) {
  const auto letter = MustAnalyze(
      "Dear team,\n\nI hope this message finds you well. My name is Ola and I run the front "
      "desk.\n\nSince Friday our booking confirmation texts have stopped going out. Could you "
      "please look into it?\n\nThank you very much for your help.\n\nKind regards,\nOla "
      "Nordmann\nTel. +47 22 33 44 55");
  EXPECT_EQ(std::find(letter.tags.begin(), letter.tags.end(), "stack-trace"), letter.tags.end());
  EXPECT_EQ(letter.category.value, "bug") << letter.category.signals.front();
  EXPECT_NE(Lower(letter.title.value).find("stopped going out"), std::string::npos)
      << letter.title.value;
  EXPECT_EQ(letter.description.summary.find("Thank you"), std::string::npos)
      << letter.description.summary;
  ExpectKinds({
      {"wifi down on the fourth floor", "technical", {}, "technical_support"},
      {"Der Drucker im 3. Stock druckt nur leere Seiten.", "technical", {}, ""},
  });
  const auto ordinal = MustAnalyze("Der Drucker im 3. Stock druckt nur leere Seiten.");
  EXPECT_NE(ordinal.title.value.find("3. Stock"), std::string::npos) << ordinal.title.value;
}

TEST(Subcategory, ATechnicalFaultIsNoHowToAndNetworksHaveTheirOwn) {
  // make run's example: a VPN that drops was filed as a how-to.
  const auto vpn = MustAnalyze(
      "Since about 9:30 this morning the VPN drops every five minutes for the whole sales team. "
      "The VPN client shows 'Error 809'. We are on Windows 11.");
  EXPECT_EQ(vpn.category.value, "technical") << vpn.category.signals.front();
  EXPECT_EQ(vpn.subcategory.value, "network");
  EXPECT_EQ(std::find(vpn.tags.begin(), vpn.tags.end(), "how-to"), vpn.tags.end());
}

TEST(Kinds, ThreateningToTellEveryoneIsNoWideImpact) {
  const auto a = MustAnalyze(
      "Your app logged me out again and I lost the reply I was writing. Fix it or I am telling "
      "everyone I know to stay away.");
  EXPECT_NE(a.priority.value, "critical") << a.priority.signals.front();
}

TEST(Kinds, FillerWordsAreNoFeaturesOfTheModel) {
  const auto features = CategoryFeatures("We are now too slow",
                                         "We have been waiting, it is now too late to be fixed");
  for (std::string_view filler :
       {"t:we", "t:are", "t:now", "t:too", "w:we", "w:be", "w:now", "w:too", "w:it", "w:have"}) {
    EXPECT_FALSE(Contains(features, std::string(filler))) << filler;
  }
  EXPECT_TRUE(Contains(features, "t:slow"));
  EXPECT_TRUE(Contains(features, "w:wait_late")) << "a pair joins the words around the filler";
}

// ---- titles -------------------------------------------------------------------

TEST(Title, DropsGreetingsLabelsContactsAndComplaintsAboutSupport) {
  const std::pair<std::string, std::string> cases[] = {
      // text, a word the title must contain
      {"Hello team, the export button does nothing when I click it.", "export"},
      {"Hola, no puedo descargar la factura de octubre.", "factura"},
      {"Bonjour, je ne peux pas ouvrir le tableau de bord.", "tableau"},
      {"Small thing: the date picker starts the week on Sunday.", "date picker"},
      {"Please reset the two-factor setup on my account. My number is +44 20 7946 0958.",
       "two-factor"},
      {"Still waiting for an answer on this. The invoice PDF shows the wrong VAT rate.", "VAT"},
  };
  for (const auto& [text, word] : cases) {
    const auto a = MustAnalyze(text);
    const auto title = Lower(a.title.value);
    EXPECT_NE(title.find(Lower(word)), std::string::npos) << text << " -> " << a.title.value;
    for (std::string_view bad : {"hello", "hola", "bonjour", "small thing", "7946", "waiting"}) {
      EXPECT_EQ(title.find(bad), std::string::npos) << text << " -> " << a.title.value;
    }
  }
}

TEST(Title, APreambleBeforeAColonOrALeadingWhenClauseIsNotTheTitle) {
  const auto a = MustAnalyze(
      "There is something I have wanted to mention for weeks: the calendar export fails with an "
      "empty file.");
  EXPECT_EQ(a.title.value.rfind("The calendar export fails", 0), 0u) << a.title.value;
  const auto b = MustAnalyze(
      "Whenever one of our suppliers opens the purchase order link we send from the portal, the "
      "page answers with a blank screen and a spinner");
  EXPECT_EQ(b.title.value.rfind("The page answers with a blank screen", 0), 0u) << b.title.value;
  // A short label stays: "URGENT: ..." is the reporter's own emphasis.
  const auto c = MustAnalyze("URGENT: the invoice run fails for every customer");
  EXPECT_NE(c.title.value.find("invoice run fails"), std::string::npos) << c.title.value;
  // "won't" names a problem: the first sentence is the title, not the
  // one with more words.
  const auto d = MustAnalyze(
      "My tablet won't turn on since this morning. I need help with it before the meeting.");
  EXPECT_EQ(d.title.value.rfind("My tablet won't turn on", 0), 0u) << d.title.value;
}

TEST(Title, PleasantriesAndSentencesThatOnlySayWhenAreNoTitles) {
  const auto a = MustAnalyze(
      "Dear support,\n\nI hope you are doing well. Since the March release our purchase orders "
      "print without the company logo.\n\nBest wishes,\nAnna");
  EXPECT_EQ(a.title.value.rfind("Since the March release our purchase orders print", 0), 0u)
      << a.title.value;
  const auto b = MustAnalyze(
      "Traceback (most recent call last):\n  File \"job.py\", line 12, in main\n    run()\n"
      "TimeoutError: the ledger service did not answer\n\nIt happens each time the export "
      "starts, and then the ledger is empty.");
  EXPECT_EQ(b.title.value, "TimeoutError: the ledger service did not answer");
  // A colon after a name of a problem is not a preamble.
  const auto c = MustAnalyze("Calendar sync creates duplicate events: each edit adds a copy.");
  EXPECT_EQ(c.title.value.rfind("Calendar sync creates duplicate events", 0), 0u) << c.title.value;
}

TEST(Title, AsidesGiveWayQuotationsCloseAndParticlesStay) {
  const auto a = MustAnalyze(
      "The scanner in meeting room B (Canon imageFORMULA DR-C225, inventory 7781) won't turn on "
      "since the power cut.");
  EXPECT_EQ(a.title.value.rfind("The scanner in meeting room B won't turn on", 0), 0u)
      << a.title.value;
  EXPECT_EQ(a.category.value, "technical");
  const auto b = MustAnalyze(
      "The label printer at the loading dock next to gate four keeps printing 'ribbon missing "
      "please replace' even with a new ribbon.");
  EXPECT_LE(text::CodePoints(b.title.value), 80u);
  EXPECT_EQ(std::count(b.title.value.begin(), b.title.value.end(), '\''), 2) << b.title.value;
  EXPECT_EQ(b.title.value.back(), '\'') << b.title.value;
  const auto c = MustAnalyze(
      "Buenos d\xC3\xAD"
      "as, no puedo descargar la factura de octubre.");
  EXPECT_EQ(Lower(c.title.value).find("buenos"), std::string::npos) << c.title.value;
}

TEST(Title, AGreetingIsNotTheOpeningTheRulesRead) {
  const auto a = MustAnalyze(
      "Hello there,\n\nI hope you had a good week. The quarterly statement PDFs won't open, the "
      "viewer says the file is damaged.\n\nThanks,\nLee");
  EXPECT_EQ(a.category.value, "bug") << a.category.signals.front();
  EXPECT_EQ(a.title.value.rfind("The quarterly statement PDFs won't open", 0), 0u) << a.title.value;
}

TEST(Title, DatesAndVersionsAreNoPhoneNumbers) {
  const auto a = MustAnalyze(
      "The export between 2026-10-01 and 2026-10-31 fails with an empty file. Call me at "
      "+1 (212) 555-0187.");
  EXPECT_NE(Lower(a.title.value).find("export"), std::string::npos) << a.title.value;
  const auto b = MustAnalyze("Since version 10.4.2.1187 the sync fails every night.");
  EXPECT_NE(Lower(b.title.value).find("sync fails"), std::string::npos) << b.title.value;
}

TEST(Title, ShoutingIsSentenceCased) {
  const auto a = MustAnalyze("THE CHECKOUT PAGE SHOWS A BLANK SCREEN FOR EVERY CUSTOMER!!!");
  EXPECT_EQ(a.title.value.rfind("The checkout page shows a blank screen", 0), 0u) << a.title.value;
}

TEST(Title, LongSentencesAreCutAtAClauseAndNeverOnADanglingWord) {
  const std::string cases[] = {
      "I tried to upload the quarterly board presentation to the shared drive because the deadline "
      "is tomorrow but it fails at 99 percent",
      "After the last release, every PDF invoice we generate for customers in Germany shows the "
      "amounts without the VAT line",
      "The notification settings page of the mobile application loads the list of channels of "
      "the organisation on every single visit to the page",
  };
  for (const auto& text : cases) {
    const auto a = MustAnalyze(text);
    const auto& title = a.title.value;
    EXPECT_LE(text::CodePoints(title), 80u) << title;
    EXPECT_GE(text::Words(title).size(), 5u) << title;
    const auto last = Lower(title.substr(title.find_last_of(' ') + 1));
    for (std::string_view dangling : {"the", "on", "are", "to", "of", "a", "and", "in"}) {
      EXPECT_NE(last, dangling) << title;
    }
  }
  EXPECT_EQ(MustAnalyze("I got a new laptop and now I can't log in because the single sign-on page "
                        "keeps redirecting back to itself")
                .title.value,
            "I got a new laptop and now I can't log in");
}

// ---- extraction ------------------------------------------------------------------

TEST(Extraction, ProseNamingAnErrorIsNoErrorMessageAndBrandsNameModels) {
  const auto a = MustAnalyze(
      "Our shop calls the stock API every minute. When the catalogue is large we start getting "
      "Error 502 from your gateway on about half of the calls.");
  EXPECT_TRUE(a.description.error_messages.empty()) << a.description.error_messages.front();
  const auto b = MustAnalyze("The Lenovo TB3 dock at desk 4.20 stays black since Monday.");
  EXPECT_TRUE(b.description.error_codes.empty()) << b.description.error_codes.front();
  EXPECT_EQ(b.description.environment.app_versions.size(), 0u);
  const auto c = MustAnalyze("The banner says 'We couldn't save you're changes' after each edit.");
  ASSERT_FALSE(c.description.error_messages.empty());
  EXPECT_EQ(c.description.error_messages.front(), "We couldn't save you're changes");
}

TEST(Title, TheProblemAfterAButIsTheTitle) {
  const auto a = MustAnalyze(
      "With one user the import is fine, but with more than fifty users the import fails with a "
      "timeout after two minutes.");
  EXPECT_EQ(Lower(a.title.value).find("the import is fine"), std::string::npos) << a.title.value;
  EXPECT_NE(Lower(a.title.value).find("fails"), std::string::npos) << a.title.value;
}

TEST(Extraction, ANumberedErrorAMovedToVersionAndNoTraceNoise) {
  const auto vpn = MustAnalyze("The VPN drops. Windows says Error 809 when it reconnects.");
  EXPECT_TRUE(Contains(vpn.description.error_codes, "Error 809"));
  const auto rows = MustAnalyze("The import stopped after 1200 rows, see row 4711.");
  EXPECT_TRUE(rows.description.error_codes.empty()) << rows.description.error_codes.front();

  const auto trace = MustAnalyze(
      "Since updating to v4.1.2 my drafts are gone.\n\nTraceback (most recent call last):\n"
      "  File \"/srv/app/drafts.py\", line 7, in load\n    read(cache_dir)\n"
      "FileNotFoundError: 'cache_dir/drafts.db'\n");
  EXPECT_EQ(trace.description.environment.app_versions.count("app"), 1u);
  EXPECT_EQ(trace.description.environment.app_versions.at("app"), "4.1.2");
  EXPECT_EQ(trace.description.error_messages,
            std::vector<std::string>{"FileNotFoundError: 'cache_dir/drafts.db'"});

  const auto both = MustAnalyze(
      "## Bug\nSaving fails.\n\n## Environment\n- App version: 2.0.1\n- Version: 2.0.1\n");
  EXPECT_EQ(both.description.environment.app_versions,
            (std::map<std::string, std::string>{{"app", "2.0.1"}}));
}

TEST(Extraction, AMacNamedPlainlyIsMacOsAndATypoIsUi) {
  const auto mac = MustAnalyze("Login fails with 'Invalid credentials' in Chrome on my Mac.");
  EXPECT_EQ(mac.description.environment.os, "macOS");
  const auto typo = MustAnalyze(
      "There is a typo on the pricing page: 'Anual plan' instead of "
      "'Annual plan'.");
  EXPECT_EQ(typo.subcategory.value, "ui") << typo.subcategory.signals.front();
}

TEST(Title, AStatusTheTitleAlreadyNamesIsNotAppended) {
  const auto a =
      MustAnalyze("POST /v2/orders returns 500 Internal Server Error since this morning.");
  EXPECT_EQ(a.title.value.find("(HTTP 500)"), std::string::npos) << a.title.value;
  EXPECT_NE(a.title.value.find("500"), std::string::npos) << a.title.value;
}

TEST(Language, ShortSpanishWithPortugueseLookingWordsIsSpanish) {
  const auto billing = MustAnalyze(
      "Hola, quiero saber por qu\xC3\xA9 me cobraron dos veces la factura de noviembre.");
  EXPECT_EQ(billing.language.value, "es");
  EXPECT_EQ(billing.category.value, "billing");
  const auto download = MustAnalyze(
      "Hola, no puedo descargar las facturas en PDF desde el portal, me sale un error.");
  EXPECT_EQ(download.language.value, "es");
  EXPECT_EQ(download.category.value, "bug") << download.category.signals.front();
  const auto portuguese =
      MustAnalyze("Ol\xC3\xA1, n\xC3\xA3o consigo acessar a minha conta desde ontem.");
  EXPECT_EQ(portuguese.language.value, "pt");
}

TEST(Extraction, DatesAreNoVersions) {
  const auto a = MustAnalyze("I was charged twice on March 3. The second charge is 49 USD.");
  EXPECT_EQ(a.description.environment.app_versions.count("March"), 0u);
}

TEST(Extraction, MacOsReleaseNamesAndSentenceWordsAreNoApps) {
  const auto a = MustAnalyze("OS: macOS Sonoma 14.3. With 2.9.1 the upload worked; 3.0.2 fails.");
  EXPECT_EQ(a.description.environment.os, "macOS Sonoma 14.3");
  EXPECT_EQ(a.description.environment.app_versions.count("Sonoma"), 0u);
  EXPECT_EQ(a.description.environment.app_versions.count("With"), 0u);
}

TEST(Extraction, TheSummaryLeavesOutGreetingsAndTheSignature) {
  const auto a = MustAnalyze(
      "Hi team,\n\nI hope you are well. The CSV export has no header row since Monday.\n\n"
      "Kind regards,\nNoor Haddad\nOperations");
  EXPECT_EQ(a.description.summary, "The CSV export has no header row since Monday.");
}

TEST(Extraction, ExpectedTextAndAssetTagsAreNoErrors) {
  const auto a = MustAnalyze(
      "## Describe the bug\nA refund larger than the payment is accepted.\n\n"
      "## Expected behavior\nError: the refund may not exceed the payment.\n\n"
      "## Actual behavior\nThe balance becomes negative.");
  EXPECT_TRUE(a.description.error_messages.empty()) << a.description.error_messages.front();
  const auto b = MustAnalyze("My docking station (asset tag HW-55012) is not detected anymore");
  EXPECT_TRUE(b.description.error_codes.empty()) << b.description.error_codes.front();
}

TEST(Extraction, NamesVersionsDevicesAndEveryBrowser) {
  const auto a = MustAnalyze(
      "Since version 3.2.1 the app logs me out. Pixel 7 Pro, Android 13. Zoom 5.17.1 is open "
      "at the same time. On the web it works in Safari but not in Edge or Firefox.");
  const auto& env = a.description.environment;
  EXPECT_EQ(env.os, "Android 13");
  ASSERT_TRUE(env.app_versions.count("app"));
  EXPECT_EQ(env.app_versions.at("app"), "3.2.1");
  ASSERT_TRUE(env.app_versions.count("device"));
  EXPECT_EQ(env.app_versions.at("device"), "Pixel 7 Pro");
  ASSERT_TRUE(env.app_versions.count("Zoom"));
  EXPECT_EQ(env.app_versions.at("Zoom"), "5.17.1");
  for (std::string_view browser : {"Safari", "Edge", "Firefox"}) {
    EXPECT_NE(env.browser.find(browser), std::string::npos) << env.browser;
  }
}

TEST(Extraction, PrefersTheMentionOfAnOsThatCarriesItsVersion) {
  const auto a = MustAnalyze("The iOS widget stays empty. iPhone 14, iOS 17.5.1.");
  EXPECT_EQ(a.description.environment.os, "iOS 17.5.1");
  EXPECT_EQ(a.description.environment.app_versions.at("device"), "iPhone 14");
}

TEST(Extraction, DocumentNumbersAndDeviceModelsAreNoErrorCodes) {
  const auto a = MustAnalyze(
      "Order ORD-55812 and invoice INV-7781 were charged twice. The app shows E4012 on my "
      "Galaxy A54.");
  const auto& codes = a.description.error_codes;
  EXPECT_TRUE(Contains(codes, "E4012"));
  for (std::string bad : {"ORD-55812", "INV-7781", "A54"})
    EXPECT_FALSE(Contains(codes, bad)) << bad;
}

TEST(Extraction, ErrorStringsOfJsonBodiesAndQuotedMessagesInAnyLanguage) {
  const auto json = MustAnalyze(
      R"(Uploads fail. The server answers {"error": "quota_exceeded", "message": "Storage full"})");
  EXPECT_TRUE(Contains(json.description.error_codes, "quota_exceeded"));
  EXPECT_FALSE(Contains(json.description.error_messages, "error"));

  const auto french = MustAnalyze(
      "Je ne peux pas me connecter, j'ai le message \xC2\xAB Mot de passe incorrect \xC2\xBB "
      "\xC3\xA0 chaque fois.");
  EXPECT_TRUE(Contains(french.description.error_messages, "Mot de passe incorrect"));

  const auto plain = MustAnalyze("The 'Save' button does nothing and I don't know why.");
  EXPECT_TRUE(plain.description.error_messages.empty());
}

TEST(Kinds, AVpnOrOfficeNetworkThatDoesNotConnectIsANetworkProblem) {
  ExpectKinds({
      {"I can't connect to the VPN from my laptop since this morning. It says 'authentication "
       "failed' even though my password works for email.",
       "technical",
       {},
       "technical_support"},
      {"The whole office lost internet about 20 minutes ago, nobody can reach anything",
       "technical", kHigh, "technical_support"},
      {"Remote desktop keeps disconnecting every few minutes when I work from home",
       "technical",
       {},
       "technical_support"},
  });
  const auto vpn = MustAnalyze("Unable to connect to the VPN from the hotel wifi on my laptop");
  EXPECT_EQ(vpn.subcategory.value, "network") << vpn.subcategory.signals.front();
  // A developer's question with a log about their own client is not the office network.
  const auto developer = MustAnalyze(
      "Node fails to connect to the network after upgrade\n\n```\n2023-01-02 10:00:00 "
      "net: connect to 1.2.3.4:8333 failed\n```");
  EXPECT_NE(developer.category.value, "technical") << developer.category.signals.front();
  // A broken device without a network word is still hardware.
  const auto printer = MustAnalyze("The printer on floor 2 is printing blank pages");
  EXPECT_EQ(printer.subcategory.value, "hardware");
}

TEST(Priority, AFailureThatManyPeopleShareIsHighButAPlaceOrAVersionListIsNoCrowd) {
  ExpectKinds({
      {"Our payroll run failed and 300 employees won't get paid on Friday unless this is fixed "
       "today.",
       "", kHigh, ""},
      {"The timesheet export fails for all staff in the Oslo office", "", kHigh, ""},
  });
  for (const std::string text : {
           "The tooltip is wrong in production, it shows the old label",
           "Which versions of the library are affected by this error when rendering lists?",
           "The date picker shows an error for all users who use a Spanish locale, but there is a "
           "workaround",
       }) {
    const auto a = MustAnalyze(text);
    EXPECT_TRUE(kLowish.count(a.priority.value)) << text << " -> " << a.priority.value;
  }
}

TEST(Priority, ADeadlineTheReporterMustMeetIsUrgent) {
  const auto a = MustAnalyze(
      "Excel crashes whenever I open the quarterly report and I have a presentation at 2pm.");
  EXPECT_TRUE(kHigh.count(a.urgency.value)) << a.urgency.value;
  const auto relaxed = MustAnalyze("Excel shows the ribbon in the wrong language, no rush.");
  EXPECT_TRUE(kLowish.count(relaxed.urgency.value)) << relaxed.urgency.value;
}

// From the sixth judging run: what help-desk reports say that the rules
// missed. Each text here is a variant, not the judged report.
TEST(Kinds, ACredentialPostedInPublicOrASignInThatWasNotMeIsASecurityIncident) {
  ExpectKinds({
      {"Our intern pasted the database password into the public support chat by mistake.",
       "security", kHigh, "security"},
      {"Got a notification about a login to my account from Brazil. That wasn't me!", "security",
       kHigh, "security"},
  });
  // Typing one's own password where it belongs exposes nothing.
  const auto typed = MustAnalyze("I pasted my password into the login form and it says invalid");
  EXPECT_NE(typed.category.value, "security") << typed.category.signals.front();
}

TEST(Kinds, AskingToBeLetIntoADriveOrAFolderIsAnAccessRequest) {
  ExpectKinds({
      {"Could you give me access to the marketing shared folder? I'm new on the team.",
       "user_access",
       {},
       "account_services"},
      {"Please grant me write access to the Q3 budget spreadsheet on the team drive.",
       "user_access",
       {},
       "account_services"},
  });
  const auto folder = MustAnalyze("I need access to the HR folder on the file server.");
  EXPECT_EQ(folder.subcategory.value, "permissions") << folder.subcategory.signals.front();
  // A developer's question about their own code keeps the model's answer.
  const auto developer = MustAnalyze(
      "How do I get access to the request object inside a middleware?\n\n```js\n"
      "app.use((req, res, next) => { next(); });\n```");
  EXPECT_NE(developer.category.value, "user_access") << developer.category.signals.front();
}

TEST(Urgency, AnUrgentWordSoftenedByNotIsNoCallForSpeed) {
  for (const char* text :
       {"The dashboard loads slowly in the afternoons. Not very urgent, I can still work.",
        "Outlook freezes for a few seconds when I search. This is not really urgent."}) {
    const auto a = MustAnalyze(text);
    EXPECT_TRUE(kLowish.count(a.urgency.value)) << text << " -> " << a.urgency.value;
    EXPECT_TRUE(kLowish.count(a.priority.value)) << text << " -> " << a.priority.value;
  }
  const auto slow =
      MustAnalyze("My PC is really slow since Monday and sometimes freezes, but it's not urgent.");
  EXPECT_EQ(slow.category.value, "performance") << slow.category.signals.front();
}

TEST(Priority, AFaultNobodyNearbyCanWorkAroundIsHighButAWholeScreenIsNoCrowd) {
  const auto scanner = MustAnalyze(
      "The scanner next to reception shows an error and nobody in our department can scan "
      "invoices.");
  EXPECT_TRUE(kHigh.count(scanner.priority.value)) << scanner.priority.value;
  const auto flicker = MustAnalyze("Sometimes the whole screen flickers when I scroll in Excel.");
  for (const auto& signal : flicker.priority.signals) {
    EXPECT_EQ(signal.find("wide impact"), std::string::npos) << signal;
  }
}

TEST(Title, ASentenceThatOnlySaysByWhenIsNotTheTitle) {
  const auto deadline = MustAnalyze(
      "Please help before my client call at 10. Outlook shows a blank screen when I open the "
      "calendar.");
  EXPECT_NE(deadline.title.value.find("Outlook"), std::string::npos) << deadline.title.value;
  const auto german = MustAnalyze(
      "Guten Tag, seit gestern st\xC3\xBCrzt Outlook beim \xC3\x96"
      "ffnen von Anh\xC3\xA4ngen ab. "
      "Ich habe den PC neu gestartet, aber das Problem bleibt.");
  EXPECT_NE(german.title.value.find("st\xC3\xBCrzt"), std::string::npos) << german.title.value;
  EXPECT_EQ(german.subcategory.value, "crash") << german.subcategory.signals.front();
}

// From the seventh judging run; again variants of the judged reports.
TEST(Kinds, ADevicePrintingDocumentsOrNamedAloneIsTechnical) {
  ExpectKinds({
      {"The copier on the 2nd floor is jammed again, nobody can print the invoices for the audit.",
       "technical", kHigh, "technical_support"},
      {"scanner", "technical", {}, "technical_support"},
      {"laptop broken", "technical", {}, "technical_support"},
  });
}

TEST(Priority, BackupsThatFailPutDataAtRisk) {
  const auto backups =
      MustAnalyze("Our nightly backups are failing since Tuesday and there is no recent backup.");
  EXPECT_TRUE(kHigh.count(backups.priority.value)) << backups.priority.value;
  const auto german = MustAnalyze(
      "Der Export st\xC3\xBCrzt jedes Mal ab. Bitte bis Freitag beheben, sonst fehlt der "
      "Monatsabschluss.");
  EXPECT_TRUE(kHigh.count(german.urgency.value)) << german.urgency.value;
}

TEST(Kinds, AFailureOpeningAReportAboutPayIsABugWhenNoMoneyIsNamed) {
  const auto pay = MustAnalyze(
      "The payroll approval page is stuck on a spinner. Staff won't get paid on Friday if this "
      "stays.");
  EXPECT_EQ(pay.category.value, "bug") << pay.category.signals.front();
  const auto refund =
      MustAnalyze("The payment page failed twice and I was charged twice, please refund me.");
  EXPECT_EQ(refund.category.value, "billing") << refund.category.signals.front();
}

TEST(Title, ATimeOfDayDeadlineIsNotTheTitleAndASpinnerIsAProblem) {
  const auto a = MustAnalyze(
      "The timesheet page only shows a loading spinner. Please fix by 4 pm, payroll closes then.");
  EXPECT_NE(a.title.value.find("spinner"), std::string::npos) << a.title.value;
  const auto access = MustAnalyze(
      "I join the legal team next week. I need access to the contracts folder and the DocuSign "
      "group.");
  EXPECT_NE(access.title.value.find("access"), std::string::npos) << access.title.value;
}

TEST(Title, ACutTitleEndsOnAWholeClauseInOtherLanguagesToo) {
  const auto spanish = MustAnalyze(
      "Hola, desde esta ma\xC3\xB1"
      "ana la impresora de la oficina no funciona y nadie del equipo "
      "puede imprimir las facturas de los clientes, es urgente.");
  EXPECT_EQ(spanish.title.value.find(" y "), std::string::npos) << spanish.title.value;
  EXPECT_NE(spanish.title.value.find("no funciona"), std::string::npos) << spanish.title.value;
  // A negation that ends the sentence is whole: "geht nicht", "ne marche pas".
  EXPECT_EQ(MustAnalyze("Der Scanner im Keller geht nicht").title.value,
            "Der Scanner im Keller geht nicht");
  const auto cut = MustAnalyze(
      "Since the upgrade last Monday the entire finance department cannot export the quarterly "
      "VAT report to Excel");
  const auto& title = cut.title.value;
  EXPECT_FALSE(title.ends_with(" cannot") || title.ends_with(" can't")) << title;
  EXPECT_EQ(MustAnalyze("The calendar sync does not work as it should").title.value,
            "The calendar sync does not work as it should");
}

// From the eighth judging run; variants again.
TEST(Kinds, AClickedPhishingLinkIsSecurityAndOnesOwnMicrophoneIsNoOutage) {
  ExpectKinds({
      {"An email that looked like it was from payroll asked me to confirm my bank details. I "
       "clicked the link in it and filled in the form.",
       "security", kHigh, "security"},
  });
  const auto mic =
      MustAnalyze("Since the update nobody can hear me in Zoom meetings, but I hear everyone.");
  EXPECT_TRUE(kLowish.count(mic.priority.value)) << mic.priority.value;
  for (const auto& signal : mic.priority.signals) {
    EXPECT_EQ(signal.find("outage"), std::string::npos) << signal;
  }
}

TEST(Kinds, ForeignDeviceFailuresAndBlockedTeamsAreTechnicalAndHigh) {
  ExpectKinds({
      {"Bonjour, le scanner de l'accueil ne fonctionne plus. Toute l'\xC3\xA9quipe est "
       "bloqu\xC3\xA9"
       "e.",
       "technical", kHigh, "technical_support"},
      {"The card reader at the side door rejects every badge since this morning.",
       "technical",
       {},
       "technical_support"},
  });
}

TEST(Title, ALabelSayingItCanWaitIsNotTheTitle) {
  const auto a = MustAnalyze(
      "No rush at all: the projector remote in meeting room Atlas needs new batteries.");
  EXPECT_TRUE(a.title.value.starts_with("The projector remote")) << a.title.value;
  const auto urgent = MustAnalyze("URGENT: the payment terminal at the front desk is offline.");
  EXPECT_TRUE(urgent.title.value.starts_with("URGENT")) << urgent.title.value;
}

TEST(Extraction, ADottedDeviceCodeAfterErrorIsKeptWhole) {
  const auto a = MustAnalyze("The plotter shows error 51.1A.03 and stops after one page.");
  EXPECT_TRUE(Contains(a.description.error_codes, "51.1A.03"));
  const auto version = MustAnalyze("Since 4.2.1 the export fails. 2.5 seconds later it crashes.");
  EXPECT_TRUE(version.description.error_codes.empty()) << version.description.error_codes.front();
}

TEST(Kinds, AMailboxThatStopsReceivingIsAnItProblem) {
  const auto a = MustAnalyze(
      "Our team mailbox on the mail server stopped receiving mail this morning, replies bounce.");
  EXPECT_EQ(a.category.value, "technical") << a.category.signals.front();
  EXPECT_EQ(a.subcategory.value, "email") << a.subcategory.signals.front();
}

}  // namespace
}  // namespace ticketd::analysis
