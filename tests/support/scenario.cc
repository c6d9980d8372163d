#include "support/scenario.h"

namespace usaged::testing {

Scenario::Scenario(const std::string& engine)
    : db_(NewTestStore(engine)), cloud_(*db_->conn) {
  int64_t root = cloud_.AddDomain("ROOT", std::nullopt);
  domain_ = cloud_.AddDomain("customers", root);
  account_ = cloud_.AddAccount("acme", domain_);
}

int64_t Scenario::AddAccount(const std::string& name) { return cloud_.AddAccount(name, domain_); }

int64_t Scenario::Event(sim::EventSpec spec) { return cloud_.AddEvent(spec); }

int64_t Scenario::Vm(const std::string& type, const std::string& when, int64_t vm,
                     int64_t offering, std::optional<int64_t> account) {
  sim::EventSpec e;
  e.type = type;
  e.account_id = account.value_or(account_);
  e.created = ParseUtc(when);
  e.resource_id = vm;
  e.resource_name = "vm-" + std::to_string(vm);
  e.offering_id = offering;
  e.template_id = 200;
  e.resource_type = "KVM";
  return cloud_.AddEvent(e);
}

int64_t Scenario::Volume(const std::string& type, const std::string& when, int64_t volume,
                         int64_t size, std::optional<int64_t> disk_offering,
                         std::optional<int64_t> template_id) {
  sim::EventSpec e;
  e.type = type;
  e.account_id = account_;
  e.created = ParseUtc(when);
  e.resource_id = volume;
  e.resource_name = "vol-" + std::to_string(volume);
  e.offering_id = disk_offering;
  e.template_id = template_id;
  e.size = size;
  return cloud_.AddEvent(e);
}

int64_t Scenario::Ip(const std::string& type, const std::string& when, int64_t ip,
                     const std::string& address, bool source_nat) {
  sim::EventSpec e;
  e.type = type;
  e.account_id = account_;
  e.created = ParseUtc(when);
  e.resource_id = ip;
  e.resource_name = address;
  e.size = source_nat ? 1 : 0;
  e.resource_type = "VirtualNetwork";
  return cloud_.AddEvent(e);
}

int64_t Scenario::NetworkOffering(const std::string& type, const std::string& when, int64_t vm,
                                  int64_t offering, int64_t nic, bool is_default) {
  sim::EventSpec e;
  e.type = type;
  e.account_id = account_;
  e.created = ParseUtc(when);
  e.resource_id = vm;
  e.resource_name = std::to_string(nic);
  e.offering_id = offering;
  e.size = is_default ? 1 : 0;
  return cloud_.AddEvent(e);
}

}  // namespace usaged::testing
