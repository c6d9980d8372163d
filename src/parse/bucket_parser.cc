// BUCKET (29) from usaged_bucket_usage, the bucket sizes the statistics step
// read for each window from cloud.bucket_statistics.
#include <fmt/format.h>

#include "core/usage_types.h"
#include "parse/sampled_usage.h"
#include "parse/parsers.h"
#include "parse/time_record.h"

namespace usaged::parse {
namespace {

// CloudStack writes every bucket record in zone 1 (its parser has no zone).
constexpr int64_t kBucketZone = 1;

class BucketParser final : public UsageParser {
 public:
  std::string_view name() const override { return "bucket"; }
  std::vector<int> usage_types() const override { return {usage_type::kBucket}; }

  // One query for the window and shard: one record per bucket whose size was
  // above 0 when the window's snapshot was taken; raw_usage is the size in
  // bytes (not time-weighted, as in CloudStack).
  void Parse(store::Connection& conn, const ParseScope& scope,
             std::vector<UsageRecord>& out) const override {
    auto& q =
        QueryWindowSamples(conn, scope, "usaged_bucket_usage", "account_id, bucket_id, size");
    while (q.Next()) {
      const store::AccountRef* account = scope.Billable(q.Int(0));
      int64_t size = q.Int(2);
      if (!account || size <= 0) continue;
      UsageRecord r = NewAmountRecord(usage_type::kBucket, account->id, account->domain_id,
                                      kBucketZone, size, "bytes", scope.window);
      r.description = "Bucket Size";
      r.usage_id = q.Int(1);
      Finish(r);
      out.push_back(std::move(r));
    }
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewBucketParser() { return std::make_unique<BucketParser>(); }

}  // namespace usaged::parse
