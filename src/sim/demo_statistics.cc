#include "sim/demo_statistics.h"

namespace usaged::sim {
namespace {

constexpr int64_t kMiB = 1024LL * 1024;

void RouterTraffic(store::Connection& conn, int64_t account, const char* address, int64_t router,
                   int64_t network, int64_t sent, int64_t received) {
  // The management server folds router counter resets into net_*, current_*
  // is the router's own counter and agg_* their sum at the last aggregation.
  conn.Run(
      "INSERT INTO ${cloud}.user_statistics (data_center_id, account_id, public_ip_address, "
      "device_id, device_type, network_id, net_bytes_sent, net_bytes_received, "
      "current_bytes_sent, current_bytes_received, agg_bytes_sent, agg_bytes_received) "
      "VALUES (1, ?, ?, ?, 'DomainRouter', ?, ?, ?, ?, ?, ?, ?)",
      account, address, router, network, sent / 2, received / 2, sent - sent / 2,
      received - received / 2, sent, received);
}

void DiskIo(store::Connection& conn, int64_t account, int64_t vm, int64_t volume,
            int64_t io_read, int64_t io_write) {
  const int64_t block = 64 * 1024;
  conn.Run(
      "INSERT INTO ${cloud}.vm_disk_statistics (data_center_id, account_id, vm_id, volume_id, "
      "current_io_read, current_io_write, agg_io_read, agg_io_write, current_bytes_read, "
      "current_bytes_write, agg_bytes_read, agg_bytes_write) "
      "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      account, vm, volume, io_read, io_write, io_read, io_write, io_read * block,
      io_write * block, io_read * block, io_write * block);
}

}  // namespace

void WriteDemoStatistics(store::Connection& conn, int64_t alice, int64_t bob, int64_t carol) {
  RouterTraffic(conn, alice, "203.0.113.10", 901, 204, 750 * kMiB, 4096 * kMiB);
  RouterTraffic(conn, bob, "203.0.113.30", 902, 205, 12 * kMiB, 35 * kMiB);
  DiskIo(conn, alice, 101, 501, 18000, 52000);
  DiskIo(conn, bob, 102, 502, 240000, 91000);
  conn.Run("INSERT INTO ${cloud}.bucket_statistics (account_id, bucket_id, size) VALUES (?, ?, ?)",
           carol, 7001, 3 * 1024 * kMiB);
}

}  // namespace usaged::sim
