// IP_ADDRESS (3) from usage_ip_address.
#include "core/usage_types.h"
#include "parse/interval_parser.h"
#include "parse/parsers.h"

namespace usaged::parse {
namespace {

struct IpInfo {
  int64_t zone_id = 0;
  int64_t ip_id = 0;
  std::string address;
  bool source_nat = false;
  bool system = false;
  bool hidden = false;
};

class IpAddressParser final : public IntervalParser<IpInfo> {
 public:
  IpAddressParser()
      : IntervalParser({"usage_ip_address", "assigned", "released",
                        "zone_id, ip_id, public_ip_address, is_source_nat, is_system, is_hidden",
                        ""},
                       DescribedBy::kQueriedRows) {}
  std::string_view name() const override { return "ip_address"; }
  std::vector<int> usage_types() const override { return {usage_type::kIpAddress}; }

 protected:
  std::string ReadRow(store::Statement& q, IpInfo& i) const override {
    i = {q.Int(1), q.Int(2), q.Text(3), q.Int(4) != 0, q.OptInt(5).value_or(0) != 0,
         q.OptInt(6).value_or(0) != 0};
    return std::to_string(i.ip_id);
  }
  int RecordType(const Group&) const override { return usage_type::kIpAddress; }
  int64_t ZoneOf(const Group& g) const override { return g.last.zone_id; }
  void Describe(const Group& g, UsageRecord& r) const override {
    const IpInfo& last = g.last;
    r.description = "IPAddress: " + last.address;
    r.usage_id = last.ip_id;
    r.size = last.system ? 1 : 0;
    r.type = last.source_nat ? "SourceNat" : "";
    r.is_hidden = last.hidden;
  }
};

}  // namespace

std::unique_ptr<UsageParser> NewIpAddressParser() { return std::make_unique<IpAddressParser>(); }

}  // namespace usaged::parse
