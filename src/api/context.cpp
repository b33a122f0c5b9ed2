// GET /api/context: what the coach knows about the caller, as the AI routes read it (through the
// cache; `meta.cached` says whether this answer came from it).
#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "context/user_context.hpp"

namespace vf::api {

using nlohmann::json;

void AddContextRoutes(http::Router& router, const ApiDeps& deps) {
  context::UserContextService* service = deps.user_context;
  if (service == nullptr) return;
  json nullable_time{{"type", {"string", "null"}}, {"format", "date-time"}};
  router.Add(
      {.method = "GET",
       .path = "/api/context",
       .handler =
           [service](http::RequestContext& ctx) {
             auto started = std::chrono::steady_clock::now();
             auto result = service->Get(ctx.User().user_id);
             double ms = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - started)
                             .count();
             return JsonResponse(
                 200,
                 {{"context", std::move(result.context)},
                  {"meta",
                   {{"cached", result.cached}, {"latency_ms", std::round(ms * 1000) / 1000}}}});
           },
       .doc = {
           .operation_id = "getUserContext",
           .summary = "The caller's summarised context: profile, last four weeks of training "
                      "and running, active injuries and programs",
           .tag = "profile",
           .response_schema = {
               {"type", "object"},
               {"required", {"context", "meta"}},
               {"properties",
                {{"context",
                  {{"type", "object"},
                   {"required",
                    {"user_id", "built_at", "profile", "training", "running", "active_injuries",
                     "active_programs"}},
                   {"properties",
                    {{"user_id", {{"type", "string"}}},
                     {"built_at", DateTimeSchema()},
                     {"profile", {{"type", {"object", "null"}}}},
                     {"training",
                      {{"type", "object"},
                       {"properties",
                        {{"workouts", {{"type", "integer"}}},
                         {"sets", {{"type", "integer"}}},
                         {"last_workout_at", nullable_time},
                         {"top_exercises",
                          {{"type", "array"}, {"items", {{"type", "object"}}}}}}}}},
                     {"running",
                      {{"type", "object"},
                       {"properties",
                        {{"runs", {{"type", "integer"}}},
                         {"km", {{"type", "number"}}},
                         {"last_run_at", nullable_time}}}}},
                     {"active_injuries", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                     {"active_programs", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}}},
                 {"meta",
                  {{"type", "object"},
                   {"required", {"cached"}},
                   {"properties",
                    {{"cached", {{"type", "boolean"}}},
                     {"latency_ms", {{"type", "number"}}}}}}}}}}}});
}

}  // namespace vf::api
