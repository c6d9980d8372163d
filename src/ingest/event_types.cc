#include "ingest/event_types.h"

namespace usaged::ingest {

std::optional<std::string> KnownEventWithoutUsage(std::string_view type) {
  // The Java server sends every "VM." event to its VM handler, which ignores
  // the ones that do not change a VM's allocation or run state.
  if (type.rfind("VM.", 0) == 0) return std::string("VM event without usage effect");
  return std::nullopt;
}

}  // namespace usaged::ingest
