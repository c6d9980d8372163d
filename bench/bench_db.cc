#include "bench/bench_db.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

namespace usaged::bench {

void WaitForCleanPages(store::Connection& conn) {
  if (conn.engine() != store::Engine::kMariaDb) return;
  auto dirty = [&] {
    return conn.QueryInt(
        "SELECT variable_value FROM information_schema.global_status "
        "WHERE variable_name = 'INNODB_BUFFER_POOL_PAGES_DIRTY'").value_or(0);
  };
  auto pct = conn.QueryInt("SELECT @@global.innodb_max_dirty_pages_pct");
  conn.Exec("SET GLOBAL innodb_max_dirty_pages_pct = 0");
  int waited = 0;
  for (; waited < 180 && dirty() >= 100; ++waited) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  conn.Exec(fmt::format("SET GLOBAL innodb_max_dirty_pages_pct = {}", pct.value_or(90)));
  if (waited == 180) spdlog::warn("the MariaDB server still has dirty pages; measuring anyway");
}

nlohmann::ordered_json ServerMemory(store::Connection& conn) {
  if (conn.engine() != store::Engine::kMariaDb) return nlohmann::ordered_json::object();
  const int64_t mib = 1024 * 1024;
  auto pool = conn.QueryInt("SELECT @@global.innodb_buffer_pool_size").value_or(0);
  auto& q = conn.Prepare("SHOW TABLE STATUS FROM ${usage} LIKE 'cloud_usage'");
  int64_t data = 0, index = 0;
  if (q.Next()) data = q.Int(6), index = q.Int(8);  // Data_length, Index_length
  q.Reset();
  return {{"buffer_pool_mib", pool / mib},
          {"cloud_usage_data_mib", data / mib},
          {"cloud_usage_index_mib", index / mib}};
}

}  // namespace usaged::bench
