#pragma once

#include <cstdint>
#include <optional>
#include <set>

#include "store/connection.h"

namespace usaged::job {

// The accounts an account or a domain (with its sub-domains, by path) names
// in cloud.account; nullopt when neither is given (every account). Throws
// InputError for an unknown account or domain.
std::optional<std::set<int64_t>> ResolveAccountScope(store::Connection& conn,
                                                     std::optional<int64_t> account_id,
                                                     std::optional<int64_t> domain_id);

}  // namespace usaged::job
