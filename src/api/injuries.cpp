// POST /api/injury/log and GET /api/injuries: what hurts, how much, since when.

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "core/ids.hpp"
#include "core/problem.hpp"
#include "store/repositories.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

json InjuryRequestSchema() {
  return {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", {"body_part", "severity", "description"}},
      {"properties",
       {{"body_part", StringSchema(60, "e.g. knee, lower back, shoulder")},
        {"side", EnumSchema({"left", "right", "both"})},
        {"severity", IntegerSchema(0, 10, "pain, 0 (none) to 10 (worst imaginable)")},
        {"description", StringSchema(2000)},
        {"onset",
         {{"type", "string"},
          {"maxLength", 40},
          {"description", "when it started (RFC 3339 date or date-time), or sudden/gradual"}}}}}};
}

json InjurySchema() {
  return {
      {"type", "object"},
      {"required", {"injury_id", "body_part", "severity", "description", "status", "created_at"}},
      {"properties",
       {{"injury_id", {{"type", "string"}}},
        {"body_part", {{"type", "string"}}},
        {"side", EnumSchema({"left", "right", "both"})},
        {"severity", {{"type", "integer"}}},
        {"description", {{"type", "string"}}},
        {"onset", DateTimeSchema()},
        {"onset_kind", EnumSchema({"sudden", "gradual"})},
        {"status", EnumSchema({"active", "resolved"})},
        {"created_at", DateTimeSchema()}}}};
}

json InjuryToJson(const store::Injury& i) {
  json out{{"injury_id", i.id},      {"body_part", i.body_part},
           {"severity", i.severity}, {"description", i.description},
           {"status", i.status},     {"created_at", FormatRfc3339(i.created_at)}};
  PutIf(out, "side", i.side);
  if (i.onset) out["onset"] = FormatRfc3339(*i.onset);
  PutIf(out, "onset_kind", i.onset_kind);
  return out;
}

store::Injury InjuryFromJson(const json& body, EpochMs now) {
  store::Injury i;
  i.id = NewUuidV7(now);
  i.created_at = now;
  i.body_part = body["body_part"].get<std::string>();
  i.side = OptionalMember<std::string>(body, "side");
  i.severity = body["severity"].get<int>();
  i.description = body["description"].get<std::string>();
  if (body.contains("onset")) {
    auto onset = body["onset"].get<std::string>();
    if (onset == "sudden" || onset == "gradual") {
      i.onset_kind = onset;
    } else if (auto t = ParseRfc3339(onset); t && *t <= now + kFutureSlackMs) {
      i.onset = *t;
    } else {
      throw ApiError::Validation(
          {{"onset", "must be a past RFC 3339 date or date-time, or sudden/gradual"}});
    }
  }
  return i;
}

}  // namespace

void AddInjuryRoutes(http::Router& router, const ApiDeps& deps) {
  store::Store* store = &deps.store;
  auto changed = deps.user_data_changed;
  router.Add({.method = "POST",
              .path = "/api/injury/log",
              .body_limit = 16 * 1024,
              .handler =
                  [store, changed](http::RequestContext& ctx) {
                    const auto& user = ctx.User();
                    auto injury = InjuryFromJson(ParseJsonBody(ctx), NowMs());
                    store->AddInjury(user.user_id, injury);
                    if (changed) changed(user.user_id);
                    json out = InjuryToJson(injury);
                    return JsonResponse(201, out);
                  },
              .doc = {.operation_id = "logInjury",
                      .summary = "Record an injury",
                      .tag = "history",
                      .request_schema = InjuryRequestSchema(),
                      .response_schema = InjurySchema(),
                      .success_status = 201}});
  router.Add(
      {.method = "GET",
       .path = "/api/injuries",
       .handler =
           [store](http::RequestContext& ctx) {
             const auto& user = ctx.User();
             auto status = ctx.request.QueryParam("status").value_or("all");
             if (status != "all" && status != "active") {
               throw ApiError::Validation({{"status", "must be all or active"}});
             }
             json list = json::array();
             for (const auto& i : store->ListInjuries(user.user_id, status == "active")) {
               list.push_back(InjuryToJson(i));
             }
             return JsonResponse(200, {{"injuries", std::move(list)}});
           },
       .doc = {
           .operation_id = "listInjuries",
           .summary = "The caller's injuries, newest first",
           .tag = "history",
           .response_schema = {{"type", "object"},
                               {"required", {"injuries"}},
                               {"properties",
                                {{"injuries", {{"type", "array"}, {"items", InjurySchema()}}}}}},
           .query = {
               {"status", EnumSchema({"all", "active"}), "all (default) or only active ones"}}}});
}

}  // namespace vf::api
