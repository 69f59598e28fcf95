#include "api/knowledge_base_routes.hpp"

#include "api/authentication.hpp"
#include "api/reply.hpp"
#include "domain/access.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;
using nlohmann::json;

constexpr std::string_view kArticlesPath = "/api/v1/knowledge-base/articles/";

http::Problem ArticleNotFound(std::string_view id) {
  return http::NotFound("No knowledge base article with id " + std::string(id) + ".");
}

http::Problem StaleArticle(const storage::VersionMismatch& stale) {
  return http::PreconditionFailed("If-Match does not name the article's current ETag " +
                                  ETagOf(stale.current) + "; read the article again and retry.");
}

http::Response ArticleAnswer(const http::RequestContext& context, http::Status status,
                             const domain::Article& article) {
  auto response = Json(context, status, domain::ToJson(article));
  response.set(beast_http::field::etag, ETagOf(article.version));
  return response;
}

// The author recorded on an article: the signed-in admin, or nobody for a key.
std::optional<std::string> AuthorOf(const http::Principal& principal) {
  if (principal.kind != http::PrincipalKind::kUser) return std::nullopt;
  return principal.id;
}

class KnowledgeBaseRoutes {
 public:
  KnowledgeBaseRoutes(storage::ArticleRepository& articles, AuditTrail& audit,
                      boost::asio::thread_pool& blocking)
      : articles_(articles), audit_(audit), blocking_(blocking) {}

  awaitable<http::Response> List(http::RequestContext& context) {
    domain::ArticleQuery query;
    if (auto errors = domain::DecodeArticleQuery(context.query, query); !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }
    const auto page = co_await Offload(blocking_, [&] { return articles_.List(query); });
    json items = json::array();
    for (const auto& hit : page.items)
      items.push_back(ArticleHitJson(hit));
    co_return Json(context, http::Status::ok,
                   PageJson(std::move(items), page.total, query.page, query.size));
  }

  awaitable<http::Response> Get(http::RequestContext& context) {
    const auto id = PathUuid(context, "article_id");
    if (id.empty()) co_return Reply(context, ArticleNotFound(context.PathParam("article_id")));
    const auto article = co_await Offload(blocking_, [&] { return articles_.Find(id); });
    if (!article) co_return Reply(context, ArticleNotFound(id));
    co_return ArticleAnswer(context, http::Status::ok, *article);
  }

  awaitable<http::Response> Create(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kKnowledgeBaseWrite)) {
      co_return Refuse(context, *refused);
    }
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    domain::ArticleChanges changes;
    if (auto errors = domain::DecodeArticle(std::get<JsonBody>(body).value, true, changes);
        !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }

    const auto author = AuthorOf(context.principal);
    const auto article =
        co_await Offload(blocking_, [&] { return articles_.Create(changes, author); });
    auto event = audit_.EventFor(context, "knowledge_base.article_created", article.id,
                                 {{"title", article.title}});
    co_await audit_.Record(std::move(event));
    auto response = ArticleAnswer(context, http::Status::created, article);
    response.set(beast_http::field::location, std::string(kArticlesPath) + article.id);
    co_return response;
  }

  awaitable<http::Response> Change(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kKnowledgeBaseWrite)) {
      co_return Refuse(context, *refused);
    }
    const auto id = PathUuid(context, "article_id");
    if (id.empty()) co_return Reply(context, ArticleNotFound(context.PathParam("article_id")));
    auto body = ReadJsonBody(context, true);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    domain::ArticleChanges changes;
    if (auto errors = domain::DecodeArticle(std::get<JsonBody>(body).value, false, changes);
        !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }

    const auto precondition = IfMatch(context);
    const auto editor = AuthorOf(context.principal);
    const auto outcome = co_await Offload(
        blocking_, [&] { return articles_.Update(id, changes, precondition, editor); });
    if (std::holds_alternative<storage::NotFound>(outcome)) {
      co_return Reply(context, ArticleNotFound(id));
    }
    if (const auto* stale = std::get_if<storage::VersionMismatch>(&outcome)) {
      co_return Reply(context, StaleArticle(*stale));
    }
    const auto& article = std::get<domain::Article>(outcome);
    auto event = audit_.EventFor(context, "knowledge_base.article_updated", article.id,
                                 {{"version", article.version}});
    co_await audit_.Record(std::move(event));
    co_return ArticleAnswer(context, http::Status::ok, article);
  }

  awaitable<http::Response> Delete(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kKnowledgeBaseWrite)) {
      co_return Refuse(context, *refused);
    }
    const auto id = PathUuid(context, "article_id");
    if (id.empty()) co_return Reply(context, ArticleNotFound(context.PathParam("article_id")));
    const auto precondition = IfMatch(context);
    const auto outcome =
        co_await Offload(blocking_, [&] { return articles_.Delete(id, precondition); });
    if (std::holds_alternative<storage::NotFound>(outcome)) {
      co_return Reply(context, ArticleNotFound(id));
    }
    if (const auto* stale = std::get_if<storage::VersionMismatch>(&outcome)) {
      co_return Reply(context, StaleArticle(*stale));
    }
    auto event = audit_.EventFor(context, "knowledge_base.article_deleted", id);
    co_await audit_.Record(std::move(event));
    co_return http::Response{http::Status::no_content, context.request.version()};
  }

 private:
  storage::ArticleRepository& articles_;
  AuditTrail& audit_;
  boost::asio::thread_pool& blocking_;
};

}  // namespace

json ArticleHitJson(const storage::ArticleHit& hit) {
  auto item = domain::ToJson(hit.article);
  if (hit.rank) item["rank"] = *hit.rank;
  if (hit.snippet) item["snippet"] = *hit.snippet;
  return item;
}

void AddKnowledgeBaseRoutes(http::Router& router, storage::ArticleRepository& articles,
                            AuditTrail& audit, boost::asio::thread_pool& blocking) {
  auto routes = std::make_shared<KnowledgeBaseRoutes>(articles, audit, blocking);
  const auto bind = [routes](auto method) -> http::Handler {
    return [routes, method](http::RequestContext& context) { return ((*routes).*method)(context); };
  };
  constexpr std::string_view kCollection = "/api/v1/knowledge-base/articles";
  constexpr std::string_view kItem = "/api/v1/knowledge-base/articles/{article_id}";
  router.Add(http::Verb::get, kCollection, bind(&KnowledgeBaseRoutes::List));
  router.Add(http::Verb::post, kCollection, bind(&KnowledgeBaseRoutes::Create));
  router.Add(http::Verb::get, kItem, bind(&KnowledgeBaseRoutes::Get));
  router.Add(http::Verb::put, kItem, bind(&KnowledgeBaseRoutes::Change));
  router.Add(http::Verb::patch, kItem, bind(&KnowledgeBaseRoutes::Change));
  router.Add(http::Verb::delete_, kItem, bind(&KnowledgeBaseRoutes::Delete));
}

}  // namespace ticketd::api
