#include "cli/app.h"

#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "store/migrator.h"

namespace usaged::cli {

std::unique_ptr<store::Store> OpenStoreFromOptions(const GlobalOptions& options, DropIn drop_in) {
  std::string properties = options.db_properties;
  if (properties.empty() && !options.db_given && drop_in == DropIn::kAllowed &&
      std::filesystem::exists(kCloudStackUsageDbProperties)) {
    properties = kCloudStackUsageDbProperties;
    spdlog::info("no --db given: using {}", properties);
  }
  if (!properties.empty()) {
    return store::OpenMariaDbStore(store::ReadDbProperties(properties, options.db_key_file));
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

void AddNowOption(CLI::App& cmd, NowOption& now, const std::string& help) {
  auto* option = cmd.add_option("--now", now.text, help);
  cmd.add_flag("--allow-future", now.allow_future,
               "Accept a --now later than the current time (bills windows that have not "
               "happened yet)")
      ->needs(option);
}

std::optional<Instant> ParseNow(const NowOption& now) {
  if (now.text.empty()) return std::nullopt;
  Instant at = ParseUtc(now.text, "--now");
  Instant wall = SystemClock().Now();
  if (at > wall && !now.allow_future) {
    throw InputError(fmt::format(
        "--now '{}' is later than the current time ({} UTC): windows that have not happened "
        "would be billed; give --allow-future if this is meant",
        now.text, FormatUtc(wall)));
  }
  return at;
}

std::unique_ptr<Clock> MakeClock(const NowOption& now) {
  if (auto at = ParseNow(now)) return std::make_unique<ManualClock>(*at);
  return std::make_unique<SystemClock>();
}

namespace {

// Loggers with their own file (under --log-dir) besides stderr: what the
// healing step repaired and what the sanity check found, so an operator can
// review them apart from the job's chatter.
constexpr const char* kTopicLoggers[] = {"healing", "sanity"};

std::shared_ptr<spdlog::logger> MakeLogger(const std::string& name,
                                           const spdlog::sink_ptr& console,
                                           const std::string& log_dir) {
  std::vector<spdlog::sink_ptr> sinks = {console};
  if (!log_dir.empty()) {
    sinks.push_back(
        std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_dir + "/" + name + ".log"));
  }
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  logger->set_pattern(name == "usaged" ? "%Y-%m-%d %H:%M:%S.%e %^%l%$ %v"
                                       : "%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v");
  spdlog::register_logger(logger);
  return logger;
}

void SetUpLogging(const std::string& level, const std::string& log_dir) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw InputError(fmt::format("invalid --log-level '{}': expected trace, debug, info, warn, "
                                 "error or off", level));
  }
  if (!log_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(log_dir, ec);
    if (ec) throw InputError(fmt::format("cannot create --log-dir '{}': {}", log_dir, ec.message()));
  }
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  try {
    spdlog::set_default_logger(MakeLogger("usaged", console, log_dir));
    for (const char* topic : kTopicLoggers) MakeLogger(topic, console, log_dir);
  } catch (const spdlog::spdlog_ex& e) {
    throw InputError(fmt::format("cannot write logs in --log-dir '{}': {}", log_dir, e.what()));
  }
  spdlog::set_level(parsed);
  // Every line reaches its file as it is logged: a daemon's log is read while
  // it runs, and the lines before a crash (SIGKILL, OOM) are the ones needed.
  // usaged logs a few lines per job, so a write per line costs nothing.
  spdlog::flush_on(spdlog::level::trace);
}

// The command path of a command line whose last word is not a subcommand of
// a command that needs one ("x", "config x"), so that a mistyped command is
// named instead of CLI11's "A subcommand is required"; nullopt otherwise.
std::optional<std::string> UnknownCommand(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--") return std::nullopt;
    if (word.size() > 1 && word[0] == '-') {
      // An option's value is the next word unless given as --option=value.
      const CLI::Option* option = at->get_option_no_throw(word);
      if (option && option->get_items_expected_min() > 0 &&
          word.find('=') == std::string::npos) {
        ++i;
      }
      continue;
    }
    auto subs = at->get_subcommands([&word](CLI::App* sub) { return sub->check_name(word); });
    if (!subs.empty()) {
      at = subs.front();
      path += word + " ";
      continue;
    }
    if (at->get_require_subcommand_min() > 0) return path + word;
    return std::nullopt;
  }
  return std::nullopt;
}

// "usaged 0.1.0 (commit 0123456789ab)"; without the commit when not built
// from a git checkout.
std::string VersionText() {
  std::string commit = USAGED_COMMIT;
  return fmt::format("usaged {}{}", USAGED_VERSION,
                     commit.empty() ? "" : fmt::format(" (commit {})", commit));
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"usaged - a usage server for Apache CloudStack: reads cloud.usage_event and writes "
               "cloud_usage records, exactly once"};
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionText());
  // Global options at the top of the file, a command's own in its [section];
  // names as on the command line without the dashes (db=..., [run] serve=true).
  app.set_config("--config", kDefaultConfigFile,
                 "Configuration file (INI); read when present. The command line wins over it");
  // A misspelt key must not be ignored: the setting it meant would be lost.
  app.allow_config_extras(CLI::config_extras_mode::error);
  GlobalOptions options;
  auto* db_option =
      app.add_option("--db", options.db,
                     "Database: sqlite:DIR (embedded), or mariadb://USER[:PASSWORD]@HOST[:PORT]"
                     "[/?cloud=DB&usage=DB&socket=PATH]")
          ->capture_default_str();
  app.add_option("--db-properties", options.db_properties,
                 "Read the MariaDB connection from the Java usage server's db.properties")
      ->excludes(db_option);
  app.add_option("--db-key-file", options.db_key_file,
                 "CloudStack's secret key file for ENC(...) values in --db-properties "
                 "(default: key beside db.properties, /etc/cloudstack/usage/key, "
                 "/etc/cloudstack/management/key)");
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--log-dir", options.log_dir,
                 "Also write logs to files in this directory: usaged.log, healing.log (repairs "
                 "of the healing step), sanity.log (sanity-check findings)");

  Action action;
  RegisterInit(app, options, action);
  RegisterConfig(app, options, action);
  RegisterRun(app, options, action);
  RegisterRecords(app, options, action);
  RegisterJobs(app, options, action);
  RegisterDemo(app, options, action);
  RegisterMigrate(app, options, action);
  RegisterRepair(app, options, action);
  RegisterRegenerate(app, options, action);
  RegisterMaintenance(app, options, action);
  RegisterNodes(app, options, action);
  RegisterAlerts(app, options, action);
  RegisterServe(app, options, action);
  RegisterApiKey(app, options, action);
  RegisterCompare(app, options, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (auto unknown = UnknownCommand(app, argc, argv)) {
      std::string parent = unknown->substr(0, unknown->rfind(' ') + 1);
      std::cerr << fmt::format("usaged: unknown command '{}'; `usaged {}--help` lists the "
                               "commands\n", *unknown, parent);
      return kExitBadInput;
    }
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  options.db_given = db_option->count() > 0;
  try {
    SetUpLogging(options.log_level, options.log_dir);
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
