#include "maintain/record_checks.h"

namespace usaged::maintain {

int64_t CountDuplicateRecords(store::Connection& conn) {
  return conn
      .QueryInt(
          "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM ${usage}.cloud_usage "
          "GROUP BY account_id, usage_type, zone_id, usage_id, vm_instance_id, offering_id, "
          "template_id, size, cpu_cores, cpu_speed, memory, network_id, state, start_date, "
          "end_date HAVING count(*) > 1) d")
      .value_or(0);
}

int64_t CountNetworkOfferingDuplicates(store::Connection& conn) {
  return conn
      .QueryInt(
          "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM ${usage}.cloud_usage "
          "WHERE usage_type = 13 GROUP BY vm_instance_id, offering_id, usage_type, start_date, "
          "end_date, raw_usage HAVING count(*) > 1) d")
      .value_or(0);
}

}  // namespace usaged::maintain
