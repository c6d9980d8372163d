#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace usaged::testing {

// Hostile but patient HTTP clients for the server's slow-client defences: a
// set of connections kept open to a local server, some silent and some
// trickling an endless request header one byte at a time. When the server
// closes one, the close is timed and the slot connects again at once, so the
// server faces the same number of connections for as long as this runs.
// Connections come from several loopback addresses (127.0.0.2, 127.0.0.3, …)
// so that a per-address limit does not refuse them all.
// Loopback only; all work is on one thread of its own, bounded by Stop.
struct SlowClientsOptions {
  int port = 0;                      // on 127.0.0.1
  int silent = 900;                  // connections that send nothing
  int trickling = 100;               // connections sending one header byte per interval
  int source_addresses = 20;         // 127.0.0.2 .. 127.0.0.(1 + source_addresses)
  std::chrono::milliseconds interval{1000};
};

struct SlowClientsReport {
  long connects = 0;                 // connections established
  long connect_failures = 0;         // refused or failed before being established
  long closed_by_server = 0;         // of the established ones
  long answered = 0;                 // connections the server wrote something to
  long bytes_trickled = 0;
  int open_at_stop = 0;              // established and still open when Stop came
  // Longest a connection lived before the server closed it (from the moment it
  // was established), per kind; and the age of the oldest one still open at
  // Stop (a connection the server never closed).
  std::chrono::milliseconds longest_silent_life{0};
  std::chrono::milliseconds longest_trickling_life{0};
  std::chrono::milliseconds oldest_open_at_stop{0};
};

class SlowClients {
 public:
  explicit SlowClients(SlowClientsOptions options);
  ~SlowClients();  // stops
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;

  // Connections currently established.
  int open() const { return open_.load(); }
  // Closes every connection and returns what happened.
  SlowClientsReport Stop();

 private:
  void Run();

  SlowClientsOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int> open_{0};
  SlowClientsReport report_;
  std::thread thread_;
};

// Raises this process's soft limit of open files to `wanted` (or to the hard
// limit if that is lower); returns the soft limit in force afterwards.
long RaiseOpenFileLimit(long wanted);

}  // namespace usaged::testing
