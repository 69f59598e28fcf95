#include "domain/ticket_json.hpp"

#include <gtest/gtest.h>

#include "domain/time_format.hpp"

namespace ticketd::domain {
namespace {

using nlohmann::json;

json ValidCreate() {
  return {{"title", "VPN drops"},
          {"description", "Since this morning the VPN drops every five minutes."},
          {"priority", "high"},
          {"category", "technical"}};
}

std::vector<std::string> Paths(const FieldErrors& errors) {
  std::vector<std::string> paths;
  for (const auto& error : errors)
    paths.push_back(error.path);
  return paths;
}

TEST(DecodeCreate, AcceptsTheFourRequiredMembersAndAppliesDefaults) {
  TicketChanges changes;
  ASSERT_TRUE(DecodeChanges(ValidCreate(), BodyKind::kCreate, changes).empty());
  const auto ticket = NewTicket(changes, "u1");
  EXPECT_EQ(ticket.title, "VPN drops");
  EXPECT_EQ(ticket.priority, Priority::kHigh);
  EXPECT_EQ(ticket.urgency, Priority::kMedium);
  EXPECT_EQ(ticket.status, Status::kNew);
  EXPECT_EQ(ticket.source_channel, SourceChannel::kApi);
  EXPECT_EQ(ticket.created_by_id, "u1");
  EXPECT_TRUE(ticket.metadata.is_object());
}

TEST(DecodeCreate, ReportsEveryMissingRequiredMember) {
  TicketChanges changes;
  const auto errors = DecodeChanges(json::object(), BodyKind::kCreate, changes);
  EXPECT_EQ(Paths(errors),
            (std::vector<std::string>{"title", "description", "priority", "category"}));
}

TEST(DecodeCreate, ReportsOneErrorPerInvalidMember) {
  auto body = ValidCreate();
  body["priority"] = "urgent";
  body["category"] = 7;
  body["title"] = std::string(256, 'x');
  body["assigned_to_id"] = "bob";
  body["due_date"] = "tomorrow";
  TicketChanges changes;
  const auto errors = DecodeChanges(body, BodyKind::kCreate, changes);
  ASSERT_EQ(errors.size(), 5u);
  EXPECT_EQ(Paths(errors), (std::vector<std::string>{"assigned_to_id", "category", "due_date",
                                                     "priority", "title"}));
  EXPECT_NE(errors[3].reason.find("low, medium, high, critical"), std::string::npos);
}

TEST(DecodeCreate, TitleLimitCountsCharactersNotBytes) {
  auto body = ValidCreate();
  std::string title;
  for (int i = 0; i < 255; ++i)
    title += "\xC3\xA9";  // é, two bytes each
  body["title"] = title;
  TicketChanges changes;
  EXPECT_TRUE(DecodeChanges(body, BodyKind::kCreate, changes).empty());
}

TEST(DecodeCreate, RejectsBlankTitleAndStatus) {
  auto body = ValidCreate();
  body["title"] = "   ";
  body["status"] = "open";
  TicketChanges changes;
  EXPECT_EQ(Paths(DecodeChanges(body, BodyKind::kCreate, changes)),
            (std::vector<std::string>{"status", "title"}));
}

TEST(DecodeUpdate, RefusesReadOnlyAndUnknownMembers) {
  TicketChanges changes;
  const auto errors =
      DecodeChanges({{"id", "x"}, {"version", 3}, {"colour", "red"}, {"created_at", "x"}},
                    BodyKind::kUpdate, changes);
  ASSERT_EQ(errors.size(), 4u);
  for (const auto& error : errors) {
    EXPECT_TRUE(error.reason.find("cannot be written") != std::string::npos ||
                error.reason.find("not a member") != std::string::npos)
        << error.path << ": " << error.reason;
  }
}

TEST(DecodeUpdate, NullClearsNullableMembersAndIsRefusedForRequiredOnes) {
  TicketChanges changes;
  EXPECT_TRUE(
      DecodeChanges({{"department", nullptr}, {"due_date", nullptr}}, BodyKind::kUpdate, changes)
          .empty());
  ASSERT_TRUE(changes.department.has_value());
  EXPECT_FALSE(changes.department->has_value());

  TicketChanges refused;
  EXPECT_EQ(
      Paths(DecodeChanges({{"title", nullptr}, {"tags", nullptr}}, BodyKind::kUpdate, refused)),
      (std::vector<std::string>{"tags", "title"}));
}

TEST(DecodeUpdate, TagErrorsNameTheIndex) {
  TicketChanges changes;
  const auto errors =
      DecodeChanges({{"tags", json::array({"ok", 3, ""})}}, BodyKind::kUpdate, changes);
  EXPECT_EQ(Paths(errors), (std::vector<std::string>{"tags[1]", "tags[2]"}));
}

TEST(DecodeUpdate, BodyMustBeAnObject) {
  TicketChanges changes;
  const auto errors = DecodeChanges(json::array(), BodyKind::kUpdate, changes);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "body");
}

TEST(DecodeAssign, MissingOrNullAssigneeUnassigns) {
  for (const auto& body : {json::object(), json{{"assigned_to_id", nullptr}}}) {
    TicketChanges changes;
    ASSERT_TRUE(DecodeChanges(body, BodyKind::kAssign, changes).empty());
    ASSERT_TRUE(changes.assigned_to_id.has_value());
    EXPECT_FALSE(changes.assigned_to_id->has_value());
  }
  TicketChanges changes;
  EXPECT_EQ(Paths(DecodeChanges({{"title", "x"}}, BodyKind::kAssign, changes)),
            (std::vector<std::string>{"title"}));
}

TEST(DecodeStatus, RequiresStatus) {
  TicketChanges changes;
  EXPECT_EQ(Paths(DecodeChanges({{"resolution_summary", "done"}}, BodyKind::kStatus, changes)),
            (std::vector<std::string>{"status"}));
}

TEST(ApplyChanges, RaisesVersionAndTouchesTimes) {
  Ticket ticket;
  ticket.version = 4;
  TicketChanges changes;
  changes.title = "New title";
  EXPECT_EQ(ApplyChanges(ticket, changes, "NOW"), ApplyResult::kApplied);
  EXPECT_EQ(ticket.version, 5);
  EXPECT_EQ(ticket.title, "New title");
  EXPECT_EQ(ticket.updated_at, "NOW");
  EXPECT_EQ(ticket.last_activity_at, "NOW");
}

TEST(ApplyChanges, EmptyChangesLeaveVersion) {
  Ticket ticket;
  ticket.version = 2;
  EXPECT_EQ(ApplyChanges(ticket, {}, "NOW"), ApplyResult::kUnchanged);
  EXPECT_EQ(ticket.version, 2);
}

TEST(ApplyChanges, ForbiddenStatusChangesNothing) {
  Ticket ticket;
  ticket.status = Status::kClosed;
  TicketChanges changes;
  changes.status = Status::kPending;
  changes.title = "ignored";
  EXPECT_EQ(ApplyChanges(ticket, changes, "NOW"), ApplyResult::kInvalidTransition);
  EXPECT_NE(ticket.title, "ignored");
  EXPECT_EQ(ticket.version, 1);
}

TEST(ApplyChanges, MergePatchMergesMetadataAndPutReplacesIt) {
  Ticket merged;
  merged.metadata = {{"a", 1}, {"b", {{"c", 2}, {"d", 3}}}};
  Ticket replaced = merged;

  TicketChanges changes;
  ASSERT_TRUE(DecodeChanges({{"metadata", {{"b", {{"c", nullptr}}}, {"e", 5}}}},
                            BodyKind::kMergePatch, changes)
                  .empty());
  ApplyChanges(merged, changes, "NOW");
  EXPECT_EQ(merged.metadata, (json{{"a", 1}, {"b", {{"d", 3}}}, {"e", 5}}));

  TicketChanges put;
  ASSERT_TRUE(DecodeChanges({{"metadata", {{"e", 5}}}}, BodyKind::kUpdate, put).empty());
  ApplyChanges(replaced, put, "NOW");
  EXPECT_EQ(replaced.metadata, (json{{"e", 5}}));
}

TEST(ToJson, HidesInternalNotesUnlessAsked) {
  Ticket ticket;
  ticket.internal_notes = "secret";
  EXPECT_FALSE(ToJson(ticket, {}).contains("internal_notes"));
  EXPECT_EQ(ToJson(ticket, {.include_internal = true})["internal_notes"], "secret");
}

TEST(ToJson, DropsAiAnalysisWhenNotWanted) {
  Ticket ticket;
  ticket.ai_analysis = {{"confidence_score", 0.9}};
  EXPECT_TRUE(ToJson(ticket, {}).at("ai_analysis").is_object());
  EXPECT_TRUE(ToJson(ticket, {.include_ai = false}).at("ai_analysis").is_null());
}

TEST(TimeFormat, FormatsUtcWithMicroseconds) {
  using namespace std::chrono;
  const auto when = sys_days{2026y / 12 / 3} + 10h + 4min + 5s + 123456us;
  EXPECT_EQ(FormatUtc(system_clock::time_point(when)), "2026-12-03T10:04:05.123456Z");
}

TEST(TimeFormat, ValidatesRfc3339) {
  for (const char* good :
       {"2026-12-03T10:00:00Z", "2026-12-03T10:00:00.5+02:00", "2024-02-29T23:59:59-11:30",
        "2026-12-03t10:00:00z", "0001-01-01T00:00:00Z", "0001-01-01T15:59:00+15:59",
        "9999-12-31T23:59:58.999999Z", "2026-01-01T00:00:00.123456789Z",
        "9999-12-31T08:00:00-15:59"}) {
    EXPECT_TRUE(IsRfc3339(good)) << good;
  }
  for (const char* bad :
       {"2026-12-03", "2026-12-03T10:00:00", "2026-13-03T10:00:00Z", "2025-02-29T10:00:00Z",
        "2026-12-03T24:00:00Z", "2026-12-03T10:00:00.Z", "2026-12-03T10:00:00+0200", "tomorrow",
        // In UTC these fall in year 0 and year 10000, which cannot be written back.
        "0001-01-01T00:00:00+15:59", "0001-01-01T15:58:59+15:59", "9999-12-31T23:59:59-15:59",
        "9999-12-31T08:01:00-15:59", "9999-12-31T23:59:59Z", "9999-12-31T23:59:60Z",
        "9999-12-31T23:59:59.9999995Z", "2026-01-01T00:00:00.1234567890Z"}) {
    EXPECT_FALSE(IsRfc3339(bad)) << bad;
  }
}

TEST(TimeFormat, NamesWhatIsWrongWithADate) {
  const struct {
    const char* text;
    const char* problem;
  } cases[] = {
      {"tomorrow", "does not start with a date written YYYY-MM-DD"},
      {"2026-12-03", "is a date without a time and a zone"},
      {"2026-12-03 10:00:00Z", "separates the date and the time with a space instead of T"},
      {"2026-12-03T10:00Z", "has no time written hh:mm:ss after the T"},
      {"0000-01-01T00:00:00Z", "has year 0000, which does not exist"},
      {"2026-13-03T10:00:00Z", "has month 13, which does not exist"},
      {"2026-02-30T10:00:00Z", "has day 30, which does not exist in 2026-02 (it has 28 days)"},
      {"2024-02-30T10:00:00Z", "has day 30, which does not exist in 2024-02 (it has 29 days)"},
      {"2026-12-03T24:00:00Z", "has hour 24, which does not exist (00 to 23)"},
      {"2026-12-03T10:60:00Z", "has minute 60"},
      {"2026-12-03T10:00:61Z", "has second 61"},
      {"2026-12-03T10:00:00.Z", "has a '.' without fraction digits after it"},
      {"2026-01-01T00:00:00.1234567890Z", "has more than 9 fraction digits"},
      {"2026-12-03T10:00:00", "has no zone after the time (Z, or an offset such as +02:00)"},
      {"2026-12-03T10:00:00 UTC", "has no zone after the time"},
      {"2026-12-03T10:00:00Zulu", "goes on after its zone Z"},
      {"2026-12-03T10:00:00+0200", "has an offset not written +hh:mm or -hh:mm"},
      {"2026-12-03T10:00:00+02:60", "has offset minute 60"},
      {"9999-12-31T23:59:59-23:59", "has the offset -23:59, beyond the largest accepted"},
      {"0001-01-01T00:00:00+15:59", "is in year 0000 once moved to UTC"},
      {"9999-12-31T23:59:59Z", "is 9999-12-31T23:59:59Z or later once moved to UTC"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Rfc3339Problem(c.text).value_or("(accepted)").rfind(c.problem, 0), 0u)
        << c.text << ": " << Rfc3339Problem(c.text).value_or("(accepted)");
  }
  EXPECT_EQ(Rfc3339Problem("2026-12-03T10:00:00.5+02:00"), std::nullopt);
}

TEST(DecodeCreate, DueDateReasonSaysWhatIsWrongAndWhatIsExpected) {
  const struct {
    json value;
    const char* reason;
  } cases[] = {
      {"2026-02-30T17:00:00Z",
       "has day 30, which does not exist in 2026-02 (it has 28 days); expected an RFC 3339 "
       "date-time with a zone, such as 2026-12-31T17:00:00Z, or null"},
      {20261231,
       "is not a string; expected an RFC 3339 date-time with a zone, such as "
       "2026-12-31T17:00:00Z, or null"},
  };
  for (const auto& c : cases) {
    auto body = ValidCreate();
    body["due_date"] = c.value;
    TicketChanges changes;
    const auto errors = DecodeChanges(body, BodyKind::kCreate, changes);
    ASSERT_EQ(errors.size(), 1u) << c.value;
    EXPECT_EQ(errors[0].path, "due_date");
    EXPECT_EQ(errors[0].reason, c.reason);
  }
}

TEST(StorableText, AcceptsUtf8AndRefusesWhatPostgresCannotStore) {
  EXPECT_TRUE(IsStorableText("plain"));
  EXPECT_TRUE(IsStorableText("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(IsStorableText(""));
  EXPECT_FALSE(IsStorableText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsStorableText("\xFF"));
  EXPECT_FALSE(IsStorableText("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsStorableText("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsStorableText("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsStorableText("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(DecodeCreate, RefusesNulCharactersInsteadOfTruncating) {
  auto body = ValidCreate();
  body["title"] = std::string("nul\0here", 8);
  body["metadata"] = {{std::string("k\0", 2), "v"}};
  TicketChanges changes;
  EXPECT_EQ(Paths(DecodeChanges(body, BodyKind::kCreate, changes)),
            (std::vector<std::string>{"metadata", "title"}));
}

TEST(DecodeCreate, RefusesMetadataNumbersThatPostgresWouldWriteOutAtLength) {
  for (const double bad : {1e308, -1e15, 1e-300, -5e-10}) {
    auto body = ValidCreate();
    body["metadata"] = {{"n", json::array({1, bad})}};
    TicketChanges changes;
    const auto errors = DecodeChanges(body, BodyKind::kCreate, changes);
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0].path, "metadata");
  }
  for (const json& good : {json(0.0), json(3.25), json(-1e14), json(2e-9),
                           json(std::int64_t{9'000'000'000'000'000'000})}) {
    auto body = ValidCreate();
    body["metadata"] = {{"n", good}};
    TicketChanges changes;
    EXPECT_TRUE(DecodeChanges(body, BodyKind::kCreate, changes).empty()) << good;
  }
}

// Regression: an integer of 20 digits, beyond 64 bits and so read as a
// double, was refused as a "fractional or exponent" number.
TEST(DecodeCreate, CallsAnIntegerBeyond64BitsOutsideTheRangeKeptExactly) {
  for (const char* number : {"99999999999999999999", "-9223372036854775809"}) {
    auto body = ValidCreate();
    body["metadata"] = json::parse(std::string(R"({"ids": {"order": )") + number + "}}");
    TicketChanges changes;
    const auto errors = DecodeChanges(body, BodyKind::kCreate, changes);
    ASSERT_EQ(errors.size(), 1u) << number;
    EXPECT_EQ(errors[0].path, "metadata");
    EXPECT_EQ(errors[0].reason,
              "must not contain numbers outside the range kept exactly (at metadata.ids.order): "
              "integers from -9223372036854775808 to 18446744073709551615, numbers with a "
              "fraction or an exponent below 1e15 in magnitude; send larger values as strings");
  }
  for (const char* number : {"18446744073709551615", "-9223372036854775808"}) {
    auto body = ValidCreate();
    body["metadata"] = json::parse(std::string(R"({"n": )") + number + "}");
    TicketChanges changes;
    EXPECT_TRUE(DecodeChanges(body, BodyKind::kCreate, changes).empty()) << number;
  }
}

TEST(DecodeCreate, NamesWhereInMetadataTheProblemIs) {
  auto body = ValidCreate();
  body["metadata"] = {{"list", json::array({1, 2e-12})}};
  TicketChanges changes;
  auto errors = DecodeChanges(body, BodyKind::kCreate, changes);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].reason.find("below 1e-9"), std::string::npos) << errors[0].reason;
  EXPECT_NE(errors[0].reason.find("(at metadata.list[1])"), std::string::npos) << errors[0].reason;

  body["metadata"] = {{"note", std::string("a\0b", 3)}};
  errors = DecodeChanges(body, BodyKind::kCreate, changes);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].reason.find("(at metadata.note)"), std::string::npos) << errors[0].reason;
}

TEST(DecodeCreate, RefusesMetadataNestedTooDeep) {
  json deep = json::array();
  for (int i = 0; i < 40; ++i)
    deep = json::array({deep});
  auto body = ValidCreate();
  body["metadata"] = {{"deep", deep}};
  TicketChanges changes;
  const auto errors = DecodeChanges(body, BodyKind::kCreate, changes);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "metadata");
  EXPECT_NE(errors[0].reason.find("deeper"), std::string::npos);

  json shallow = json::array();
  for (int i = 0; i < 10; ++i)
    shallow = json::array({shallow});
  body["metadata"] = {{"ok", shallow}};
  EXPECT_TRUE(DecodeChanges(body, BodyKind::kCreate, changes).empty());
}

}  // namespace
}  // namespace ticketd::domain
