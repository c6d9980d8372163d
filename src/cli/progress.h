#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace usaged::cli {

// Shows how far a long command is: on a terminal a line redrawn in place
// ("compare  12/30 units  40%  3.2/s  ETA 0:06"), otherwise a plain line
// every `plain_every` (for logs). Writes to `out` (standard error by
// default, so results on standard output stay clean). Not thread-safe.
class Progress {
 public:
  explicit Progress(std::string label, FILE* out = stderr,
                    std::chrono::seconds plain_every = std::chrono::seconds(10));
  // Reports `done` of `total` units.
  void Update(int64_t done, int64_t total);
  // Ends the line on a terminal (and prints the last state).
  void Finish();

  // The line for a state, e.g. "compare 12/30 units 40% 3.2/s ETA 0:06".
  static std::string Line(const std::string& label, int64_t done, int64_t total, double seconds);

 private:
  std::string label_;
  FILE* out_;
  bool tty_;
  std::chrono::seconds plain_every_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_shown_;
  int64_t done_ = 0, total_ = 0;
  bool shown_ = false;
};

}  // namespace usaged::cli
