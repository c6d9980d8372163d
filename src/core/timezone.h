#pragma once

#include <date/date.h>

#include <chrono>
#include <string>
#include <string_view>

#include "core/time.h"

namespace date {
class time_zone;
}

namespace usaged {

using LocalMillis = date::local_time<Millis>;

// A time zone as CloudStack operators name them in cloud.configuration:
// IANA names ("Europe/Berlin"), "GMT"/"UTC", fixed offsets ("GMT+05:30",
// "GMT-8") and the three-letter IDs java.util.TimeZone accepts ("PST", "EST").
class TimeZone {
 public:
  // Throws ConfigError naming the value if the zone is unknown. (Java silently
  // falls back to GMT there; billing in a zone the operator did not ask for is
  // worse than refusing to start.)
  static TimeZone Parse(std::string_view id);
  static TimeZone Utc();

  const std::string& name() const { return name_; }

  LocalMillis ToLocal(Instant t) const;
  // Local wall time to UTC. An ambiguous time (autumn) maps to its earlier
  // instant; a time skipped by a DST jump (spring) maps to the jump itself.
  Instant ToUtc(LocalMillis local) const;

 private:
  TimeZone(std::string name, const date::time_zone* zone, Millis offset)
      : name_(std::move(name)), zone_(zone), fixed_offset_(offset) {}

  std::string name_;
  const date::time_zone* zone_;  // null for fixed-offset zones
  Millis fixed_offset_;
};

}  // namespace usaged
