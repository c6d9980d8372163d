#pragma once

#include <memory>
#include <string>

#include "sim/cloud_writer.h"
#include "support/test_env.h"

namespace usaged::testing {

// A store with one domain and one account, and short ways to write the events
// the CloudStack management server writes.
class Scenario {
 public:
  explicit Scenario(const std::string& engine);

  TestStore& db() { return *db_; }
  store::Connection& conn() { return *db_->conn; }
  sim::CloudWriter& cloud() { return cloud_; }
  int64_t account() const { return account_; }
  int64_t domain() const { return domain_; }
  int64_t AddAccount(const std::string& name);

  // VM events: resource = VM id, name, service offering, template 200, KVM.
  int64_t Vm(const std::string& type, const std::string& when, int64_t vm,
             int64_t offering = 10, std::optional<int64_t> account = std::nullopt);
  int64_t Volume(const std::string& type, const std::string& when, int64_t volume, int64_t size,
                 std::optional<int64_t> disk_offering = 3,
                 std::optional<int64_t> template_id = std::nullopt);
  int64_t Ip(const std::string& type, const std::string& when, int64_t ip,
             const std::string& address, bool source_nat = false);
  int64_t NetworkOffering(const std::string& type, const std::string& when, int64_t vm,
                          int64_t offering, int64_t nic, bool is_default);
  int64_t Event(sim::EventSpec spec);

 private:
  std::unique_ptr<TestStore> db_;
  sim::CloudWriter cloud_;
  int64_t domain_ = 0;
  int64_t account_ = 0;
};

}  // namespace usaged::testing
