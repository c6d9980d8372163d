#include "cli/app.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "core/error.h"
#include "store/migrator.h"

namespace usaged::cli {

std::unique_ptr<store::Store> OpenStoreFromOptions(const GlobalOptions& options) {
  if (!options.db_properties.empty()) {
    return store::OpenMariaDbStore(store::ReadDbProperties(options.db_properties));
  }
  return store::OpenStore(options.db);
}

OpenDatabase OpenReady(const GlobalOptions& options) {
  OpenDatabase db;
  db.store = OpenStoreFromOptions(options);
  db.conn = db.store->Connect(/*create=*/false);
  store::Migrator(*db.conn).RequireCurrent();
  return db;
}

std::unique_ptr<Clock> MakeClock(const std::string& now_option) {
  if (now_option.empty()) return std::make_unique<SystemClock>();
  return std::make_unique<ManualClock>(ParseUtc(now_option, "--now"));
}

namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("usaged");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw InputError(fmt::format("invalid --log-level '{}': expected trace, debug, info, warn, "
                                 "error or off", level));
  }
  spdlog::set_level(parsed);
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"usaged - a usage server for Apache CloudStack: reads cloud.usage_event and writes "
               "cloud_usage records, exactly once"};
  app.require_subcommand(1);
  GlobalOptions options;
  auto* db_option =
      app.add_option("--db", options.db,
                     "Database: sqlite:DIR (embedded), or mariadb://USER[:PASSWORD]@HOST[:PORT]"
                     "[/?cloud=DB&usage=DB&socket=PATH]")
          ->capture_default_str();
  app.add_option("--db-properties", options.db_properties,
                 "Read the MariaDB connection from the Java usage server's db.properties")
      ->excludes(db_option);
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  Action action;
  RegisterInit(app, options, action);
  RegisterConfig(app, options, action);
  RegisterRun(app, options, action);
  RegisterRecords(app, options, action);
  RegisterJobs(app, options, action);
  RegisterDemo(app, options, action);
  RegisterMigrate(app, options, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  try {
    SetUpLogging(options.log_level);
    return action ? action() : kExitOk;
  } catch (const InputError& e) {
    std::cerr << "usaged: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const ConfigError& e) {
    std::cerr << "usaged: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const DbError& e) {
    std::cerr << "usaged: " << e.what() << "\n";
    return kExitDatabase;
  } catch (const std::exception& e) {
    std::cerr << "usaged: " << e.what() << "\n";
    return kExitOther;
  }
}

}  // namespace usaged::cli
