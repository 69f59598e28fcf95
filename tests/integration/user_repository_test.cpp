#include "storage/user_repository.hpp"

#include <gtest/gtest.h>

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

TEST_F(UserRepositoryTest, FailedLoginsLockFromTheFifthAndALoginClearsThem) {
  const auto user = std::get<User>(users_->Create(UniqueEmail(), "A", "h", domain::Role::kUser));
  for (int i = 1; i <= 4; ++i) {
    const auto after = users_->RecordFailedLogin(user.id);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->failed_logins, i);
    EXPECT_FALSE(after->locked_until);
  }
  const auto locked = users_->RecordFailedLogin(user.id);
  EXPECT_EQ(locked->failed_logins, 5);
  EXPECT_TRUE(locked->locked_until);

  users_->RecordLogin(user.id);
  const auto cleared = users_->FindById(user.id);
  EXPECT_EQ(cleared->failed_logins, 0);
  EXPECT_FALSE(cleared->locked_until);
  EXPECT_TRUE(cleared->last_login_at);
  EXPECT_FALSE(users_->RecordFailedLogin("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"));
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
