// NETWORK (30) from usage_networks and VPC (31) from usage_vpc (CloudStack
// 4.19.1 and later).
//
// CloudStack's parsers for these two types do not group rows: they write one
// record per helper row and window (NetworksUsageParser.java:55-84,
// VpcUsageParser.java:53-80). usaged does the same in both hours modes, so a
// network implemented, shut down and implemented again within a window has
// two Implemented records, and the records agree with CloudStack's in number
// and shape. Two such records can agree on every column but the hours: each
// carries the start of its row (UsageRecord::row_start) into its natural key.
#include <algorithm>
#include <map>
#include <tuple>

#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"
#include "parse/record_key.h"

namespace usaged::parse {
namespace {

// An update in the second its row began leaves that row zero-length (as in
// CloudStack), so one network can have several rows with one start (helper
// times are whole seconds) and their records would share a natural key. The
// second and later records of a key and start get 1, 2, ... ms added to their
// row_start, which no real row start has. The longest row of a start keeps it
// exactly, so in exact mode (where zero-length rows give no record) row_start
// is always the row's start. Deterministic: records of one key and start are
// taken longest first, then by zone; any further tie is between equal records.
void NumberSameSecondRows(std::vector<UsageRecord>& records) {
  std::vector<std::pair<std::string, UsageRecord*>> keyed;
  keyed.reserve(records.size());
  for (auto& r : records) {
    UsageRecord without_row = r;
    without_row.row_start.reset();
    keyed.emplace_back(NaturalKeyText(without_row), &r);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    const UsageRecord& x = *a.second;
    const UsageRecord& y = *b.second;
    return std::tie(a.first, *x.row_start, y.raw_usage, x.zone_id) <
           std::tie(b.first, *y.row_start, x.raw_usage, y.zone_id);
  });
  std::map<std::pair<std::string, Instant>, int> seen;
  for (auto& [text, r] : keyed) {
    const int n = seen[{text, *r->row_start}]++;
    *r->row_start += std::chrono::milliseconds(n);
  }
}

// A parser that writes one record per helper row overlapping the window.
template <class Info>
class PerRowParser : public UsageParser {
 public:
  explicit PerRowParser(const HelperQuery& q)
      : sql_(WindowQuerySql(q)), column_count_(ColumnCount(q.columns) + 1) {}

  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const final {
    std::vector<UsageRecord> records;
    auto& q = conn.Prepare(sql_).Bind(scope.window.next, scope.shard_count, scope.shard,
                                      scope.window.start, scope.window.next, scope.shard_count,
                                      scope.shard);
    while (q.Next()) {
      const int64_t account = q.Int(0);
      const store::AccountRef* billable = scope.Billable(account);
      if (!billable) continue;
      Info info;
      ReadRow(q, info);
      const Instant start = q.Time(column_count_);
      // Exact mode: a zero-length row (or one ended at the window's start)
      // holds no time here. Compat: CloudStack bills it 1 ms.
      const int64_t ms = ChargeableMillis(start, q.OptTime(column_count_ + 1), scope.window,
                                          scope.hours_mode);
      if (ms <= 0) continue;
      UsageRecord r = NewTimeRecord(RecordType(info), account, billable->domain_id,
                                    ZoneOf(info), ms, scope.window, scope.hours_mode);
      Describe(info, r);
      r.row_start = start;
      records.push_back(std::move(r));
    }
    q.Reset();
    NumberSameSecondRows(records);
    for (auto& r : records) {
      Finish(r);
      out.push_back(std::move(r));
    }
  }

 protected:
  // Reads the row's columns (statement columns 1..n) into `info`.
  virtual void ReadRow(store::Statement& q, Info& info) const = 0;
  virtual int RecordType(const Info& info) const = 0;
  virtual int64_t ZoneOf(const Info& info) const = 0;
  // Sets the record's type-specific columns and description.
  virtual void Describe(const Info& info, UsageRecord& r) const = 0;

 private:
  std::string sql_;
  int column_count_;  // index of the start column in the result
};

struct NetworkInfo {
  int64_t zone_id = 0;
  int64_t network_id = 0;
  int64_t offering_id = 0;
  std::optional<std::string> state;
};

class NetworkParser final : public PerRowParser<NetworkInfo> {
 public:
  NetworkParser()
      : PerRowParser({"usage_networks", "created", "removed",
                      "zone_id, network_id, network_offering_id, state", ""}) {}
  std::string_view name() const override { return "network"; }
  std::vector<int> usage_types() const override { return {usage_type::kNetwork}; }

 protected:
  void ReadRow(store::Statement& q, NetworkInfo& i) const override {
    i = {q.Int(1), q.Int(2), q.Int(3), q.OptText(4)};
  }
  int RecordType(const NetworkInfo&) const override { return usage_type::kNetwork; }
  int64_t ZoneOf(const NetworkInfo& i) const override { return i.zone_id; }
  void Describe(const NetworkInfo& i, UsageRecord& r) const override {
    r.description = fmt::format("Network usage for network ID: {}, network offering: {}",
                                i.network_id, i.offering_id);
    r.offering_id = i.offering_id;
    r.usage_id = i.network_id;
    r.size = 0;
    r.state = i.state;
  }
};

struct VpcInfo {
  int64_t zone_id = 0;
  int64_t vpc_id = 0;
};

// The VPC's state (Enabled) is not written: CloudStack's parser does not set it.
class VpcParser final : public PerRowParser<VpcInfo> {
 public:
  VpcParser() : PerRowParser({"usage_vpc", "created", "removed", "zone_id, vpc_id", ""}) {}
  std::string_view name() const override { return "vpc"; }
  std::vector<int> usage_types() const override { return {usage_type::kVpc}; }

 protected:
  void ReadRow(store::Statement& q, VpcInfo& i) const override { i = {q.Int(1), q.Int(2)}; }
  int RecordType(const VpcInfo&) const override { return usage_type::kVpc; }
  int64_t ZoneOf(const VpcInfo& i) const override { return i.zone_id; }
  void Describe(const VpcInfo& i, UsageRecord& r) const override {
    r.description = fmt::format("VPC usage for VPC ID: {}", i.vpc_id);
    r.usage_id = i.vpc_id;
    r.size = 0;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewNetworkParser() { return std::make_unique<NetworkParser>(); }
std::unique_ptr<UsageParser> NewVpcParser() { return std::make_unique<VpcParser>(); }

}  // namespace usaged::parse
