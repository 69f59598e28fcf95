// Small helpers for reading PostgreSQL rows, shared by the repositories.
#pragma once

#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace ticketd::storage {

// The field's text, or std::nullopt for SQL NULL.
inline std::optional<std::string> OptionalText(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

}  // namespace ticketd::storage
