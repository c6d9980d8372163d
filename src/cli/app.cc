#include "cli/app.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "core/error.h"
#include "store/migrator.h"

namespace usaged::cli {

OpenDatabase OpenReady(const GlobalOptions& options) {
  OpenDatabase db;
  db.store = store::OpenStore(options.db);
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
  app.add_option("--db", options.db,
                 "Database: sqlite:DIR (embedded; default sqlite:./usaged-data)")
      ->capture_default_str();
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();

  Action action;
  RegisterInit(app, options, action);
  RegisterConfig(app, options, action);
  RegisterRun(app, options, action);
  RegisterRecords(app, options, action);
  RegisterJobs(app, options, action);
  RegisterDemo(app, options, action);

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
