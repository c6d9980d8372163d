#include "compare/matcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "compare/record_identity.h"
#include "core/usage_types.h"
#include "parse/record_key.h"

namespace usaged::compare {
namespace {

namespace dc = diff_class;

// Hours of one millisecond, and the float error a Java raw_usage can carry:
// 32-bit float division (relative 2^-24 per step) plus 1 ms per helper row.
constexpr double kMillisecondHours = 1.0 / 3600000.0;

bool CloseHours(double java, double usaged) {
  return std::fabs(java - usaged) <=
         1e-6 * std::max(1.0, std::fabs(usaged)) + 10 * kMillisecondHours;
}

bool TimeBased(int usage_type) {
  const UsageTypeInfo* info = FindUsageType(usage_type);
  return info && info->time_based;
}

// Helper rows that overlap another of the list (two rows of one resource
// alive at once).
std::vector<int64_t> Overlapping(const std::vector<HelperRow>& rows) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t k = 0; k < rows.size(); ++k) {
      if (i == k) continue;
      const auto& a = rows[i];
      const auto& b = rows[k];
      bool overlap = a.start < (b.end ? *b.end : Instant::max()) &&
                     b.start < (a.end ? *a.end : Instant::max());
      if (overlap) {
        out.push_back(a.id);
        break;
      }
    }
  }
  return out;
}

std::string IdList(const std::vector<HelperRow>& rows) {
  std::string out;
  for (const auto& r : rows) out += (out.empty() ? "" : ", ") + std::to_string(r.id);
  return out;
}

class WindowMatcher {
 public:
  WindowMatcher(const Window& w, HoursMode mode, Evidence& evidence)
      : window_(w), mode_(mode), evidence_(evidence) {}

  WindowResult Run(std::vector<JavaRow> java, std::vector<UsageRecord> usaged) {
    std::vector<JavaRow> java_left = MatchEqual(java, usaged);
    PairByIdentity(java_left);
    return std::move(result_);
  }

 private:
  Difference New(std::string_view cls, const UsageRecord& r) const {
    Difference d;
    d.cls = d.kind = std::string(cls);
    d.usage_type = r.usage_type;
    d.account_id = r.account_id;
    d.window = window_;
    return d;
  }

  void Add(Difference d) { result_.differences.push_back(std::move(d)); }

  // Marks a difference unexplained, keeping what was seen in `kind`.
  static void Unexplained(Difference& d, std::string detail) {
    d.cls = std::string(dc::kUnexplained);
    d.cause = "unexplained";
    if (!detail.empty()) d.detail = detail;
  }

  // Records equal in every column are matched; Java copies of a matched
  // record are duplicates. Leaves usaged's unmatched records in usaged_left_
  // and returns the Java rows still unmatched. Records are found by hash and
  // compared column by column: most records match, and this is the hot path.
  std::vector<JavaRow> MatchEqual(std::vector<JavaRow>& java, std::vector<UsageRecord>& usaged) {
    std::unordered_multimap<size_t, size_t> by_hash;
    by_hash.reserve(java.size());
    for (size_t i = 0; i < java.size(); ++i) by_hash.emplace(RecordHash(java[i].record), i);
    std::vector<bool> java_used(java.size(), false);
    std::vector<const UsageRecord*> matched;
    std::unordered_multimap<size_t, size_t> matched_by_hash;  // hash -> index in matched
    for (auto& u : usaged) {
      const size_t h = RecordHash(u);
      // The first Java row written (the lowest index) is the one matched;
      // later ones are its copies.
      std::optional<size_t> slot;
      for (auto [it, last] = by_hash.equal_range(h); it != last; ++it) {
        if (!java_used[it->second] && (!slot || it->second < *slot) &&
            SameRecord(java[it->second].record, u)) {
          slot = it->second;
        }
      }
      if (!slot) {
        usaged_left_.push_back(std::move(u));
        continue;
      }
      java_used[*slot] = true;
      auto& m = result_.matched[u.usage_type];
      ++m.first;
      m.second += u.raw_usage;
      matched_by_hash.emplace(h, matched.size());
      matched.push_back(&u);
    }
    // Copies of a matched record, grouped per record.
    std::map<size_t, Difference> copies;  // index in matched -> difference
    std::vector<JavaRow> left;
    for (size_t i = 0; i < java.size(); ++i) {
      if (java_used[i]) continue;
      const UsageRecord& r = java[i].record;
      std::optional<size_t> original;
      for (auto [it, last] = matched_by_hash.equal_range(RecordHash(r)); it != last; ++it) {
        if (SameRecord(*matched[it->second], r)) original = it->second;
      }
      if (!original) {
        left.push_back(std::move(java[i]));
        continue;
      }
      auto [it, fresh] = copies.try_emplace(*original, New(dc::kJavaDuplicate, r));
      Difference& d = it->second;
      if (fresh) d.usaged_record = parse::NaturalKeyText(*matched[*original]);
      d.java_ids.push_back(java[i].id);
      ++d.java_records;
      d.java_raw += r.raw_usage;
    }
    for (auto& [index, d] : copies) {
      ExplainCopies(d, *matched[index]);
      Add(std::move(d));
    }
    return left;
  }

  // Why Java wrote identical copies of a record.
  void ExplainCopies(Difference& d, const UsageRecord& r) {
    int jobs = evidence_.JavaJobsCovering(window_);
    if (jobs > 1) {
      d.cause = "reprocessed_window";
      d.detail = fmt::format("{} successful Java jobs cover this window; each billed it again",
                             jobs);
      return;
    }
    auto rows = evidence_.JavaHelperRows(r, window_);
    auto overlapping = Overlapping(rows);
    if (!overlapping.empty()) {
      d.cause = "duplicate_helper_rows";
      d.helper_ids = overlapping;
      d.detail = fmt::format("the Java server's helper rows {} of this resource overlap",
                             IdList(rows));
      return;
    }
    d.cause = "identical_copy";
    d.detail = "the same record stored more than once (no Java job or helper row explains it)";
  }

  void PairByIdentity(std::vector<JavaRow>& java) {
    std::map<std::string, std::pair<std::vector<JavaRow>, std::vector<UsageRecord>>> groups;
    for (auto& j : java) groups[IdentityText(j.record)].first.push_back(std::move(j));
    for (auto& u : usaged_left_) groups[IdentityText(u)].second.push_back(std::move(u));
    for (auto& [identity, group] : groups) {
      auto& [js, us] = group;
      SplitJavaCopies(js);
      auto by_time = [](const UsageRecord& a, const UsageRecord& b) {
        return std::tie(a.start_date, a.raw_usage) < std::tie(b.start_date, b.raw_usage);
      };
      std::sort(js.begin(), js.end(),
                [&](const JavaRow& a, const JavaRow& b) { return by_time(a.record, b.record); });
      std::sort(us.begin(), us.end(), by_time);
      if (SplitAtMetric(js, us)) continue;
      size_t pairs = std::min(js.size(), us.size());
      for (size_t i = 0; i < pairs; ++i) ClassifyPair(js[i], us[i]);
      for (size_t i = pairs; i < js.size(); ++i) JavaOnly(js[i], pairs > 0 ? &us[0] : nullptr);
      for (size_t i = pairs; i < us.size(); ++i) UsagedOnly(us[i]);
    }
  }

  // Exact mode's backup records (one per size an assignment held) against
  // the Java server's (one per assignment, at its last size): the same hours
  // in other parts. True when that explains the group.
  bool SplitAtMetric(const std::vector<JavaRow>& js, const std::vector<UsageRecord>& us) {
    if (mode_ != HoursMode::kExact || us.empty() || js.empty() ||
        us.front().usage_type != usage_type::kBackup) {
      return false;
    }
    Difference d = New(dc::kSplitAtMetric, us.front());
    d.cause = "usaged_bills_each_backup_size";
    for (const auto& j : js) {
      d.java_ids.push_back(j.id);
      ++d.java_records;
      d.java_raw += j.record.raw_usage;
    }
    for (const auto& u : us) {
      ++d.usaged_records;
      d.usaged_raw += u.raw_usage;
    }
    // Java counts 1 ms more per assignment, and float hours.
    if (!CloseHours(d.java_raw, d.usaged_raw)) return false;
    d.usaged_record = parse::NaturalKeyText(us.front());
    d.detail = fmt::format("{} usaged record(s), one per backup size, against {} Java record(s) "
                           "at the last size; hours Java {:.17g}, usaged {:.17g}",
                           d.usaged_records, d.java_records, d.java_raw, d.usaged_raw);
    Add(std::move(d));
    return true;
  }

  // Identical Java rows among the unpaired ones: all but one are copies.
  void SplitJavaCopies(std::vector<JavaRow>& js) {
    if (js.size() < 2) return;
    std::vector<JavaRow> kept;
    std::map<size_t, Difference> copies;  // index in kept -> difference
    for (auto& j : js) {
      auto original = std::find_if(kept.begin(), kept.end(), [&](const JavaRow& k) {
        return SameRecord(k.record, j.record);
      });
      if (original == kept.end()) {
        kept.push_back(std::move(j));
        continue;
      }
      auto [it, fresh] = copies.try_emplace(static_cast<size_t>(original - kept.begin()),
                                            New(dc::kJavaDuplicate, j.record));
      it->second.java_ids.push_back(j.id);
      ++it->second.java_records;
      it->second.java_raw += j.record.raw_usage;
    }
    for (auto& [index, d] : copies) {
      ExplainCopies(d, kept[index].record);
      Add(std::move(d));
    }
    js = std::move(kept);
  }

  void ClassifyPair(const JavaRow& j, const UsageRecord& u) {
    Difference d = New(dc::kDifferentQuantity, u);
    d.java_ids = {j.id};
    d.java_records = d.usaged_records = 1;
    d.java_raw = j.record.raw_usage;
    d.usaged_raw = u.raw_usage;
    d.usaged_record = parse::NaturalKeyText(u);
    auto columns = DifferingColumns(j.record, u);
    bool dates_only = !columns.empty() && std::all_of(columns.begin(), columns.end(), [](auto& c) {
      return c == "start_date" || c == "end_date";
    });
    if (dates_only) {
      // Java's window starts (or ends) off the boundaries: the first window
      // of its first job starts wherever that job started.
      const std::string unaligned = fmt::format(
          "Java's window {} .. {}, usaged's {} .. {}", FormatUtc(j.record.start_date),
          FormatUtc(j.record.end_date), FormatUtc(u.start_date), FormatUtc(u.end_date));
      if (CloseHours(j.record.raw_usage, u.raw_usage)) {
        d.cls = d.kind = std::string(dc::kUnalignedWindow);
        d.cause = "unaligned_java_window";
        d.detail = unaligned;
      } else {
        ClassifyQuantity(d, j.record, u);
        d.detail = unaligned + "; " + d.detail;
      }
    } else if (columns.empty() && j.record.raw_usage == u.raw_usage) {
      d.kind = "different_columns";
      Unexplained(d, fmt::format("usage_display: Java '{}', usaged '{}'", j.record.usage_display,
                                 u.usage_display));
    } else if (!columns.empty()) {
      d.kind = "different_columns";
      std::string detail;
      for (const auto& c : columns) detail += (detail.empty() ? "" : "; ") + ColumnDiff(c, j, u);
      Unexplained(d, detail);
    } else {
      ClassifyQuantity(d, j.record, u);
    }
    Add(std::move(d));
  }

  static std::string ColumnDiff(const std::string& column, const JavaRow& j,
                                const UsageRecord& u) {
    auto value = [&](const UsageRecord& r) {
      std::string text = FullText(r);
      auto at = text.find("|" + column + "=");
      auto from = at + column.size() + 2;
      return text.substr(from, text.find('|', from) - from);
    };
    return fmt::format("{}: Java '{}', usaged '{}'", column, value(j.record), value(u));
  }

  void ClassifyQuantity(Difference& d, const UsageRecord& j, const UsageRecord& u) {
    const double jr = j.raw_usage, ur = u.raw_usage;
    if (!TimeBased(u.usage_type)) {
      // Bytes, I/O requests, a bucket's size: no hours arithmetic to blame.
      d.detail = fmt::format("Java {:.17g}, usaged {:.17g}", jr, ur);
      return Unexplained(d, d.detail);
    }
    if (CloseHours(jr, ur)) {
      d.cls = d.kind = std::string(dc::kFloatRounding);
      d.cause = "java_float_hours";
      d.detail = fmt::format("Java {:.17g}, usaged {:.17g}", jr, ur);
      if (mode_ == HoursMode::kCloudStackFloat) {
        Unexplained(d, d.detail + " (usage.compat.float.hours is on: they should be equal)");
      }
      return;
    }
    if (jr > ur) {
      // More hours than usaged: two helper rows of the resource alive at once.
      auto rows = evidence_.JavaHelperRows(u, window_);
      auto overlapping = Overlapping(rows);
      double k = ur > 0 ? std::round(jr / ur) : 0;
      bool multiple =
          k >= 2 && std::fabs(jr - k * ur) <= k * (1e-6 * ur + 10 * kMillisecondHours);
      if (!overlapping.empty() || multiple) {
        d.cls = d.kind = std::string(dc::kJavaDuplicate);
        d.cause = "duplicate_helper_rows";
        d.helper_ids = overlapping;
        d.detail = multiple ? fmt::format("Java billed {:g} times usaged's quantity", k)
                            : fmt::format("Java {:.17g}, usaged {:.17g}", jr, ur);
        if (!rows.empty()) d.detail += "; the Java server's helper rows: " + IdList(rows);
        return;
      }
    }
    if (u.usage_type == usage_type::kVpnUsers && VpnRemovalDiffers(u)) return FillVpn(d);
    std::string note = evidence_.UsagedNote(u, window_);
    d.detail = fmt::format("Java {:.17g}, usaged {:.17g}", jr, ur);
    if (!note.empty()) {
      d.cause = "usaged_deviation";
      d.detail += "; " + note;
    } else {
      Unexplained(d, d.detail);
    }
  }

  bool VpnRemovalDiffers(const UsageRecord& u) {
    auto java_rows = evidence_.JavaHelperRows(u, window_);
    auto usaged_rows = evidence_.UsagedHelperRows(u, window_);
    vpn_note_.clear();
    for (const auto& jr : java_rows) {
      for (const auto& ur : usaged_rows) {
        if (jr.start == ur.start && jr.end != ur.end) {
          vpn_note_ = fmt::format("Java's row {} ends {}, the removal event {}", jr.id,
                                  jr.end ? FormatUtc(*jr.end) : "never",
                                  ur.end ? FormatUtc(*ur.end) : "never");
          vpn_helper_ = jr.id;
          return true;
        }
      }
    }
    return false;
  }

  void FillVpn(Difference& d) {
    d.cls = d.kind = std::string(dc::kVpnRemovalTime);
    d.cause = "java_ends_vpn_user_at_job_time";
    d.helper_ids = {vpn_helper_};
    d.detail = vpn_note_;
  }

  // A Java row with no usaged record of its resource left to pair with.
  // `paired` is a usaged record of the same resource when there is one.
  void JavaOnly(const JavaRow& j, const UsageRecord* paired) {
    Difference d = New(dc::kMissingInUsaged, j.record);
    d.java_ids = {j.id};
    d.java_records = 1;
    d.java_raw = j.record.raw_usage;
    if (paired) {
      auto rows = evidence_.JavaHelperRows(j.record, window_);
      auto overlapping = Overlapping(rows);
      if (!overlapping.empty()) {
        d.cls = d.kind = std::string(dc::kJavaDuplicate);
        d.cause = "duplicate_helper_rows";
        d.helper_ids = overlapping;
        d.usaged_record = parse::NaturalKeyText(*paired);
        d.detail = fmt::format("one record per helper row; the Java server's rows {} of this "
                               "resource overlap", IdList(rows));
        return Add(std::move(d));
      }
    }
    if (TimeBased(j.record.usage_type) && j.record.raw_usage <= 1.5 * kMillisecondHours) {
      d.cls = d.kind = std::string(dc::kBoundaryRecord);
      d.cause = "java_inclusive_end";
      d.detail = "a lifetime ending on the window's first millisecond: Java counts end - start "
                 "+ 1 ms";
      if (mode_ == HoursMode::kCloudStackFloat) {
        Unexplained(d, d.detail + " (usage.compat.float.hours is on: usaged should write it too)");
      }
      return Add(std::move(d));
    }
    std::string note = evidence_.UsagedNote(j.record, window_);
    if (!note.empty()) {
      d.cause = "usaged_deviation";
      d.detail = note;
    } else {
      Unexplained(d, "the Java server billed this; usaged has no record of the resource");
    }
    Add(std::move(d));
  }

  void UsagedOnly(const UsageRecord& u) {
    Difference d = New(dc::kMissingInJava, u);
    d.usaged_records = 1;
    d.usaged_raw = u.raw_usage;
    d.usaged_record = parse::NaturalKeyText(u);
    if (evidence_.JavaJobsCovering(window_) == 0) {
      d.cause = "window_not_billed_by_java";
      d.detail = "no successful Java job covers this window";
    } else if (std::string note = evidence_.UsagedNote(u, window_); !note.empty()) {
      d.cause = "usaged_deviation";
      d.detail = note;
    } else {
      Unexplained(d, "usaged bills this; the Java server wrote no record of the resource");
    }
    Add(std::move(d));
  }

  Window window_;
  HoursMode mode_;
  Evidence& evidence_;
  WindowResult result_;
  std::vector<UsageRecord> usaged_left_;
  std::string vpn_note_;
  int64_t vpn_helper_ = 0;
};

}  // namespace

WindowResult MatchWindow(const Window& window, HoursMode mode, std::vector<JavaRow> java,
                         std::vector<UsageRecord> usaged, Evidence& evidence) {
  return WindowMatcher(window, mode, evidence).Run(std::move(java), std::move(usaged));
}

}  // namespace usaged::compare
