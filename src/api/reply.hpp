// Small helpers shared by the route handlers: JSON answers, problem answers,
// reading JSON bodies, If-Match, and running blocking work off the I/O threads.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "domain/ticket.hpp"
#include "http/problem.hpp"
#include "http/types.hpp"

namespace ticketd::api {

http::Response Json(const http::RequestContext& context, http::Status status,
                    const nlohmann::json& body);

http::Response Reply(const http::RequestContext& context, const http::Problem& problem);

// A page of a list, as every list answers it: {items, total, page, size,
// pages, has_next, has_prev}. `items` is a JSON array of this page's items.
nlohmann::json PageJson(nlohmann::json items, std::int64_t total, int page, int size);

// Plain text or HTML answers with a given content type.
http::Response Text(const http::RequestContext& context, std::string content_type,
                    std::string body);

enum class BodyMediaType { kJson, kMergePatch };

struct JsonBody {
  nlohmann::json value;
  BodyMediaType media_type = BodyMediaType::kJson;
};

// Reads the request body as JSON. Answers 415 for a media type other than
// application/json (or application/merge-patch+json when `allow_merge_patch`)
// and 400, with the byte position, for malformed JSON.
std::variant<JsonBody, http::Problem> ReadJsonBody(const http::RequestContext& context,
                                                   bool allow_merge_patch);

// The If-Match precondition (RFC 9110, 13.1.1): std::nullopt when the
// header is absent or "*"; otherwise the versions its strong entity tags
// name. Weak tags and tags that are not ours match nothing.
std::optional<domain::VersionPrecondition> IfMatch(const http::RequestContext& context);

std::string ETagOf(std::int64_t version);

// The path parameter `name` as PostgreSQL prints UUIDs (lower case), or ""
// when it is not a UUID: such ids name nothing and answer 404.
std::string PathUuid(const http::RequestContext& context, std::string_view name);

// Runs `work` on `pool` (database calls block) and resumes the caller on its
// own executor with the result; exceptions travel back to the caller.
template <typename Work>
boost::asio::awaitable<std::invoke_result_t<Work&>> Offload(boost::asio::thread_pool& pool,
                                                            Work work) {
  using Result = std::invoke_result_t<Work&>;
  co_return co_await boost::asio::co_spawn(
      pool.get_executor(),
      [work = std::move(work)]() mutable -> boost::asio::awaitable<Result> { co_return work(); },
      boost::asio::use_awaitable);
}

}  // namespace ticketd::api
