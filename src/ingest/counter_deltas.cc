#include "ingest/counter_deltas.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "ingest/healing.h"
#include "ingest/quarantine.h"

namespace usaged::ingest {
namespace {

using Key = std::tuple<int64_t, int64_t, int64_t, int64_t>;  // zone, account, a, b
using Counts = std::vector<int64_t>;

struct StatRow {
  int64_t id = 0;
  std::optional<int64_t> account;
  Key key{};
  std::optional<std::string> label;
  Counts aggregates;
  std::string problem;  // why the row cannot be used; "" if it can
};

std::string Join(const std::vector<std::string_view>& names, std::string_view prefix = "") {
  std::string out;
  for (auto n : names) out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, n);
  return out;
}

std::string KeyText(const Key& k) {
  return fmt::format("zone {}, account {}, {}/{}", std::get<0>(k), std::get<1>(k),
                     std::get<2>(k), std::get<3>(k));
}

// Reads one required id column; records a problem if it is NULL.
int64_t RequiredId(store::Statement& q, int column, std::string_view name, StatRow& row) {
  if (q.IsNull(column)) {
    if (row.problem.empty()) row.problem = fmt::format("{} is NULL", name);
    return 0;
  }
  return q.Int(column);
}

// Reads a counter column; records a problem if it is NULL or negative (a
// value beyond the signed range of bigint unsigned reads as negative too).
int64_t Counter(store::Statement& q, int column, std::string_view name, StatRow& row) {
  if (q.IsNull(column)) {
    if (row.problem.empty()) row.problem = fmt::format("{} is NULL", name);
    return 0;
  }
  int64_t v = q.Int(column);
  if (v < 0 && row.problem.empty()) row.problem = fmt::format("{} is negative ({})", name, v);
  return v;
}

std::vector<StatRow> ReadSource(store::Connection& conn, const CounterFamily& f) {
  std::string label = f.source_label.empty() ? "NULL" : std::string(f.source_label);
  std::string sql = fmt::format(
      "SELECT id, data_center_id, account_id, {}, {}, {}, {}{}{} FROM ${{cloud}}.{} ORDER BY id",
      f.source_a, f.source_b, label, Join(f.aggregates), f.checked.empty() ? "" : ", ",
      Join(f.checked), f.source);
  auto& q = conn.Prepare(sql).Bind();
  std::vector<StatRow> rows;
  while (q.Next()) {
    StatRow r;
    r.id = q.Int(0);
    r.account = q.OptInt(2);
    int64_t zone = RequiredId(q, 1, "data_center_id", r);
    int64_t account = RequiredId(q, 2, "account_id", r);
    int64_t a = RequiredId(q, 3, f.source_a, r);
    r.key = {zone, account, a, q.OptInt(4).value_or(0)};
    r.label = q.OptText(5);
    int column = 6;
    for (auto name : f.aggregates) r.aggregates.push_back(Counter(q, column++, name, r));
    for (auto name : f.checked) Counter(q, column++, name, r);
    rows.push_back(std::move(r));
  }
  return rows;
}

// The mirror as the last snapshot left it: key -> (row id -> aggregates).
std::map<Key, std::map<int64_t, Counts>> ReadMirror(store::Connection& conn,
                                                    const CounterFamily& f) {
  auto& q = conn.Prepare(fmt::format(
                             "SELECT id, data_center_id, account_id, {}, {}, {} FROM ${{usage}}.{}",
                             f.source_a, f.source_b, Join(f.aggregates), f.source))
                .Bind();
  std::map<Key, std::map<int64_t, Counts>> out;
  while (q.Next()) {
    Key key{q.Int(1), q.Int(2), q.Int(3), q.OptInt(4).value_or(0)};
    Counts c;
    for (size_t i = 0; i < f.aggregates.size(); ++i) c.push_back(q.Int(5 + static_cast<int>(i)));
    out[key][q.Int(0)] = std::move(c);
  }
  return out;
}

// What the latest helper row of each key recorded as the aggregates.
std::map<Key, Counts> ReadBaselines(store::Connection& conn, const CounterFamily& f) {
  std::string sql = fmt::format(
      "SELECT n.zone_id, n.account_id, n.{0}, n.{1}, {2} FROM ${{usage}}.{3} n JOIN "
      "(SELECT account_id, zone_id, {0} AS ka, {1} AS kb, max(event_time_millis) AS latest "
      "FROM ${{usage}}.{3} GROUP BY account_id, zone_id, {0}, {1}) l "
      "ON n.account_id = l.account_id AND n.zone_id = l.zone_id AND n.{0} = l.ka "
      "AND n.{1} = l.kb AND n.event_time_millis = l.latest",
      f.helper_a, f.helper_b, Join(f.aggregates, "n."), f.helper);
  auto& q = conn.Prepare(sql).Bind();
  std::map<Key, Counts> out;
  while (q.Next()) {
    Counts c;
    for (size_t i = 0; i < f.aggregates.size(); ++i) c.push_back(q.Int(4 + static_cast<int>(i)));
    out[{q.Int(0), q.Int(1), q.Int(2), q.Int(3)}] = std::move(c);
  }
  return out;
}

// A counter below the value it is compared with: of one row (`row`) or of
// the key's total.
struct Regression {
  size_t counter = 0;
  std::optional<int64_t> row;
  int64_t from = 0;
  int64_t to = 0;
};

class KeySnapshot {
 public:
  KeySnapshot(store::Connection& conn, const CounterFamily& f, const CounterSnapshot& s)
      : conn_(conn),
        f_(f),
        s_(s),
        mirror_(ReadMirror(conn, f)),
        mirror_empty_(mirror_.empty()),
        baselines_(ReadBaselines(conn, f)) {}

  void Run(std::vector<StatRow>& rows) {
    std::map<Key, std::vector<const StatRow*>> by_key;
    for (auto& r : rows) {
      if (!r.problem.empty() || !Known(r)) {
        Refuse(r, r.problem);
        continue;
      }
      if (Removed(r)) continue;
      by_key[r.key].push_back(&r);
    }
    // A key with a refused row is skipped whole: summing only its good rows
    // would look like its counters went backwards. Its rows keep their
    // mirrored values, so the next sample counts from the same point.
    for (const auto& r : rows) {
      auto skipped = refused_ids_.count(r.id) ? by_key.find(r.key) : by_key.end();
      if (skipped == by_key.end()) continue;
      for (const auto* member : skipped->second) kept_ids_.insert(member->id);
      by_key.erase(skipped);
    }
    for (const auto& [key, members] : by_key) Snapshot(key, members);
    RefreshMirror();
  }

  const CounterResult& result() const { return result_; }

 private:
  bool Known(StatRow& r) {
    if (s_.accounts->Find(std::get<1>(r.key))) return true;
    r.problem =
        fmt::format("account {} is unknown to cloud_usage.account", std::get<1>(r.key));
    return false;
  }

  // CloudStack stops reading the statistics of accounts removed more than
  // three days before the window; so does usaged (they are not billed).
  bool Removed(const StatRow& r) const {
    const auto* a = s_.accounts->Find(std::get<1>(r.key));
    return a->removed && *a->removed < s_.window_start - std::chrono::hours(72);
  }

  void Refuse(const StatRow& r, const std::string& why) {
    refused_ids_.insert(r.id);
    kept_ids_.insert(r.id);
    spdlog::warn("{} row {} refused: {}", f_.source, r.id, why);
    if (QuarantineStatisticsRow(conn_, f_.source, r.id, r.account, why, s_.stamp, s_.now)) {
      ++result_.quarantined;
    }
  }

  void Snapshot(const Key& key, const std::vector<const StatRow*>& members) {
    Counts total(f_.aggregates.size(), 0);
    for (const auto* r : members) {
      for (size_t i = 0; i < total.size(); ++i) total[i] += r->aggregates[i];
    }
    auto found = baselines_.find(key);
    const bool has_baseline = found != baselines_.end();
    Counts base = has_baseline ? found->second : Counts(total.size(), 0);
    Counts delta = Delta(key, members, total, base, has_baseline);
    // A total below the baseline is written even with nothing to bill: it is
    // the baseline of the next sample.
    auto zero = [](int64_t d) { return d == 0; };
    if (total == base && std::all_of(delta.begin(), delta.end(), zero)) return;
    WriteHelperRow(key, members.back()->label, delta, total);
  }

  Counts Delta(const Key& key, const std::vector<const StatRow*>& members, const Counts& total,
               const Counts& base, bool has_baseline) {
    std::optional<Regression> backwards;
    for (size_t i = 0; i < total.size() && !backwards; ++i) {
      if (total[i] < base[i]) backwards = Regression{i, std::nullopt, base[i], total[i]};
    }
    static const std::map<int64_t, Counts> kNone;
    auto mirrored = mirror_.find(key);
    const auto& before = mirrored == mirror_.end() ? kNone : mirrored->second;
    std::set<int64_t> ids_before, ids_now;
    for (const auto& [id, counts] : before) ids_before.insert(id);
    for (const auto* r : members) ids_now.insert(r->id);
    // The key's rows changed since the last sample: rows replaced, added or
    // removed, or - a key billed before whose rows had all gone - every row
    // new. (A mirror no sample has written says nothing: the totals decide.)
    bool mirror_known = s_.sampled_before || !mirror_empty_;
    bool all_new = ids_before.empty() && has_baseline && mirror_known;
    if (all_new || (!ids_before.empty() && ids_before != ids_now)) {
      Counts delta = PerRowDelta(before, members);
      if (backwards) RecordReset(key, members, backwards->counter);
      return delta;
    }
    std::optional<Regression> row_back = RowWentBack(before, members);
    if (!backwards && !row_back) return Difference(total, base);
    RecordRegression(key, members, backwards ? *backwards : *row_back);
    // CloudStack compares the key's summed total with its baseline, counter
    // by counter, so a row going back hides another row's growth in the same
    // sample (its totals may even have grown). Per row it cannot.
    if (s_.compat || ids_before.empty()) return ClampedDifference(total, base);
    return PerRowDelta(before, members);
  }

  // The first counter of a row that is below its mirrored value.
  static std::optional<Regression> RowWentBack(const std::map<int64_t, Counts>& before,
                                               const std::vector<const StatRow*>& members) {
    for (const auto* r : members) {
      auto old = before.find(r->id);
      if (old == before.end()) continue;
      for (size_t i = 0; i < r->aggregates.size(); ++i) {
        if (r->aggregates[i] < old->second[i]) {
          return Regression{i, r->id, old->second[i], r->aggregates[i]};
        }
      }
    }
    return std::nullopt;
  }

  static Counts Difference(const Counts& total, const Counts& base) {
    Counts delta(total.size(), 0);
    for (size_t i = 0; i < total.size(); ++i) delta[i] = total[i] - base[i];
    return delta;
  }

  static Counts ClampedDifference(const Counts& total, const Counts& base) {
    Counts delta = Difference(total, base);
    for (int64_t& d : delta) d = std::max<int64_t>(0, d);
    return delta;
  }

  // Each row from its mirrored value (a row the mirror does not know from
  // zero), never below zero.
  Counts PerRowDelta(const std::map<int64_t, Counts>& before,
                     const std::vector<const StatRow*>& members) const {
    Counts delta(f_.aggregates.size(), 0);
    for (size_t i = 0; i < delta.size(); ++i) {
      for (const auto* r : members) {
        auto old = before.find(r->id);
        int64_t from = old == before.end() ? 0 : old->second[i];
        delta[i] += std::max<int64_t>(0, r->aggregates[i] - from);
      }
    }
    return delta;
  }

  void RecordReset(const Key& key, const std::vector<const StatRow*>& members, size_t counter) {
    ++result_.resets;
    RecordHealing(conn_,
                  {{"counter_reset", std::string(f_.helper), members.front()->id,
                    std::get<1>(key),
                    fmt::format("{} of {} went backwards: statistics rows were replaced; each "
                                "counted from its restart",
                                f_.aggregates[counter], KeyText(key))}},
                  s_.now);
  }

  void RecordRegression(const Key& key, const std::vector<const StatRow*>& members,
                        const Regression& r) {
    ++result_.regressions;
    std::string where = r.row ? fmt::format("row {} of {}", *r.row, KeyText(key))
                              : fmt::format("the total of {}", KeyText(key));
    std::string what = fmt::format(
        "{} of {} went back from {} to {} with the same statistics rows (not a counter reset); "
        "billed 0, counted from the lower value on",
        f_.aggregates[r.counter], where, r.from, r.to);
    spdlog::warn("{}: {}", f_.source, what);
    int64_t row = r.row.value_or(members.front()->id);
    RecordHealing(
        conn_, {{"counter_regression", std::string(f_.helper), row, std::get<1>(key), what}},
        s_.now);
  }

  void WriteHelperRow(const Key& key, const std::optional<std::string>& label,
                      const Counts& delta, const Counts& total) {
    std::vector<std::string> deltas;
    for (auto name : f_.aggregates) deltas.emplace_back(name.substr(4));  // drop "agg_"
    std::string label_column = f_.helper_label.empty() ? "" : fmt::format(", {}", f_.helper_label);
    std::string sql = fmt::format(
        "${{insert_ignore}} INTO ${{usage}}.{} (account_id, zone_id, {}, {}{}, {}, {}, "
        "event_time_millis) VALUES (?, ?, ?, ?{}{}, ?)",
        f_.helper, f_.helper_a, f_.helper_b, label_column, fmt::join(deltas, ", "),
        Join(f_.aggregates), f_.helper_label.empty() ? "" : ", ?",
        Placeholders(2 * delta.size()));
    auto& st = conn_.Prepare(sql);
    st.Reset();
    int p = 1;
    st.BindInt(p++, std::get<1>(key));
    st.BindInt(p++, std::get<0>(key));
    st.BindInt(p++, std::get<2>(key));
    st.BindInt(p++, std::get<3>(key));
    if (!f_.helper_label.empty()) {
      if (label) {
        st.BindText(p++, *label);
      } else {
        st.BindNull(p++);
      }
    }
    for (int64_t d : delta) st.BindInt(p++, d);
    for (int64_t t : total) st.BindInt(p++, t);
    st.BindInt(p++, ToEpochMillis(s_.stamp));
    result_.rows += st.Run();
  }

  static std::string Placeholders(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += ", ?";
    return out;
  }

  // The mirror takes the statistics as read, except the rows of skipped
  // keys, which keep what the last snapshot saw (the next one compares to it).
  void RefreshMirror() {
    std::string keep;
    for (int64_t id : kept_ids_) keep += fmt::format("{}{}", keep.empty() ? "" : ", ", id);
    std::string where = keep.empty() ? "" : fmt::format(" WHERE id NOT IN ({})", keep);
    conn_.Exec(fmt::format("DELETE FROM ${{usage}}.{}{}", f_.source, where));
    // A plain INSERT: a row the copy refused would count from zero at every
    // sample and be billed its whole total again, so a refusal must fail the
    // sample loudly, not be ignored.
    conn_.Exec(fmt::format("INSERT INTO ${{usage}}.{0} ({1}) SELECT {2} FROM ${{cloud}}.{0}{3}",
                           f_.source, f_.copy_columns,
                           f_.copy_select.empty() ? f_.copy_columns : f_.copy_select, where));
  }

  store::Connection& conn_;
  const CounterFamily& f_;
  const CounterSnapshot& s_;
  std::map<Key, std::map<int64_t, Counts>> mirror_;
  bool mirror_empty_;
  std::map<Key, Counts> baselines_;
  std::set<int64_t> refused_ids_;  // quarantined this sample
  std::set<int64_t> kept_ids_;     // rows of refused keys: the mirror keeps them
  CounterResult result_;
};

}  // namespace

const CounterFamily& NetworkCounters() {
  static const CounterFamily f{
      "user_statistics", "usage_network", "device_id", "network_id", "host_id", "network_id",
      "device_type", "host_type", {"agg_bytes_sent", "agg_bytes_received"},
      {"net_bytes_sent", "net_bytes_received", "current_bytes_sent", "current_bytes_received"},
      "id, data_center_id, account_id, public_ip_address, device_id, device_type, network_id, "
      "net_bytes_received, net_bytes_sent, current_bytes_received, current_bytes_sent, "
      "agg_bytes_received, agg_bytes_sent",
      // cloud_usage.user_statistics.public_ip_address is varchar(15) (cloud's
      // is char(40)) and part of a unique key: an IPv6 address would be cut,
      // and two cut alike would collide. Such an address is copied as NULL
      // (NULLs never collide); usaged keys rows by id, not by address.
      "id, data_center_id, account_id, CASE WHEN length(public_ip_address) <= 15 THEN "
      "public_ip_address END, device_id, device_type, network_id, net_bytes_received, "
      "net_bytes_sent, current_bytes_received, current_bytes_sent, agg_bytes_received, "
      "agg_bytes_sent"};
  return f;
}

const CounterFamily& DiskCounters() {
  static const CounterFamily f{
      "vm_disk_statistics", "usage_vm_disk", "vm_id", "volume_id", "vm_id", "volume_id", "", "",
      {"agg_io_read", "agg_io_write", "agg_bytes_read", "agg_bytes_write"},
      {"net_io_read", "net_io_write", "current_io_read", "current_io_write", "net_bytes_read",
       "net_bytes_write", "current_bytes_read", "current_bytes_write"},
      "id, data_center_id, account_id, vm_id, volume_id, net_io_read, net_io_write, "
      "current_io_read, current_io_write, agg_io_read, agg_io_write, net_bytes_read, "
      "net_bytes_write, current_bytes_read, current_bytes_write, agg_bytes_read, "
      "agg_bytes_write"};
  return f;
}

CounterResult SnapshotCounters(store::Connection& conn, const CounterFamily& family,
                               const CounterSnapshot& snapshot) {
  std::vector<StatRow> rows = ReadSource(conn, family);
  KeySnapshot keys(conn, family, snapshot);
  keys.Run(rows);
  return keys.result();
}

}  // namespace usaged::ingest
