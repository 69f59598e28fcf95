// RFC 3339 time handling and the text checks shared by the domain and the
// layers around it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ticketd::domain {

// "2026-12-03T10:00:00.123456Z": UTC, microseconds, as PostgreSQL stores them.
std::string FormatUtc(std::chrono::system_clock::time_point when);

// Why `text` is not an RFC 3339 date-time with a zone ("Z" or "+hh:mm")
// whose fields are in range, as a phrase such as "day 30 does not exist in
// 2026-02, which has 28 days"; std::nullopt when it is one, e.g.
// "2026-12-03T10:00:00Z" or "2026-12-03T10:00:00.5+02:00". In range means:
// years 1 to 9999 also once moved to UTC, offsets up to 15:59 (PostgreSQL's),
// at most 9 fraction digits. The phrase quotes no more of `text` than a
// number of at most four digits.
std::optional<std::string> Rfc3339Problem(std::string_view text);

// Whether Rfc3339Problem finds nothing wrong with `text`.
bool IsRfc3339(std::string_view text);

// The reason a field error gives for a value Rfc3339Problem refused: what
// was wrong, then the form expected.
std::string Rfc3339Reason(std::string_view problem);

// True when `text` is well-formed UTF-8 without NUL characters, as
// PostgreSQL's text requires.
bool IsStorableText(std::string_view text);

// True when `text` is well-formed UTF-8 on one line without control
// characters (C0, DEL, C1: line breaks, tabs, terminal escapes) or
// direction overrides (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069): what a
// name shown in lists, logs and terminals may hold.
bool IsPlainLine(std::string_view text);

// The number of code points in UTF-8 `text` (continuation bytes are not
// counted); what "characters" means in every length limit.
std::size_t CodePointCount(std::string_view text);

// Whether `text` holds only spaces, tabs and line breaks (or nothing).
bool IsBlank(std::string_view text);

}  // namespace ticketd::domain
