#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace usaged::ingest {

// For an event type that no handler applies: why it carries no usage, if
// CloudStack's usage server also ignores it (e.g. VM.MIGRATE). nullopt for a
// type usaged does not know, which is quarantined.
std::optional<std::string> KnownEventWithoutUsage(std::string_view type);

}  // namespace usaged::ingest
