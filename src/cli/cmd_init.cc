#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli/app.h"
#include "core/error.h"
#include "core/settings.h"
#include "store/configuration.h"
#include "store/migrator.h"

namespace usaged::cli {
namespace {

// Rolling back drops tables with their rows (jobs, windows, quarantine, API
// keys, audit copies): never without --yes. Throws InputError saying what
// would be undone.
void RefuseDownWithoutYes(store::Migrator& migrator, int target, const std::string& where) {
  const int current = migrator.CurrentVersion();
  std::string undone;
  for (auto it = migrator.migrations().rbegin(); it != migrator.migrations().rend(); ++it) {
    if (it->version > current || it->version <= target) continue;
    undone += fmt::format("{}{} {}", undone.empty() ? "" : ", ", it->version, it->name);
  }
  if (undone.empty()) return;  // nothing to undo
  throw InputError(fmt::format(
      "migrate --down would roll back {} from schema version {} to {}: {}{}. Give --yes to "
      "do it",
      where, current, target, undone,
      target <= migrator.BaseVersion()
          ? "; all of usaged's own tables would be dropped with their rows (windows, jobs, "
            "quarantine, alerts, API keys, repair audit copies) and the usage_key column "
            "removed; CloudStack's tables and the records in cloud_usage stay"
          : ""));
}

}  // namespace

void RegisterInit(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto* cmd = app.add_subcommand(
      "init", "Create the databases (if missing) and apply usaged's schema migrations. "
              "Safe to run again.");
  cmd->callback([&options, &action] {
    action = [&options] {
      auto store = OpenStoreFromOptions(options);
      auto conn = store->Connect(/*create=*/true);
      store::Migrator migrator(*conn);
      int applied = migrator.Up(SystemClock().Now());
      // The embedded store is usaged's own: list every key there. A CloudStack
      // database keeps only the rows operators set.
      if (conn->engine() == store::Engine::kSqlite) {
        store::Configuration(*conn).InsertMissingDefaults();
      }
      std::cout << fmt::format("{}: schema version {} ({} migration(s) applied)\n",
                               store->Describe(), migrator.CurrentVersion(), applied);
      return kExitOk;
    };
  });
}

void RegisterMigrate(CLI::App& app, const GlobalOptions& options, Action& action) {
  struct MigrateOptions {
    bool down = false;
    bool yes = false;
    int to = -1;
  };
  auto opts = std::make_shared<MigrateOptions>();
  auto* cmd = app.add_subcommand(
      "migrate", "Apply pending schema migrations, or with --down roll usaged's migrations back, "
                 "leaving CloudStack's own schema exactly as it was");
  auto* down = cmd->add_flag("--down", opts->down, "Roll back instead of applying");
  cmd->add_flag("--yes", opts->yes, "With --down: really roll back (without it, --down only "
                                   "says what it would undo)")
      ->needs(down);
  cmd->add_option("--to", opts->to, "With --down: the version to go back to (default: none of "
                                    "usaged's objects left)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&options, &action, opts] {
    action = [&options, opts] {
      auto store = OpenStoreFromOptions(options);
      auto conn = store->Connect(/*create=*/false);
      store::Migrator migrator(*conn);
      if (!opts->down) {
        int applied = migrator.Up(SystemClock().Now());
        std::cout << fmt::format("{}: schema version {} ({} migration(s) applied)\n",
                                 store->Describe(), migrator.CurrentVersion(), applied);
        return kExitOk;
      }
      int target = std::max(opts->to < 0 ? migrator.BaseVersion() : opts->to,
                            migrator.BaseVersion());
      if (!opts->yes) RefuseDownWithoutYes(migrator, target, store->Describe());
      int rolled = migrator.Down(target);
      std::cout << fmt::format("{}: {} migration(s) rolled back{}\n", store->Describe(), rolled,
                               target <= migrator.BaseVersion()
                                   ? "; usaged's objects removed, CloudStack's schema untouched"
                                   : "");
      return kExitOk;
    };
  });
}

namespace {

// A password is shown only as set or not.
std::string Shown(std::string_view key, const std::string& value) {
  const ConfigKey* known = FindConfigKey(key);
  return known && known->secret && !value.empty() ? "********" : value;
}

}  // namespace

void RegisterConfig(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto* cmd = app.add_subcommand("config", "Read or change usage settings in cloud.configuration");
  cmd->require_subcommand(1);

  auto* get = cmd->add_subcommand("get", "Print the value of a key (its default if unset)");
  static std::string get_key;
  get->add_option("KEY", get_key, "Configuration key")->required();
  get->callback([&options, &action] {
    action = [&options] {
      if (!FindConfigKey(get_key)) ValidateConfigValue(get_key, "");  // throws: unknown key
      auto db = OpenReady(options);
      auto value = store::Configuration(*db.conn).Get(get_key);
      std::cout << Shown(get_key,
                         value.value_or(std::string(FindConfigKey(get_key)->default_value)))
                << "\n";
      return kExitOk;
    };
  });

  auto* set = cmd->add_subcommand("set", "Validate and store a value");
  static std::string set_key, set_value;
  set->add_option("KEY", set_key, "Configuration key")->required();
  set->add_option("VALUE", set_value, "New value")->required();
  set->callback([&options, &action] {
    action = [&options] {
      ValidateConfigValue(set_key, set_value);
      auto db = OpenReady(options);
      if (FindConfigKey(set_key)->secret && db.conn->engine() == store::Engine::kMariaDb) {
        // CloudStack keeps these encrypted with its management server's key;
        // a plain value written here would break the management server.
        throw InputError(fmt::format(
            "{} is stored encrypted by CloudStack: set it through CloudStack, and give usaged "
            "the value in the environment variable USAGED_ALERT_SMTP_PASSWORD", set_key));
      }
      store::Configuration(*db.conn).Set(set_key, set_value, SystemClock().Now());
      std::cout << set_key << " = " << Shown(set_key, set_value) << "\n";
      return kExitOk;
    };
  });

  auto* list = cmd->add_subcommand("list", "Print every key usaged reads, with its value");
  list->callback([&options, &action] {
    action = [&options] {
      auto db = OpenReady(options);
      store::Configuration config(*db.conn);
      for (const auto& k : KnownConfigKeys()) {
        std::cout << fmt::format(
            "{} = {}\n", k.name,
            Shown(k.name, config.Get(k.name).value_or(std::string(k.default_value))));
      }
      return kExitOk;
    };
  });
}

}  // namespace usaged::cli
