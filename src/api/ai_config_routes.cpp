#include "api/ai_config_routes.hpp"

#include <array>
#include <charconv>

#include "api/authentication.hpp"
#include "api/reply.hpp"
#include "common/log.hpp"
#include "domain/access.hpp"
#include "domain/account_requests.hpp"
#include "domain/list_query.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;
using nlohmann::json;

constexpr std::size_t kMaxComment = 500;

http::Response SnapshotAnswer(const http::RequestContext& context,
                              const AiConfigSnapshot& snapshot) {
  auto response = Json(context, http::Status::ok, snapshot.ToJson());
  response.set(beast_http::field::etag, ETagOf(snapshot.version));
  return response;
}

// The stored version as history lists it; a row that no longer decodes is
// shown as stored, with `valid: false`.
json HistoryItem(const storage::AiConfigVersion& stored) {
  const auto snapshot = SnapshotOf(stored);
  auto item = (snapshot ? *snapshot : RawSnapshotOf(stored)).ToJson();
  item["valid"] = snapshot.has_value();
  return item;
}

storage::AiConfigVersion DraftFrom(const http::Principal& principal, const ai::AiConfig& config,
                                   std::optional<std::string> comment,
                                   std::optional<int> rolled_back_from) {
  storage::AiConfigVersion draft;
  draft.config = ai::ToJson(config);
  draft.author_id = principal.id.empty() ? std::nullopt : std::optional(principal.id);
  draft.author_kind = principal.kind == http::PrincipalKind::kApiKey ? "api_key" : "user";
  draft.comment = std::move(comment);
  draft.rolled_back_from = rolled_back_from;
  return draft;
}

http::Problem StaleConfig(int current) {
  return http::PreconditionFailed("If-Match does not name the configuration's current ETag " +
                                  ETagOf(current) + "; read it again and retry.");
}

class AiConfigRoutes {
 public:
  explicit AiConfigRoutes(AiConfigDeps deps) : deps_(deps) {}

  awaitable<http::Response> Get(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kAiConfigManage)) {
      co_return Refuse(context, *refused);
    }
    co_return SnapshotAnswer(context, *deps_.live.Current());
  }

  awaitable<http::Response> Put(http::RequestContext& context) {
    if (auto refused = RequireAccount(context, domain::Action::kAiConfigManage)) {
      co_return Refuse(context, *refused);
    }
    auto body = ReadJsonBody(context, false);
    if (auto* problem = std::get_if<http::Problem>(&body)) co_return Reply(context, *problem);
    ai::AiConfig config;
    std::optional<std::string> comment;
    if (auto errors = DecodeAiConfigChange(std::get<JsonBody>(body).value, config, comment);
        !errors.empty()) {
      co_return Reply(context, http::ValidationFailed(std::move(errors)));
    }
    co_return co_await Store(context, DraftFrom(context.principal, config, std::move(comment), {}),
                             "ai_config.changed");
  }

  awaitable<http::Response> History(http::RequestContext& context) {
    if (auto refused = Require(context, domain::Action::kAiConfigManage)) {
      co_return Refuse(context, *refused);
    }
    int page = 1;
    int size = 20;
    domain::FieldErrors errors;
    domain::DecodePaging(context.query, page, size, errors);
    if (!errors.empty()) co_return Reply(context, http::ValidationFailed(std::move(errors)));
    const auto stored =
        co_await Offload(deps_.blocking, [&] { return deps_.versions.History(page, size); });
    json items = json::array();
    for (const auto& version : stored.items)
      items.push_back(HistoryItem(version));
    auto answer = PageJson(std::move(items), stored.total, page, size);
    answer["current_version"] = deps_.live.Current()->version;
    co_return Json(context, http::Status::ok, answer);
  }

  awaitable<http::Response> Rollback(http::RequestContext& context) {
    if (auto refused = RequireAccount(context, domain::Action::kAiConfigManage)) {
      co_return Refuse(context, *refused);
    }
    const auto text = context.PathParam("version");
    int target = -1;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), target);
    if (error != std::errc() || end != text.data() + text.size() || target < 0) {
      co_return Reply(context, http::NotFound("No AI configuration version " + std::string(text) +
                                              "; versions are whole numbers from 0."));
    }
    std::optional<ai::AiConfig> config;
    if (target == 0) {
      config = deps_.live.Defaults().config;
    } else {
      const auto stored =
          co_await Offload(deps_.blocking, [&] { return deps_.versions.Find(target); });
      if (!stored) {
        co_return Reply(
            context, http::NotFound("No AI configuration version " + std::to_string(target) + "."));
      }
      auto snapshot = SnapshotOf(*stored);
      if (!snapshot) {
        co_return Reply(context,
                        http::ValidationFailed({{"version", "version " + std::to_string(target) +
                                                                " no longer validates"}}));
      }
      config = std::move(snapshot->config);
    }
    auto comment = "rollback to version " + std::to_string(target);
    co_return co_await Store(context, DraftFrom(context.principal, *config, comment, target),
                             "ai_config.rolled_back");
  }

 private:
  // Appends `draft` (honouring If-Match), makes this process use it at once
  // and records `event`.
  awaitable<http::Response> Store(http::RequestContext& context, storage::AiConfigVersion draft,
                                  std::string event_name) {
    const auto precondition = IfMatch(context);
    const auto outcome = co_await Offload(
        deps_.blocking, [&] { return deps_.versions.Append(draft, precondition); });
    if (const auto* stale = std::get_if<storage::VersionMismatch>(&outcome)) {
      co_return Reply(context, StaleConfig(static_cast<int>(stale->current)));
    }
    const auto& stored = std::get<storage::AiConfigVersion>(outcome);
    try {
      co_await Offload(deps_.blocking, [&] { return deps_.live.Refresh(); });
    } catch (const std::exception& error) {  // stored; the poller picks it up
      log::Warn("ai_config", "stored a version but could not reload it yet",
                {{"version", stored.version}, {"error", error.what()}});
    }
    json detail = {{"version", stored.version}};
    if (stored.rolled_back_from) detail["rolled_back_from"] = *stored.rolled_back_from;
    auto event = deps_.audit.EventFor(context, std::move(event_name),
                                      "ai_config:" + std::to_string(stored.version), detail);
    co_await deps_.audit.Record(std::move(event));
    auto snapshot = SnapshotOf(stored);
    co_return SnapshotAnswer(context, *snapshot);
  }

  AiConfigDeps deps_;
};

}  // namespace

domain::FieldErrors DecodeAiConfigChange(const json& body, ai::AiConfig& config,
                                         std::optional<std::string>& comment) {
  domain::FieldErrors errors;
  static constexpr std::array<std::string_view, 2> kKnown = {"config", "comment"};
  if (!domain::CheckMembers(body, kKnown, errors)) return errors;
  if (const auto found = body.find("comment"); found != body.end() && !found->is_null()) {
    comment = domain::DecodeText(*found, "comment", kMaxComment, errors);
  }
  const auto found = body.find("config");
  if (found == body.end()) {
    errors.push_back({"config", "is required"});
    return errors;
  }
  if (!found->is_object()) {
    errors.push_back({"config", "must be an object"});
    return errors;
  }
  auto decoded = ai::DecodeAiConfig(*found);
  if (auto* invalid = std::get_if<domain::FieldErrors>(&decoded)) {
    for (auto& error : *invalid) {
      const bool bracket = !error.path.empty() && error.path.front() == '[';
      errors.push_back({error.path.empty() ? "config"
                        : bracket          ? "config" + error.path
                                           : "config." + error.path,
                        std::move(error.reason)});
    }
    return errors;
  }
  if (errors.empty()) config = std::get<ai::AiConfig>(std::move(decoded));
  return errors;
}

void AddAiConfigRoutes(http::Router& router, AiConfigDeps deps) {
  auto routes = std::make_shared<AiConfigRoutes>(deps);
  const auto bind = [routes](auto method) -> http::Handler {
    return [routes, method](http::RequestContext& context) { return ((*routes).*method)(context); };
  };
  router.Add(http::Verb::get, "/api/v1/ai/config", bind(&AiConfigRoutes::Get));
  router.Add(http::Verb::put, "/api/v1/ai/config", bind(&AiConfigRoutes::Put));
  router.Add(http::Verb::get, "/api/v1/ai/config/history", bind(&AiConfigRoutes::History));
  router.Add(http::Verb::post, "/api/v1/ai/config/rollback/{version}",
             bind(&AiConfigRoutes::Rollback));
}

}  // namespace ticketd::api
