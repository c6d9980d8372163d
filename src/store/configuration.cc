#include "store/configuration.h"

#include "core/settings.h"

namespace usaged::store {

std::optional<std::string> Configuration::Get(std::string_view key) {
  auto& q = conn_.Prepare(
                     "SELECT value, default_value FROM ${cloud}.configuration WHERE name = ?")
                .Bind(key);
  std::optional<std::string> out;
  if (q.Next()) {
    out = q.OptText(0);
    if (!out) out = q.OptText(1);
  }
  q.Reset();
  return out;
}

void Configuration::Set(std::string_view key, std::string_view value, Instant now) {
  ValidateConfigValue(key, value);
  Transaction tx(conn_);
  int64_t changed = conn_.Run(
      "UPDATE ${cloud}.configuration SET value = ?, updated = ? WHERE name = ?", value, now, key);
  if (changed == 0) {
    const ConfigKey* known = FindConfigKey(key);
    conn_.Run(
        "INSERT INTO ${cloud}.configuration (category, instance, component, name, value, "
        "description, default_value, updated) VALUES ('Usage', 'DEFAULT', 'usage-server', ?, ?, "
        "?, ?, ?)",
        key, value, known->description, known->default_value, now);
  }
  tx.Commit();
}

void Configuration::InsertMissingDefaults() {
  Transaction tx(conn_);
  for (const auto& k : KnownConfigKeys()) {
    conn_.Run(
        "${insert_ignore} INTO ${cloud}.configuration (category, instance, component, name, "
        "value, description, default_value) VALUES ('Usage', 'DEFAULT', 'usage-server', ?, ?, "
        "?, ?)",
        k.name, k.default_value, k.description, k.default_value);
  }
  tx.Commit();
}

}  // namespace usaged::store
