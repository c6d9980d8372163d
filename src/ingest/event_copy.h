#pragma once

#include <cstdint>

#include "store/connection.h"

namespace usaged::ingest {

// Copies cloud.account into cloud_usage.account: new accounts are inserted,
// known ones updated (name, state, removal). Returns the number of accounts.
int64_t SyncAccounts(store::Connection& conn);

// Copies cloud.usage_event rows (and their details) that cloud_usage does not
// hold yet. Idempotent by event id: running it twice copies nothing new.
// Unlike the Java server's id watermark, it re-examines the last
// `recheck_ids` ids below the watermark, so an event whose transaction
// committed after a higher id was copied is still picked up. Events `usaged
// repair` moved to usage_event_removed are not copied again. Returns the
// number of events copied.
// Events with lower ids may be deleted (retention) without being copied again.
inline constexpr int64_t kEventRecheckIds = 10000;
int64_t CopyNewEvents(store::Connection& conn, int64_t recheck_ids = kEventRecheckIds);

}  // namespace usaged::ingest
