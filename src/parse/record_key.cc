#include "parse/record_key.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "core/usage_types.h"

namespace usaged::parse {
namespace {

std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }
std::string Opt(const std::optional<std::string>& v) { return v ? *v : "null"; }

}  // namespace

std::string KeyFieldValue(const UsageRecord& r, std::string_view column) {
  if (column == "zone_id") return std::to_string(r.zone_id);
  if (column == "description") return r.description;
  if (column == "vm_instance_id") return Opt(r.vm_instance_id);
  if (column == "vm_name") return Opt(r.vm_name);
  if (column == "offering_id") return Opt(r.offering_id);
  if (column == "template_id") return Opt(r.template_id);
  if (column == "usage_id") return Opt(r.usage_id);
  if (column == "type") return Opt(r.type);
  if (column == "size") return Opt(r.size);
  if (column == "network_id") return Opt(r.network_id);
  if (column == "virtual_size") return Opt(r.virtual_size);
  if (column == "cpu_cores") return Opt(r.cpu_cores);
  if (column == "cpu_speed") return Opt(r.cpu_speed);
  if (column == "memory") return Opt(r.memory);
  if (column == "state") return Opt(r.state);
  throw std::logic_error(fmt::format("no key column {}", column));
}

namespace {

// The fields (beyond type, account and window) that identify a record of each
// type, as "label=value/..." (a field without a label is its value alone).
// The labels are part of the stored usage_key: they never change.
std::string GroupingFields(const UsageRecord& r) {
  std::string out;
  for (const KeyField& f : KeyFields(r.usage_type)) {
    if (!out.empty()) out += '/';
    if (!f.label.empty()) out += fmt::format("{}=", f.label);
    out += KeyFieldValue(r, f.column);
  }
  return out;
}

std::string KeyOfText(const std::string& text, Instant window_start) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  // 8 hex digits of the window start (epoch seconds), then 96 bits of the
  // hash: keys of one window sort together, so inserting a window's records
  // appends to the unique index instead of touching pages all over it.
  std::string out(32, '0');
  uint64_t start = static_cast<uint64_t>(
      std::chrono::floor<std::chrono::seconds>(window_start).time_since_epoch().count());
  for (int i = 7; i >= 0; --i, start >>= 4) out[i] = kHex[start & 0xf];
  for (int i = 0; i < 12; ++i) {
    out[8 + 2 * i] = kHex[digest[i] >> 4];
    out[8 + 2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

const std::vector<KeyField>& KeyFields(int usage_type) {
  namespace t = usage_type;
  using F = std::vector<KeyField>;
  static const F vm = {{"vm", "vm_instance_id"}, {"so", "offering_id"}, {"cores", "cpu_cores"},
                       {"speed", "cpu_speed"}, {"mem", "memory"}};
  static const F network_offering = {{"vm", "vm_instance_id"}, {"no", "offering_id"}};
  static const F volume = {{"vol", "usage_id"}, {"do", "offering_id"}, {"size", "size"}};
  static const F ip = {{"ip", "usage_id"}};
  static const F secondary = {{"zone", "zone_id"}, {"id", "usage_id"}};
  // The volume is only named in the description.
  static const F vm_snapshot = {{"vm", "vm_instance_id"}, {"snap", "usage_id"}, {"", "description"}};
  static const F on_primary = {{"vm", "vm_instance_id"}, {"name", "vm_name"}};
  static const F backup = {{"zone", "zone_id"}, {"vm", "vm_instance_id"}, {"bo", "offering_id"},
                           {"size", "size"}, {"psize", "virtual_size"}};
  static const F security_group = {{"vm", "vm_instance_id"}, {"sg", "usage_id"}};
  static const F by_id = {{"id", "usage_id"}};
  // Grouped by user id and name; the name is only in the description.
  static const F vpn = {{"user", "usage_id"}, {"", "description"}};
  static const F network = {{"net", "usage_id"}, {"no", "offering_id"}, {"state", "state"}};
  static const F other = {{"zone", "zone_id"},         {"usage", "usage_id"},
                          {"vm", "vm_instance_id"},    {"offering", "offering_id"},
                          {"template", "template_id"}, {"size", "size"},
                          {"net", "network_id"},       {"type", "type"}};
  switch (usage_type) {
    case t::kRunningVm:
    case t::kAllocatedVm:
      return vm;
    case t::kNetworkOffering:
      return network_offering;
    case t::kVolume:
      return volume;
    case t::kIpAddress:
      return ip;
    case t::kTemplate:
    case t::kIso:
    case t::kSnapshot:
    case t::kVolumeSecondary:
      return secondary;
    case t::kVmSnapshot:
      return vm_snapshot;
    case t::kVmSnapshotOnPrimary:
      return on_primary;
    case t::kBackup:
      return backup;
    case t::kSecurityGroup:
      return security_group;
    case t::kLoadBalancerPolicy:
    case t::kPortForwardingRule:
    case t::kVpc:
      return by_id;
    case t::kVpnUsers:
      return vpn;
    case t::kNetwork:
      return network;
    default:
      return other;
  }
}

std::string SeriesKeyText(const UsageRecord& r) {
  return fmt::format("t={}/a={}/{}", r.usage_type, r.account_id, GroupingFields(r));
}

std::string NaturalKeyText(const UsageRecord& r) {
  std::string text =
      fmt::format("{}/{}/{}", SeriesKeyText(r), FormatUtc(r.start_date), FormatUtc(r.end_date));
  if (r.row_start) text += "/row=" + FormatUtcMillis(*r.row_start);
  return text;
}

const std::vector<int>& TypesKeyedByHelperRow() {
  // BACKUP: one record per assignment of a VM to an offering.
  static const std::vector<int> types = {usage_type::kBackup, usage_type::kNetwork,
                                         usage_type::kVpc};
  return types;
}

bool KeyedByHelperRow(int usage_type) {
  const auto& types = TypesKeyedByHelperRow();
  return std::find(types.begin(), types.end(), usage_type) != types.end();
}

std::string NaturalKey(const UsageRecord& record) {
  return KeyOfText(NaturalKeyText(record), record.start_date);
}

std::string LegacyPartKey(const UsageRecord& record, int64_t id) {
  return KeyOfText(fmt::format("{}/legacy-part={}", NaturalKeyText(record), id),
                   record.start_date);
}

}  // namespace usaged::parse
