#include "storage/article_repository.hpp"

#include <gtest/gtest.h>
#include <algorithm>

#include "domain/time_format.hpp"
#include "test_database.hpp"

namespace ticketd::storage {
namespace {

constexpr const char* kAdmin = "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10";
constexpr const char* kUser = "3b9a1f4e-0c55-4d2a-8e11-7f6a2b9c0d34";

std::vector<PreparedStatement> AllStatements() {
  auto statements = ArticleRepository::Statements();
  for (auto& statement : TicketRepository::Statements())
    statements.push_back(std::move(statement));
  return statements;
}

class ArticleRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_.Open(AllStatements(), 2); }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    articles_ = std::make_unique<ArticleRepository>(db_.pool());
    tickets_ = std::make_unique<TicketRepository>(db_.pool());
    pqxx::connection connection(db_.url());
    pqxx::work tx(connection);
    tx.exec0("TRUNCATE knowledge_base_articles, tickets");
    tx.commit();
  }

  domain::Article Write(std::string title, std::string content,
                        std::vector<std::string> tags = {}) {
    return articles_->Create(
        {.title = std::move(title), .content = std::move(content), .tags = std::move(tags)},
        std::string(kAdmin));
  }

  domain::Ticket File(std::string title, std::string description, const char* creator = kUser) {
    domain::Ticket draft;
    draft.title = std::move(title);
    draft.description = std::move(description);
    draft.created_by_id = creator;
    return tickets_->Create(draft, domain::FormatUtc(std::chrono::system_clock::now()));
  }

  static inline testing::MigratedDatabase db_;
  std::unique_ptr<ArticleRepository> articles_;
  std::unique_ptr<TicketRepository> tickets_;
};

TEST_F(ArticleRepositoryTest, CreateThenFindReturnsEveryMember) {
  const auto created = articles_->Create({.title = "Reset a VPN token",
                                          .content = "Open the portal and choose Reset.",
                                          .category = domain::Category::kUserAccess,
                                          .tags = std::vector<std::string>{"vpn", "a\"b,c"}},
                                         std::string(kAdmin));
  EXPECT_EQ(created.version, 1);
  EXPECT_EQ(created.created_by_id, kAdmin);
  const auto found = articles_->Find(created.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->title, "Reset a VPN token");
  EXPECT_EQ(found->category, domain::Category::kUserAccess);
  EXPECT_EQ(found->tags, (std::vector<std::string>{"vpn", "a\"b,c"}));
  EXPECT_FALSE(articles_->Find("00000000-0000-4000-8000-000000000000").has_value());
}

TEST_F(ArticleRepositoryTest, SearchRanksTitleMatchesAboveContentMatches) {
  Write("Printer setup on floor 2", "Install the driver; the VPN is not involved.");
  const auto vpn = Write("VPN disconnects every few minutes",
                         "Renew the VPN certificate and update the client.", {"vpn"});
  Write("Expense reports", "Submit receipts before the fifth.");

  const auto page = articles_->List({.text = "vpn disconnects"});
  ASSERT_EQ(page.total, 1);  // websearch: every word must match
  EXPECT_EQ(page.items[0].article.id, vpn.id);

  const auto broad = articles_->List({.text = "vpn"});
  ASSERT_EQ(broad.total, 2);
  EXPECT_EQ(broad.items[0].article.id, vpn.id);
  ASSERT_TRUE(broad.items[0].rank.has_value());
  EXPECT_GT(*broad.items[0].rank, *broad.items[1].rank);
  ASSERT_TRUE(broad.items[0].snippet.has_value());
  EXPECT_NE(broad.items[0].snippet->find("«VPN»"), std::string::npos);
}

TEST_F(ArticleRepositoryTest, ListFiltersByCategoryAndTagAndPages) {
  for (int i = 0; i < 5; ++i)
    Write("Article " + std::to_string(i), "Body", {i % 2 == 0 ? "even" : "odd"});
  EXPECT_EQ(articles_->List({.tag = "even"}).total, 3);
  EXPECT_EQ(articles_->List({.category = domain::Category::kBilling}).total, 0);

  const auto second = articles_->List({.page = 2, .size = 2});
  EXPECT_EQ(second.total, 5);
  EXPECT_EQ(second.items.size(), 2u);
  EXPECT_FALSE(second.items[0].rank.has_value());
  EXPECT_TRUE(articles_->List({.page = 9, .size = 2}).items.empty());
}

TEST_F(ArticleRepositoryTest, UpdateRaisesTheVersionOnlyWhenSomethingChanges) {
  const auto article = Write("Title", "Body");
  const auto same = articles_->Update(article.id, {.title = "Title"}, std::nullopt, kAdmin);
  EXPECT_EQ(std::get<domain::Article>(same).version, 1);

  const auto changed = articles_->Update(article.id, {.content = "New body"},
                                         domain::VersionPrecondition{{1}}, kAdmin);
  ASSERT_TRUE(std::holds_alternative<domain::Article>(changed));
  EXPECT_EQ(std::get<domain::Article>(changed).version, 2);
  EXPECT_EQ(std::get<domain::Article>(changed).content, "New body");

  const auto stale =
      articles_->Update(article.id, {.content = "Lost"}, domain::VersionPrecondition{{1}}, kAdmin);
  ASSERT_TRUE(std::holds_alternative<VersionMismatch>(stale));
  EXPECT_EQ(std::get<VersionMismatch>(stale).current, 2);
  EXPECT_EQ(articles_->Find(article.id)->content, "New body");
}

TEST_F(ArticleRepositoryTest, DeleteRemovesAndHonoursIfMatch) {
  const auto article = Write("Title", "Body");
  EXPECT_TRUE(std::holds_alternative<VersionMismatch>(
      articles_->Delete(article.id, domain::VersionPrecondition{{7}})));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(articles_->Delete(article.id, std::nullopt)));
  EXPECT_TRUE(std::holds_alternative<NotFound>(articles_->Delete(article.id, std::nullopt)));
}

TEST_F(ArticleRepositoryTest, SimilarTicketsMatchTitlesByTrigramsAndTextByWords) {
  const auto duplicate = File("VPN drops every five minutes", "Since this morning the VPN drops.");
  const auto related = File("Slow laptop", "The VPN client uses a lot of CPU.");
  File("Invoice total is wrong", "We were charged twice.");
  File("VPN drops every 5 minutes", "Another user's ticket.", kAdmin);

  const auto similar = tickets_->FindSimilar(
      "VPN drops every five minutes for the sales team",
      "The VPN drops every five minutes for the whole sales team", std::string(kUser), 5);
  ASSERT_EQ(similar.size(), 2u);
  EXPECT_EQ(similar[0].id, duplicate.id);
  EXPECT_GT(similar[0].title_similarity, 0.5);
  EXPECT_EQ(similar[1].id, related.id);
  EXPECT_GT(similar[1].text_rank, 0.0);

  EXPECT_EQ(tickets_->FindSimilar("VPN drops", "VPN drops", std::nullopt, 10).size(), 3u);
  EXPECT_TRUE(tickets_->FindSimilar("", "", std::nullopt, 10).empty());
}

// Regression (judging run of 2026-12-04): a long ticket that shared a few
// common words with a new report had a text match of 0.85 under a
// cover-density rank. The match is now the share of the query's words.
TEST_F(ArticleRepositoryTest, TheTextMatchIsTheShareOfTheQueryWordsATicketHolds) {
  std::string long_text = "The VPN disconnects on my laptop every week. ";
  for (int i = 0; i < 30; ++i)
    long_text += "It happened again this week on the laptop after a few minutes. ";
  const auto wordy = File("VPN keeps disconnecting", long_text);
  const auto same = File("Outlook slow on laptop", "Opening Outlook on the laptop takes minutes.");

  const auto similar = tickets_->FindSimilar(
      "Laptop slow for a week", "Laptop slow for a week laptop slow week opening outlook takes",
      std::string(kUser), 5);
  const auto find = [&](const std::string& id) {
    const auto it = std::find_if(similar.begin(), similar.end(),
                                 [&](const SimilarTicket& t) { return t.id == id; });
    return it == similar.end() ? -1.0 : it->text_rank;
  };
  // "laptop", "slow", "week", "open", "outlook", "take": the VPN ticket holds two.
  EXPECT_NEAR(find(wordy.id), 2.0 / 6.0, 1e-9);
  EXPECT_NEAR(find(same.id), 5.0 / 6.0, 1e-9);
  ASSERT_FALSE(similar.empty());
  EXPECT_EQ(similar.front().id, same.id);
}

}  // namespace
}  // namespace ticketd::storage
