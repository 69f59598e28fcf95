#include "storage/ticket_repository.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "domain/time_format.hpp"
#include "test_database.hpp"

namespace ticketd::storage {
namespace {

using domain::Category;
using domain::Priority;
using domain::Status;

std::string Now() {
  return domain::FormatUtc(std::chrono::system_clock::now());
}

class TicketRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_.Open(TicketRepository::Statements(), 4); }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    repository_ = std::make_unique<TicketRepository>(db_.pool());
    pqxx::connection connection(db_.url());
    pqxx::work tx(connection);
    tx.exec0("TRUNCATE tickets");
    tx.commit();
  }

  domain::Ticket Create(std::string title, std::string description,
                        Priority priority = Priority::kMedium,
                        Category category = Category::kTechnical) {
    domain::Ticket draft;
    draft.title = std::move(title);
    draft.description = std::move(description);
    draft.priority = priority;
    draft.category = category;
    draft.created_by_id = "00000000-0000-4000-8000-000000000001";
    return repository_->Create(draft, Now());
  }

  static inline testing::MigratedDatabase db_;
  std::unique_ptr<TicketRepository> repository_;
};

TEST_F(TicketRepositoryTest, CreateThenFindReturnsTheSameTicket) {
  const auto created = Create("Printer jams", "The printer on floor 2 jams on every job.");
  EXPECT_EQ(created.version, 1);
  EXPECT_EQ(created.status, Status::kNew);
  EXPECT_EQ(created.created_at, created.updated_at);
  const auto found = repository_->Find(created.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->title, "Printer jams");
  EXPECT_EQ(found->created_by_id, created.created_by_id);
  EXPECT_FALSE(repository_->Find("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"));
}

TEST_F(TicketRepositoryTest, TagsWithQuotesAndCommasSurviveTheRoundTrip) {
  domain::Ticket draft;
  draft.title = "t";
  draft.description = "d";
  draft.tags = {"a,b", "say \"hi\"", "back\\slash", "{brace}"};
  const auto created = repository_->Create(draft, Now());
  EXPECT_EQ(repository_->Find(created.id)->tags, draft.tags);
}

TEST_F(TicketRepositoryTest, StaleVersionIsRefusedAndChangesNothing) {
  const auto created = Create("Title", "Description");
  domain::TicketChanges changes;
  changes.title = "Changed";

  const auto first =
      repository_->Update(created.id, changes, domain::VersionPrecondition{{1}}, Now());
  ASSERT_TRUE(std::holds_alternative<domain::Ticket>(first));
  EXPECT_EQ(std::get<domain::Ticket>(first).version, 2);

  changes.title = "Lost update";
  const auto second =
      repository_->Update(created.id, changes, domain::VersionPrecondition{{1}}, Now());
  ASSERT_TRUE(std::holds_alternative<VersionMismatch>(second));
  EXPECT_EQ(std::get<VersionMismatch>(second).current, 2);
  EXPECT_EQ(repository_->Find(created.id)->title, "Changed");
}

// Two writers without If-Match: both succeed in turn (the row lock orders
// them) and the version counts both.
TEST_F(TicketRepositoryTest, ConcurrentUpdatesSerializeOnTheRowLock) {
  const auto created = Create("Title", "Description");
  constexpr int kWriters = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        domain::TicketChanges changes;
        changes.description = "writer " + std::to_string(w) + " pass " + std::to_string(i);
        repository_->Update(created.id, changes, std::nullopt, Now());
      }
    });
  }
  for (auto& writer : writers)
    writer.join();
  EXPECT_EQ(repository_->Find(created.id)->version, 1 + kWriters * kEach);
}

TEST_F(TicketRepositoryTest, ForbiddenTransitionIsReportedWithBothStatuses) {
  const auto created = Create("Title", "Description");
  domain::TicketChanges close;
  close.status = Status::kCancelled;
  ASSERT_TRUE(std::holds_alternative<domain::Ticket>(
      repository_->Update(created.id, close, std::nullopt, Now())));

  domain::TicketChanges resolve;
  resolve.status = Status::kResolved;
  const auto outcome = repository_->Update(created.id, resolve, std::nullopt, Now());
  ASSERT_TRUE(std::holds_alternative<InvalidTransition>(outcome));
  EXPECT_EQ(std::get<InvalidTransition>(outcome).from, Status::kCancelled);
  EXPECT_EQ(std::get<InvalidTransition>(outcome).to, Status::kResolved);
}

TEST_F(TicketRepositoryTest, FullTextSearchMatchesStemsInTitleAndDescription) {
  const auto vpn = Create("VPN disconnects", "The tunnel keeps crashing after five minutes.");
  Create("Invoice wrong", "The invoice for November lists two seats too many.", Priority::kLow,
         Category::kBilling);

  domain::ListQuery query;
  query.text = "crashes";
  auto page = repository_->List(query);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].id, vpn.id);

  query.text = "invoice -november";
  EXPECT_EQ(repository_->List(query).total, 0);

  query.text = "\"two seats\"";
  EXPECT_EQ(repository_->List(query).total, 1);

  query.text = "&&|!(";  // websearch syntax never fails on odd input
  EXPECT_NO_THROW(repository_->List(query));
}

TEST_F(TicketRepositoryTest, FiltersCombineAndPagingKeepsTheTotal) {
  for (int i = 0; i < 5; ++i)
    Create("Bug " + std::to_string(i), "d", Priority::kHigh, Category::kBug);
  for (int i = 0; i < 3; ++i)
    Create("Bill " + std::to_string(i), "d", Priority::kLow, Category::kBilling);

  domain::ListQuery query;
  query.categories = {Category::kBug};
  query.size = 2;
  query.page = 3;
  auto page = repository_->List(query);
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(page.items.size(), 1u);

  query.page = 4;
  page = repository_->List(query);
  EXPECT_EQ(page.total, 5);
  EXPECT_TRUE(page.items.empty());

  domain::ListQuery by_priority;
  by_priority.sort_by = domain::SortField::kPriority;
  by_priority.sort_order = domain::SortOrder::kDesc;
  by_priority.size = 100;
  page = repository_->List(by_priority);
  ASSERT_EQ(page.items.size(), 8u);
  EXPECT_EQ(page.items.front().priority, Priority::kHigh);
  EXPECT_EQ(page.items.back().priority, Priority::kLow);
}

TEST_F(TicketRepositoryTest, DeletedTicketsVanishFromReadsListsAndStats) {
  const auto doomed = Create("Doomed", "d");
  Create("Kept", "d");
  EXPECT_TRUE(std::holds_alternative<VersionMismatch>(
      repository_->Delete(doomed.id, domain::VersionPrecondition{{7}}, Now())));
  EXPECT_TRUE(
      std::holds_alternative<std::monostate>(repository_->Delete(doomed.id, std::nullopt, Now())));
  EXPECT_TRUE(
      std::holds_alternative<NotFound>(repository_->Delete(doomed.id, std::nullopt, Now())));
  EXPECT_FALSE(repository_->Find(doomed.id));
  EXPECT_EQ(repository_->List({}).total, 1);
  EXPECT_EQ(repository_->Stats().total, 1);
  domain::TicketChanges changes;
  changes.title = "x";
  EXPECT_TRUE(std::holds_alternative<NotFound>(
      repository_->Update(doomed.id, changes, std::nullopt, Now())));
}

TEST_F(TicketRepositoryTest, StatsFollowTheBriefsDefinitions) {
  const auto resolved = Create("a", "d", Priority::kCritical, Category::kSecurity);
  const auto overdue = Create("b", "d");
  Create("c", "d");

  domain::TicketChanges resolve;
  resolve.status = Status::kResolved;
  repository_->Update(resolved.id, resolve, std::nullopt, Now());
  domain::TicketChanges due;
  due.due_date = std::optional<std::string>("2020-01-01T00:00:00Z");
  repository_->Update(overdue.id, due, std::nullopt, Now());

  const auto stats = repository_->Stats();
  EXPECT_EQ(stats.total, 3);
  EXPECT_EQ(stats.open, 2);
  EXPECT_EQ(stats.resolved, 1);
  EXPECT_EQ(stats.overdue, 1);
  EXPECT_EQ(stats.by_status.at("resolved"), 1);
  EXPECT_EQ(stats.by_status.at("closed"), 0);
  EXPECT_EQ(stats.by_priority.at("critical"), 1);
  EXPECT_EQ(stats.by_category.at("security"), 1);
  EXPECT_EQ(stats.by_category.size(), 9u);
  EXPECT_EQ(stats.created_today, 3);
  EXPECT_EQ(stats.resolved_today, 1);
  EXPECT_GE(stats.average_resolution_hours, 0.0);
  EXPECT_LT(stats.average_resolution_hours, 0.1);
}

}  // namespace
}  // namespace ticketd::storage
