#include "ingest/interval_ops.h"

namespace usaged::ingest {

std::string CheckClosable(const std::vector<Instant>& open_starts, Instant at,
                          std::string_view what) {
  if (open_starts.empty()) return fmt::format("no open {} to close", what);
  if (open_starts.back() > at) {
    return fmt::format("the open {} starts at {}, after this event's time", what,
                       FormatUtc(open_starts.back()));
  }
  return "";
}

}  // namespace usaged::ingest
