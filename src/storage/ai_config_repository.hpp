// Versions of the live AI configuration in PostgreSQL (issue #4). The
// configuration itself is an opaque JSON document here; ai::DecodeAiConfig
// validates it before it is stored and after it is read. Rows are only
// appended. Thread-safe: every call leases its own connection; database
// failures surface as pqxx exceptions or PoolTimeout.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/ticket.hpp"
#include "storage/pg_pool.hpp"
#include "storage/ticket_repository.hpp"

namespace ticketd::storage {

struct AiConfigVersion {
  int version = 0;  // from 1; 0 stands for the defaults file and is never stored
  nlohmann::json config = nlohmann::json::object();
  std::optional<std::string> author_id;
  std::string author_kind = "system";  // user, api_key or system
  std::optional<std::string> comment;
  std::optional<int> rolled_back_from;  // the version this one copies
  std::string created_at;
};

struct AiConfigPage {
  std::vector<AiConfigVersion> items;
  std::int64_t total = 0;
};

class AiConfigRepository {
 public:
  explicit AiConfigRepository(PgPool& pool) : pool_(pool) {}

  static std::vector<PreparedStatement> Statements();

  // The highest stored version number, 0 when none is stored: the cheap
  // question every process asks to notice a change.
  int LatestNumber();

  std::optional<AiConfigVersion> Latest();
  std::optional<AiConfigVersion> Find(int version);

  // Newest first.
  AiConfigPage History(int page, int size);

  // Stores `draft` (its version and created_at are ignored) as the version
  // after the highest one. Appends are serialised; when `precondition` is
  // given and does not name the current highest version (0 when none is
  // stored), nothing is stored and the current number is returned.
  std::variant<AiConfigVersion, VersionMismatch> Append(
      const AiConfigVersion& draft, const std::optional<domain::VersionPrecondition>& precondition);

 private:
  PgPool& pool_;
};

}  // namespace ticketd::storage
