#include "compare/record_identity.h"

#include <fmt/format.h>

#include <cstring>
#include <functional>
#include <tuple>

#include "core/usage_types.h"

namespace usaged::compare {
namespace {

std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }
std::string Opt(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "null"; }

// The grouping columns of each type (see IdentityText).
std::string IdentityFields(const UsageRecord& r) {
  namespace t = usage_type;
  switch (r.usage_type) {
    case t::kRunningVm:
    case t::kAllocatedVm:
      return fmt::format("vm={}/so={}/cores={}/speed={}/mem={}", Opt(r.vm_instance_id),
                         Opt(r.offering_id), Opt(r.cpu_cores), Opt(r.cpu_speed), Opt(r.memory));
    case t::kIpAddress:
    case t::kLoadBalancerPolicy:
    case t::kPortForwardingRule:
    case t::kVpnUsers:
    case t::kBucket:
    case t::kVpc:
      return fmt::format("id={}", Opt(r.usage_id));
    case t::kNetworkBytesSent:
    case t::kNetworkBytesReceived:
      return fmt::format("zone={}/host={}/net={}", r.zone_id, Opt(r.usage_id), Opt(r.network_id));
    case t::kVolume:
      return fmt::format("vol={}/do={}/size={}", Opt(r.usage_id), Opt(r.offering_id),
                         Opt(r.size));
    case t::kTemplate:
    case t::kIso:
    case t::kSnapshot:
    case t::kVolumeSecondary:
      return fmt::format("zone={}/id={}", r.zone_id, Opt(r.usage_id));
    case t::kSecurityGroup:
      return fmt::format("vm={}/sg={}", Opt(r.vm_instance_id), Opt(r.usage_id));
    case t::kNetworkOffering:
      return fmt::format("vm={}/no={}", Opt(r.vm_instance_id), Opt(r.offering_id));
    case t::kVmDiskIoRead:
    case t::kVmDiskIoWrite:
    case t::kVmDiskBytesRead:
    case t::kVmDiskBytesWrite:
      return fmt::format("zone={}/vm={}/vol={}", r.zone_id, Opt(r.vm_instance_id),
                         Opt(r.usage_id));
    case t::kVmSnapshot:
      return fmt::format("vm={}/snap={}/do={}/size={}/{}/{}", Opt(r.vm_instance_id),
                         Opt(r.usage_id), Opt(r.offering_id), Opt(r.size),
                         FormatUtc(r.start_date), FormatUtc(r.end_date));
    case t::kVmSnapshotOnPrimary:
      return fmt::format("vm={}/name={}/{}/{}", Opt(r.vm_instance_id), Opt(r.vm_name),
                         FormatUtc(r.start_date), FormatUtc(r.end_date));
    case t::kBackup:
      return fmt::format("zone={}/vm={}/bo={}", r.zone_id, Opt(r.vm_instance_id),
                         Opt(r.offering_id));
    case t::kNetwork:
      return fmt::format("net={}/no={}/state={}", Opt(r.usage_id), Opt(r.offering_id),
                         Opt(r.state));
    default:
      return fmt::format("zone={}/id={}/vm={}/offering={}", r.zone_id, Opt(r.usage_id),
                         Opt(r.vm_instance_id), Opt(r.offering_id));
  }
}

// The columns FullText and DifferingColumns compare, with their text.
std::vector<std::pair<std::string_view, std::string>> Columns(const UsageRecord& r) {
  return {{"zone_id", std::to_string(r.zone_id)},
          {"account_id", std::to_string(r.account_id)},
          {"domain_id", std::to_string(r.domain_id)},
          {"description", r.description},
          {"usage_type", std::to_string(r.usage_type)},
          {"vm_instance_id", Opt(r.vm_instance_id)},
          {"vm_name", Opt(r.vm_name)},
          {"offering_id", Opt(r.offering_id)},
          {"template_id", Opt(r.template_id)},
          {"usage_id", Opt(r.usage_id)},
          {"type", Opt(r.type)},
          {"size", Opt(r.size)},
          {"network_id", Opt(r.network_id)},
          {"start_date", FormatUtc(r.start_date)},
          {"end_date", FormatUtc(r.end_date)},
          {"virtual_size", Opt(r.virtual_size)},
          {"cpu_speed", Opt(r.cpu_speed)},
          {"cpu_cores", Opt(r.cpu_cores)},
          {"memory", Opt(r.memory)},
          {"is_hidden", r.is_hidden ? "1" : "0"},
          {"state", Opt(r.state)}};
}

}  // namespace

std::string FullText(const UsageRecord& r) {
  std::string out = fmt::format("raw={:.17g}|display={}", r.raw_usage, r.usage_display);
  for (const auto& [name, value] : Columns(r)) out += fmt::format("|{}={}", name, value);
  return out;
}

namespace {

// The columns FullText compares, as a tuple of references.
auto Fields(const UsageRecord& r) {
  return std::tie(r.raw_usage, r.usage_display, r.zone_id, r.account_id, r.domain_id,
                  r.description, r.usage_type, r.vm_instance_id, r.vm_name, r.offering_id,
                  r.template_id, r.usage_id, r.type, r.size, r.network_id, r.start_date,
                  r.end_date, r.virtual_size, r.cpu_speed, r.cpu_cores, r.memory, r.is_hidden,
                  r.state);
}

template <class T>
size_t HashOf(const T& v) {
  return std::hash<T>()(v);
}
size_t HashOf(const Instant& t) { return std::hash<int64_t>()(ToEpochMillis(t)); }
template <class T>
size_t HashOf(const std::optional<T>& v) {
  return v ? HashOf(*v) * 31 + 1 : 0;
}

}  // namespace

bool SameRecord(const UsageRecord& a, const UsageRecord& b) {
  // Bit-for-bit raw_usage, as FullText prints 17 significant digits.
  return std::memcmp(&a.raw_usage, &b.raw_usage, sizeof(double)) == 0 && Fields(a) == Fields(b);
}

size_t RecordHash(const UsageRecord& r) {
  size_t h = 0;
  std::apply([&h](const auto&... field) { ((h = h * 1000003 ^ HashOf(field)), ...); },
             Fields(r));
  return h;
}

std::string IdentityText(const UsageRecord& r) {
  return fmt::format("t={}/a={}/{}", r.usage_type, r.account_id, IdentityFields(r));
}

std::vector<std::string> DifferingColumns(const UsageRecord& a, const UsageRecord& b) {
  auto ca = Columns(a);
  auto cb = Columns(b);
  std::vector<std::string> out;
  for (size_t i = 0; i < ca.size(); ++i) {
    if (ca[i].second != cb[i].second) out.emplace_back(ca[i].first);
  }
  return out;
}

std::optional<ResourceRows> ResourceRowsOf(const UsageRecord& r) {
  namespace t = usage_type;
  ResourceRows rows;
  rows.id_column = "id";
  rows.start_column = "created";
  rows.end_column = "deleted";
  rows.int_filters.emplace_back("account_id", r.account_id);
  // Adds (column, value) when the record has the value; false otherwise.
  auto need = [&rows](const char* column, const std::optional<int64_t>& v) {
    if (v) rows.int_filters.emplace_back(column, *v);
    return v.has_value();
  };
  bool ok = true;
  switch (r.usage_type) {
    case t::kRunningVm:
    case t::kAllocatedVm:
      rows.table = "usage_vm_instance";
      rows.event_types = "VM.%";
      rows.start_column = "start_date";
      rows.end_column = "end_date";
      ok = need("vm_instance_id", r.vm_instance_id);
      rows.int_filters.emplace_back("usage_type", r.usage_type);
      rows.event_resource_id = r.vm_instance_id;
      break;
    case t::kIpAddress:
      rows.table = "usage_ip_address";
      rows.event_types = "NET.IP%";
      rows.start_column = "assigned";
      rows.end_column = "released";
      ok = need("ip_id", r.usage_id);
      rows.event_resource_id = r.usage_id;
      break;
    case t::kVolume:
      rows.table = "usage_volume";
      rows.event_types = "VOLUME.%";
      ok = need("volume_id", r.usage_id);
      rows.event_resource_id = r.usage_id;
      break;
    case t::kTemplate:
    case t::kIso:
    case t::kSnapshot:
    case t::kVolumeSecondary: {
      rows.table = "usage_storage";
      rows.event_types = r.usage_type == t::kTemplate ? "TEMPLATE.%"
                         : r.usage_type == t::kIso    ? "ISO.%"
                         : r.usage_type == t::kSnapshot ? "SNAPSHOT.%"
                                                        : "VOLUME.%";
      ok = need("entity_id", r.usage_id);
      const int storage_type = r.usage_type == t::kTemplate ? 1
                               : r.usage_type == t::kIso    ? 2
                               : r.usage_type == t::kSnapshot ? 3
                                                              : 4;
      rows.int_filters.emplace_back("storage_type", storage_type);
      rows.int_filters.emplace_back("zone_id", r.zone_id);
      rows.event_resource_id = r.usage_id;
      break;
    }
    case t::kSecurityGroup:
      rows.table = "usage_security_group";
      rows.event_types = "SG.%";
      ok = need("vm_instance_id", r.vm_instance_id) && need("security_group_id", r.usage_id);
      rows.event_resource_id = r.vm_instance_id;
      break;
    case t::kLoadBalancerPolicy:
      rows.table = "usage_load_balancer_policy";
      rows.event_types = "LB.%";
      ok = need("lb_id", r.usage_id);
      rows.event_resource_id = r.usage_id;
      break;
    case t::kPortForwardingRule:
      rows.table = "usage_port_forwarding";
      rows.event_types = "NET.RULE%";
      ok = need("pf_id", r.usage_id);
      rows.event_resource_id = r.usage_id;
      break;
    case t::kNetworkOffering:
      rows.table = "usage_network_offering";
      rows.event_types = "NETWORK.OFFERING.%";
      ok = need("vm_instance_id", r.vm_instance_id) && need("network_offering_id", r.offering_id);
      rows.event_resource_id = r.vm_instance_id;
      break;
    case t::kVpnUsers:
      rows.table = "usage_vpn_user";
      rows.event_types = "VPN.USER.%";
      ok = need("user_id", r.usage_id);
      rows.event_resource_id = r.usage_id;
      break;
    case t::kVmSnapshot:
      rows.table = "usage_vmsnapshot";
      rows.event_types = "VMSNAPSHOT.%";
      rows.end_column = "processed";
      ok = need("vm_id", r.vm_instance_id);
      rows.event_resource_id = r.vm_instance_id;
      break;
    case t::kVmSnapshotOnPrimary:
      rows.table = "usage_snapshot_on_primary";
      rows.event_types = "VMSNAPSHOT.%";
      ok = need("vm_id", r.vm_instance_id) && r.vm_name.has_value();
      if (r.vm_name) rows.text_filters.emplace_back("name", *r.vm_name);
      rows.event_resource_id = r.vm_instance_id;
      break;
    case t::kBackup:
      rows.table = "usage_backup";
      rows.event_types = "BACKUP.%";
      rows.end_column = "removed";
      ok = need("vm_id", r.vm_instance_id) && need("backup_offering_id", r.offering_id);
      rows.event_resource_id = r.vm_instance_id;
      break;
    case t::kNetwork:
      rows.table = "usage_networks";
      rows.event_types = "NETWORK.%";
      rows.end_column = "removed";
      ok = need("network_id", r.usage_id);
      rows.event_resource_id = r.usage_id;
      break;
    case t::kVpc:
      rows.table = "usage_vpc";
      rows.event_types = "VPC.%";
      rows.end_column = "removed";
      ok = need("vpc_id", r.usage_id);
      rows.event_resource_id = r.usage_id;
      break;
    default:
      return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return rows;
}

}  // namespace usaged::compare
