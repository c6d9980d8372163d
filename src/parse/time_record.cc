#include "parse/time_record.h"

#include "parse/record_key.h"

namespace usaged::parse {

UsageRecord NewTimeRecord(int usage_type, int64_t account_id, int64_t domain_id, int64_t zone_id,
                          int64_t millis, const Window& window, HoursMode mode) {
  UsageRecord r;
  r.usage_type = usage_type;
  r.account_id = account_id;
  r.domain_id = domain_id;
  r.zone_id = zone_id;
  r.raw_usage = HoursFromMillis(millis, mode);
  r.usage_display = FormatDecimal6(r.raw_usage) + " Hrs";
  r.start_date = window.start;
  r.end_date = window.display_end();
  return r;
}

void Finish(UsageRecord& record) { record.usage_key = NaturalKey(record); }

}  // namespace usaged::parse
