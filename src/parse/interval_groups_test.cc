#include "parse/interval_groups.h"

#include <gtest/gtest.h>

#include <string>

#include "core/time.h"

namespace usaged::parse {
namespace {

Instant T(const char* text) { return ParseUtc(text); }

const Window kDay{T("2026-01-14 00:00:00"), T("2026-01-15 00:00:00")};

using Groups = IntervalGroups<std::string>;

TEST(IntervalGroupsTest, RowsStartingInTheSameSecondAreOrderedByRowId) {
  for (HoursMode mode : {HoursMode::kExact, HoursMode::kCloudStackFloat}) {
    Groups groups(kDay, mode);
    // Read in an order unlike the ids (open rows come first in the query).
    groups.Add("k", 2, 1, T("2026-01-14 06:00:00"), std::nullopt, 12, "open, id 12");
    groups.Add("k", 2, 1, T("2026-01-14 06:00:00"), T("2026-01-14 08:00:00"), 15,
               "closed, id 15");
    groups.Add("k", 2, 1, T("2026-01-14 06:00:00"), T("2026-01-14 07:00:00"), 9,
               "closed, id 9");
    const auto& g = groups.groups().at("k");
    EXPECT_EQ(g.first, "closed, id 9");
    EXPECT_EQ(g.last, "closed, id 15");
  }
}

TEST(IntervalGroupsTest, AnEarlierStartWinsOverALowerId) {
  Groups groups(kDay, HoursMode::kExact);
  groups.Add("k", 2, 1, T("2026-01-14 09:00:00"), std::nullopt, 3, "later start");
  groups.Add("k", 2, 1, T("2026-01-14 01:00:00"), T("2026-01-14 09:00:00"), 40, "earlier start");
  const auto& g = groups.groups().at("k");
  EXPECT_EQ(g.first, "earlier start");
  EXPECT_EQ(g.last, "later start");
  EXPECT_EQ(g.millis, 23 * 3600000);
}

TEST(IntervalGroupsTest, ChargedRowsIgnoreARowEndingAtTheWindowStartInExactMode) {
  Groups groups(kDay, HoursMode::kExact);
  groups.Add("k", 2, 1, T("2026-01-13 00:00:00"), T("2026-01-14 00:00:00"), 1, "ended");
  groups.Add("k", 2, 1, T("2026-01-14 06:00:00"), std::nullopt, 2, "new");
  const auto& g = groups.groups().at("k");
  EXPECT_EQ(g.first, "new");
  EXPECT_EQ(g.millis, 18 * 3600000);
}

TEST(IntervalGroupsTest, QueriedRowsLetARowWithNoTimeDescribeTheRecord) {
  Groups groups(kDay, HoursMode::kExact, DescribedBy::kQueriedRows);
  // Ended exactly at the window start: CloudStack charges it 1 ms and takes
  // the first row's name from it.
  groups.Add("k", 2, 1, T("2026-01-13 00:00:00"), T("2026-01-14 00:00:00"), 1, "ended");
  groups.Add("k", 2, 1, T("2026-01-14 06:00:00"), T("2026-01-14 12:00:00"), 2, "middle");
  // Opened and closed in one second, last by start.
  groups.Add("k", 2, 1, T("2026-01-14 12:00:00"), T("2026-01-14 12:00:00"), 3, "instant");
  const auto& g = groups.groups().at("k");
  EXPECT_EQ(g.first, "ended");
  EXPECT_EQ(g.last, "instant");
  EXPECT_EQ(g.millis, 6 * 3600000);  // the time itself is unchanged
}

TEST(IntervalGroupsTest, QueriedRowsWithoutAnyTimeLeaveAGroupWithNoMillis) {
  Groups groups(kDay, HoursMode::kExact, DescribedBy::kQueriedRows);
  groups.Add("k", 2, 1, T("2026-01-13 00:00:00"), T("2026-01-14 00:00:00"), 1, "ended");
  ASSERT_EQ(groups.groups().count("k"), 1u);
  EXPECT_EQ(groups.groups().at("k").millis, 0);
  // In compat mode the same row is CloudStack's 1 ms.
  Groups compat(kDay, HoursMode::kCloudStackFloat, DescribedBy::kQueriedRows);
  compat.Add("k", 2, 1, T("2026-01-13 00:00:00"), T("2026-01-14 00:00:00"), 1, "ended");
  EXPECT_EQ(compat.groups().at("k").millis, 1);
}

}  // namespace
}  // namespace usaged::parse
