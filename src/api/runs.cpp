// POST/GET /api/runs: logged runs. Paces are derived (seconds per kilometre), never stored.

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "core/ids.hpp"
#include "core/problem.hpp"
#include "store/repositories.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

json SplitSchema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"distance_m", "duration_s"}},
          {"properties",
           {{"distance_m", {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 100000}}},
            {"duration_s", {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 86400}}},
            {"elevation_gain_m", NumberSchema(-10000, 10000)},
            {"avg_hr", NumberSchema(30, 250)}}}};
}

json RunRequestSchema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"distance_m", "duration_s"}},
          {"properties",
           {{"started_at", DateTimeSchema("start time (default: now)")},
            {"distance_m", {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 1000000}}},
            {"duration_s", {{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 7 * 86400}}},
            {"avg_hr", NumberSchema(30, 250, "average heart rate, beats per minute")},
            {"max_hr", NumberSchema(30, 250, "highest heart rate, beats per minute")},
            {"elevation_gain_m", NumberSchema(0, 20000)},
            {"rpe", NumberSchema(1, 10)},
            {"splits", {{"type", "array"}, {"maxItems", 1000}, {"items", SplitSchema()}}}}}};
}

json RunSchema() {
  json split = SplitSchema();
  split.erase("additionalProperties");
  return {{"type", "object"},
          {"required", {"run_id", "started_at", "distance_m", "duration_s", "pace_s_per_km"}},
          {"properties",
           {{"run_id", {{"type", "string"}}},
            {"started_at", DateTimeSchema()},
            {"distance_m", {{"type", "number"}}},
            {"duration_s", {{"type", "number"}}},
            {"pace_s_per_km", {{"type", "number"}}},
            {"avg_hr", {{"type", "number"}}},
            {"max_hr", {{"type", "number"}}},
            {"elevation_gain_m", {{"type", "number"}}},
            {"rpe", {{"type", "number"}}},
            {"splits", {{"type", "array"}, {"items", split}}}}}};
}

json RunToJson(const store::Run& r) {
  json out{{"run_id", r.id},
           {"started_at", FormatRfc3339(r.started_at)},
           {"distance_m", r.distance_m},
           {"duration_s", r.duration_s},
           {"pace_s_per_km", r.duration_s / (r.distance_m / 1000.0)}};
  PutIf(out, "avg_hr", r.avg_hr);
  PutIf(out, "max_hr", r.max_hr);
  PutIf(out, "elevation_gain_m", r.elevation_gain_m);
  PutIf(out, "rpe", r.rpe);
  json splits = json::array();
  for (const auto& s : r.splits) {
    json j{{"distance_m", s.distance_m}, {"duration_s", s.duration_s}};
    PutIf(j, "elevation_gain_m", s.elevation_gain_m);
    PutIf(j, "avg_hr", s.avg_hr);
    splits.push_back(std::move(j));
  }
  out["splits"] = std::move(splits);
  return out;
}

store::Run RunFromJson(const json& body, EpochMs now) {
  std::vector<FieldError> errors;
  store::Run r;
  r.id = NewUuidV7(now);
  r.created_at = now;
  r.started_at = now;
  if (body.contains("started_at")) {
    r.started_at = *ParseRfc3339(body["started_at"].get<std::string>());
    if (r.started_at > now + kFutureSlackMs) {
      errors.push_back({"started_at", "must not be in the future"});
    }
  }
  r.distance_m = body["distance_m"].get<double>();
  r.duration_s = body["duration_s"].get<double>();
  r.avg_hr = OptionalMember<double>(body, "avg_hr");
  r.max_hr = OptionalMember<double>(body, "max_hr");
  r.elevation_gain_m = OptionalMember<double>(body, "elevation_gain_m");
  r.rpe = OptionalMember<double>(body, "rpe");
  if (r.avg_hr && r.max_hr && *r.max_hr < *r.avg_hr) {
    errors.push_back({"max_hr", "must not be below avg_hr"});
  }
  // 1 km in under 100 s is faster than any human has run; such input is a unit mistake.
  if (r.duration_s / (r.distance_m / 1000.0) < 100) {
    errors.push_back(
        {"duration_s", "pace under 100 s per km is not humanly possible; check units"});
  }
  double split_distance = 0;
  for (const auto& s : body.value("splits", json::array())) {
    store::RunSplit split;
    split.distance_m = s["distance_m"].get<double>();
    split.duration_s = s["duration_s"].get<double>();
    split.elevation_gain_m = OptionalMember<double>(s, "elevation_gain_m");
    split.avg_hr = OptionalMember<double>(s, "avg_hr");
    split_distance += split.distance_m;
    r.splits.push_back(split);
  }
  // GPS splits rarely add up exactly; 10% over the total means they belong to something else.
  if (split_distance > r.distance_m * 1.1) {
    errors.push_back({"splits", "add up to more than the run's distance"});
  }
  if (!errors.empty()) throw ApiError::Validation(std::move(errors));
  return r;
}

}  // namespace

void AddRunRoutes(http::Router& router, const ApiDeps& deps) {
  store::Store* store = &deps.store;
  auto changed = deps.user_data_changed;
  router.Add({.method = "POST",
              .path = "/api/runs",
              .body_limit = 256 * 1024,
              .handler =
                  [store, changed](http::RequestContext& ctx) {
                    const auto& user = ctx.User();
                    auto run = RunFromJson(ParseJsonBody(ctx), NowMs());
                    store->AddRun(user.user_id, run);
                    if (changed) changed(user.user_id);
                    return JsonResponse(201, RunToJson(run));
                  },
              .doc = {.operation_id = "logRun",
                      .summary = "Log a run",
                      .tag = "history",
                      .request_schema = RunRequestSchema(),
                      .response_schema = RunSchema(),
                      .success_status = 201}});
  router.Add(
      {.method = "GET",
       .path = "/api/runs",
       .handler =
           [store](http::RequestContext& ctx) {
             const auto& user = ctx.User();
             auto range = QueryTimeRange(ctx);
             json list = json::array();
             for (const auto& r : store->ListRuns(user.user_id, range)) {
               list.push_back(RunToJson(r));
             }
             return JsonResponse(200, {{"runs", std::move(list)}});
           },
       .doc = {.operation_id = "listRuns",
               .summary = "The caller's runs, newest first",
               .tag = "history",
               .response_schema = {{"type", "object"},
                                   {"required", {"runs"}},
                                   {"properties",
                                    {{"runs", {{"type", "array"}, {"items", RunSchema()}}}}}},
               .query = TimeRangeQueryDocs("runs")}});
}

}  // namespace vf::api
