#include "support/api_harness.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/error.h"
#include "sim/cloud_writer.h"

namespace usaged::testing {
namespace {

void StartVm(sim::CloudWriter& cloud, int64_t account, int64_t vm) {
  for (const char* type : {"VM.CREATE", "VM.START"}) {
    sim::EventSpec e;
    e.type = type;
    e.account_id = account;
    e.created = ParseUtc("2026-01-01 00:00:00");
    e.resource_id = vm;
    e.resource_name = fmt::format("vm-{}", vm);
    e.offering_id = 10;
    e.template_id = 200;
    e.resource_type = "KVM";
    cloud.AddEvent(e);
  }
}

std::string FormBody(const api::Params& params) {
  std::string body;
  for (const auto& [k, v] : params) {
    body += (body.empty() ? "" : "&") + httplib::detail::encode_query_param(k) + "=" +
            httplib::detail::encode_query_param(v);
  }
  return body;
}

}  // namespace

ApiCloud SeedApiCloud(store::Connection& conn) {
  ApiCloud c;
  sim::CloudWriter cloud(conn);
  auto& d = c.domains;
  d["ROOT"] = cloud.AddDomain("ROOT", std::nullopt);
  d["Acme"] = cloud.AddDomain("Acme", d["ROOT"]);
  d["Research"] = cloud.AddDomain("Research", d["Acme"]);
  d["Globex"] = cloud.AddDomain("Globex", d["ROOT"]);
  auto& a = c.accounts;
  a["root"] = cloud.AddAccount("root", d["ROOT"], 1);
  a["dana"] = cloud.AddAccount("dana", d["Acme"], 2);
  a["alice"] = cloud.AddAccount("alice", d["Acme"]);
  a["bob"] = cloud.AddAccount("bob", d["Research"]);
  a["carol"] = cloud.AddAccount("carol", d["Globex"]);
  int64_t vm = 100;
  for (const char* who : {"alice", "bob", "carol"}) StartVm(cloud, a[who], ++vm);
  RunAt(conn, "2026-01-03 00:10:00");
  return c;
}

int FreeLocalPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw Error("no free local port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

ApiHarness::ApiHarness(const std::string& engine)
    : store_(NewTestStore(engine)), clock_(ParseUtc("2026-01-03 01:00:00")) {
  cloud_ = SeedApiCloud(*store_->conn);

  box_ = std::make_unique<api::SecretBox>(
      api::SecretBox::FromKeyFile(dir_.path() + "/api.key", /*create_if_missing=*/true));
  api::KeyStore keys(*store_->conn, box_.get());
  const std::map<std::string, api::Role> roles = {{"root", api::Role::kAdmin},
                                                  {"dana", api::Role::kDomainAdmin},
                                                  {"alice", api::Role::kUser},
                                                  {"bob", api::Role::kUser},
                                                  {"carol", api::Role::kUser}};
  for (const auto& [who, role] : roles) {
    auto created = keys.Create(cloud_.accounts[who], role, clock_.Now());
    keys_[who] = {created.api_key, created.secret_key};
  }
  api::ServerOptions options;
  options.port = 0;
  options.threads = 4;
  server_ = std::make_unique<api::ApiServer>(*store_->store, clock_, box_.get(), options);
  server_->Bind();
  server_->Start();
}

ApiHarness::~ApiHarness() { server_.reset(); }

api::Params ApiHarness::Signed(const std::string& who, api::Params params) const {
  const Key& k = keys_.at(who);
  std::string expires = FormatUtc(clock_.Now() + std::chrono::minutes(5));
  expires[10] = 'T';
  params.emplace_back("apiKey", k.api_key);
  params.emplace_back("signatureversion", "3");
  params.emplace_back("expires", expires + "+0000");
  params.emplace_back("signature", api::Sign(k.secret, params));
  return params;
}

httplib::Result ApiHarness::Get(const api::Params& params) {
  httplib::Client client("127.0.0.1", port());
  return client.Get("/client/api?" + FormBody(params));
}

httplib::Result ApiHarness::Post(const api::Params& params) {
  httplib::Client client("127.0.0.1", port());
  return client.Post("/client/api", FormBody(params), "application/x-www-form-urlencoded");
}

nlohmann::ordered_json ApiHarness::Json(const std::string& who, api::Params params, int* status) {
  params.emplace_back("response", "json");
  auto res = Get(Signed(who, std::move(params)));
  if (!res) throw Error("no HTTP response from the API server");
  if (status) *status = res->status;
  return nlohmann::ordered_json::parse(res->body);
}

nlohmann::ordered_json ApiHarness::WaitForJob(const std::string& who, const std::string& job_id) {
  nlohmann::ordered_json last;
  WaitFor([&] {
    last = Json(who, {{"command", "queryAsyncJobResult"}, {"jobid", job_id}});
    return last["queryasyncjobresultresponse"].value("jobstatus", 0) != 0;
  });
  return last;
}

void ApiHarness::AddCloudStackUser(const std::string& who, const Key& key) {
  store_->conn->Exec(
      "CREATE TABLE IF NOT EXISTS ${cloud}.user (id bigint unsigned NOT NULL PRIMARY KEY, "
      "uuid varchar(40), username varchar(255) NOT NULL, password varchar(255) NOT NULL, "
      "account_id bigint unsigned NOT NULL, firstname varchar(255), lastname varchar(255), "
      "email varchar(255), state varchar(10) NOT NULL DEFAULT 'enabled', api_key varchar(255), "
      "secret_key varchar(255), created datetime NOT NULL, removed datetime, timezone "
      "varchar(30))");
  store_->conn->Run("INSERT INTO ${cloud}.user (id, uuid, username, password, account_id, state, "
                    "api_key, secret_key, created) VALUES (?, ?, ?, 'x', ?, 'enabled', ?, ?, ?)",
                    account(who), "user-" + who, who, account(who), key.api_key, key.secret,
                    clock_.Now());
}

}  // namespace usaged::testing
