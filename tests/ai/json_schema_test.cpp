#include "ai/json_schema.hpp"

#include <gtest/gtest.h>

namespace ticketd::ai {
namespace {

using nlohmann::json;

const json kSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "query": {"type": "string", "minLength": 1, "maxLength": 5},
    "limit": {"type": "integer", "minimum": 1, "maximum": 20},
    "score": {"type": "number", "minimum": 0, "maximum": 1},
    "kind": {"type": "string", "enum": ["bug", "billing"]},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    "note": {"type": ["string", "null"]},
    "nested": {"type": "object", "properties": {"ok": {"type": "boolean"}},
               "required": ["ok"], "additionalProperties": false}
  },
  "required": ["query"],
  "additionalProperties": false
})");

struct Case {
  std::string name;
  json value;
  domain::FieldErrors expected;
};

class ValidateJsonReports : public testing::TestWithParam<Case> {};

TEST_P(ValidateJsonReports, TheViolations) {
  EXPECT_EQ(ValidateJson(kSchema, GetParam().value), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateJsonReports,
    testing::Values(
        Case{"Conforming",
             {{"query", "vpn"},
              {"limit", 3},
              {"score", 0.5},
              {"kind", "bug"},
              {"tags", {"a"}},
              {"note", nullptr},
              {"nested", {{"ok", true}}}},
             {}},
        Case{"MissingRequired", json::object(), {{"query", "is required"}}},
        Case{"WrongRootType", json::array(), {{"", "must be object"}}},
        Case{"TooLongCountsCodePoints",
             {{"query", "ÄÖÜäöü"}},
             {{"query", "must be at most 5 characters"}}},
        Case{"FitsInCodePoints", {{"query", "ÄÖÜäö"}}, {}},
        Case{"Empty", {{"query", ""}}, {{"query", "must be at least 1 characters"}}},
        Case{"IntegerAsFloatAccepted", {{"query", "a"}, {"limit", 2.0}}, {}},
        Case{
            "FractionNotInteger", {{"query", "a"}, {"limit", 2.5}}, {{"limit", "must be integer"}}},
        Case{"BelowMinimum", {{"query", "a"}, {"limit", 0}}, {{"limit", "must be at least 1"}}},
        Case{"AboveMaximum", {{"query", "a"}, {"score", 1.5}}, {{"score", "must be at most 1"}}},
        Case{"NotInEnum",
             {{"query", "a"}, {"kind", "x"}},
             {{"kind", "must be one of: bug, billing"}}},
        Case{"ItemType", {{"query", "a"}, {"tags", {"x", 3}}}, {{"tags[1]", "must be string"}}},
        Case{"TooManyItems",
             {{"query", "a"}, {"tags", {"x", "y", "z"}}},
             {{"tags", "must have at most 2 items"}}},
        Case{"TypeList", {{"query", "a"}, {"note", 1}}, {{"note", "must be string or null"}}},
        Case{"Additional", {{"query", "a"}, {"extra", 1}}, {{"extra", "is not allowed"}}},
        Case{"NestedPaths",
             {{"query", "a"}, {"nested", {{"ok", "yes"}, {"x", 1}}}},
             {{"nested.ok", "must be boolean"}, {"nested.x", "is not allowed"}}},
        Case{"SeveralAtOnce",
             {{"limit", "3"}, {"kind", "x"}},
             {{"query", "is required"},
              {"kind", "must be one of: bug, billing"},
              {"limit", "must be integer"}}}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateJson, RootPathPrefixesEveryError) {
  const auto errors = ValidateJson(kSchema, {{"limit", 99}}, "args");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "args.query");
  EXPECT_EQ(errors[1].path, "args.limit");
}

TEST(CheckSchemaSubset, AcceptsTheSubsetAndNamesOtherKeywords) {
  EXPECT_TRUE(CheckSchemaSubset(kSchema).empty());
  const json unsupported = {{"type", "object"},
                            {"properties", {{"id", {{"type", "string"}, {"pattern", "^a"}}}}},
                            {"oneOf", json::array()}};
  EXPECT_EQ(CheckSchemaSubset(unsupported),
            (std::vector<std::string>{"oneOf", "properties.id.pattern"}));
}

}  // namespace
}  // namespace ticketd::ai
