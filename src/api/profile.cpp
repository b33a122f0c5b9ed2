// GET/PUT /api/profile: the athlete's profile, fields as in onboarding (API.md). PUT replaces
// the whole profile; a field left out is cleared.

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "store/repositories.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

const std::vector<std::string> kGoals{"strength",  "hypertrophy",     "fat_loss",
                                      "endurance", "general_fitness", "race"};
const std::vector<std::string> kEquipment{"full_gym", "barbell",   "dumbbells", "kettlebells",
                                          "machines", "cables",    "bands",     "pullup_bar",
                                          "bench",    "bodyweight"};

json ProfileSchema() {
  json race{{"type", "object"},
            {"additionalProperties", false},
            {"required", {"distance_m", "time_s"}},
            {"properties",
             {{"distance_m", NumberSchema(100, 400000, "race distance in metres")},
              {"time_s", NumberSchema(10, 30 * 86400, "finishing time in seconds")}}}};
  return {{"type", "object"},
          {"additionalProperties", false},
          {"properties",
           {{"age", IntegerSchema(13, 110)},
            {"sex", EnumSchema({"male", "female", "other"})},
            {"height_cm", NumberSchema(90, 260)},
            {"weight_kg", NumberSchema(25, 400)},
            {"experience", EnumSchema({"beginner", "intermediate", "advanced"})},
            {"goals", {{"type", "array"}, {"maxItems", 6}, {"items", EnumSchema(kGoals)}}},
            {"days_per_week", IntegerSchema(1, 7)},
            {"session_minutes", IntegerSchema(10, 300)},
            {"equipment", {{"type", "array"}, {"maxItems", 10}, {"items", EnumSchema(kEquipment)}}},
            {"injuries",
             {{"type", "array"},
              {"maxItems", 20},
              {"items",
               {{"type", "object"},
                {"additionalProperties", false},
                {"required", {"body_part"}},
                {"properties",
                 {{"body_part", StringSchema(60)},
                  {"note", {{"type", "string"}, {"maxLength", 500}}}}}}}}},
            {"running",
             {{"type", "object"},
              {"additionalProperties", false},
              {"properties", {{"weekly_km", NumberSchema(0, 400)}, {"recent_race", race}}}}},
            {"preferred_unit", EnumSchema({"kg", "lb"}, "how the athlete says weights")}}}};
}

json ProfileResponseSchema() {
  json schema = ProfileSchema();
  schema.erase("additionalProperties");
  schema["required"] = {"user_id"};
  schema["properties"]["user_id"] = {{"type", "string"}};
  schema["properties"]["updated_at"] = {{"type", {"string", "null"}}, {"format", "date-time"}};
  return schema;
}

json ProfileToJson(const std::string& user_id, const std::optional<store::Profile>& profile) {
  json out{{"user_id", user_id}};
  if (!profile) {
    out["updated_at"] = nullptr;
    out["goals"] = json::array();
    out["equipment"] = json::array();
    out["injuries"] = json::array();
    return out;
  }
  const auto& p = *profile;
  PutIf(out, "age", p.age);
  PutIf(out, "sex", p.sex);
  PutIf(out, "height_cm", p.height_cm);
  PutIf(out, "weight_kg", p.weight_kg);
  PutIf(out, "experience", p.experience);
  out["goals"] = p.goals;
  PutIf(out, "days_per_week", p.days_per_week);
  PutIf(out, "session_minutes", p.session_minutes);
  out["equipment"] = p.equipment;
  out["injuries"] = json::array();
  for (const auto& i : p.injuries)
    out["injuries"].push_back({{"body_part", i.body_part}, {"note", i.note}});
  if (p.running) {
    json r = json::object();
    PutIf(r, "weekly_km", p.running->weekly_km);
    if (p.running->recent_race) {
      r["recent_race"] = {{"distance_m", p.running->recent_race->distance_m},
                          {"time_s", p.running->recent_race->time_s}};
    }
    out["running"] = r;
  }
  PutIf(out, "preferred_unit", p.preferred_unit);
  out["updated_at"] = FormatRfc3339(p.updated_at);
  return out;
}

// The body has already passed the schema, so the conversions below cannot fail.
store::Profile ProfileFromJson(const json& body, EpochMs now) {
  store::Profile p;
  p.age = OptionalMember<int>(body, "age");
  p.sex = OptionalMember<std::string>(body, "sex");
  p.height_cm = OptionalMember<double>(body, "height_cm");
  p.weight_kg = OptionalMember<double>(body, "weight_kg");
  p.experience = OptionalMember<std::string>(body, "experience");
  p.goals = body.value("goals", std::vector<std::string>{});
  p.days_per_week = OptionalMember<int>(body, "days_per_week");
  p.session_minutes = OptionalMember<int>(body, "session_minutes");
  p.equipment = body.value("equipment", std::vector<std::string>{});
  for (const auto& i : body.value("injuries", json::array())) {
    p.injuries.push_back({i["body_part"].get<std::string>(), i.value("note", "")});
  }
  if (body.contains("running")) {
    const auto& r = body["running"];
    store::RunningBackground bg;
    bg.weekly_km = OptionalMember<double>(r, "weekly_km");
    if (r.contains("recent_race")) {
      bg.recent_race = store::RecentRace{r["recent_race"]["distance_m"].get<double>(),
                                         r["recent_race"]["time_s"].get<double>()};
    }
    p.running = bg;
  }
  p.preferred_unit = OptionalMember<std::string>(body, "preferred_unit");
  p.updated_at = now;
  return p;
}

}  // namespace

void AddProfileRoutes(http::Router& router, const ApiDeps& deps) {
  store::Store* store = &deps.store;
  auto changed = deps.user_data_changed;
  router.Add({.method = "GET",
              .path = "/api/profile",
              .handler =
                  [store](http::RequestContext& ctx) {
                    const auto& user = ctx.User();
                    return JsonResponse(
                        200, ProfileToJson(user.user_id, store->GetProfile(user.user_id)));
                  },
              .doc = {.operation_id = "getProfile",
                      .summary = "The caller's profile",
                      .tag = "profile",
                      .response_schema = ProfileResponseSchema()}});
  router.Add({.method = "PUT",
              .path = "/api/profile",
              .body_limit = 32 * 1024,
              .handler =
                  [store, changed](http::RequestContext& ctx) {
                    const auto& user = ctx.User();
                    auto profile = ProfileFromJson(ParseJsonBody(ctx), NowMs());
                    store->PutProfile(user.user_id, profile);
                    if (changed) changed(user.user_id);
                    return JsonResponse(200, ProfileToJson(user.user_id, profile));
                  },
              .doc = {.operation_id = "putProfile",
                      .summary = "Replace the caller's profile",
                      .tag = "profile",
                      .request_schema = ProfileSchema(),
                      .response_schema = ProfileResponseSchema()}});
}

}  // namespace vf::api
