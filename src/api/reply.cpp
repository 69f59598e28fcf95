#include "api/reply.hpp"

#include "common/config.hpp"
#include "domain/list_query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ticketd::api {

namespace beast_http = http::beast_http;

namespace {

constexpr std::size_t kMaxReason = 160;

// What went wrong, in the parser's words, without its exception prefix
// ("[json.exception.parse_error.101] "), the position (given as a byte
// offset instead) or the echo of the offending input ("; last read: '...'",
// "number overflow parsing '...'"), which could be as long as the body.
std::string ParseReason(std::string what) {
  if (const auto at = what.find("] "); at != std::string::npos) what.erase(0, at + 2);
  if (what.starts_with("parse error at line ")) {
    if (const auto at = what.find(": "); at != std::string::npos) what.erase(0, at + 2);
  }
  for (const std::string_view echo : {"; last read:", " '"}) {
    if (const auto at = what.find(echo); at != std::string::npos) what.erase(at);
  }
  if (what.size() > kMaxReason) what = what.substr(0, kMaxReason) + "...";
  return what;
}

}  // namespace

http::Response Json(const http::RequestContext& context, http::Status status,
                    const nlohmann::json& body) {
  http::Response response{status, context.request.version()};
  response.set(beast_http::field::content_type, "application/json");
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

http::Response Reply(const http::RequestContext& context, const http::Problem& problem) {
  return http::MakeProblemResponse(problem, context.path, context.request_id,
                                   context.request.version());
}

nlohmann::json PageJson(nlohmann::json items, std::int64_t total, int page, int size) {
  const auto info = domain::MakePageInfo(total, page, size);
  return {{"items", std::move(items)}, {"total", info.total}, {"page", info.page},
          {"size", info.size},         {"pages", info.pages}, {"has_next", info.has_next},
          {"has_prev", info.has_prev}};
}

http::Response Text(const http::RequestContext& context, std::string content_type,
                    std::string body) {
  http::Response response{http::Status::ok, context.request.version()};
  response.set(beast_http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

std::variant<JsonBody, http::Problem> ReadJsonBody(const http::RequestContext& context,
                                                   bool allow_merge_patch) {
  std::string_view type = http::ToStd(context.request[beast_http::field::content_type]);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ')
    type.remove_suffix(1);
  std::string lowered(type);
  for (auto& c : lowered)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  JsonBody body;
  if (lowered == "application/merge-patch+json" && allow_merge_patch) {
    body.media_type = BodyMediaType::kMergePatch;
  } else if (lowered != "application/json") {
    const std::string accepted =
        allow_merge_patch ? "application/json or application/merge-patch+json" : "application/json";
    return http::UnsupportedMediaType(
        (lowered.empty() ? std::string("The request has no Content-Type")
                         : "Content-Type " + lowered.substr(0, 100) + " is not accepted") +
        "; send " + accepted + ".");
  }

  try {
    body.value = nlohmann::json::parse(context.request.body());
  } catch (const nlohmann::json::parse_error& error) {
    return http::MalformedJson("The body is not valid JSON (byte " + std::to_string(error.byte) +
                               "): " + ParseReason(error.what()));
  } catch (const nlohmann::json::exception& error) {
    // For example a number beyond the range of a double.
    return http::MalformedJson("The body cannot be read as JSON: " + ParseReason(error.what()));
  }
  return body;
}

std::optional<domain::VersionPrecondition> IfMatch(const http::RequestContext& context) {
  const auto found = context.request.find(beast_http::field::if_match);
  if (found == context.request.end()) return std::nullopt;

  domain::VersionPrecondition precondition;
  std::string_view rest = http::ToStd(found->value());
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view tag = config::Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);

    if (tag == "*") return std::nullopt;
    // Strong comparison: W/ tags never match, and the opaque part must be
    // spelled exactly as we spell versions (so "020" is not "20").
    if (tag.size() < 3 || tag.front() != '"' || tag.back() != '"') continue;
    const auto opaque = tag.substr(1, tag.size() - 2);
    std::int64_t version = 0;
    const auto [ptr, ec] = std::from_chars(opaque.data(), opaque.data() + opaque.size(), version);
    if (ec == std::errc() && ptr == opaque.data() + opaque.size() &&
        std::to_string(version) == opaque) {
      precondition.versions.push_back(version);
    }
  }
  return precondition;
}

std::string PathUuid(const http::RequestContext& context, std::string_view name) {
  std::string id(context.PathParam(name));
  if (!domain::IsUuid(id)) return {};
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

std::string ETagOf(std::int64_t version) {
  std::string tag = std::to_string(version);
  tag.insert(tag.begin(), '"');
  tag.push_back('"');
  return tag;
}

}  // namespace ticketd::api
