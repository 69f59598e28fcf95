#include "domain/list_query.hpp"

#include <gtest/gtest.h>

namespace ticketd::domain {
namespace {

FieldErrors Decode(const QueryParams& params, ListQuery& query) {
  return DecodeListQuery(params, query);
}

TEST(ListQuery, DefaultsWhenNothingIsGiven) {
  ListQuery query;
  EXPECT_TRUE(Decode({}, query).empty());
  EXPECT_EQ(query.page, 1);
  EXPECT_EQ(query.size, 20);
  EXPECT_EQ(query.sort_by, SortField::kCreatedAt);
  EXPECT_EQ(query.sort_order, SortOrder::kDesc);
  EXPECT_EQ(query.Offset(), 0);
}

struct PagingCase {
  const char* name;
  const char* value;
  bool valid;
};

class PagingParameter : public ::testing::TestWithParam<PagingCase> {};

TEST_P(PagingParameter, ValidatesTheRange) {
  const auto& c = GetParam();
  ListQuery query;
  const auto errors = Decode({{c.name, c.value}}, query);
  EXPECT_EQ(errors.empty(), c.valid) << c.name << "=" << c.value;
  if (!c.valid) {
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].path, c.name);
    // The reason states the whole range, so a too-large page is not told
    // it is too small.
    EXPECT_NE(errors[0].reason.find(" to "), std::string::npos) << errors[0].reason;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Edges, PagingParameter,
    ::testing::Values(PagingCase{"page", "1", true}, PagingCase{"page", "0", false},
                      PagingCase{"page", "-1", false}, PagingCase{"page", "abc", false},
                      PagingCase{"page", "2x", false}, PagingCase{"page", "", false},
                      PagingCase{"page", "99999999999", false},
                      PagingCase{"page", "2147483647", true},
                      PagingCase{"page", "2147483648", false}, PagingCase{"size", "1", true},
                      PagingCase{"size", "100", true}, PagingCase{"size", "0", false},
                      PagingCase{"size", "101", false}, PagingCase{"size", "1.5", false}));

TEST(ListQuery, RepeatedAndCommaSeparatedEnumFilters) {
  ListQuery query;
  ASSERT_TRUE(
      Decode({{"status", "new"}, {"status", "open,pending"}, {"priority", "critical"}}, query)
          .empty());
  EXPECT_EQ(query.statuses, (std::vector<Status>{Status::kNew, Status::kOpen, Status::kPending}));
  EXPECT_EQ(query.priorities, std::vector<Priority>{Priority::kCritical});
}

TEST(ListQuery, OneErrorPerInvalidParameter) {
  ListQuery query;
  const auto errors = Decode({{"status", "bogus"},
                              {"category", "nope"},
                              {"urgency", "x"},
                              {"created_by_id", "bob"},
                              {"is_overdue", "maybe"},
                              {"created_after", "yesterday"},
                              {"sort_by", "colour"},
                              {"sort_order", "up"}},
                             query);
  std::vector<std::string> paths;
  for (const auto& e : errors)
    paths.push_back(e.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"status", "category", "urgency", "created_by_id",
                                      "is_overdue", "created_after", "sort_by", "sort_order"}));
}

TEST(ListQuery, ReadsEveryFilter) {
  ListQuery query;
  ASSERT_TRUE(Decode({{"q", "vpn drops"},
                      {"department", "IT"},
                      {"assigned_to_id", "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"},
                      {"is_overdue", "true"},
                      {"created_before", "2026-12-01T00:00:00Z"},
                      {"sort_by", "priority"},
                      {"sort_order", "asc"},
                      {"page", "3"},
                      {"size", "10"},
                      {"unknown", "ignored"}},
                     query)
                  .empty());
  EXPECT_EQ(query.text, "vpn drops");
  EXPECT_EQ(query.department, "IT");
  EXPECT_EQ(query.assigned_to_id, "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10");
  EXPECT_EQ(query.overdue, true);
  EXPECT_EQ(query.created_before, "2026-12-01T00:00:00Z");
  EXPECT_EQ(query.sort_by, SortField::kPriority);
  EXPECT_EQ(query.sort_order, SortOrder::kAsc);
  EXPECT_EQ(query.Offset(), 20);
}

TEST(ListQuery, RefusesTextPostgresCannotStore) {
  for (const std::string& bad :
       {std::string("\xFF"), std::string("\xE2\x82"), std::string("a\0", 2)}) {
    ListQuery query;
    const auto errors = Decode({{"q", bad}}, query);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].path, "q");
  }
}

TEST(PageInfo, ComputesPagesAndNeighbours) {
  const auto empty = MakePageInfo(0, 1, 20);
  EXPECT_EQ(empty.pages, 0);
  EXPECT_FALSE(empty.has_next);
  EXPECT_FALSE(empty.has_prev);

  const auto middle = MakePageInfo(45, 2, 20);
  EXPECT_EQ(middle.pages, 3);
  EXPECT_TRUE(middle.has_next);
  EXPECT_TRUE(middle.has_prev);

  const auto last = MakePageInfo(45, 3, 20);
  EXPECT_FALSE(last.has_next);

  const auto past = MakePageInfo(45, 9, 20);
  EXPECT_EQ(past.total, 45);
  EXPECT_FALSE(past.has_next);
  EXPECT_TRUE(past.has_prev);

  EXPECT_EQ(MakePageInfo(40, 1, 20).pages, 2);
}

}  // namespace
}  // namespace ticketd::domain
