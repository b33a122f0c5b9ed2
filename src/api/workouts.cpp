// POST/GET /api/workouts: structured workout logging and history. Exercise names are kept as
// given until the exercise catalog matches them.

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "core/ids.hpp"
#include "core/problem.hpp"
#include "exercises/exercise_names.hpp"
#include "store/repositories.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

constexpr int kMaxSets = 200;

json SetSchema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"exercise"}},
          {"properties",
           {{"exercise", StringSchema(100, "exercise name as said or typed, or a catalog id")},
            {"reps", IntegerSchema(0, 1000)},
            {"weight_kg", NumberSchema(0, 1000, "load in kilograms")},
            {"weight", NumberSchema(0, 2500, "load in the request's `unit`")},
            {"rpe", NumberSchema(1, 10, "rating of perceived exertion")},
            {"rir", NumberSchema(0, 10, "reps in reserve")},
            {"duration_s", NumberSchema(0, 86400)},
            {"distance_m", NumberSchema(0, 1000000)}}}};
}

json WorkoutRequestSchema() {
  return {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", {"sets"}},
      {"properties",
       {{"performed_at", DateTimeSchema("when it was done (default: now)")},
        {"unit", EnumSchema({"kg", "lb"}, "unit of each set's `weight` (default kg)")},
        {"sets",
         {{"type", "array"}, {"minItems", 1}, {"maxItems", kMaxSets}, {"items", SetSchema()}}}}}};
}

json StoredSetSchema() {
  return {{"type", "object"},
          {"required", {"set_number", "exercise", "exercise_id"}},
          {"properties",
           {{"set_number", {{"type", "integer"}}},
            {"exercise", {{"type", "string"}}},
            {"exercise_id", {{"type", {"string", "null"}}}},
            {"reps", {{"type", "integer"}}},
            {"weight_kg", {{"type", "number"}}},
            {"rpe", {{"type", "number"}}},
            {"rir", {{"type", "number"}}},
            {"duration_s", {{"type", "number"}}},
            {"distance_m", {{"type", "number"}}}}}};
}

json WorkoutSchema() {
  return {{"type", "object"},
          {"required", {"workout_id", "performed_at", "sets"}},
          {"properties",
           {{"workout_id", {{"type", "string"}}},
            {"performed_at", DateTimeSchema()},
            {"source", EnumSchema({"manual", "voice"})},
            {"sets", {{"type", "array"}, {"items", StoredSetSchema()}}},
            {"warnings",
             {{"type", "array"},
              {"items", {{"type", "string"}}},
              {"description", "exercise names not found in the catalog (kept as given)"}}}}}};
}

json WorkoutToJson(const store::Workout& w) {
  json sets = json::array();
  for (const auto& s : w.sets) {
    json j{{"set_number", s.set_number}, {"exercise", s.exercise}, {"exercise_id", nullptr}};
    if (s.exercise_id) j["exercise_id"] = *s.exercise_id;
    PutIf(j, "reps", s.reps);
    PutIf(j, "weight_kg", s.weight_kg);
    PutIf(j, "rpe", s.rpe);
    PutIf(j, "rir", s.rir);
    PutIf(j, "duration_s", s.duration_s);
    PutIf(j, "distance_m", s.distance_m);
    sets.push_back(std::move(j));
  }
  return {{"workout_id", w.id},
          {"performed_at", FormatRfc3339(w.performed_at)},
          {"source", w.source},
          {"sets", std::move(sets)}};
}

// Names each set's exercise from the catalog ("RDLs" -> Romanian deadlift; a catalog id is taken
// as it is). A name that matches nothing is kept as given, with a warning naming the closest.
std::vector<std::string> NameExercises(store::Workout& w, const exercises::ExerciseNames* names) {
  std::vector<std::string> warnings;
  if (names == nullptr) return warnings;
  for (auto& set : w.sets) {
    if (const auto* e = names->catalog().Find(set.exercise)) {
      set.exercise_id = e->id;
      set.exercise = e->name;
      continue;
    }
    auto m = names->Match(set.exercise);
    if (m.matched()) {
      set.exercise_id = m.exercise->id;
      set.exercise = m.exercise->name;
    } else {
      std::string note = "set " + std::to_string(set.set_number) + ": \"" + set.exercise +
                         "\" is not in the catalog; kept as given";
      if (!m.candidates.empty()) note += " (closest: " + m.candidates[0].exercise->name + ")";
      warnings.push_back(std::move(note));
    }
  }
  return warnings;
}

// Checks the schema cannot express, then builds the workout. Throws ApiError 422.
store::Workout WorkoutFromJson(const json& body, EpochMs now) {
  std::vector<FieldError> errors;
  store::Workout w;
  w.id = NewUuidV7(now);
  w.created_at = now;
  w.performed_at = now;
  if (body.contains("performed_at")) {
    w.performed_at = *ParseRfc3339(body["performed_at"].get<std::string>());
    if (w.performed_at > now + kFutureSlackMs) {
      errors.push_back({"performed_at", "must not be in the future"});
    }
  }
  const double per_unit = body.value("unit", "kg") == "lb" ? kKgPerLb : 1.0;
  const auto& sets = body["sets"];
  for (size_t i = 0; i < sets.size(); ++i) {
    const auto& s = sets[i];
    const std::string at = "sets[" + std::to_string(i) + "]";
    store::WorkoutSet set;
    set.set_number = static_cast<int>(i) + 1;
    set.exercise = s["exercise"].get<std::string>();
    if (s.contains("reps")) set.reps = s["reps"].get<int>();
    if (s.contains("weight_kg") && s.contains("weight")) {
      errors.push_back({at, "give either weight_kg or weight (in unit), not both"});
    } else if (s.contains("weight_kg")) {
      set.weight_kg = s["weight_kg"].get<double>();
    } else if (s.contains("weight")) {
      set.weight_kg = s["weight"].get<double>() * per_unit;
      if (*set.weight_kg > 1000) errors.push_back({at + ".weight", "must be at most 1000 kg"});
    }
    if (s.contains("rpe")) set.rpe = s["rpe"].get<double>();
    if (s.contains("rir")) set.rir = s["rir"].get<double>();
    if (s.contains("duration_s")) set.duration_s = s["duration_s"].get<double>();
    if (s.contains("distance_m")) set.distance_m = s["distance_m"].get<double>();
    if (!set.reps && !set.duration_s && !set.distance_m) {
      errors.push_back({at, "needs reps, duration_s or distance_m"});
    }
    w.sets.push_back(std::move(set));
  }
  if (!errors.empty()) throw ApiError::Validation(std::move(errors));
  return w;
}

}  // namespace

void AddWorkoutRoutes(http::Router& router, const ApiDeps& deps) {
  store::Store* store = &deps.store;
  auto changed = deps.user_data_changed;
  const exercises::ExerciseNames* names = deps.exercise_names;
  router.Add({.method = "POST",
              .path = "/api/workouts",
              .body_limit = 128 * 1024,
              .handler =
                  [store, changed, names](http::RequestContext& ctx) {
                    const auto& user = ctx.User();
                    auto workout = WorkoutFromJson(ParseJsonBody(ctx), NowMs());
                    auto warnings = NameExercises(workout, names);
                    store->AddWorkout(user.user_id, workout);
                    if (changed) changed(user.user_id);
                    json body = WorkoutToJson(workout);
                    body["warnings"] = warnings;
                    http::Response r = JsonResponse(201, body);
                    r.SetHeader("Location",
                                "/api/workouts?since=" + FormatRfc3339(workout.performed_at));
                    return r;
                  },
              .doc = {.operation_id = "logWorkout",
                      .summary = "Log a workout's sets",
                      .tag = "history",
                      .request_schema = WorkoutRequestSchema(),
                      .response_schema = WorkoutSchema(),
                      .success_status = 201}});
  router.Add(
      {.method = "GET",
       .path = "/api/workouts",
       .handler =
           [store](http::RequestContext& ctx) {
             const auto& user = ctx.User();
             auto range = QueryTimeRange(ctx);
             json list = json::array();
             for (const auto& w : store->ListWorkouts(user.user_id, range)) {
               list.push_back(WorkoutToJson(w));
             }
             return JsonResponse(200, {{"workouts", std::move(list)}});
           },
       .doc = {
           .operation_id = "listWorkouts",
           .summary = "The caller's workouts, newest first",
           .tag = "history",
           .response_schema = {{"type", "object"},
                               {"required", {"workouts"}},
                               {"properties",
                                {{"workouts", {{"type", "array"}, {"items", WorkoutSchema()}}}}}},
           .query = TimeRangeQueryDocs("workouts")}});
}

}  // namespace vf::api
