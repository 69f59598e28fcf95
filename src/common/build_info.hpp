#pragma once

#include <string_view>

namespace ticketd::build {

std::string_view Version();    // the project version, e.g. "0.1.0"
std::string_view Commit();     // short git commit, or "unknown"
std::string_view BuildTime();  // RFC 3339 UTC

}  // namespace ticketd::build
