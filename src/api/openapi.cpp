// GET /openapi.json: the OpenAPI 3.1 document, generated from the route table so it cannot drift
// from what the server serves. Request schemas here are the ones the server validates with.

#include <map>
#include <mutex>
#include <set>

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "core/problem.hpp"
#include "core/text.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

json ProblemResponse(const std::string& description) {
  return {{"description", description},
          {"content",
           {{kProblemContentType, {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

json Operation(const http::Route& r) {
  json op{{"operationId", r.doc.operation_id},
          {"summary", r.doc.summary},
          {"tags", {r.doc.tag}},
          {"x-route-class", http::RouteClassName(r.route_class)}};
  json params = json::array();
  for (auto seg : http::SplitPath(r.path)) {
    if (seg.front() == '{') {
      params.push_back({{"name", std::string(seg.substr(1, seg.size() - 2))},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "string"}}}});
    }
  }
  for (const auto& q : r.doc.query) {
    params.push_back({{"name", q.name},
                      {"in", "query"},
                      {"required", false},
                      {"description", q.description},
                      {"schema", q.schema}});
  }
  if (!params.empty()) op["parameters"] = params;
  if (!r.doc.request_schema.is_null()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", r.doc.request_schema}}}}}};
  }
  json responses = json::object();
  json ok{{"description", std::string(StatusTitle(r.doc.success_status))}};
  if (!r.doc.response_schema.is_null()) {
    ok["content"] = {{r.doc.success_content_type, {{"schema", r.doc.response_schema}}}};
  }
  responses[std::to_string(r.doc.success_status)] = ok;
  if (!r.doc.request_schema.is_null()) {
    responses["400"] = ProblemResponse("Malformed JSON");
    responses["413"] = ProblemResponse("Body too large");
    responses["415"] = ProblemResponse("Body is not application/json");
  }
  if (!r.doc.request_schema.is_null() || !r.doc.query.empty()) {
    responses["422"] = ProblemResponse("Invalid values, listed per field in `errors`");
  }
  if (r.route_class != http::RouteClass::kPublic) {
    responses["401"] = ProblemResponse("Missing or invalid bearer token");
    if (r.admin_only) responses["403"] = ProblemResponse("Needs an admin token");
    responses["429"] = ProblemResponse("Rate limited; see Retry-After");
    op["security"] = json::array({{{"bearerAuth", json::array()}}});
  } else {
    op["security"] = json::array();
  }
  if (r.route_class != http::RouteClass::kPublic || r.blocking) {
    responses["503"] = ProblemResponse("Overloaded or a required dependency is down");
  }
  // Any request can carry too many header bytes.
  responses["431"] = ProblemResponse("Request headers too large");
  responses["500"] = ProblemResponse("Internal error (no details are disclosed)");
  op["responses"] = responses;
  return op;
}

}  // namespace

json BuildOpenApi(const http::Router& router, const std::string& version) {
  json paths = json::object();
  std::set<std::string> tags;
  for (const auto& r : router.routes()) {
    if (r->doc.hidden) continue;
    paths[r->path][AsciiLower(r->method)] = Operation(*r);
    tags.insert(r->doc.tag);
  }
  static const std::map<std::string, std::string> kTagText{
      {"monitoring", "Health, metrics and alerts"},
      {"profile", "The athlete's profile"},
      {"history", "Logged workouts, runs and injuries"},
      {"account", "Account lifecycle"},
      {"meta", "This document"},
  };
  json tag_list = json::array();
  for (const auto& t : tags) {
    auto it = kTagText.find(t);
    tag_list.push_back({{"name", t}, {"description", it != kTagText.end() ? it->second : t}});
  }
  json problem{{"type", "object"},
               {"description", "RFC 9457 problem details"},
               {"required", {"type", "title", "status"}},
               {"properties",
                {{"type", {{"type", "string"}, {"format", "uri"}}},
                 {"title", {{"type", "string"}}},
                 {"status", {{"type", "integer"}}},
                 {"detail", {{"type", "string"}}},
                 {"instance", {{"type", "string"}}},
                 {"errors",
                  {{"type", "array"},
                   {"items",
                    {{"type", "object"},
                     {"required", {"field", "message"}},
                     {"properties",
                      {{"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}};
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "VoiceFit API"},
            {"version", version},
            {"description",
             "Backend of VoiceFit, a voice-first AI fitness coach. Units: kilograms, metres, "
             "seconds; times RFC 3339. Errors are RFC 9457 problem+json."},
            {"license", {{"name", "Proprietary"}, {"identifier", "LicenseRef-VoiceFit"}}}}},
          {"servers", {{{"url", "/"}, {"description", "the server that served this document"}}}},
          {"tags", tag_list},
          {"paths", paths},
          {"components",
           {{"securitySchemes",
             {{"bearerAuth",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"bearerFormat", "JWT"},
                {"description", "Supabase access token"}}}}},
            {"schemas", {{"Problem", problem}}}}}};
}

void AddOpenApiRoute(http::Router& router, const ApiDeps& deps) {
  // Built on first use, after every route (this one included) is in the table.
  auto cached = std::make_shared<std::string>();
  auto once = std::make_shared<std::once_flag>();
  const http::Router* table = &router;
  std::string version = deps.version;
  router.Add({.method = "GET",
              .path = "/openapi.json",
              .route_class = http::RouteClass::kPublic,
              .blocking = false,
              .handler =
                  [cached, once, table, version](http::RequestContext&) {
                    std::call_once(*once, [&] { *cached = BuildOpenApi(*table, version).dump(); });
                    return http::Response::Json(200, *cached);
                  },
              .doc = {.operation_id = "getOpenApi",
                      .summary = "This API's OpenAPI 3.1 document",
                      .tag = "meta",
                      .response_schema = {{"type", "object"}}}});
}

void AddAllRoutes(http::Router& router, const ApiDeps& deps) {
  AddHealthRoutes(router, deps);
  AddProfileRoutes(router, deps);
  AddWorkoutRoutes(router, deps);
  AddRunRoutes(router, deps);
  AddVoiceLogRoutes(router, deps);
  AddChatRoutes(router, deps);
  AddKnowledgeRoutes(router, deps);
  AddInjuryRoutes(router, deps);
  AddAccountRoutes(router, deps);
  AddContextRoutes(router, deps);
  AddMonitoringRoutes(router, deps);
  AddWebRoutes(router, deps);
  AddOpenApiRoute(router, deps);
}

}  // namespace vf::api
