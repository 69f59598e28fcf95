#include "api/reply.hpp"

#include <gtest/gtest.h>

namespace ticketd::api {
namespace {

struct IfMatchCase {
  const char* header;                                 // nullptr: no header
  std::optional<std::vector<std::int64_t>> versions;  // nullopt: no precondition
};

class IfMatchHeader : public ::testing::TestWithParam<IfMatchCase> {};

TEST_P(IfMatchHeader, ParsesStrongEntityTags) {
  http::Request request{http::Verb::put, "/api/v1/tickets/x", 11};
  if (GetParam().header != nullptr)
    request.set(http::beast_http::field::if_match, GetParam().header);
  http::RequestContext context{request};

  const auto precondition = IfMatch(context);
  ASSERT_EQ(precondition.has_value(), GetParam().versions.has_value()) << GetParam().header;
  if (precondition) {
    EXPECT_EQ(precondition->versions, *GetParam().versions);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, IfMatchHeader,
    ::testing::Values(IfMatchCase{nullptr, std::nullopt}, IfMatchCase{"*", std::nullopt},
                      IfMatchCase{"\"3\"", std::vector<std::int64_t>{3}},
                      IfMatchCase{" \"3\" ", std::vector<std::int64_t>{3}},
                      IfMatchCase{"\"19\", \"999\"", std::vector<std::int64_t>{19, 999}},
                      IfMatchCase{"\"999\",\"19\"", std::vector<std::int64_t>{999, 19}},
                      IfMatchCase{"W/\"3\"", std::vector<std::int64_t>{}},
                      IfMatchCase{"\"020\"", std::vector<std::int64_t>{}},
                      IfMatchCase{"3", std::vector<std::int64_t>{}},
                      IfMatchCase{"\"\"", std::vector<std::int64_t>{}},
                      IfMatchCase{"\"-1\"", std::vector<std::int64_t>{-1}},
                      IfMatchCase{"\"abc\", \"4\"", std::vector<std::int64_t>{4}}));

TEST(VersionPrecondition, AcceptsOnlyNamedVersions) {
  const domain::VersionPrecondition precondition{{2, 5}};
  EXPECT_TRUE(precondition.Accepts(5));
  EXPECT_FALSE(precondition.Accepts(3));
  EXPECT_FALSE(domain::VersionPrecondition{}.Accepts(1));
}

}  // namespace
}  // namespace ticketd::api
