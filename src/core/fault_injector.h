#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace usaged {

// Failure points for crash and failure tests, configured by the environment
// variable USAGED_FAULTS, e.g. "fail_unit=3,crash_unit=7":
//   fail_unit=N           the N-th unit this process starts fails with an error
//                         (the job goes on with the other units)
//   crash_unit=N          the process kills itself (SIGKILL) while the N-th unit's
//                         transaction is open, after its records were inserted
//   crash_event_page=N    SIGKILL while the N-th event page's transaction is open
//   crash_repair_batch=N  SIGKILL while the N-th transaction of `usaged repair` that
//                         moves rows is open, after its rows were copied and deleted
//   crash_statistics=N    SIGKILL while the N-th statistics snapshot's transaction is
//                         open, after its rows were written
//   stall_unit=N          the N-th unit waits 5 s with its transaction open, after
//                         touching the file named by USAGED_FAULT_MARKER (so a
//                         test can stop the database server under it)
//   stall_parsed_unit=N   the N-th unit waits 5 s after parsing, before its
//                         transaction begins, after touching the marker file
//                         (so a test can pause the process past its claim)
// A point may be listed several times. Counting is per process.
class FaultInjector {
 public:
  enum class Point {
    kUnitStart, kUnitParsed, kUnitBeforeCommit, kEventPage, kRepairBatch, kStatistics
  };

  static FaultInjector& Global();
  // Replaces the configuration (tests); `spec` has the USAGED_FAULTS syntax.
  void Configure(std::string_view spec);
  // Counts one pass through `point` and fails or crashes if configured to.
  void Hit(Point point);

 private:
  FaultInjector();
  std::mutex mu_;
  std::multimap<std::string, long> faults_;
  std::map<Point, long> counts_;
};

}  // namespace usaged
