// Small helpers for reading PostgreSQL rows, shared by the repositories.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace ticketd::storage {

// The field's text, or std::nullopt for SQL NULL.
inline std::optional<std::string> OptionalText(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

// A bytea parameter in PostgreSQL's hex input form: a backslash, "x", then
// two hex digits per byte.
inline std::string ByteaParam(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (const char c : bytes) {
    out += kDigits[static_cast<unsigned char>(c) >> 4];
    out += kDigits[static_cast<unsigned char>(c) & 0xF];
  }
  return out;
}

// A PostgreSQL text[] literal of `values`: every element quoted and escaped,
// since tags may hold any text.
inline std::string ArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace ticketd::storage
