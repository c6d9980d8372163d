#include "parse/backup_assignments.h"

#include <algorithm>
#include <iterator>
#include <set>

namespace usaged::parse {
namespace {

// nullopt (open) counts as later than any time.
bool EndsBefore(const std::optional<Instant>& a, const std::optional<Instant>& b) {
  if (!a) return false;
  return !b || *a < *b;
}

// Rows that touch or overlap, in start order (ties: the one ending last last).
struct Assignment {
  Instant start{};
  std::optional<Instant> end;
  std::vector<const BackupRowSpan*> rows;
  // The row that ends last (of those, the one that starts last): it holds
  // the sizes of the last metric applied to the assignment.
  const BackupRowSpan* last = nullptr;
};

std::vector<Assignment> Assignments(const std::vector<BackupRowSpan>& sorted) {
  std::vector<Assignment> out;
  for (const BackupRowSpan& row : sorted) {
    if (!out.empty() && (!out.back().end || row.start <= *out.back().end)) {
      Assignment& a = out.back();
      if (EndsBefore(a.end, row.end)) a.end = row.end;
      if (!EndsBefore(row.end, a.last->end)) a.last = &row;
      a.rows.push_back(&row);
    } else {
      out.push_back({row.start, row.end, {&row}, &row});
    }
  }
  return out;
}

// The Java server's one row per assignment: hours over the whole assignment,
// sizes of the last metric applied before the window was parsed.
std::optional<BackupCharge> ChargeWhole(const Assignment& a, const Window& w, HoursMode mode) {
  int64_t ms = ChargeableMillis(a.start, a.end, w, mode);
  if (ms <= 0) return std::nullopt;
  return BackupCharge{std::max(a.start, w.start), ms, a.last->size, a.last->protected_size};
}

// Exact milliseconds: each instant of the window goes to the row covering it
// that started last (with no overlaps: to its only row), summed per sizes.
void ChargeBySize(const Assignment& a, const Window& w, std::vector<BackupCharge>& out) {
  struct Clipped {
    Instant from, to;
    const BackupRowSpan* row;
  };
  std::vector<Clipped> clipped;
  std::set<Instant> points;
  for (const BackupRowSpan* row : a.rows) {
    Instant from = std::max(row->start, w.start);
    Instant to = row->end ? std::min(*row->end, w.next) : w.next;
    if (to <= from) continue;
    clipped.push_back({from, to, row});
    points.insert(from);
    points.insert(to);
  }
  const size_t first = out.size();
  for (auto it = points.begin(); it != points.end() && std::next(it) != points.end(); ++it) {
    const Instant from = *it, to = *std::next(it);
    const BackupRowSpan* owner = nullptr;
    for (const Clipped& c : clipped) {
      if (c.from <= from && to <= c.to) owner = c.row;  // rows are in start order
    }
    if (!owner) continue;
    const int64_t ms = (to - from).count();
    auto same = std::find_if(out.begin() + first, out.end(), [&](const BackupCharge& c) {
      return c.size == owner->size && c.protected_size == owner->protected_size;
    });
    if (same == out.end()) {
      out.push_back({std::max(a.start, w.start), ms, owner->size, owner->protected_size});
    } else {
      same->millis += ms;
    }
  }
}

}  // namespace

std::vector<BackupCharge> ChargeBackupRows(std::vector<BackupRowSpan> rows, const Window& w,
                                           HoursMode mode) {
  std::sort(rows.begin(), rows.end(), [](const BackupRowSpan& a, const BackupRowSpan& b) {
    if (a.start != b.start) return a.start < b.start;
    return EndsBefore(a.end, b.end);
  });
  std::vector<BackupCharge> out;
  for (const Assignment& a : Assignments(rows)) {
    if (mode == HoursMode::kCloudStackFloat) {
      if (auto charge = ChargeWhole(a, w, mode)) out.push_back(*charge);
    } else {
      ChargeBySize(a, w, out);
    }
  }
  return out;
}

}  // namespace usaged::parse
