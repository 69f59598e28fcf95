// Files compiled into the binary (see cmake/embed_files.cmake): openapi.yaml
// and migrations/*.sql, named by their path relative to the repository.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace ticketd::embedded {

std::span<const std::pair<std::string_view, std::string_view>> All();

// The contents of `name`, or std::nullopt when no such file was embedded.
inline std::optional<std::string_view> Find(std::string_view name) {
  for (const auto& [path, contents] : All()) {
    if (path == name) return contents;
  }
  return std::nullopt;
}

}  // namespace ticketd::embedded
