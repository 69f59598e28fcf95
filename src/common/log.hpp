// Structured logging: one JSON object per line on stdout, with the time,
// the level, the component and the caller's fields. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace ticketd::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the minimum level from LOG_LEVEL's value (debug, info, warning or
// warn, error). Returns false, changing nothing, for any other value.
bool SetLevel(std::string_view name);

// True when a line of `level` would be written; check it before building
// costly fields on hot paths.
bool Enabled(Level level);

// Writes {"ts", "level", "component", "msg", ...fields}. `fields` must be a
// JSON object; its members must not contain secrets.
void Write(Level level, std::string_view component, std::string_view message,
           const nlohmann::json& fields = nlohmann::json::object());

inline void Info(std::string_view component, std::string_view message,
                 const nlohmann::json& fields = nlohmann::json::object()) {
  Write(Level::kInfo, component, message, fields);
}
inline void Warn(std::string_view component, std::string_view message,
                 const nlohmann::json& fields = nlohmann::json::object()) {
  Write(Level::kWarn, component, message, fields);
}
inline void Error(std::string_view component, std::string_view message,
                  const nlohmann::json& fields = nlohmann::json::object()) {
  Write(Level::kError, component, message, fields);
}

}  // namespace ticketd::log
