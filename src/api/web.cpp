// The dashboard and the API reference: static pages and their assets, listed in
// <web_dir>/assets.json (URL path -> file under web_dir), read into memory at start-up and served
// from the network threads. Vendor bundles come from npm (scripts install them); a file that is
// missing is answered 503 with how to install it, so the server still starts without them.
#include <filesystem>
#include <memory>

#include "api/routes.hpp"
#include "core/log.hpp"
#include "core/problem.hpp"
#include "core/text.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

std::string ContentType(const std::filesystem::path& file) {
  static const std::map<std::string, std::string> kTypes{{".html", "text/html; charset=utf-8"},
                                                         {".js", "text/javascript; charset=utf-8"},
                                                         {".css", "text/css; charset=utf-8"},
                                                         {".svg", "image/svg+xml"},
                                                         {".json", "application/json"},
                                                         {".map", "application/json"},
                                                         {".png", "image/png"},
                                                         {".woff2", "font/woff2"}};
  auto it = kTypes.find(file.extension().string());
  return it != kTypes.end() ? it->second : "application/octet-stream";
}

}  // namespace

void AddWebRoutes(http::Router& router, const ApiDeps& deps) {
  if (deps.web_dir.empty()) return;
  std::filesystem::path root(deps.web_dir);
  auto manifest_text = ReadFile(root / "assets.json");
  if (!manifest_text) {
    log::Write(log::Level::kWarn, "dashboard and docs not served: no assets.json",
               {{"web_dir", deps.web_dir}});
    return;
  }
  json manifest = json::parse(*manifest_text, nullptr, false);
  if (!manifest.is_object()) {
    log::Write(log::Level::kWarn, "dashboard and docs not served: assets.json is not an object",
               {{"web_dir", deps.web_dir}});
    return;
  }
  int missing = 0;
  for (const auto& [url, file_value] : manifest.items()) {
    if (!file_value.is_string() || url.empty() || url[0] != '/') continue;
    std::filesystem::path file = root / file_value.get<std::string>();
    auto body = ReadFile(file);
    if (!body) ++missing;
    auto content = std::make_shared<const std::string>(body.value_or(""));
    bool present = body.has_value();
    std::string type = ContentType(file);
    bool page = type.rfind("text/html", 0) == 0;
    router.Add({.method = "GET",
                .path = url,
                .route_class = http::RouteClass::kPublic,
                .blocking = false,
                .handler =
                    [content, present, type, page](http::RequestContext& ctx) {
                      if (!present) {
                        throw ApiError(503, "asset-missing", "Service Unavailable",
                                       ctx.request.path +
                                           " is not installed: run `npm ci` in web/ "
                                           "(scripts/install-deps does)");
                      }
                      http::Response r;
                      r.status = 200;
                      r.content_type = type;
                      r.body = *content;
                      // Pages always revalidate; their assets may be kept for five minutes.
                      r.SetHeader("Cache-Control", page ? "no-cache" : "public, max-age=300");
                      r.SetHeader("X-Content-Type-Options", "nosniff");
                      return r;
                    },
                .doc = {.operation_id = "web" + url,
                        .summary = "static page or asset",
                        .tag = "web",
                        .hidden = true}});
  }
  if (missing > 0) {
    log::Write(log::Level::kWarn, "some dashboard/docs assets are missing: run npm ci in web/",
               {{"missing", missing}, {"web_dir", deps.web_dir}});
  }
}

}  // namespace vf::api
