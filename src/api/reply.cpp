#include "api/reply.hpp"

#include <charconv>

namespace ticketd::api {

namespace beast_http = http::beast_http;

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
    return http::UnsupportedMediaType((lowered.empty()
                                           ? std::string("The request has no Content-Type")
                                           : "Content-Type " + lowered + " is not accepted") +
                                      "; send " + accepted + ".");
  }

  try {
    body.value = nlohmann::json::parse(context.request.body());
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann's message is "[json.exception.parse_error.101] parse error at ...".
    std::string what = error.what();
    if (const auto at = what.find("] "); at != std::string::npos)
      what = what.substr(at + 2);
    return http::MalformedJson("The body is not valid JSON (byte " + std::to_string(error.byte) +
                               "): " + what);
  }
  return body;
}

std::optional<std::int64_t> ExpectedVersion(const http::RequestContext& context) {
  const auto found = context.request.find(beast_http::field::if_match);
  if (found == context.request.end())
    return std::nullopt;
  std::string_view value = http::ToStd(found->value());
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  if (value == "*")
    return std::nullopt;
  if (value.size() < 3 || value.front() != '"' || value.back() != '"')
    return -1;
  std::int64_t version = -1;
  const auto digits = value.substr(1, value.size() - 2);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc() || ptr != digits.data() + digits.size())
    return -1;
  return version;
}

std::string ETagOf(std::int64_t version) {
  std::string tag = std::to_string(version);
  tag.insert(tag.begin(), '"');
  tag.push_back('"');
  return tag;
}

}  // namespace ticketd::api
