#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/hours.h"
#include "core/window.h"

namespace usaged::parse {

// One usage_backup row: [start, end) at the sizes a metric reported.
struct BackupRowSpan {
  Instant start{};
  std::optional<Instant> end;  // nullopt while open
  int64_t size = 0;
  int64_t protected_size = 0;
};

// What one record of a window charges.
struct BackupCharge {
  // Tells two assignments of one VM and offering in one window apart: the
  // assignment's start, or the window's start if it began earlier.
  Instant row_start{};
  int64_t millis = 0;
  int64_t size = 0;
  int64_t protected_size = 0;
};

// The charges of one VM's rows of one backup offering and zone in window `w`
// (rows that do not touch `w` are ignored). Rows that touch or overlap form
// one assignment: a metric ends a row where the next begins, and overlapping
// rows (left by servers that opened a second row on a repeated assignment)
// are one assignment billed once.
//  kCloudStackFloat: one charge per assignment, its hours computed once on
//    the whole assignment and priced at the sizes of the last metric up to
//    the window's end (the row, among those starting before the window ends,
//    that ends last), as the Java server bills its one row per assignment
//    that each metric overwrites.
//  kExact: one charge per assignment and sizes, each size for the time it
//    held; where rows overlap, the one that started last counts.
std::vector<BackupCharge> ChargeBackupRows(std::vector<BackupRowSpan> rows, const Window& w,
                                           HoursMode mode);

}  // namespace usaged::parse
