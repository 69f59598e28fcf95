#include "storage/api_statements.hpp"

#include "storage/ai_config_repository.hpp"
#include "storage/api_key_repository.hpp"
#include "storage/article_repository.hpp"
#include "storage/audit_repository.hpp"
#include "storage/refresh_token_repository.hpp"
#include "storage/ticket_repository.hpp"
#include "storage/user_repository.hpp"

namespace ticketd::storage {

std::vector<PreparedStatement> ApiStatements() {
  auto statements = TicketRepository::Statements();
  for (auto list : {UserRepository::Statements(), RefreshTokenRepository::Statements(),
                    ApiKeyRepository::Statements(), AuditRepository::Statements(),
                    ArticleRepository::Statements(), AiConfigRepository::Statements()}) {
    statements.insert(statements.end(), list.begin(), list.end());
  }
  return statements;
}

}  // namespace ticketd::storage
