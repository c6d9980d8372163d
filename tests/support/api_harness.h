#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

#include "api/key_store.h"
#include "api/server.h"
#include "api/signing.h"
#include "support/test_env.h"

namespace usaged::testing {

// A cloud with a small domain tree, billed for two days, and the API server
// in front of it on a free local port, reached with a real HTTP client.
//
//   ROOT ── Acme ── Research        Globex
//   root (admin), dana (domain admin of Acme), alice (user, Acme),
//   bob (user, Research), carol (user, Globex)
//
// Each account runs one VM from 2026-01-01 00:00; the job ran at
// 2026-01-03 00:10, so 2026-01-01 and 2026-01-02 are billed.
// The accounts and domains of that cloud, by name.
struct ApiCloud {
  std::map<std::string, int64_t> accounts;
  std::map<std::string, int64_t> domains;
};
// Writes the cloud into an empty store and bills it (the job at 2026-01-03 00:10).
ApiCloud SeedApiCloud(store::Connection& conn);

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLocalPort();

class ApiHarness {
 public:
  explicit ApiHarness(const std::string& engine);
  ~ApiHarness();

  struct Key {
    std::string api_key;
    std::string secret;
  };

  TestStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  int64_t account(const std::string& who) const { return cloud_.accounts.at(who); }
  int64_t domain(const std::string& name) const { return cloud_.domains.at(name); }
  const Key& key(const std::string& who) const { return keys_.at(who); }
  int port() const { return server_->port(); }

  // A signed request (signatureversion 3, expiring five minutes after the
  // harness clock) from `who`'s key; `params` need not hold apiKey.
  api::Params Signed(const std::string& who, api::Params params) const;
  // GET /client/api with exactly these parameters.
  httplib::Result Get(const api::Params& params);
  // POST /client/api with the parameters as a form body.
  httplib::Result Post(const api::Params& params);
  // Signed GET with response=json; the parsed body (the HTTP status in
  // `status` when given).
  nlohmann::ordered_json Json(const std::string& who, api::Params params, int* status = nullptr);
  // Polls queryAsyncJobResult until the job is done (the async worker runs in
  // real time); returns the final response body.
  nlohmann::ordered_json WaitForJob(const std::string& who, const std::string& job_id);

  // Adds CloudStack's cloud.user table (as CloudStack's installer creates it)
  // with one user of `who`'s account holding this key pair in clear.
  void AddCloudStackUser(const std::string& who, const Key& key);

 private:
  std::unique_ptr<TestStore> store_;
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<api::SecretBox> box_;
  std::unique_ptr<api::ApiServer> server_;
  ApiCloud cloud_;
  std::map<std::string, Key> keys_;
};

}  // namespace usaged::testing
