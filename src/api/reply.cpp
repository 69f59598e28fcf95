#include "api/reply.hpp"

#include "common/config.hpp"
#include "domain/list_query.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <unordered_set>
#include <vector>

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
  // "...; last read: '<input>'; expected <tokens>": the tokens stay, the
  // input goes (it may hold quotes of its own, so the end is found from the
  // right).
  if (const auto echo = what.find("; last read: '"); echo != std::string::npos) {
    const auto expected = what.rfind("'; expected ");
    what = what.substr(0, echo) +
           (expected != std::string::npos && expected > echo ? what.substr(expected + 1) : "");
  }
  if (const auto echo = what.find(" parsing '"); echo != std::string::npos) {
    what.erase(echo);  // "number overflow parsing '1e999...'"
  }
  if (what.size() > kMaxReason) what = what.substr(0, kMaxReason) + "...";
  return what;
}

// Thrown by the parse callback at a member name its object already has.
struct DuplicateMember {
  std::string name;
};

// Reads JSON as nlohmann::json::parse does, but refuses an object that names
// a member twice: parsers disagree on which one wins, so a proxy or filter
// in front could read another value than ours.
nlohmann::json ParseWithoutDuplicates(std::string_view text) {
  // One set per open object, created empty (no allocation until a key).
  std::vector<std::unordered_set<std::string>> open_objects;
  return nlohmann::json::parse(
      text, [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) {
          open_objects.emplace_back();
        } else if (event == Event::object_end) {
          open_objects.pop_back();
        } else if (event == Event::key && !open_objects.empty()) {
          auto name = parsed.get<std::string>();
          if (!open_objects.back().insert(name).second) {
            throw DuplicateMember{std::move(name)};
          }
        }
        return true;
      });
}

// A member name fit to quote in a problem: short, printable ASCII.
std::string Quotable(std::string_view name) {
  std::string out;
  for (const char c : name.substr(0, 64))
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return name.size() > 64 ? out + "..." : out;
}

// The charset parameter of a Content-Type, lower-case and unquoted; empty
// when there is none.
std::string CharsetOf(std::string_view content_type) {
  std::string lowered(content_type);
  for (auto& c : lowered)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lowered.find("charset=");
  if (at == std::string::npos) return {};
  std::string value = lowered.substr(at + 8);
  value = value.substr(0, value.find(';'));
  std::erase(value, '"');
  std::erase(value, ' ');
  return value;
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

  const std::string_view full_type = http::ToStd(context.request[beast_http::field::content_type]);
  if (const auto charset = CharsetOf(full_type);
      !charset.empty() && charset != "utf-8" && charset != "utf8") {
    return http::UnsupportedMediaType("Content-Type names charset " + Quotable(charset) +
                                      "; JSON bodies are read as UTF-8 only.");
  }

  try {
    body.value = ParseWithoutDuplicates(context.request.body());
  } catch (const DuplicateMember& duplicate) {
    return http::MalformedJson("The body names the member \"" + Quotable(duplicate.name) +
                               "\" twice in one object; send each member once.");
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
