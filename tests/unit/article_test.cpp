#include "domain/article.hpp"

#include <gtest/gtest.h>

namespace ticketd::domain {
namespace {

using nlohmann::json;

std::vector<std::string> Paths(const FieldErrors& errors) {
  std::vector<std::string> paths;
  for (const auto& error : errors)
    paths.push_back(error.path);
  return paths;
}

TEST(DecodeArticleTest, CreateTakesTitleContentCategoryAndTags) {
  ArticleChanges changes;
  const auto errors = DecodeArticle({{"title", "Reset a VPN token"},
                                     {"content", "1. Open the portal\n2. Choose *Reset*"},
                                     {"category", "user_access"},
                                     {"tags", {"vpn", "token", "vpn"}}},
                                    true, changes);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(changes.title, "Reset a VPN token");
  EXPECT_EQ(changes.content, "1. Open the portal\n2. Choose *Reset*");
  ASSERT_TRUE(changes.category.has_value());
  EXPECT_EQ(*changes.category, Category::kUserAccess);
  EXPECT_EQ(changes.tags, (std::vector<std::string>{"vpn", "token"}));
}

struct BadBody {
  const char* name;
  json body;
  bool create;
  std::vector<std::string> paths;
};

class DecodeArticleRejects : public ::testing::TestWithParam<BadBody> {};

TEST_P(DecodeArticleRejects, WithOneErrorPerBadMember) {
  ArticleChanges changes;
  EXPECT_EQ(Paths(DecodeArticle(GetParam().body, GetParam().create, changes)), GetParam().paths);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, DecodeArticleRejects,
    ::testing::Values(
        BadBody{"MissingTitleAndContent", json::object(), true, {"title", "content"}},
        BadBody{"BlankTitle", {{"title", "  \t"}, {"content", "x"}}, true, {"title"}},
        BadBody{"LongTitle", {{"title", std::string(256, 'a')}, {"content", "x"}}, true, {"title"}},
        BadBody{"LongContent",
                {{"title", "t"}, {"content", std::string(kArticleContentMax + 1, 'a')}},
                true,
                {"content"}},
        BadBody{"NulInContent",
                {{"title", "t"}, {"content", std::string("a\0b", 3)}},
                true,
                {"content"}},
        BadBody{"UnknownCategory",
                {{"title", "t"}, {"content", "c"}, {"category", "misc"}},
                true,
                {"category"}},
        BadBody{
            "TagsNotAnArray", {{"title", "t"}, {"content", "c"}, {"tags", "vpn"}}, true, {"tags"}},
        BadBody{"UnknownMember",
                {{"title", "t"}, {"content", "c"}, {"author", "me"}},
                true,
                {"author"}},
        BadBody{"NotAnObject", json::array({1}), true, {"body"}},
        BadBody{"EmptyUpdate", json::object(), false, {"body"}},
        BadBody{"NumberTitleOnUpdate", {{"title", 5}}, false, {"title"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DecodeArticleTest, UpdateMayClearTheCategory) {
  ArticleChanges changes;
  ASSERT_TRUE(DecodeArticle({{"category", nullptr}}, false, changes).empty());
  ASSERT_TRUE(changes.category.has_value());
  EXPECT_FALSE(changes.category->has_value());
  EXPECT_FALSE(changes.title.has_value());
}

TEST(ApplyArticleChangesTest, ReportsWhetherAnythingChanged) {
  Article article{.title = "Old", .content = "Body", .tags = {"a"}};
  EXPECT_FALSE(ApplyArticleChanges(article, {.title = "Old"}));
  EXPECT_TRUE(ApplyArticleChanges(article, {.title = "New", .tags = std::vector<std::string>{}}));
  EXPECT_EQ(article.title, "New");
  EXPECT_TRUE(article.tags.empty());
  EXPECT_EQ(article.content, "Body");
}

TEST(DecodeArticleQueryTest, ReadsSearchFiltersAndPaging) {
  ArticleQuery query;
  const QueryParams params = {
      {"q", "vpn drops"}, {"category", "technical"}, {"tag", "vpn"}, {"page", "2"}, {"size", "5"}};
  ASSERT_TRUE(DecodeArticleQuery(params, query).empty());
  EXPECT_EQ(query.text, "vpn drops");
  EXPECT_EQ(query.category, Category::kTechnical);
  EXPECT_EQ(query.tag, "vpn");
  EXPECT_EQ(query.Offset(), 5);
}

TEST(DecodeArticleQueryTest, BlankSearchMeansNoSearch) {
  ArticleQuery query;
  ASSERT_TRUE(DecodeArticleQuery({{"q", "   "}}, query).empty());
  EXPECT_FALSE(query.text.has_value());
}

TEST(DecodeArticleQueryTest, RejectsBadParameters) {
  ArticleQuery query;
  const QueryParams params = {{"q", std::string(201, 'q')},
                              {"category", "misc"},
                              {"tag", std::string(65, 't')},
                              {"size", "101"}};
  auto paths = Paths(DecodeArticleQuery(params, query));
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"category", "q", "size", "tag"}));
}

TEST(ArticleJsonTest, WritesNullsForMissingCategoryAndAuthors) {
  const auto encoded = ToJson(Article{.id = "a", .title = "T", .content = "C", .version = 3});
  EXPECT_TRUE(encoded["category"].is_null());
  EXPECT_TRUE(encoded["created_by_id"].is_null());
  EXPECT_EQ(encoded["version"], 3);
  EXPECT_EQ(encoded["tags"], json::array());
}

}  // namespace
}  // namespace ticketd::domain
