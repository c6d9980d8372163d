#include "parse/backup_assignments.h"

#include <gtest/gtest.h>

namespace usaged::parse {
namespace {

Instant At(const char* text) { return ParseUtc(text); }

const Window kDay{At("2026-01-13 00:00:00"), At("2026-01-14 00:00:00")};

BackupRowSpan Row(const char* start, std::optional<const char*> end, int64_t size,
                  int64_t protected_size = 0) {
  BackupRowSpan r{At(start), std::nullopt, size, protected_size};
  if (end) r.end = At(*end);
  return r;
}

std::string Text(const BackupCharge& c) {
  return FormatUtcMillis(c.row_start) + " " + std::to_string(c.millis) + " ms " +
         std::to_string(c.size) + "/" + std::to_string(c.protected_size);
}

std::vector<std::string> Charges(std::vector<BackupRowSpan> rows, HoursMode mode,
                                 const Window& w = kDay) {
  std::vector<std::string> out;
  for (const BackupCharge& c : ChargeBackupRows(std::move(rows), w, mode)) out.push_back(Text(c));
  return out;
}

// Assigned 08:00, metrics at 12:00 and 18:00, still open.
std::vector<BackupRowSpan> MetricSplits() {
  return {Row("2026-01-13 12:00:00", "2026-01-13 18:00:00", 100, 1000),
          Row("2026-01-13 08:00:00", "2026-01-13 12:00:00", 0),
          Row("2026-01-13 18:00:00", std::nullopt, 200, 1000)};
}

TEST(BackupAssignmentsTest, CompatBillsTheAssignmentOnceAtItsLastSizes) {
  // 16 h in one piece (no +1 ms per metric), priced at the 18:00 sizes.
  EXPECT_EQ(Charges(MetricSplits(), HoursMode::kCloudStackFloat),
            (std::vector<std::string>{"2026-01-13 08:00:00.000 57600000 ms 200/1000"}));
}

TEST(BackupAssignmentsTest, ExactBillsEachSizeForTheTimeItHeld) {
  EXPECT_EQ(Charges(MetricSplits(), HoursMode::kExact),
            (std::vector<std::string>{"2026-01-13 08:00:00.000 14400000 ms 0/0",
                                      "2026-01-13 08:00:00.000 21600000 ms 100/1000",
                                      "2026-01-13 08:00:00.000 21600000 ms 200/1000"}));
}

TEST(BackupAssignmentsTest, ExactSumsASizeThatComesBack) {
  std::vector<BackupRowSpan> rows = {Row("2026-01-13 00:00:00", "2026-01-13 01:00:00", 5),
                                     Row("2026-01-13 01:00:00", "2026-01-13 03:00:00", 7),
                                     Row("2026-01-13 03:00:00", "2026-01-13 04:00:00", 5)};
  EXPECT_EQ(Charges(rows, HoursMode::kExact),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 7200000 ms 5/0",
                                      "2026-01-13 00:00:00.000 7200000 ms 7/0"}));
}

TEST(BackupAssignmentsTest, AnAssignmentFromBeforeTheWindowStartsAtTheWindow) {
  std::vector<BackupRowSpan> rows = {Row("2026-01-10 08:00:00", "2026-01-13 06:00:00", 1),
                                     Row("2026-01-13 06:00:00", std::nullopt, 2)};
  EXPECT_EQ(Charges(rows, HoursMode::kCloudStackFloat),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 86400000 ms 2/0"}));
  EXPECT_EQ(Charges(rows, HoursMode::kExact),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 21600000 ms 1/0",
                                      "2026-01-13 00:00:00.000 64800000 ms 2/0"}));
}

TEST(BackupAssignmentsTest, TwoAssignmentsInOneWindowAreToldApartByTheirStart) {
  std::vector<BackupRowSpan> rows = {Row("2026-01-13 10:00:00", std::nullopt, 0),
                                     Row("2026-01-13 02:00:00", "2026-01-13 04:00:00", 0)};
  // Java's inclusive rule: 2 h + 1 ms for the closed row, none for the open one.
  EXPECT_EQ(Charges(rows, HoursMode::kCloudStackFloat),
            (std::vector<std::string>{"2026-01-13 02:00:00.000 7200001 ms 0/0",
                                      "2026-01-13 10:00:00.000 50400000 ms 0/0"}));
  EXPECT_EQ(Charges(rows, HoursMode::kExact),
            (std::vector<std::string>{"2026-01-13 02:00:00.000 7200000 ms 0/0",
                                      "2026-01-13 10:00:00.000 50400000 ms 0/0"}));
}

TEST(BackupAssignmentsTest, AnAssignmentEndingAtTheWindowStartGetsJavasOneMillisecond) {
  std::vector<BackupRowSpan> rows = {Row("2026-01-12 10:00:00", "2026-01-13 00:00:00", 9, 3)};
  EXPECT_EQ(Charges(rows, HoursMode::kCloudStackFloat),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 1 ms 9/3"}));
  EXPECT_TRUE(Charges(rows, HoursMode::kExact).empty());
}

TEST(BackupAssignmentsTest, AMetricOnTheWindowStartPricesTheWholeWindow) {
  // The row ending at the window start is part of the assignment: no 1 ms
  // record of its own, and no extra millisecond.
  std::vector<BackupRowSpan> rows = {Row("2026-01-12 10:00:00", "2026-01-13 00:00:00", 9),
                                     Row("2026-01-13 00:00:00", std::nullopt, 10)};
  EXPECT_EQ(Charges(rows, HoursMode::kCloudStackFloat),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 86400000 ms 10/0"}));
  EXPECT_EQ(Charges(rows, HoursMode::kExact),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 86400000 ms 10/0"}));
}

TEST(BackupAssignmentsTest, OverlappingRowsAreOneAssignmentBilledOnce) {
  // A second row opened by a repeated assignment (older Java servers).
  std::vector<BackupRowSpan> rows = {Row("2026-01-13 02:00:00", std::nullopt, 4),
                                     Row("2026-01-13 06:00:00", "2026-01-13 08:00:00", 6)};
  EXPECT_EQ(Charges(rows, HoursMode::kCloudStackFloat),
            (std::vector<std::string>{"2026-01-13 02:00:00.000 79200000 ms 4/0"}));
  EXPECT_EQ(Charges(rows, HoursMode::kExact),
            (std::vector<std::string>{"2026-01-13 02:00:00.000 72000000 ms 4/0",
                                      "2026-01-13 02:00:00.000 7200000 ms 6/0"}));
}

TEST(BackupAssignmentsTest, ZeroLengthRowsCountOnlyAsPartOfTheirAssignment) {
  // Two metrics in one second: the first one's row lasts no time.
  std::vector<BackupRowSpan> rows = {Row("2026-01-13 00:00:00", "2026-01-13 05:00:00", 1),
                                     Row("2026-01-13 05:00:00", "2026-01-13 05:00:00", 2),
                                     Row("2026-01-13 05:00:00", std::nullopt, 3)};
  EXPECT_EQ(Charges(rows, HoursMode::kCloudStackFloat),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 86400000 ms 3/0"}));
  EXPECT_EQ(Charges(rows, HoursMode::kExact),
            (std::vector<std::string>{"2026-01-13 00:00:00.000 18000000 ms 1/0",
                                      "2026-01-13 00:00:00.000 68400000 ms 3/0"}));
}

TEST(BackupAssignmentsTest, HourlyWindowsPriceEachHourAtItsOwnLastMetric) {
  const Window hour{At("2026-01-13 12:00:00"), At("2026-01-13 13:00:00")};
  // The window query returns only rows starting before 13:00.
  std::vector<BackupRowSpan> rows = {Row("2026-01-13 11:00:00", "2026-01-13 12:10:00", 200),
                                     Row("2026-01-13 12:10:00", "2026-01-13 12:59:59", 300),
                                     Row("2026-01-13 12:59:59", "2026-01-13 13:30:00", 400)};
  EXPECT_EQ(Charges(rows, HoursMode::kCloudStackFloat, hour),
            (std::vector<std::string>{"2026-01-13 12:00:00.000 3600000 ms 400/0"}));
  EXPECT_EQ(Charges(rows, HoursMode::kExact, hour),
            (std::vector<std::string>{"2026-01-13 12:00:00.000 600000 ms 200/0",
                                      "2026-01-13 12:00:00.000 2999000 ms 300/0",
                                      "2026-01-13 12:00:00.000 1000 ms 400/0"}));
}

}  // namespace
}  // namespace usaged::parse
