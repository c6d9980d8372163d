#include "parse/record_key.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>

#include "core/usage_types.h"

namespace usaged::parse {
namespace {

std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }
std::string Opt(const std::optional<std::string>& v) { return v ? *v : "null"; }

// The fields (beyond type, account and window) that identify a record of each
// type: exactly what the type's parser groups helper rows by.
std::string GroupingFields(const UsageRecord& r) {
  namespace t = usage_type;
  switch (r.usage_type) {
    case t::kRunningVm:
    case t::kAllocatedVm:
      return fmt::format("vm={}/so={}/cores={}/speed={}/mem={}", Opt(r.vm_instance_id),
                         Opt(r.offering_id), Opt(r.cpu_cores), Opt(r.cpu_speed), Opt(r.memory));
    case t::kNetworkOffering:
      return fmt::format("vm={}/no={}", Opt(r.vm_instance_id), Opt(r.offering_id));
    case t::kVolume:
      return fmt::format("vol={}/do={}/size={}", Opt(r.usage_id), Opt(r.offering_id),
                         Opt(r.size));
    case t::kIpAddress:
      return fmt::format("ip={}", Opt(r.usage_id));
    case t::kTemplate:
    case t::kIso:
    case t::kSnapshot:
    case t::kVolumeSecondary:
      return fmt::format("zone={}/id={}", r.zone_id, Opt(r.usage_id));
    case t::kVmSnapshot:
      // The volume is only named in the description.
      return fmt::format("vm={}/snap={}/{}", Opt(r.vm_instance_id), Opt(r.usage_id),
                         r.description);
    case t::kVmSnapshotOnPrimary:
      return fmt::format("vm={}/name={}", Opt(r.vm_instance_id), Opt(r.vm_name));
    case t::kBackup:
      return fmt::format("zone={}/vm={}/bo={}/size={}/psize={}", r.zone_id, Opt(r.vm_instance_id),
                         Opt(r.offering_id), Opt(r.size), Opt(r.virtual_size));
    case t::kSecurityGroup:
      return fmt::format("vm={}/sg={}", Opt(r.vm_instance_id), Opt(r.usage_id));
    case t::kLoadBalancerPolicy:
    case t::kPortForwardingRule:
    case t::kVpc:
      return fmt::format("id={}", Opt(r.usage_id));
    case t::kVpnUsers:
      // Grouped by user id and name; the name is only in the description.
      return fmt::format("user={}/{}", Opt(r.usage_id), r.description);
    case t::kNetwork:
      return fmt::format("net={}/no={}/state={}", Opt(r.usage_id), Opt(r.offering_id),
                         Opt(r.state));
    default:
      return fmt::format("zone={}/usage={}/vm={}/offering={}/template={}/size={}/net={}/type={}",
                         r.zone_id, Opt(r.usage_id), Opt(r.vm_instance_id), Opt(r.offering_id),
                         Opt(r.template_id), Opt(r.size), Opt(r.network_id), Opt(r.type));
  }
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

std::string NaturalKeyText(const UsageRecord& r) {
  std::string text = fmt::format("t={}/a={}/{}/{}/{}", r.usage_type, r.account_id,
                                 GroupingFields(r), FormatUtc(r.start_date),
                                 FormatUtc(r.end_date));
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
