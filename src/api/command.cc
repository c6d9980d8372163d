#include "api/command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/timezone.h"

namespace usaged::api {

std::optional<std::string> Request::Text(std::string_view name) const {
  auto v = FindParamNoCase(params_, name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::string Request::RequiredText(std::string_view name) const {
  auto v = Text(name);
  if (!v) {
    throw ParamError(fmt::format("Unable to execute API command {} due to missing parameter {}",
                                 ResponseName(command_).substr(0, command_.size()), name));
  }
  return *v;
}

std::optional<int64_t> Request::Long(std::string_view name) const {
  auto v = Text(name);
  if (!v) return std::nullopt;
  int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) {
    throw ParamError(fmt::format("Unable to execute API command {} due to invalid value {} for "
                                 "parameter {}", ResponseName(command_).substr(0, command_.size()),
                                 *v, name));
  }
  return out;
}

std::optional<bool> Request::Bool(std::string_view name) const {
  auto v = Text(name);
  if (!v) return std::nullopt;
  std::string lower = *v;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // CloudStack reads booleans with Boolean.valueOf: anything but "true" is false.
  return lower == "true";
}

std::optional<Instant> Request::Date(std::string_view name, const TimeZone& zone,
                                     bool end_of_day) const {
  auto v = Text(name);
  if (!v) return std::nullopt;
  auto wall = TryParseUtc(*v);
  if (!wall) {
    throw ParamError(fmt::format("Unable to parse date {} for command {}, please pass dates in "
                                 "the format mentioned in the api documentation",
                                 *v, ResponseName(command_).substr(0, command_.size())));
  }
  if (v->size() == 10 && end_of_day) *wall += std::chrono::hours(24) - std::chrono::seconds(1);
  return zone.ToUtc(LocalMillis(wall->time_since_epoch()));
}

bool CommandSpec::Allows(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec> commands = [] {
    std::vector<CommandSpec> all;
    AddRecordCommands(all);
    AddJobCommands(all);
    AddInfoCommands(all);
    return all;
  }();
  return commands;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const auto& c : AllCommands()) {
    if (c.name.size() == name.size() &&
        std::equal(c.name.begin(), c.name.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return &c;
    }
  }
  return nullptr;
}

std::string ApiDate(Instant t) {
  std::string s = FormatUtc(t);
  s[10] = 'T';
  return s + "+0000";
}

}  // namespace usaged::api
