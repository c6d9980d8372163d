#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace usaged::cli {
namespace {

std::string Duration(double seconds) {
  auto s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

Progress::Progress(std::string label, FILE* out, std::chrono::seconds plain_every)
    : label_(std::move(label)),
      out_(out),
      tty_(isatty(fileno(out)) != 0),
      plain_every_(plain_every),
      started_(std::chrono::steady_clock::now()),
      last_shown_(started_) {}

std::string Progress::Line(const std::string& label, int64_t done, int64_t total,
                           double seconds) {
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line = fmt::format("{} {}/{} units", label, done, total);
  if (total > 0) line += fmt::format(" {}%", done * 100 / total);
  line += fmt::format(" {:.1f}/s", rate);
  if (rate > 0 && total > done) {
    line += " ETA " + Duration(static_cast<double>(total - done) / rate);
  }
  return line;
}

void Progress::Update(int64_t done, int64_t total) {
  done_ = done;
  total_ = total;
  auto now = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(now - started_).count();
  if (tty_) {
    // At most ten redraws a second.
    if (shown_ && now - last_shown_ < std::chrono::milliseconds(100) && done < total) return;
    fmt::print(out_, "\r{}\033[K", Line(label_, done, total, seconds));
  } else {
    if (now - last_shown_ < plain_every_ && done < total) return;
    fmt::print(out_, "{}\n", Line(label_, done, total, seconds));
  }
  std::fflush(out_);
  last_shown_ = now;
  shown_ = true;
}

void Progress::Finish() {
  if (tty_ && shown_) {
    fmt::print(out_, "\n");
    std::fflush(out_);
  }
}

}  // namespace usaged::cli
