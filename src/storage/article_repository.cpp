#include "storage/article_repository.hpp"

#include "storage/pg_rows.hpp"

namespace ticketd::storage {
namespace {

using domain::Article;

constexpr const char* kColumns = R"sql(
  id::text, title, content, category, array_to_json(tags)::text, created_by_id::text,
  updated_by_id::text,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  version
)sql";

const std::string kInsert = std::string(R"sql(
INSERT INTO knowledge_base_articles (title, content, category, tags, created_by_id, updated_by_id)
VALUES ($1, $2, $3, $4::text[], $5::uuid, $5::uuid)
RETURNING )sql") + kColumns;

const std::string kSelectOne =
    std::string("SELECT ") + kColumns + " FROM knowledge_base_articles WHERE id = $1::uuid";
const std::string kSelectForUpdate = kSelectOne + " FOR UPDATE";

const std::string kUpdate = std::string(R"sql(
UPDATE knowledge_base_articles SET title = $2, content = $3, category = $4, tags = $5::text[],
  updated_by_id = $6::uuid, updated_at = now(), version = version + 1
WHERE id = $1::uuid
RETURNING )sql") + kColumns;

constexpr const char* kDelete = "DELETE FROM knowledge_base_articles WHERE id = $1::uuid";

// $1 the search text (NULL: no search), $2 category, $3 tag.
constexpr const char* kWhere = R"sql(
FROM knowledge_base_articles
WHERE ($1::text IS NULL OR search_vector @@ websearch_to_tsquery('english', $1))
  AND ($2::text IS NULL OR category = $2)
  AND ($3::text IS NULL OR tags @> ARRAY[$3::text])
)sql";

const std::string kCount = std::string("SELECT count(*) ") + kWhere;

const std::string kLatest = std::string("SELECT ") + kColumns + ", NULL::float8, NULL::text " +
                            kWhere + "ORDER BY updated_at DESC, id DESC LIMIT $4 OFFSET $5";

// Rank normalised by log length (1) and to 0..1 (32), so a long article
// does not win by repeating words.
const std::string kSearch = std::string("SELECT ") + kColumns + R"sql(,
  ts_rank_cd(search_vector, websearch_to_tsquery('english', $1), 1 | 32)::float8,
  ts_headline('english', content, websearch_to_tsquery('english', $1),
              'StartSel=«, StopSel=», MaxWords=30, MinWords=10, MaxFragments=2')
)sql" + kWhere + "ORDER BY 11 DESC, updated_at DESC, id DESC LIMIT $4 OFFSET $5";

constexpr const char* kInsertName = "article_insert";
constexpr const char* kSelectOneName = "article_select";
constexpr const char* kSelectForUpdateName = "article_select_for_update";
constexpr const char* kUpdateName = "article_update";
constexpr const char* kDeleteName = "article_delete";
constexpr const char* kCountName = "article_count";
constexpr const char* kLatestName = "article_latest";
constexpr const char* kSearchName = "article_search";

Article FromRow(const pqxx::row& row) {
  Article article;
  article.id = row[0].as<std::string>();
  article.title = row[1].as<std::string>();
  article.content = row[2].as<std::string>();
  if (!row[3].is_null()) article.category = domain::ParseCategory(row[3].c_str());
  article.tags = nlohmann::json::parse(row[4].c_str()).get<std::vector<std::string>>();
  article.created_by_id = OptionalText(row[5]);
  article.updated_by_id = OptionalText(row[6]);
  article.created_at = row[7].as<std::string>();
  article.updated_at = row[8].as<std::string>();
  article.version = row[9].as<std::int64_t>();
  return article;
}

std::optional<std::string> CategoryText(const std::optional<domain::Category>& category) {
  if (!category) return std::nullopt;
  return std::string(domain::ToString(*category));
}

}  // namespace

std::vector<PreparedStatement> ArticleRepository::Statements() {
  return {{kInsertName, kInsert},
          {kSelectOneName, kSelectOne},
          {kSelectForUpdateName, kSelectForUpdate},
          {kUpdateName, kUpdate},
          {kDeleteName, kDelete},
          {kCountName, kCount},
          {kLatestName, kLatest},
          {kSearchName, kSearch}};
}

Article ArticleRepository::Create(const domain::ArticleChanges& changes,
                                  const std::optional<std::string>& author_id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto category = changes.category ? CategoryText(*changes.category) : std::nullopt;
  return FromRow(tx.exec_prepared1(
      kInsertName, changes.title.value_or(""), changes.content.value_or(""), category,
      ArrayLiteral(changes.tags.value_or(std::vector<std::string>{})), author_id));
}

std::optional<Article> ArticleRepository::Find(const std::string& id) {
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  const auto rows = tx.exec_prepared(kSelectOneName, id);
  if (rows.empty()) return std::nullopt;
  return FromRow(rows[0]);
}

ArticlePage ArticleRepository::List(const domain::ArticleQuery& query) {
  const auto category = CategoryText(query.category);
  auto lease = pool_.Acquire();
  pqxx::nontransaction tx(*lease);
  ArticlePage page;
  page.total = tx.exec_prepared1(kCountName, query.text, category, query.tag)[0].as<std::int64_t>();
  if (query.Offset() >= page.total) return page;

  const auto rows = tx.exec_prepared(query.text ? kSearchName : kLatestName, query.text, category,
                                     query.tag, query.size, query.Offset());
  page.items.reserve(rows.size());
  for (const auto& row : rows) {
    ArticleHit hit{FromRow(row), std::nullopt, OptionalText(row[11])};
    if (!row[10].is_null()) hit.rank = row[10].as<double>();
    page.items.push_back(std::move(hit));
  }
  return page;
}

ArticleUpdate ArticleRepository::Update(
    const std::string& id, const domain::ArticleChanges& changes,
    const std::optional<domain::VersionPrecondition>& precondition,
    const std::optional<std::string>& editor_id) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  const auto rows = tx.exec_prepared(kSelectForUpdateName, id);
  if (rows.empty()) return NotFound{};
  Article article = FromRow(rows[0]);
  if (precondition && !precondition->Accepts(article.version)) {
    return VersionMismatch{article.version};
  }
  if (!domain::ApplyArticleChanges(article, changes)) return article;

  const auto row =
      tx.exec_prepared1(kUpdateName, id, article.title, article.content,
                        CategoryText(article.category), ArrayLiteral(article.tags), editor_id);
  tx.commit();
  return FromRow(row);
}

ArticleDelete ArticleRepository::Delete(
    const std::string& id, const std::optional<domain::VersionPrecondition>& precondition) {
  auto lease = pool_.Acquire();
  pqxx::work tx(*lease);
  const auto rows = tx.exec_prepared(kSelectForUpdateName, id);
  if (rows.empty()) return NotFound{};
  const Article article = FromRow(rows[0]);
  if (precondition && !precondition->Accepts(article.version)) {
    return VersionMismatch{article.version};
  }
  tx.exec_prepared0(kDeleteName, id);
  tx.commit();
  return std::monostate{};
}

}  // namespace ticketd::storage
