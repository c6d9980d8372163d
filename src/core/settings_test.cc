#include "core/settings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "core/error.h"

namespace usaged {
namespace {

UsageSettings LoadFrom(const std::map<std::string, std::string>& values) {
  return UsageSettings::Load([&](std::string_view key) -> std::optional<std::string> {
    auto it = values.find(std::string(key));
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

TEST(SettingsTest, DefaultsAreCloudStacks) {
  UsageSettings s = LoadFrom({});
  EXPECT_EQ(s.aggregation_range_minutes, 1440);
  EXPECT_EQ(s.exec_hour, 0);
  EXPECT_EQ(s.exec_minute, 15);
  EXPECT_EQ(s.aggregation_zone.name(), "GMT");
  EXPECT_EQ(s.hours_mode, HoursMode::kExact);
}

TEST(SettingsTest, ReadsValues) {
  UsageSettings s = LoadFrom({{"usage.stats.job.aggregation.range", "60"},
                              {"usage.stats.job.exec.time", "03:45"},
                              {"usage.aggregation.timezone", "Europe/Berlin"},
                              {"usage.compat.float.hours", "true"}});
  EXPECT_EQ(s.aggregation_range_minutes, 60);
  EXPECT_EQ(s.exec_hour, 3);
  EXPECT_EQ(s.exec_minute, 45);
  EXPECT_EQ(s.aggregation_zone.name(), "Europe/Berlin");
  EXPECT_EQ(s.hours_mode, HoursMode::kCloudStackFloat);
}

TEST(SettingsTest, BadStoredValuesNameTheKey) {
  for (auto [key, value] : std::map<std::string, std::string>{
           {"usage.stats.job.aggregation.range", "abc"},
           {"usage.stats.job.aggregation.range", "0"},
           {"usage.stats.job.exec.time", "25:00"},
           {"usage.aggregation.timezone", "Nowhere/Land"},
           {"usage.account.shards", "-1"}}) {
    try {
      LoadFrom({{key, value}});
      FAIL() << key << "=" << value;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

TEST(SettingsTest, ValidateRejectsUnknownKeys) {
  EXPECT_THROW(ValidateConfigValue("usage.no.such.key", "1"), InputError);
  EXPECT_NO_THROW(ValidateConfigValue("usage.stats.job.aggregation.range", "5"));
  EXPECT_THROW(ValidateConfigValue("usage.compat.float.hours", "yes"), InputError);
}

TEST(SettingsTest, ThreadsDefaultToTheCoresAndAcceptOne) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_EQ(LoadFrom({}).threads, cores);
  EXPECT_EQ(LoadFrom({{"usage.threads", "cores"}}).threads, cores);
  EXPECT_EQ(LoadFrom({{"usage.threads", "1"}}).threads, 1);
  EXPECT_EQ(LoadFrom({{"usage.threads", "3"}}).threads, 3);
}

TEST(SettingsTest, BadThreadCountsKeepTheDefault) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (const char* bad : {"0", "-2", "100000", "many", "2.5", ""}) {
    EXPECT_EQ(LoadFrom({{"usage.threads", bad}}).threads, cores) << bad;
    EXPECT_THROW(ValidateConfigValue("usage.threads", bad), InputError) << bad;
  }
  try {
    ValidateConfigValue("usage.threads", "0");
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("expected 'cores' or an integer from 1 to 256"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace usaged
