// `usaged serve` (the CloudStack-compatible API) and `usaged apikey`.
#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/key_store.h"
#include "api/server.h"
#include "cli/app.h"
#include "cli/output.h"
#include "cli/service_notify.h"
#include "core/error.h"

namespace usaged::cli {
namespace {

std::atomic<bool> g_stop_serving{false};
void OnServeSignal(int) { g_stop_serving.store(true); }

struct KeyOptions {
  std::string key_file = "usaged-api.key";
  int64_t account = 0;
  std::string role = "user";
  std::string api_key;
  std::string format = "table";
  NowOption now;
};

// "HOST:PORT" (a bare "PORT" listens on 127.0.0.1).
void ParseListen(const std::string& text, api::ServerOptions& out) {
  auto colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "127.0.0.1" : text.substr(0, colon);
  std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  try {
    size_t used = 0;
    int p = std::stoi(port, &used);
    if (used != port.size() || p < 0 || p > 65535 || host.empty()) throw std::invalid_argument("");
    out.host = host;
    out.port = p;
  } catch (const std::exception&) {
    throw InputError(fmt::format("invalid --listen '{}': expected HOST:PORT", text));
  }
}

std::unique_ptr<api::SecretBox> OptionalBox(const std::string& path) {
  try {
    return std::make_unique<api::SecretBox>(api::SecretBox::FromKeyFile(path, false));
  } catch (const InputError& e) {
    spdlog::warn("{}: usaged's own API keys are not usable, only CloudStack's", e.what());
    return nullptr;
  }
}

// The key file to seal a new key with: it must open the secrets already
// stored, or the keys would need two key files and no server could verify
// both. Only while no live key is stored may a missing file be created.
api::SecretBox KeyFileForNewKeys(store::Connection& conn, const std::string& path) {
  if (!std::filesystem::exists(path)) {
    int64_t live = api::KeyStore(conn, nullptr).LiveKeyCount();
    if (live > 0) {
      throw InputError(fmt::format(
          "the key file '{}' does not exist, but {} API key(s) in the store are sealed with a "
          "key file: pass that one with --key-file (or revoke those keys first)",
          path, live));
    }
  }
  auto box = api::SecretBox::FromKeyFile(path, /*create_if_missing=*/true);
  if (auto key = api::KeyStore(conn, &box).FirstUnopenableKey()) {
    throw InputError(fmt::format(
        "the key file '{}' does not open the stored secret of API key {}: pass the key file "
        "the existing keys were sealed with (or revoke the keys it does not open)",
        path, *key));
  }
  return box;
}

}  // namespace

void AddServeOptions(CLI::App& cmd, ServeOptions& serve) {
  cmd.add_option("--listen", serve.listen, "HOST:PORT to listen on")->capture_default_str();
  cmd.add_option("--key-file", serve.key_file,
                 "File with the key that seals usaged's own API secrets")
      ->capture_default_str();
  // Refused while parsing, before anything is opened: a server without
  // request threads would accept connections and never answer them, and a
  // certificate without its key (or the reverse) cannot serve HTTPS.
  cmd.add_option("--threads", serve.threads, "Request threads (1-1024)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  auto* cert = cmd.add_option("--tls-cert", serve.tls_cert, "PEM certificate: serve HTTPS");
  auto* key = cmd.add_option("--tls-key", serve.tls_key, "PEM private key of --tls-cert");
  cert->needs(key);
  key->needs(cert);
  cmd.add_option("--max-lag", serve.max_lag_seconds,
                 "Seconds of checkpoint lag /healthz accepts (0: twice the aggregation range)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            if (!value.empty() && value.front() != '-') return "";
            return fmt::format("{} is not 0 or more seconds (0: twice the aggregation range)",
                               value);
          },
          "SECONDS"));
}

std::unique_ptr<ApiService> StartApi(store::Store& store, const Clock& clock,
                                     const ServeOptions& serve, bool lock_store_for_jobs) {
  auto service = std::make_unique<ApiService>();
  api::ServerOptions options;
  ParseListen(serve.listen, options);
  options.threads = serve.threads;
  options.tls_cert = serve.tls_cert;
  options.tls_key = serve.tls_key;
  options.max_lag_seconds = serve.max_lag_seconds;
  options.lock_store_for_jobs = lock_store_for_jobs;
  service->box = OptionalBox(serve.key_file);
  service->server =
      std::make_unique<api::ApiServer>(store, clock, service->box.get(), std::move(options));
  service->server->Bind();
  std::cout << fmt::format("listening on {}:{}\n", serve.listen.substr(0, serve.listen.rfind(':')),
                           service->server->port())
            << std::flush;
  service->server->Start();
  return service;
}

ApiService::~ApiService() {
  if (server) server->Stop();
}

void RegisterServe(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto serve = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve", "Serve CloudStack's usage API (/client/api), /metrics and /healthz until SIGTERM");
  AddServeOptions(*cmd, *serve);
  cmd->callback([&options, &action, serve] {
    action = [&options, serve] {
      auto db = OpenReady(options);
      SystemClock clock;
      signal(SIGTERM, OnServeSignal);
      signal(SIGINT, OnServeSignal);
      auto api = StartApi(*db.store, clock, *serve, /*lock_store_for_jobs=*/true);
      ServiceNotifier notifier;
      notifier.Ready("serving the API");
      while (!g_stop_serving.load()) {
        notifier.Alive();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      notifier.Stopping();
      api.reset();
      return kExitOk;
    };
  });
}

void RegisterApiKey(CLI::App& app, const GlobalOptions& options, Action& action) {
  auto opts = std::make_shared<KeyOptions>();
  auto* cmd = app.add_subcommand("apikey", "Manage usaged's own API keys");
  cmd->require_subcommand(1);
  cmd->add_option("--key-file", opts->key_file,
                  "File with the key that seals the secrets (created 0600 if missing)")
      ->capture_default_str();
  auto* create = cmd->add_subcommand("create", "Create a key pair; prints apikey and secretkey");
  create->add_option("--account", opts->account, "Account id (cloud.account)")->required();
  create->add_option("--role", opts->role, "admin, domain-admin or user")->capture_default_str();
  create->add_option("--format", opts->format, "table or json")->capture_default_str();
  AddNowOption(*create, opts->now, "Creation time (UTC)");
  create->callback([&options, &action, opts] {
    action = [&options, opts] {
      auto role = api::ParseRole(opts->role);
      if (!role) {
        throw InputError(fmt::format("invalid --role '{}': expected admin, domain-admin or user",
                                     opts->role));
      }
      Format format = ParseFormat(opts->format);
      auto clock = MakeClock(opts->now);
      auto db = OpenReady(options);
      auto box = KeyFileForNewKeys(*db.conn, opts->key_file);
      auto created = api::KeyStore(*db.conn, &box).Create(opts->account, *role, clock->Now());
      if (format == Format::kJson) {
        nlohmann::ordered_json j = {{"apikey", created.api_key},
                                    {"secretkey", created.secret_key},
                                    {"account", opts->account},
                                    {"role", opts->role}};
        std::cout << j.dump(2) << "\n";
      } else {
        std::cout << "apikey: " << created.api_key << "\nsecretkey: " << created.secret_key
                  << "\n";
      }
      return kExitOk;
    };
  });
  auto* list = cmd->add_subcommand("list", "List keys (never their secrets)");
  list->add_option("--format", opts->format, "table, json or csv")->capture_default_str();
  list->callback([&options, &action, opts] {
    action = [&options, opts] {
      Format format = ParseFormat(opts->format);
      auto db = OpenReady(options);
      ResultTable table({"apikey", "account", "role", "created", "revoked"});
      for (const auto& k : api::KeyStore(*db.conn, nullptr).List()) {
        table.Add({k.api_key, k.account_id, std::string(api::ToString(k.role)),
                   FormatUtc(k.created_at),
                   k.revoked_at ? nlohmann::ordered_json(FormatUtc(*k.revoked_at))
                                : nlohmann::ordered_json()});
      }
      table.Print(format, std::cout);
      return kExitOk;
    };
  });
  auto* revoke = cmd->add_subcommand("revoke", "Revoke a key: its requests are refused from now");
  revoke->add_option("apikey", opts->api_key, "The key")->required();
  revoke->callback([&options, &action, opts] {
    action = [&options, opts] {
      auto db = OpenReady(options);
      if (!api::KeyStore(*db.conn, nullptr).Revoke(opts->api_key, SystemClock().Now())) {
        throw InputError("no such API key, or it is already revoked");
      }
      std::cout << "revoked\n";
      return kExitOk;
    };
  });
}

}  // namespace usaged::cli
