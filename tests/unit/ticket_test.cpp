#include "domain/ticket.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace ticketd::domain {
namespace {

TEST(TicketEnums, RoundTripEveryWireName) {
  for (const auto name : AllStatusNames())
    EXPECT_EQ(ToString(*ParseStatus(name)), name);
  for (const auto name : AllPriorityNames())
    EXPECT_EQ(ToString(*ParsePriority(name)), name);
  for (const auto name : AllCategoryNames())
    EXPECT_EQ(ToString(*ParseCategory(name)), name);
  for (const auto name : AllSourceChannelNames()) {
    EXPECT_EQ(ToString(*ParseSourceChannel(name)), name);
  }
  EXPECT_EQ(AllCategoryNames().size(), 9u);
}

TEST(TicketEnums, RejectUnknownAndWrongCaseNames) {
  EXPECT_FALSE(ParseStatus("NEW"));
  EXPECT_FALSE(ParseStatus(""));
  EXPECT_FALSE(ParsePriority("urgent"));
  EXPECT_FALSE(ParseCategory("Technical"));
  EXPECT_FALSE(ParseSourceChannel("fax"));
}

// The brief's transition table, written out in full so that a change to the
// rules shows up here as a diff.
TEST(StatusTransitions, FollowTheBriefsTable) {
  using S = Status;
  const S all[] = {S::kNew,      S::kOpen,   S::kInProgress, S::kPending,
                   S::kResolved, S::kClosed, S::kCancelled};
  const auto allowed = [](S from, S to) {
    if (from == to) return false;
    switch (from) {
      case S::kNew:
      case S::kOpen:
      case S::kInProgress:
      case S::kPending:
        return true;
      case S::kResolved:
        return to == S::kClosed || to == S::kOpen;
      case S::kClosed:
      case S::kCancelled:
        return to == S::kOpen;
    }
    return false;
  };
  int allowed_count = 0;
  for (const auto from : all) {
    for (const auto to : all) {
      EXPECT_EQ(IsTransitionAllowed(from, to), allowed(from, to))
          << ToString(from) << " -> " << ToString(to);
      allowed_count += IsTransitionAllowed(from, to) ? 1 : 0;
    }
  }
  EXPECT_EQ(allowed_count, 4 * 6 + 2 + 1 + 1);
}

TEST(ApplyStatus, ResolvingSetsResolvedAt) {
  Ticket ticket;
  ASSERT_TRUE(ApplyStatus(ticket, Status::kResolved, "T1"));
  EXPECT_EQ(ticket.status, Status::kResolved);
  EXPECT_EQ(ticket.resolved_at, "T1");
  EXPECT_FALSE(ticket.closed_at);
}

TEST(ApplyStatus, ClosingKeepsEarlierResolutionTime) {
  Ticket ticket;
  ApplyStatus(ticket, Status::kResolved, "T1");
  ASSERT_TRUE(ApplyStatus(ticket, Status::kClosed, "T2"));
  EXPECT_EQ(ticket.resolved_at, "T1");
  EXPECT_EQ(ticket.closed_at, "T2");
}

TEST(ApplyStatus, ClosingActiveWorkAlsoResolvesIt) {
  Ticket ticket;
  ticket.status = Status::kInProgress;
  ASSERT_TRUE(ApplyStatus(ticket, Status::kClosed, "T1"));
  EXPECT_EQ(ticket.resolved_at, "T1");
  EXPECT_EQ(ticket.closed_at, "T1");
}

TEST(ApplyStatus, ReopeningClearsResolvedAndClosed) {
  for (const auto from : {Status::kResolved, Status::kClosed, Status::kCancelled}) {
    Ticket ticket;
    ticket.status = from;
    ticket.resolved_at = "T1";
    ticket.closed_at = "T2";
    ASSERT_TRUE(ApplyStatus(ticket, Status::kOpen, "T3")) << ToString(from);
    EXPECT_EQ(ticket.status, Status::kOpen);
    EXPECT_FALSE(ticket.resolved_at);
    EXPECT_FALSE(ticket.closed_at);
  }
}

TEST(ApplyStatus, RefusedTransitionLeavesTicketUntouched) {
  Ticket ticket;
  ticket.status = Status::kClosed;
  ticket.closed_at = "T1";
  EXPECT_FALSE(ApplyStatus(ticket, Status::kResolved, "T2"));
  EXPECT_EQ(ticket.status, Status::kClosed);
  EXPECT_EQ(ticket.closed_at, "T1");
  EXPECT_FALSE(ApplyStatus(ticket, Status::kClosed, "T2"));
}

TEST(SameUuid, IgnoresTheCaseOfHexDigitsOnly) {
  EXPECT_TRUE(
      SameUuid("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10", "8D6C7C0E-2F0B-4B8E-9A55-0D1F5D1B7A10"));
  EXPECT_FALSE(
      SameUuid("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10", "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a11"));
  EXPECT_FALSE(
      SameUuid("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10", "8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a1"));
}

TEST(IsUuid, AcceptsCanonicalFormOnly) {
  EXPECT_TRUE(IsUuid("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10"));
  EXPECT_TRUE(IsUuid("8D6C7C0E-2F0B-4B8E-9A55-0D1F5D1B7A10"));
  EXPECT_FALSE(IsUuid("8d6c7c0e2f0b4b8e9a550d1f5d1b7a10"));
  EXPECT_FALSE(IsUuid("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a1"));
  EXPECT_FALSE(IsUuid("8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a1g"));
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid(""));
}

}  // namespace
}  // namespace ticketd::domain
