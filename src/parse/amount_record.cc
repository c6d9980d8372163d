#include "parse/amount_record.h"

namespace usaged::parse {

UsageRecord NewAmountRecord(int usage_type, int64_t account_id, int64_t domain_id,
                            int64_t zone_id, int64_t amount, const std::string& unit,
                            const Window& window) {
  UsageRecord r;
  r.usage_type = usage_type;
  r.account_id = account_id;
  r.domain_id = domain_id;
  r.zone_id = zone_id;
  r.raw_usage = static_cast<double>(amount);
  r.usage_display = std::to_string(amount) + " " + unit;
  r.start_date = window.start;
  r.end_date = window.display_end();
  return r;
}

}  // namespace usaged::parse
