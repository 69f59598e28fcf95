#include "storage/user_repository.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "test_database.hpp"

namespace ticketd::storage {
namespace {

class UserRepositoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_.Open(UserRepository::Statements(), 2); }
  static void TearDownTestSuite() { db_.Close(); }

  void SetUp() override {
    TICKETD_REQUIRE_DATABASE();
    users_ = std::make_unique<UserRepository>(db_.pool());
  }

  static std::string UniqueEmail() {
    static int counter = 0;
    return "person" + std::to_string(++counter) + "@example.com";
  }

  static inline testing::MigratedDatabase db_;
  std::unique_ptr<UserRepository> users_;
};

TEST_F(UserRepositoryTest, CreatesAndFindsByEmailAndId) {
  const auto email = UniqueEmail();
  const auto created =
      users_->Create(email, "Maria Garcia", "$argon2id$stub", domain::Role::kAgent);
  ASSERT_TRUE(std::holds_alternative<User>(created));
  const auto& user = std::get<User>(created);
  EXPECT_EQ(user.email, email);
  EXPECT_EQ(user.role, domain::Role::kAgent);
  EXPECT_TRUE(user.is_active);
  EXPECT_EQ(user.failed_logins, 0);

  EXPECT_EQ(users_->FindByEmail(email)->id, user.id);
  EXPECT_EQ(users_->FindById(user.id)->email, email);
  EXPECT_FALSE(users_->FindByEmail("nobody@example.com"));
  EXPECT_FALSE(users_->FindById("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"));
}

TEST_F(UserRepositoryTest, RefusesASecondAccountForAnEmail) {
  const auto email = UniqueEmail();
  ASSERT_TRUE(std::holds_alternative<User>(users_->Create(email, "A", "h", domain::Role::kUser)));
  EXPECT_TRUE(
      std::holds_alternative<EmailTaken>(users_->Create(email, "B", "h", domain::Role::kUser)));
}

TEST_F(UserRepositoryTest, AttemptsLockFromTheFifthAndALoginClearsThem) {
  const auto user = std::get<User>(users_->Create(UniqueEmail(), "A", "h", domain::Role::kUser));
  for (int i = 1; i <= 4; ++i) {
    const auto attempt = users_->BeginPasswordAttempt(user.id);
    ASSERT_TRUE(attempt);
    EXPECT_FALSE(attempt->locked);
    EXPECT_EQ(attempt->failed_logins, i);
    EXPECT_FALSE(attempt->locked_until);
  }
  const auto fifth = users_->BeginPasswordAttempt(user.id);
  EXPECT_FALSE(fifth->locked) << "the fifth attempt is still checked";
  EXPECT_EQ(fifth->failed_logins, 5);
  EXPECT_TRUE(fifth->locked_until);
  const auto sixth = users_->BeginPasswordAttempt(user.id);
  EXPECT_TRUE(sixth->locked);
  EXPECT_EQ(users_->FindById(user.id)->failed_logins, 5) << "refused attempts are not counted";

  users_->RecordLogin(user.id);
  const auto cleared = users_->FindById(user.id);
  EXPECT_EQ(cleared->failed_logins, 0);
  EXPECT_FALSE(cleared->locked_until);
  EXPECT_TRUE(cleared->last_login_at);
  EXPECT_FALSE(users_->BeginPasswordAttempt(user.id)->locked);
  EXPECT_FALSE(users_->BeginPasswordAttempt("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"));
}

TEST_F(UserRepositoryTest, ParallelAttemptsCannotOutrunTheLockout) {
  const auto user = std::get<User>(users_->Create(UniqueEmail(), "A", "h", domain::Role::kUser));
  std::atomic<int> checked{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      if (!users_->BeginPasswordAttempt(user.id)->locked) ++checked;
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(checked.load(), 5);
}

TEST_F(UserRepositoryTest, ChangeReturnsTheUserBeforeAndAfter) {
  const auto user = std::get<User>(users_->Create(UniqueEmail(), "A", "h", domain::Role::kUser));
  const auto change = users_->Change(user.id, {.role = domain::Role::kAgent, .is_active = false});
  ASSERT_TRUE(change);
  EXPECT_EQ(change->before.role, domain::Role::kUser);
  EXPECT_TRUE(change->before.is_active);
  EXPECT_EQ(change->after.role, domain::Role::kAgent);
  EXPECT_FALSE(change->after.is_active);
  EXPECT_EQ(users_->FindById(user.id)->role, domain::Role::kAgent);
  EXPECT_FALSE(users_->Change("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10", {.is_active = true}));
}

// Leaves `keep` as the only active admin of the suite's database.
void DeactivateAdminsBut(UserRepository& users, const std::string& keep) {
  domain::UserQuery query{.size = 100, .role = domain::Role::kAdmin, .is_active = true};
  for (const auto& admin : users.List(query).items) {
    if (admin.id != keep) {
      ASSERT_FALSE(users.Change(admin.id, {.is_active = false})->last_admin);
    }
  }
}

TEST_F(UserRepositoryTest, TheLastActiveAdminCannotBeDemotedOrDeactivated) {
  const auto first = std::get<User>(users_->Create(UniqueEmail(), "A", "h", domain::Role::kAdmin));
  DeactivateAdminsBut(*users_, first.id);

  for (const UserUpdate& update :
       {UserUpdate{.role = domain::Role::kManager}, UserUpdate{.is_active = false}}) {
    const auto refused = users_->Change(first.id, update);
    ASSERT_TRUE(refused);
    EXPECT_TRUE(refused->last_admin);
    EXPECT_EQ(refused->after.role, domain::Role::kAdmin);
  }
  const auto still = users_->FindById(first.id);
  EXPECT_EQ(still->role, domain::Role::kAdmin);
  EXPECT_TRUE(still->is_active);
  // Changes that keep it an active admin go through.
  EXPECT_FALSE(users_->Change(first.id, {.full_name = "Renamed"})->last_admin);

  // With a second admin, either may go, but not both, even at once.
  const auto second = std::get<User>(users_->Create(UniqueEmail(), "B", "h", domain::Role::kAdmin));
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (const auto& id : {first.id, second.id}) {
    threads.emplace_back([&, id] {
      if (users_->Change(id, {.role = domain::Role::kAgent})->last_admin) ++refused;
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(refused.load(), 1);
  domain::UserQuery admins{.role = domain::Role::kAdmin, .is_active = true};
  EXPECT_EQ(users_->List(admins).total, 1);
}

TEST_F(UserRepositoryTest, AnActorNoLongerAnActiveAdminChangesNothing) {
  const auto actor = std::get<User>(users_->Create(UniqueEmail(), "A", "h", domain::Role::kAdmin));
  const auto other = std::get<User>(users_->Create(UniqueEmail(), "O", "h", domain::Role::kAdmin));
  const auto target = std::get<User>(users_->Create(UniqueEmail(), "T", "h", domain::Role::kUser));
  EXPECT_FALSE(
      users_->Change(target.id, {.role = domain::Role::kAgent}, actor.id)->actor_not_admin);

  ASSERT_FALSE(users_->Change(actor.id, {.is_active = false}, other.id)->actor_not_admin);
  const auto refused = users_->Change(target.id, {.role = domain::Role::kAdmin}, actor.id);
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->actor_not_admin);
  EXPECT_EQ(users_->FindById(target.id)->role, domain::Role::kAgent);
}

// Every account of this test carries `tag` in its email, so the filters can
// be checked against the accounts the other tests create.
TEST_F(UserRepositoryTest, ListFiltersByRoleActivityAndText) {
  const std::string tag = "listtag";
  const auto make = [&](const std::string& local, const std::string& name, domain::Role role) {
    return std::get<User>(users_->Create(local + "." + tag + "@example.com", name, "h", role));
  };
  const auto ana = make("ana", "Ana Souza", domain::Role::kAgent);
  const auto bob = make("bob", "Bob Stone", domain::Role::kUser);
  const auto cy = make("cy", "Cy 100% Real_Name", domain::Role::kUser);
  users_->Update(bob.id, {.is_active = false});

  const auto all = users_->List({.text = "LISTTAG"});
  ASSERT_EQ(all.total, 3);
  // Newest first.
  EXPECT_EQ(all.items[0].id, cy.id);
  EXPECT_EQ(all.items[2].id, ana.id);

  EXPECT_EQ(users_->List({.role = domain::Role::kUser, .text = tag}).total, 2);
  const auto inactive = users_->List({.is_active = false, .text = tag});
  ASSERT_EQ(inactive.total, 1);
  EXPECT_EQ(inactive.items[0].id, bob.id);
  // The name matches case-insensitively; % and _ are plain characters.
  EXPECT_EQ(users_->List({.text = "souza"}).items.at(0).id, ana.id);
  EXPECT_EQ(users_->List({.text = "100% real_"}).total, 1);
  EXPECT_EQ(users_->List({.text = "100%%"}).total, 0);

  const auto paged = users_->List({.page = 2, .size = 2, .text = tag});
  EXPECT_EQ(paged.total, 3);
  ASSERT_EQ(paged.items.size(), 1u);
  EXPECT_EQ(paged.items[0].id, ana.id);
  EXPECT_TRUE(users_->List({.page = 3, .size = 2, .text = tag}).items.empty());
}

TEST_F(UserRepositoryTest, TheSchemaRefusesMixedCaseEmails) {
  pqxx::connection connection(db_.url());
  pqxx::work tx(connection);
  EXPECT_THROW(tx.exec0("INSERT INTO users (email, full_name, password_hash) "
                        "VALUES ('Mixed@Example.com', 'x', 'h')"),
               pqxx::check_violation);
}

}  // namespace
}  // namespace ticketd::storage
