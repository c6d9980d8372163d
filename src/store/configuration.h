#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"
#include "store/connection.h"

namespace usaged::store {

// Reads and writes cloud.configuration, CloudStack's global settings table.
class Configuration {
 public:
  explicit Configuration(Connection& conn) : conn_(conn) {}

  // The row's value, else its default_value; nullopt if the key has no row or
  // both are NULL (callers then use usaged's default for the key).
  std::optional<std::string> Get(std::string_view key);

  // Validates `value` for a key usaged knows (InputError otherwise) and
  // stores it, creating the row if CloudStack has none.
  void Set(std::string_view key, std::string_view value, Instant now);

  // Inserts rows for usaged's known keys that are missing, with their
  // defaults, so operators see them. Existing rows are left alone.
  void InsertMissingDefaults();

 private:
  Connection& conn_;
};

}  // namespace usaged::store
