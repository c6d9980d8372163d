#include "compare/shadow.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>

#include "compare/java_source.h"
#include "compare/record_identity.h"
#include "core/usage_types.h"
#include "ingest/event_applier.h"
#include "ingest/event_copy.h"
#include "ingest/healing.h"
#include "store/migrator.h"
#include "store/retry.h"

namespace usaged::compare {
namespace {

// A statistics helper table the shadow takes from the Java server: its
// columns, text columns marked.
struct SampleTable {
  std::string_view name;
  std::vector<std::string_view> columns;
  std::string_view text_column;  // the one text column, or ""
};

const SampleTable kSampleTables[] = {
    {"usage_network",
     {"account_id", "zone_id", "host_id", "host_type", "network_id", "bytes_sent",
      "bytes_received", "agg_bytes_received", "agg_bytes_sent", "event_time_millis"},
     "host_type"},
    {"usage_vm_disk",
     {"account_id", "zone_id", "vm_id", "volume_id", "io_read", "io_write", "agg_io_read",
      "agg_io_write", "bytes_read", "bytes_write", "agg_bytes_read", "agg_bytes_write",
      "event_time_millis"},
     ""},
};

std::string Join(const std::vector<std::string_view>& items, std::string_view each = "{}") {
  std::string out;
  for (auto item : items) {
    out += (out.empty() ? "" : ", ") + fmt::format(fmt::runtime(each), item);
  }
  return out;
}

// Replaces the shadow's rows of `t` stamped in [from, until) with Java's.
int64_t CopySampleTable(store::Connection& java, store::Connection& shadow,
                        const SampleTable& t, int64_t from, int64_t until) {
  std::string range = " WHERE event_time_millis >= ? AND event_time_millis < ?";
  store::Transaction tx(shadow);
  shadow.Run(fmt::format("DELETE FROM ${{usage}}.{}{}", t.name, range), from, until);
  auto& insert = shadow.Prepare(
      fmt::format("${{insert_ignore}} INTO ${{usage}}.{} ({}) VALUES ({})", t.name,
                  Join(t.columns), Join(t.columns, "?")));
  auto& q = java.Prepare(fmt::format("SELECT {} FROM ${{usage}}.{}{}", Join(t.columns), t.name,
                                     range)).Bind(from, until);
  int64_t copied = 0;
  while (q.Next()) {
    insert.Reset();
    for (int i = 0; i < static_cast<int>(t.columns.size()); ++i) {
      if (q.IsNull(i)) {
        insert.BindNull(i + 1);
      } else if (t.columns[i] == t.text_column) {
        insert.BindText(i + 1, q.Text(i));
      } else {
        insert.BindInt(i + 1, q.Int(i));
      }
    }
    copied += insert.Run();
  }
  q.Reset();
  tx.Commit();
  return copied;
}

// The size a BUCKET record was made from: its usage_display ("<bytes> bytes")
// holds it exactly; raw_usage is that long as a double, which rounds sizes
// above 2^53 and cannot always be turned back into one.
int64_t BucketSize(const std::string& display, double raw) {
  int64_t size = 0;
  auto [end, ec] = std::from_chars(display.data(), display.data() + display.size(), size);
  if (ec == std::errc() && end != display.data()) return size;
  if (!(raw > 0)) return 0;
  if (raw >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(raw);
}

// BUCKET records hold the size the Java server read when it parsed the
// window: they are the only record of its samples.
int64_t CopyBucketSizes(store::Connection& java, store::Connection& shadow, Instant from,
                        Instant until) {
  store::Transaction tx(shadow);
  shadow.Run("DELETE FROM ${usage}.usaged_bucket_usage WHERE event_time_millis >= ? AND "
             "event_time_millis < ?",
             ToEpochMillis(from), ToEpochMillis(until));
  auto& insert = shadow.Prepare(
      "${insert_ignore} INTO ${usage}.usaged_bucket_usage (account_id, bucket_id, size, "
      "event_time_millis) VALUES (?, ?, ?, ?)");
  auto& q = java.Prepare("SELECT account_id, usage_id, raw_usage, usage_display, start_date FROM "
                         "${usage}.cloud_usage WHERE usage_type = ? AND start_date >= ? AND "
                         "start_date < ? AND usage_id IS NOT NULL")
                .Bind(usage_type::kBucket, from, until);
  int64_t copied = 0;
  while (q.Next()) {
    copied += insert.Bind(q.Int(0), q.Int(1), BucketSize(q.Text(3), q.Double(2)),
                          ToEpochMillis(q.Time(4)))
                  .Run();
  }
  q.Reset();
  tx.Commit();
  return copied;
}

}  // namespace

Shadow::Shadow(store::Store& store, const std::string& name, Instant now)
    : shadow_(store.Shadow(name)) {
  lock_ = shadow_->LockJobs();
  conn_ = shadow_->Connect(/*create=*/false);
  store::Migrator(*conn_).UpUsageOnly(now);
}

Shadow::~Shadow() = default;

ShadowIngest Shadow::Ingest(Instant until, const Clock& clock,
                            const ingest::HandlerOptions& options) {
  ShadowIngest out;
  auto& conn = *conn_;
  store::RetryTransient("copying accounts", [&] { return ingest::SyncAccounts(conn); });
  out.events_copied =
      store::RetryTransient("copying events", [&] { return ingest::CopyNewEvents(conn); });
  ingest::EventApplier applier(options);
  ingest::ApplyStats stats = applier.ApplyPending(conn, until, ingest::LatePolicy{}, clock);
  out.events_applied = stats.applied + stats.healed;
  out.events_quarantined = stats.quarantined;
  auto healed = ingest::HealHelperTables(conn, std::nullopt, clock.Now());
  out.healed = static_cast<int64_t>(healed.size());
  return out;
}

int64_t Shadow::FeedJavaSamples(store::Connection& java, Instant from, Instant until) {
  int64_t copied = 0;
  for (const auto& t : kSampleTables) {
    copied += CopySampleTable(java, *conn_, t, ToEpochMillis(from), ToEpochMillis(until));
  }
  return copied + CopyBucketSizes(java, *conn_, from, until);
}

std::vector<HelperRow> Shadow::HelperRows(const UsageRecord& r, const Window& w) {
  return LoadHelperRows(*conn_, r, w);
}

std::string Shadow::Note(const UsageRecord& r, const Window& w) {
  auto rows = ResourceRowsOf(r);
  if (!rows) return "";
  std::vector<std::string> notes;
  if (rows->event_resource_id) {
    auto& q = conn_->Prepare(
        "SELECT e.id, e.type, q.reason FROM ${usage}.usage_event e JOIN "
        "${usage}.usaged_quarantine q ON q.source = 'usage_event' AND q.source_id = e.id "
        "WHERE e.account_id = ? AND e.resource_id = ? AND e.type LIKE ? AND e.created < ? "
        "ORDER BY e.created DESC, e.id DESC");
    q.Bind(r.account_id, *rows->event_resource_id, rows->event_types, w.next);
    while (q.Next() && notes.size() < 3) {
      notes.push_back(fmt::format("usaged quarantined event {} ({}): {}", q.Int(0), q.Text(1),
                                  q.Text(2)));
    }
    q.Reset();
    auto& h = conn_->Prepare(
        "SELECT e.id, e.type, h.detail FROM ${usage}.usage_event e JOIN ${usage}.usaged_healing h "
        "ON h.table_name = 'usage_event' AND h.row_id = e.id WHERE e.account_id = ? AND "
        "e.resource_id = ? AND e.type LIKE ? AND e.created < ? ORDER BY e.created DESC, e.id DESC");
    h.Bind(r.account_id, *rows->event_resource_id, rows->event_types, w.next);
    while (h.Next() && notes.size() < 4) {
      notes.push_back(fmt::format("usaged healed event {} ({}): {}", h.Int(0), h.Text(1),
                                  h.Text(2)));
    }
    h.Reset();
  }
  for (const auto& row : LoadHelperRows(*conn_, r, w)) {
    auto& h = conn_->Prepare("SELECT kind, detail FROM ${usage}.usaged_healing WHERE table_name = "
                             "? AND row_id = ?");
    h.Bind(rows->table, row.id);
    while (h.Next() && notes.size() < 5) {
      notes.push_back(fmt::format("usaged healed its {} row {} ({}): {}", rows->table, row.id,
                                  h.Text(0), h.Text(1)));
    }
    h.Reset();
  }
  std::string out;
  for (const auto& n : notes) out += (out.empty() ? "" : "; ") + n;
  return out;
}

}  // namespace usaged::compare
