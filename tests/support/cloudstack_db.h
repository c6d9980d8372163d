#pragma once

#include <memory>
#include <string>

#include "store/connection.h"

namespace usaged::testing {

// A database shaped as CloudStack's installer leaves it, before usaged is
// installed: CloudStack's DDL (usaged's base migrations, written from
// CloudStack 4.21's schema) applied outside usaged. Returns a connection.
std::unique_ptr<store::Connection> CreateCloudStackSchema(const std::string& engine,
                                                          const std::string& url);

// Every table's definition and every row of the `cloud` and `cloud_usage`
// databases `url` names, as text: equal before and after a command that
// changes nothing there.
std::string DumpDatabases(const std::string& engine, const std::string& url);

}  // namespace usaged::testing
