#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "core/hours.h"
#include "core/usage_record.h"
#include "core/window.h"
#include "store/account_directory.h"
#include "store/connection.h"

namespace usaged::parse {

// What one parse call covers: one window, the accounts of one shard, and
// optionally a narrower scope (used by regeneration).
struct ParseScope {
  Window window;
  int shard = 0;
  int shard_count = 1;
  HoursMode hours_mode = HoursMode::kExact;
  // Every account (domain, removal); required.
  const store::AccountDirectory* directory = nullptr;
  // When set, only these accounts are parsed.
  std::optional<std::set<int64_t>> accounts;

  // The account of a helper row if the scope bills it, else nullptr. CloudStack
  // parses an account removed less than three days before a window (its
  // "recently deleted" pass) and ignores accounts removed earlier; an account
  // cloud_usage does not know is not billed (its events were quarantined).
  const store::AccountRef* Billable(int64_t account_id) const {
    if (accounts && accounts->count(account_id) == 0) return nullptr;
    const store::AccountRef* a = directory->Find(account_id);
    if (!a || (a->removed && *a->removed < window.start - std::chrono::hours(72))) return nullptr;
    return a;
  }
};

// Turns the helper rows of one usage family into cloud_usage records for a
// scope. Implementations run ONE query per call (set-based: every account of
// the shard at once) and group rows in memory; they never write.
class UsageParser {
 public:
  virtual ~UsageParser() = default;
  virtual std::string_view name() const = 0;
  // The usage types this parser produces.
  virtual std::vector<int> usage_types() const = 0;
  // Appends the scope's records to `out`, each with its usage_key set.
  virtual void Parse(store::Connection& conn, const ParseScope& scope,
                     std::vector<UsageRecord>& out) const = 0;
};

// Every parser usaged has, in CloudStack's parser order.
const std::vector<std::unique_ptr<UsageParser>>& AllParsers();

}  // namespace usaged::parse
