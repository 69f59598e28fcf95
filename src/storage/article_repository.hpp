// Knowledge base articles in PostgreSQL (issue #4), with ranked full-text
// search. Expected outcomes (not found, stale version) are values; database
// failures surface as pqxx exceptions or PoolTimeout. Thread-safe: every
// call leases its own connection.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/article.hpp"
#include "storage/pg_pool.hpp"
#include "storage/ticket_repository.hpp"

namespace ticketd::storage {

struct ArticleHit {
  domain::Article article;
  std::optional<double> rank;          // set when the query searched text
  std::optional<std::string> snippet;  // matching words marked with « »
};

struct ArticlePage {
  std::vector<ArticleHit> items;
  std::int64_t total = 0;
};

using ArticleUpdate = std::variant<domain::Article, NotFound, VersionMismatch>;
using ArticleDelete = std::variant<std::monostate, NotFound, VersionMismatch>;

class ArticleRepository {
 public:
  explicit ArticleRepository(PgPool& pool) : pool_(pool) {}

  static std::vector<PreparedStatement> Statements();

  // Stores a new article from decoded create changes (title and content
  // set); `author_id` is the admin who wrote it.
  domain::Article Create(const domain::ArticleChanges& changes,
                         const std::optional<std::string>& author_id);

  std::optional<domain::Article> Find(const std::string& id);

  // One page: with `text`, the matches ranked best first (title weighs
  // most, then tags, then content); without it, the latest updated first.
  ArticlePage List(const domain::ArticleQuery& query);

  // Applies `changes` under a row lock; a change that changes nothing keeps
  // the version. `precondition` is If-Match.
  ArticleUpdate Update(const std::string& id, const domain::ArticleChanges& changes,
                       const std::optional<domain::VersionPrecondition>& precondition,
                       const std::optional<std::string>& editor_id);

  ArticleDelete Delete(const std::string& id,
                       const std::optional<domain::VersionPrecondition>& precondition);

 private:
  PgPool& pool_;
};

}  // namespace ticketd::storage
