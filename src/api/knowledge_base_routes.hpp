// The knowledge base under /api/v1/knowledge-base/articles (issue #4):
// every authenticated caller reads and searches; writing needs
// knowledge_base:write (admins). Changes go to the audit trail.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "api/audit_trail.hpp"
#include "http/router.hpp"
#include "storage/article_repository.hpp"

namespace ticketd::api {

// Registers the routes. `articles`, `audit` and `blocking` must outlive the
// router; database work runs on `blocking`.
void AddKnowledgeBaseRoutes(http::Router& router, storage::ArticleRepository& articles,
                            AuditTrail& audit, boost::asio::thread_pool& blocking);

// An article as lists and the agent's search tool show it: the article
// plus, for a search, its `rank` (0..1) and a `snippet` of matching words.
nlohmann::json ArticleHitJson(const storage::ArticleHit& hit);

}  // namespace ticketd::api
