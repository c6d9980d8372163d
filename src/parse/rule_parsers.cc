// SECURITY_GROUP (10) from usage_security_group, LOAD_BALANCER_POLICY (11)
// from usage_load_balancer_policy, PORT_FORWARDING_RULE (12) from
// usage_port_forwarding and VPN_USERS (14) from usage_vpn_user.
#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

namespace usaged::parse {
namespace {

struct SecurityGroupInfo {
  int64_t zone_id = 0;
  int64_t vm_id = 0;
  int64_t group_id = 0;
};

class SecurityGroupParser final : public IntervalParser<SecurityGroupInfo> {
 public:
  SecurityGroupParser()
      : IntervalParser({"usage_security_group", "created", "deleted",
                        "zone_id, vm_instance_id, security_group_id", ""}) {}
  std::string_view name() const override { return "security_group"; }
  std::vector<int> usage_types() const override { return {usage_type::kSecurityGroup}; }

 protected:
  std::string ReadRow(store::Statement& q, SecurityGroupInfo& i) const override {
    i = {q.Int(1), q.Int(2), q.Int(3)};
    return fmt::format("{}SG{}", i.vm_id, i.group_id);
  }
  int RecordType(const Group&) const override { return usage_type::kSecurityGroup; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    r.description = fmt::format("Security Group: {} for Vm : {} usage time", g.last.group_id,
                                g.last.vm_id);
    r.vm_instance_id = g.last.vm_id;
    r.usage_id = g.last.group_id;
  }
};

struct RuleInfo {
  int64_t zone_id = 0;
  int64_t id = 0;
};

// A load balancer or port forwarding rule: one record per rule id.
class RuleParser final : public IntervalParser<RuleInfo> {
 public:
  RuleParser(std::string_view name, int type, const HelperQuery& query,
             std::string_view description)
      : IntervalParser(query), name_(name), type_(type), description_(description) {}
  std::string_view name() const override { return name_; }
  std::vector<int> usage_types() const override { return {type_}; }

 protected:
  std::string ReadRow(store::Statement& q, RuleInfo& i) const override {
    i = {q.Int(1), q.Int(2)};
    return std::to_string(i.id);
  }
  int RecordType(const Group&) const override { return type_; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    r.description = fmt::format("{}: {} usage time", description_, g.last.id);
    r.usage_id = g.last.id;
  }

 private:
  std::string_view name_;
  int type_;
  std::string_view description_;
};

struct VpnUserInfo {
  int64_t zone_id = 0;
  int64_t user_id = 0;
  std::optional<std::string> user_name;
};

class VpnUserParser final : public IntervalParser<VpnUserInfo> {
 public:
  VpnUserParser()
      : IntervalParser(
            {"usage_vpn_user", "created", "deleted", "zone_id, user_id, user_name", ""}) {}
  std::string_view name() const override { return "vpn_user"; }
  std::vector<int> usage_types() const override { return {usage_type::kVpnUsers}; }

 protected:
  std::string ReadRow(store::Statement& q, VpnUserInfo& i) const override {
    i = {q.Int(1), q.Int(2), q.OptText(3)};
    // CloudStack groups by user id and name (a missing name reads "null").
    return fmt::format("{}VU{}", i.user_id, UserName(i));
  }
  int RecordType(const Group&) const override { return usage_type::kVpnUsers; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    r.description =
        fmt::format("VPN User: {}, Id: {} usage time", UserName(g.last), g.last.user_id);
    r.usage_id = g.last.user_id;
  }

 private:
  static std::string UserName(const VpnUserInfo& i) { return i.user_name.value_or("null"); }
};

}  // namespace

std::unique_ptr<UsageParser> NewSecurityGroupParser() {
  return std::make_unique<SecurityGroupParser>();
}

std::unique_ptr<UsageParser> NewLoadBalancerParser() {
  return std::make_unique<RuleParser>(
      "load_balancer", usage_type::kLoadBalancerPolicy,
      HelperQuery{"usage_load_balancer_policy", "created", "deleted", "zone_id, lb_id", ""},
      "Load Balancing Policy");
}

std::unique_ptr<UsageParser> NewPortForwardingParser() {
  return std::make_unique<RuleParser>(
      "port_forwarding", usage_type::kPortForwardingRule,
      HelperQuery{"usage_port_forwarding", "created", "deleted", "zone_id, pf_id", ""},
      "Port Forwarding Rule");
}

std::unique_ptr<UsageParser> NewVpnUserParser() { return std::make_unique<VpnUserParser>(); }

}  // namespace usaged::parse
