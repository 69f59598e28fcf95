// Fuzzes the JSON bodies outside the ticket contract (ticket_json_fuzzer has
// those): registration and sign-in, one's own profile, account access, API
// keys, knowledge base articles, the ai-create and categorize body, and the
// AI configuration an admin stores. Every decoder sees every document, since
// a handler gets whatever a client sends to its route. What decodes cleanly
// goes on as the handler takes it: an article is applied and encoded, a new
// password is checked for strength, and an AI configuration must survive its
// own round trip, because processes reload stored versions through
// DecodeAiConfig(ToJson(config)).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ai/ai_config.hpp"
#include "api/ai_config_routes.hpp"
#include "api/ai_routes.hpp"
#include "api/auth_routes.hpp"
#include "domain/access.hpp"
#include "domain/account_requests.hpp"
#include "domain/article.hpp"

namespace {

namespace ai = ticketd::ai;
namespace api = ticketd::api;
namespace domain = ticketd::domain;

// The server's default, and a small one so that the length check is reached
// by short inputs too.
constexpr std::size_t kMaxInputChars = 50'000;
constexpr std::size_t kSmallMaxInputChars = 16;

// As PUT /me checks a new password: against the account's own address.
constexpr std::string_view kAccountEmail = "ana@example.com";

void DecodeAccountBodies(const nlohmann::json& body) {
  api::Registration registration;
  (void)api::DecodeRegistration(body, registration);
  api::SignIn sign_in;
  (void)api::DecodeSignIn(body, sign_in);

  domain::ProfileChange profile;
  if (domain::DecodeProfileChange(body, profile).empty() && profile.password)
    (void)domain::CheckPassword(*profile.password, kAccountEmail);

  domain::AccessChange access;
  (void)domain::DecodeAccessChange(body, access);
  domain::ApiKeyRequest key;
  (void)domain::DecodeApiKeyRequest(body, key);
}

// Encoding answers with dump(), which throws on invalid UTF-8 that the
// decoder should have refused.
void DecodeArticle(const nlohmann::json& body, bool create) {
  domain::ArticleChanges changes;
  if (!domain::DecodeArticle(body, create, changes).empty()) return;

  domain::Article article{.title = "Reset a password", .content = "Open the account page."};
  (void)domain::ApplyArticleChanges(article, changes);
  (void)domain::ToJson(article).dump();
}

void DecodeAiRequest(const nlohmann::json& body, std::size_t max_chars) {
  api::AiCreateRequest request;
  (void)api::DecodeAiCreateRequest(body, max_chars, request);
}

// A configuration that does not read back as itself would be stored as one
// thing and run as another (or refused) by every process that reloads it.
void CheckRoundTrip(const ai::AiConfig& config) {
  const auto document = ai::ToJson(config);
  (void)document.dump();
  const auto again = ai::DecodeAiConfig(document);
  if (!std::holds_alternative<ai::AiConfig>(again) || std::get<ai::AiConfig>(again) != config)
    std::abort();
}

void DecodeAiConfigBodies(const nlohmann::json& body) {
  ai::AiConfig config;
  std::optional<std::string> comment;
  if (api::DecodeAiConfigChange(body, config, comment).empty()) CheckRoundTrip(config);

  // The configuration alone, as rows of ai_config_versions are read.
  const auto decoded = ai::DecodeAiConfig(body);
  if (const auto* valid = std::get_if<ai::AiConfig>(&decoded)) CheckRoundTrip(*valid);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;

  DecodeAccountBodies(body);
  DecodeArticle(body, /*create=*/true);
  DecodeArticle(body, /*create=*/false);
  DecodeAiRequest(body, kMaxInputChars);
  DecodeAiRequest(body, kSmallMaxInputChars);
  DecodeAiConfigBodies(body);
  return 0;
}
