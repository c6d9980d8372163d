#pragma once

#include <memory>
#include <string>

#include "compare/matcher.h"
#include "core/clock.h"
#include "ingest/handlers.h"
#include "store/store.h"

namespace usaged::compare {

// What bringing the shadow up to date did.
struct ShadowIngest {
  int64_t events_copied = 0;
  int64_t events_applied = 0;
  int64_t events_quarantined = 0;
  int64_t healed = 0;
  int64_t samples_copied = 0;  // statistics rows and bucket sizes fed from Java's tables
};

// usaged's side of a comparison: a shadow store (Store::Shadow) that reads
// the operator's `cloud` database and keeps its own copy of the events and
// helper tables, so the Java server's tables are never written. Kept between
// runs: a later comparison copies and applies only the new events.
class Shadow {
 public:
  // Opens the shadow `name` of `store`, creating and migrating it as needed,
  // and takes its lock (another `compare` on the same shadow is refused).
  Shadow(store::Store& store, const std::string& name, Instant now);
  ~Shadow();

  store::Connection& conn() { return *conn_; }
  std::string Describe() const { return shadow_->Describe(); }

  // Copies accounts and events from `cloud`, applies every event created
  // before `until` to the shadow's helper tables and heals them.
  ShadowIngest Ingest(Instant until, const Clock& clock, const ingest::HandlerOptions& options);

  // The statistics types cannot be sampled again for past windows: the
  // shadow takes the Java server's samples of [from, until) instead (its
  // usage_network and usage_vm_disk rows, and the bucket sizes of its BUCKET
  // records), so that comparing them checks how samples become records.
  int64_t FeedJavaSamples(store::Connection& java, Instant from, Instant until);

  // usaged's helper rows of `r`'s resource alive in `w`.
  std::vector<HelperRow> HelperRows(const UsageRecord& r, const Window& w);
  // What usaged did differently for `r`'s resource up to the end of `w`:
  // events it quarantined or healed, helper rows it healed. "" if nothing.
  std::string Note(const UsageRecord& r, const Window& w);

 private:
  std::unique_ptr<store::Store> shadow_;
  std::unique_ptr<store::JobLock> lock_;
  std::unique_ptr<store::Connection> conn_;
};

}  // namespace usaged::compare
