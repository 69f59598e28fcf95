#include "http/router.hpp"

namespace ticketd::http {
namespace {

// Why a request that parsed as HTTP cannot be served, or std::nullopt.
std::optional<std::string> RefuseTarget(const Request& request, bool escapes_ok) {
  if (auto problem = HeadProblem(request)) return problem;
  if (!escapes_ok) return "The request target has a malformed %-escape.";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> HeadProblem(const Request& request) {
  const std::string_view target = ToStd(request.target());
  if (target.empty() || target.front() != '/') {
    return "The request target must be a path such as /api/v1/tickets (origin form).";
  }
  if (request.version() >= 11 && request.find(beast_http::field::host) == request.end()) {
    return "An HTTP/1.1 request must carry a Host header.";
  }
  return std::nullopt;
}

Routed RouteRequest(const Router& router, RequestContext& context) {
  const Request& request = context.request;
  const std::string_view target = ToStd(request.target());
  const auto question = target.find('?');
  bool query_ok = true;
  if (question != std::string_view::npos) {
    context.query = ParseQuery(target.substr(question + 1), query_ok);
  }
  const bool path_ok = PercentDecode(target.substr(0, question), context.path, false);
  if (auto refused = RefuseTarget(request, path_ok && query_ok)) {
    context.path.clear();
    return {nullptr, BadRequest(std::move(*refused)), {}};
  }

  // HEAD is GET without the body (RFC 9110, 9.3.2).
  const Verb method = request.method() == Verb::head ? Verb::get : request.method();
  auto found = router.Find(method, context.path);
  if (auto* match = std::get_if<Router::Match>(&found)) {
    context.route = match->route;
    context.path_params = std::move(match->params);
    return {match->handler, std::nullopt, {}};
  }
  if (auto* refused = std::get_if<Router::MethodNotAllowed>(&found)) {
    context.route = refused->route;
    return {nullptr,
            MethodNotAllowed(std::string(ToStd(request.method_string())) + " is not allowed on " +
                             context.path + "; allowed: " + refused->allow + "."),
            refused->allow};
  }
  return {nullptr, NotFound("Nothing is served at " + context.path + "."), {}};
}

std::string RequestPath(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return segments;
}

bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int high = hex(in[i + 1]);
      const int low = hex(in[i + 2]);
      if (high < 0 || low < 0) return false;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += in[i];
    }
  }
  return true;
}

domain::QueryParams ParseQuery(std::string_view query, bool& ok) {
  ok = true;
  domain::QueryParams params;
  std::string name;
  std::string value;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    if (!pair.empty()) {
      const auto equals = pair.find('=');
      const auto raw_value =
          equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
      if (PercentDecode(pair.substr(0, equals), name, true) &&
          PercentDecode(raw_value, value, true)) {
        params.emplace(name, value);
      } else {
        ok = false;
      }
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

void Router::Add(Verb method, std::string_view pattern, Handler handler) {
  Route route{method, std::string(pattern), {}, 0, std::move(handler)};
  for (const auto segment : SplitPath(pattern)) {
    route.segments.emplace_back(segment);
    if (segment.empty() || segment.front() != '{') ++route.literals;
  }
  routes_.push_back(std::move(route));
}

std::variant<Router::Match, Router::MethodNotAllowed, Router::NoRoute> Router::Find(
    Verb method, std::string_view path) const {
  const auto segments = SplitPath(path);
  const Route* best = nullptr;
  std::string allow;
  const Route* best_any = nullptr;

  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      const auto& pattern = route.segments[i];
      const bool parameter = !pattern.empty() && pattern.front() == '{';
      matches = parameter ? !segments[i].empty() : pattern == segments[i];
    }
    if (!matches) continue;
    // Among templates that match, the one with the most literal segments wins.
    if (best_any != nullptr && route.literals < best_any->literals) continue;
    if (best_any == nullptr || route.literals > best_any->literals) {
      best_any = &route;
      best = nullptr;
      allow.clear();
    }
    if (!allow.empty()) allow += ", ";
    allow += std::string(ToStd(beast_http::to_string(route.method)));
    if (route.method == Verb::get) allow += ", HEAD";
    if (route.method == method) best = &route;
  }

  if (best_any == nullptr) return NoRoute{};
  if (best == nullptr) return MethodNotAllowed{std::move(allow), best_any->pattern};

  Match match{&best->handler, best->pattern, {}};
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& pattern = best->segments[i];
    if (!pattern.empty() && pattern.front() == '{') {
      match.params.emplace_back(pattern.substr(1, pattern.size() - 2), std::string(segments[i]));
    }
  }
  return match;
}

}  // namespace ticketd::http
