#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compare/matcher.h"
#include "compare/shadow.h"
#include "core/clock.h"
#include "store/store.h"

namespace usaged::compare {

// `usaged compare`: shadow billing on a CloudStack database the Java usage
// server bills. usaged copies the events into a shadow store (never writing
// CloudStack's tables, so the Java server may keep running), parses every
// window of the range as it would bill it, and compares each window, page of
// accounts by page, with the Java server's cloud_usage rows. Every difference
// is classified (matcher.h) with the ids of the rows involved.
struct CompareRequest {
  Instant start{};  // windows that end after start ...
  Instant end{};    // ... and start before end
  std::optional<int64_t> account_id;  // at most one of account_id, domain_id
  std::optional<int64_t> domain_id;   // with its sub-domains
  std::optional<int> usage_type;
  // The hours mode usaged bills in; nullopt: the configured one
  // (usage.compat.float.hours).
  std::optional<HoursMode> hours_mode;
  std::string shadow_name;  // "" = "<usage database>_shadow"
  int page_accounts = 5000;  // accounts parsed and compared at once
};

// Records and raw_usage of one usage type and class.
struct SummaryRow {
  int usage_type = 0;
  std::string cls;
  int64_t records = 0;
  double java_hours = 0;  // raw_usage: hours, or bytes / I/O requests for amount types
  double usaged_hours = 0;
};

// Everything of one usage type in the range.
struct TypeTotals {
  int usage_type = 0;
  int64_t java_records = 0;
  int64_t usaged_records = 0;
  double java_hours = 0;
  double usaged_hours = 0;
};

struct CompareReport {
  std::vector<Window> windows;
  HoursMode hours_mode = HoursMode::kExact;
  std::string shadow;  // where usaged's side was kept
  ShadowIngest ingest;
  std::optional<Instant> java_billed_until;
  std::vector<SummaryRow> summary;  // per usage type and class, "match" included
  std::vector<TypeTotals> types;
  int64_t differences = 0;
  int64_t unexplained = 0;
  // Where the time went (seconds).
  double ingest_seconds = 0;  // bringing the shadow up to date
  double parse_seconds = 0;   // usaged's records
  double read_seconds = 0;    // the Java server's rows
  double match_seconds = 0;   // comparing and explaining
};

// Receives each difference as it is found (the CLI writes them out in pages).
using DifferenceSink = std::function<void(const Difference&)>;
// Called after each (window, page of accounts) with the units done and total.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// Runs a comparison. `store` is the operator's database (read only; the
// shadow is made beside it). Throws InputError for a bad request (unknown
// account, domain or usage type; no complete window in the range) and
// DbError when a database cannot be used.
CompareReport RunCompare(store::Store& store, const CompareRequest& request, const Clock& clock,
                         const DifferenceSink& sink, const ProgressFn& progress = {});

}  // namespace usaged::compare
