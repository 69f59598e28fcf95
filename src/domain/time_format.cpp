#include "domain/time_format.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace ticketd::domain {
namespace {

bool Digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool IsLeap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// `value` with leading zeros to `width` digits, as dates write it.
std::string Padded(int value, int width) {
  std::string digits = std::to_string(value);
  if (digits.size() < static_cast<std::size_t>(width)) digits.insert(0, width - digits.size(), '0');
  return digits;
}

int DaysIn(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

}  // namespace

std::string FormatUtc(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto micros = duration_cast<microseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  long fraction = static_cast<long>(micros % 1'000'000);
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                fraction);
  return buffer;
}

std::optional<std::string> Rfc3339Problem(std::string_view text) {
  int year, month, day;
  if (!Digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' ||
      !Digits(text, 5, 2, month) || text[7] != '-' || !Digits(text, 8, 2, day)) {
    return "does not start with a date written YYYY-MM-DD";
  }
  // Year 0 does not exist for PostgreSQL.
  if (year < 1) return "has year 0000, which does not exist (years run from 0001 to 9999)";
  if (month < 1 || month > 12) return "has month " + Padded(month, 2) + ", which does not exist";
  if (day < 1 || day > DaysIn(year, month)) {
    return "has day " + Padded(day, 2) + ", which does not exist in " + Padded(year, 4) + "-" +
           Padded(month, 2) + " (it has " + std::to_string(DaysIn(year, month)) + " days)";
  }

  if (text.size() == 10) return "is a date without a time and a zone";
  if (text[10] == ' ') return "separates the date and the time with a space instead of T";
  if (text[10] != 'T' && text[10] != 't') return "has no T between the date and the time";
  int hour, minute, second;
  if (!Digits(text, 11, 2, hour) || text.size() < 19 || text[13] != ':' ||
      !Digits(text, 14, 2, minute) || text[16] != ':' || !Digits(text, 17, 2, second)) {
    return "has no time written hh:mm:ss after the T";
  }
  if (hour > 23) return "has hour " + Padded(hour, 2) + ", which does not exist (00 to 23)";
  if (minute > 59) return "has minute " + Padded(minute, 2) + ", which does not exist (00 to 59)";
  if (second > 60) return "has second " + Padded(second, 2) + ", which does not exist (00 to 60)";

  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    const std::size_t start = ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])))
      ++at;
    if (at == start) return "has a '.' without fraction digits after it";
    // Nanoseconds at most: PostgreSQL refuses much longer fractions.
    if (at - start > 9) return "has more than 9 fraction digits";
  }
  if (at >= text.size() ||
      (text[at] != 'Z' && text[at] != 'z' && text[at] != '+' && text[at] != '-')) {
    return "has no zone after the time (Z, or an offset such as +02:00)";
  }
  int offset_s = 0;
  if (text[at] == 'Z' || text[at] == 'z') {
    if (at + 1 != text.size()) return "goes on after its zone Z";
  } else {
    int offset_hour, offset_minute;
    if (at + 6 != text.size() || !Digits(text, at + 1, 2, offset_hour) || text[at + 3] != ':' ||
        !Digits(text, at + 4, 2, offset_minute)) {
      return "has an offset not written +hh:mm or -hh:mm";
    }
    if (offset_minute > 59) {
      return "has offset minute " + Padded(offset_minute, 2) + ", which does not exist (00 to 59)";
    }
    // PostgreSQL refuses offsets beyond 15:59.
    if (offset_hour > 15) {
      return "has the offset " + std::string(1, text[at]) + Padded(offset_hour, 2) + ":" +
             Padded(offset_minute, 2) + ", beyond the largest accepted, +15:59 or -15:59";
    }
    offset_s = (text[at] == '-' ? -1 : 1) * (offset_hour * 3600 + offset_minute * 60);
  }

  // The instant in UTC must stay within years 1 to 9999, as it is stored and
  // written back: "0001-01-01T00:00:00+01:00" would be in year 0. The last
  // second of 9999 is refused too: a leap second or PostgreSQL's rounding to
  // microseconds would carry it into year 10000.
  const int utc_s = hour * 3600 + minute * 60 + second - offset_s;
  if (year == 1 && month == 1 && day == 1 && utc_s < 0) {
    return "is in year 0000 once moved to UTC, before the earliest accepted instant, "
           "0001-01-01T00:00:00Z";
  }
  if (year == 9999 && month == 12 && day == 31 && utc_s >= 24 * 3600 - 1) {
    return "is 9999-12-31T23:59:59Z or later once moved to UTC; the last second of 9999 is not "
           "accepted";
  }
  return std::nullopt;
}

bool IsRfc3339(std::string_view text) {
  return !Rfc3339Problem(text);
}

std::string Rfc3339Reason(std::string_view problem) {
  return std::string(problem) +
         "; expected an RFC 3339 date-time with a zone, such as 2026-12-31T17:00:00Z";
}

std::size_t CodePointCount(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

namespace {

// Calls `visit` with each code point of UTF-8 `text`; false when `text` is
// not well-formed UTF-8 (or `visit` answered false).
template <typename Visit>
bool ForEachCodePoint(std::string_view text, Visit visit) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (byte < 0x80) {
      length = 1;
      code = byte;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      code = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      code = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      code = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t j = 1; j < length; ++j) {
      const auto next = static_cast<unsigned char>(text[i + j]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    if (!visit(code)) return false;
    i += length;
  }
  return true;
}

}  // namespace

bool IsStorableText(std::string_view text) {
  return ForEachCodePoint(text, [](std::uint32_t code) { return code != 0; });
}

bool IsPlainLine(std::string_view text) {
  return ForEachCodePoint(text, [](std::uint32_t code) {
    const bool control = code < 0x20 || (code >= 0x7F && code <= 0x9F);
    const bool bidi = code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
                      (code >= 0x2066 && code <= 0x2069);
    return !control && !bidi;
  });
}

}  // namespace ticketd::domain
