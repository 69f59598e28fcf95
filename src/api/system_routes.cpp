#include "api/system_routes.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "api/reply.hpp"
#include "common/build_info.hpp"
#include "common/embedded_files.hpp"
#include "common/log.hpp"
#include "common/yaml_json.hpp"

namespace ticketd::api {
namespace {

namespace beast_http = http::beast_http;
using boost::asio::awaitable;
using nlohmann::json;

struct Asset {
  std::string content_type;
  std::string body;
};

// Documentation assets: URL path -> (package-relative file, content type).
constexpr std::tuple<std::string_view, std::string_view, std::string_view> kAssets[] = {
    {"/docs/assets/swagger-ui.css", "swagger-ui-dist/swagger-ui.css", "text/css"},
    {"/docs/assets/swagger-ui-bundle.js", "swagger-ui-dist/swagger-ui-bundle.js",
     "text/javascript"},
    {"/docs/assets/swagger-ui-standalone-preset.js",
     "swagger-ui-dist/swagger-ui-standalone-preset.js", "text/javascript"},
    {"/docs/assets/favicon-32x32.png", "swagger-ui-dist/favicon-32x32.png", "image/png"},
    {"/redoc/assets/redoc.standalone.js", "redoc/bundles/redoc.standalone.js", "text/javascript"},
};

constexpr std::string_view kSwaggerInit = R"js(window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    validatorUrl: null
  });
});
)js";

constexpr std::string_view kSwaggerPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>AI Ticket Creator API</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/assets/swagger-init.js"></script>
</body>
</html>
)html";

constexpr std::string_view kRedocPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>AI Ticket Creator API reference</title>
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="/redoc/assets/redoc.standalone.js"></script>
</body>
</html>
)html";

constexpr std::string_view kLandingPage = R"html(<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>AI Ticket Creator</title></head>
<body>
  <h1>AI Ticket Creator API</h1>
  <ul>
    <li><a href="/docs">Interactive documentation (Swagger UI)</a></li>
    <li><a href="/redoc">API reference (ReDoc)</a></li>
    <li><a href="/openapi.json">OpenAPI document (JSON)</a> and <a href="/openapi.yaml">(YAML)</a></li>
    <li><a href="/health">Health</a>, <a href="/health/ready">readiness</a>, <a href="/version">version</a>, <a href="/metrics">metrics</a></li>
    <li><a href="/api/v1/tickets">Tickets</a></li>
  </ul>
</body>
</html>
)html";

// ReDoc's bundle shows a logo from Redocly's CDN; the page must not reach
// out, so the address becomes an empty image (the bundle hides it on error).
std::string WithoutCdn(std::string contents) {
  constexpr std::string_view kLogo = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  for (auto at = contents.find(kLogo); at != std::string::npos; at = contents.find(kLogo, at)) {
    contents.replace(at, kLogo.size(), "data:,");
  }
  return contents;
}

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

http::Response Cached(const http::RequestContext& context, const Asset& asset) {
  auto response = Text(context, asset.content_type, asset.body);
  response.set(beast_http::field::cache_control, "public, max-age=3600");
  return response;
}

std::string_view State(const CheckResult& check) {
  return check.ok ? "healthy" : "unhealthy";
}

json CheckJson(const CheckResult& check) {
  json out = {{"status", check.ok ? "ok" : "fail"}};
  if (!check.ok && !check.detail.empty()) out["detail"] = check.detail;
  if (check.latency_ms) out["latency_ms"] = *check.latency_ms;
  return out;
}

}  // namespace

json OpenApiAsJson() {
  const auto yaml = embedded::Find("openapi.yaml");
  if (!yaml) throw std::logic_error("openapi.yaml is not embedded in this build");
  return common::YamlToJson(YAML::Load(std::string(*yaml)));
}

void AddSystemRoutes(http::Router& router, SystemDependencies dependencies) {
  auto deps = std::make_shared<SystemDependencies>(std::move(dependencies));

  // Documents are built once; handlers only copy them out.
  auto openapi_json = std::make_shared<Asset>(Asset{"application/json", OpenApiAsJson().dump()});
  auto openapi_yaml = std::make_shared<Asset>(
      Asset{"application/yaml", std::string(embedded::Find("openapi.yaml").value_or(""))});

  auto assets = std::make_shared<std::map<std::string, Asset, std::less<>>>();
  const std::filesystem::path root = deps->config.docs_assets_dir.empty()
                                         ? std::filesystem::path(TICKETD_DEFAULT_DOCS_DIR)
                                         : std::filesystem::path(deps->config.docs_assets_dir);
  for (const auto& [url, file, type] : kAssets) {
    if (auto contents = ReadFile(root / file)) {
      (*assets)[std::string(url)] = {std::string(type), WithoutCdn(std::move(*contents))};
    }
  }
  const bool docs_ready = assets->size() == std::size(kAssets);
  if (!docs_ready) {
    log::Warn("docs", "documentation assets missing; /docs and /redoc answer 503",
              {{"docs_assets_dir", root.string()}, {"hint", "run npm ci in web/"}});
  }
  (*assets)["/docs/assets/swagger-init.js"] = {"text/javascript", std::string(kSwaggerInit)};

  const auto page = [docs_ready](std::string_view html) -> http::Handler {
    return [docs_ready, html](http::RequestContext& context) -> awaitable<http::Response> {
      if (!docs_ready) {
        co_return Reply(context, http::ServiceUnavailable(
                                     "Documentation assets are not installed on this server."));
      }
      co_return Text(context, "text/html; charset=utf-8", std::string(html));
    };
  };
  const auto asset = [assets](http::RequestContext& context) -> awaitable<http::Response> {
    const auto found = assets->find(context.path);
    if (found == assets->end()) {
      co_return Reply(context, http::NotFound("Nothing is served at " + context.path + "."));
    }
    co_return Cached(context, found->second);
  };

  router.Add(http::Verb::get, "/", page(kLandingPage));
  router.Add(http::Verb::get, "/docs", page(kSwaggerPage));
  router.Add(http::Verb::get, "/redoc", page(kRedocPage));
  router.Add(http::Verb::get, "/docs/assets/{file}", asset);
  router.Add(http::Verb::get, "/redoc/assets/{file}", asset);
  router.Add(http::Verb::get, "/openapi.json",
             [openapi_json](http::RequestContext& context) -> awaitable<http::Response> {
               co_return Text(context, openapi_json->content_type, openapi_json->body);
             });
  router.Add(http::Verb::get, "/openapi.yaml",
             [openapi_yaml](http::RequestContext& context) -> awaitable<http::Response> {
               co_return Text(context, openapi_yaml->content_type, openapi_yaml->body);
             });

  router.Add(http::Verb::get, "/health",
             [deps](http::RequestContext& context) -> awaitable<http::Response> {
               const auto snapshot = deps->health.Get();
               const bool healthy = snapshot.database.ok;
               json body = {
                   {"status", healthy ? "healthy" : "unhealthy"},
                   {"timestamp", snapshot.checked_at},
                   {"services",
                    {{"database", State(snapshot.database)},
                     // The offline analyzer always answers (issue #4).
                     {"ai_service", "healthy"},
                     {"mcp_server", State(snapshot.mcp)}}},
                   {"environment", deps->config.environment},
                   {"version", build::Version()},
               };
               if (!healthy) body["error"] = snapshot.database.detail;
               co_return Json(context,
                              healthy ? http::Status::ok : http::Status::service_unavailable, body);
             });
  router.Add(http::Verb::get, "/health/live",
             [](http::RequestContext& context) -> awaitable<http::Response> {
               co_return Json(context, http::Status::ok, {{"status", "alive"}});
             });
  router.Add(http::Verb::get, "/health/ready",
             [deps](http::RequestContext& context) -> awaitable<http::Response> {
               const auto snapshot = deps->health.Get();
               const bool draining = deps->draining();
               const bool ready =
                   snapshot.database.ok && snapshot.redis.ok && snapshot.schema.ok && !draining;
               json schema = CheckJson(snapshot.schema);
               schema["current_version"] =
                   snapshot.schema_version ? json(*snapshot.schema_version) : json(nullptr);
               schema["expected_version"] = snapshot.expected_schema_version;
               json body = {{"status", ready ? "ready" : "not_ready"},
                            {"checks",
                             {{"database", CheckJson(snapshot.database)},
                              {"redis", CheckJson(snapshot.redis)},
                              {"schema", std::move(schema)}}}};
               if (draining) body["detail"] = "shutting down";
               co_return Json(context, ready ? http::Status::ok : http::Status::service_unavailable,
                              body);
             });
  router.Add(http::Verb::get, "/version",
             [deps](http::RequestContext& context) -> awaitable<http::Response> {
               const auto& color = deps->config.deploy_color;
               co_return Json(context, http::Status::ok,
                              {{"version", build::Version()},
                               {"commit", build::Commit()},
                               {"build_time", build::BuildTime()},
                               {"deploy_color", color.empty() ? json(nullptr) : json(color)}});
             });
  router.Add(http::Verb::get, "/metrics",
             [deps](http::RequestContext& context) -> awaitable<http::Response> {
               co_return Text(context, "text/plain; version=0.0.4; charset=utf-8",
                              deps->metrics.Serialize());
             });
}

}  // namespace ticketd::api
