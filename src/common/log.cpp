#include "common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace ticketd::log {
namespace {

spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto created = std::make_shared<spdlog::logger>(
        "ticketd", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    // The message carries the rest of the JSON object; spdlog adds time and level.
    created->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                         spdlog::pattern_time_type::utc);
    created->set_level(spdlog::level::info);
    created->flush_on(spdlog::level::trace);
    return created;
  }();
  return *logger;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

bool SetLevel(std::string_view name) {
  static constexpr std::pair<std::string_view, Level> kNames[] = {
      {"debug", Level::kDebug}, {"info", Level::kInfo},    {"warning", Level::kWarn},
      {"warn", Level::kWarn},   {"error", Level::kError},  {"DEBUG", Level::kDebug},
      {"INFO", Level::kInfo},   {"WARNING", Level::kWarn}, {"ERROR", Level::kError}};
  for (const auto& [text, level] : kNames) {
    if (name == text) {
      Logger().set_level(ToSpd(level));
      return true;
    }
  }
  return false;
}

bool Enabled(Level level) {
  return Logger().should_log(ToSpd(level));
}

void Write(Level level, std::string_view component, std::string_view message,
           const nlohmann::json& fields) {
  if (!Enabled(level)) return;
  std::string line = "\"component\":" + nlohmann::json(component).dump() +
                     ",\"msg\":" + nlohmann::json(message).dump();
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      line += ',';
      line += nlohmann::json(key).dump();
      line += ':';
      line += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  Logger().log(ToSpd(level), line);
}

}  // namespace ticketd::log
