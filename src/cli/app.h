#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "store/connection.h"
#include "store/store.h"

namespace usaged::api {
class SecretBox;
class ApiServer;
}  // namespace usaged::api

namespace usaged::cli {

// Exit statuses of the usaged command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitJobFailed = 1;  // the command ran but found failures
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitDatabase = 3;
inline constexpr int kExitOther = 4;

// Where usaged looks when no database is named: CloudStack's usage server
// configuration on a CloudStack host.
inline constexpr const char* kCloudStackUsageDbProperties = "/etc/cloudstack/usage/db.properties";
// The configuration file read when present (--config names another).
inline constexpr const char* kDefaultConfigFile = "/etc/usaged/usaged.conf";

struct GlobalOptions {
  std::string db = "sqlite:./usaged-data";
  bool db_given = false;      // --db on the command line or in the configuration file
  std::string db_properties;  // the Java usage server's db.properties, instead of --db
  std::string db_key_file;    // CloudStack's key file for its ENC(...) values
  std::string log_level = "info";
  std::string log_dir;  // when set: usaged.log, healing.log, sanity.log there
};

// Whether a command may fall back to CloudStack's db.properties.
enum class DropIn { kAllowed, kNever };

// The store the global options name: --db-properties, else --db (from the
// command line or the configuration file), else — for DropIn::kAllowed —
// CloudStack's kCloudStackUsageDbProperties when that file exists, else the
// default --db. `demo`, which writes a simulated cloud, never takes the drop-in.
std::unique_ptr<store::Store> OpenStoreFromOptions(const GlobalOptions& options,
                                                   DropIn drop_in = DropIn::kAllowed);

// What a subcommand does once the command line is parsed; returns the exit status.
using Action = std::function<int()>;

// An open store whose schema is current, for every command but `init`.
struct OpenDatabase {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::Connection> conn;
};
OpenDatabase OpenReady(const GlobalOptions& options);

// --now, which every command that bills, checks or dates something takes, and
// --allow-future. A --now later than the wall clock is refused unless
// --allow-future is given: a mistyped year must not bill windows that have not
// happened yet.
struct NowOption {
  std::string text;  // empty: the system clock
  bool allow_future = false;
};
void AddNowOption(CLI::App& cmd, NowOption& now, const std::string& help);
// The instant --now names, nullopt without --now. Throws InputError for a
// malformed --now, or one in the future without --allow-future.
std::optional<Instant> ParseNow(const NowOption& now);
// The clock a command runs with: --now if given (a fixed instant), else the
// system clock. Throws as ParseNow.
std::unique_ptr<Clock> MakeClock(const NowOption& now);

// Each Register* adds a subcommand whose callback stores its Action in `action`.
void RegisterInit(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterConfig(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterRun(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterRecords(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterJobs(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterDemo(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterMigrate(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterRepair(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterRegenerate(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterMaintenance(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterNodes(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterAlerts(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterServe(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterApiKey(CLI::App& app, const GlobalOptions& options, Action& action);
void RegisterCompare(CLI::App& app, const GlobalOptions& options, Action& action);

// The API server's options, shared by `serve` and `run --serve`.
struct ServeOptions {
  std::string listen = "127.0.0.1:8096";
  std::string key_file = "usaged-api.key";
  int threads = 8;
  std::string tls_cert;
  std::string tls_key;
  int64_t max_lag_seconds = 0;
};
void AddServeOptions(CLI::App& cmd, ServeOptions& serve);
// A running API server (and the key box it uses); stops on destruction.
struct ApiService {
  ~ApiService();
  std::unique_ptr<api::SecretBox> box;
  std::unique_ptr<api::ApiServer> server;
};
// Binds and starts the API server; prints "listening on HOST:PORT".
std::unique_ptr<ApiService> StartApi(store::Store& store, const Clock& clock,
                                     const ServeOptions& serve, bool lock_store_for_jobs);

int Main(int argc, char** argv);

}  // namespace usaged::cli
