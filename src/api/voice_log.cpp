// POST /api/voice/log: a transcript of what the athlete said, parsed into sets (stored as a
// workout) or a run (stored as a run). Nothing understood -> 422 saying what was not, and
// nothing stored.
#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "core/ids.hpp"
#include "core/problem.hpp"
#include "exercises/exercise_names.hpp"
#include "exercises/transcript_parser.hpp"
#include "store/repositories.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

json VoiceLogRequestSchema() {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"required", {"transcript"}},
          {"properties",
           {{"transcript", StringSchema(2000, "what the athlete said, as transcribed")},
            {"performed_at", DateTimeSchema("when; defaults to now")},
            {"unit", EnumSchema({"kg", "lb"}, "unit of weights said without one")}}}};
}

json VoiceLogResponseSchema() {
  json set{{"type", "object"},
           {"required", {"exercise_id", "exercise", "set_number", "reps", "confidence"}},
           {"properties",
            {{"exercise_id", {{"type", "string"}}},
             {"exercise", {{"type", "string"}}},
             {"set_number", {{"type", "integer"}}},
             {"reps", {{"type", "integer"}}},
             {"weight_kg", {{"type", {"number", "null"}}}},
             {"rpe", {{"type", "number"}}},
             {"rir", {{"type", "number"}}},
             {"per_side", {{"type", "boolean"}}},
             {"confidence", {{"type", "number"}}}}}};
  json strings{{"type", "array"}, {"items", {{"type", "string"}}}};
  return {{"type", "object"},
          {"required", {"unparsed", "warnings"}},
          {"properties",
           {{"workout_id", {{"type", "string"}}},
            {"sets", {{"type", "array"}, {"items", set}}},
            {"run_id", {{"type", "string"}}},
            {"distance_m", {{"type", {"number", "null"}}}},
            {"duration_s", {{"type", {"number", "null"}}}},
            {"unparsed", strings},
            {"warnings", strings}}}};
}

std::optional<exercises::WeightUnit> UnitOf(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  if (*text == "lb") return exercises::WeightUnit::kLb;
  if (*text == "kg") return exercises::WeightUnit::kKg;
  return std::nullopt;
}

}  // namespace

void AddVoiceLogRoutes(http::Router& router, const ApiDeps& deps) {
  const exercises::ExerciseNames* names = deps.exercise_names;
  if (names == nullptr) return;
  store::Store* store = &deps.store;
  auto changed = deps.user_data_changed;
  router.Add({.method = "POST",
              .path = "/api/voice/log",
              .body_limit = 16 * 1024,
              .handler =
                  [store, names, changed](http::RequestContext& ctx) {
                    const auto& user = ctx.User();
                    json body = ParseJsonBody(ctx);
                    EpochMs now = NowMs();
                    EpochMs at = now;
                    if (body.contains("performed_at")) {
                      at = *ParseRfc3339(body["performed_at"].get<std::string>());
                      if (at > now + kFutureSlackMs) {
                        throw ApiError::Validation({{"performed_at", "must not be in the future"}});
                      }
                    }
                    std::string transcript = body["transcript"].get<std::string>();
                    exercises::ParseOptions options;
                    options.request_unit = UnitOf(
                        body.contains("unit") ? std::optional(body["unit"].get<std::string>())
                                              : std::nullopt);
                    if (!options.request_unit) {
                      if (auto profile = store->GetProfile(user.user_id)) {
                        options.profile_unit = UnitOf(profile->preferred_unit);
                      }
                    }
                    auto log = exercises::ParseTranscript(transcript, *names, options);
                    if (log.empty()) {
                      std::string what = "no sets or run understood";
                      if (!log.unparsed.empty()) {
                        what += "; not understood:";
                        for (const auto& u : log.unparsed) what += " \"" + u + "\"";
                      }
                      for (const auto& w : log.warnings) what += "; " + w;
                      throw ApiError::Validation({{"transcript", what}});
                    }
                    json reply{{"unparsed", log.unparsed}, {"warnings", log.warnings}};
                    if (log.run) {
                      store::Run run;
                      run.id = NewUuidV7(now);
                      run.started_at = at;
                      run.created_at = now;
                      run.distance_m = log.run->distance_m.value_or(0);
                      run.duration_s = log.run->duration_s.value_or(0);
                      store->AddRun(user.user_id, run);
                      reply["run_id"] = run.id;
                      reply["distance_m"] =
                          log.run->distance_m ? json(*log.run->distance_m) : json(nullptr);
                      reply["duration_s"] =
                          log.run->duration_s ? json(*log.run->duration_s) : json(nullptr);
                    } else {
                      store::Workout w;
                      w.id = NewUuidV7(now);
                      w.performed_at = at;
                      w.created_at = now;
                      w.source = "voice";
                      json sets = json::array();
                      for (const auto& p : log.sets) {
                        store::WorkoutSet s;
                        s.set_number = static_cast<int>(w.sets.size()) + 1;
                        s.exercise = p.exercise->name;
                        s.exercise_id = p.exercise->id;
                        s.reps = p.reps;
                        s.weight_kg = p.weight_kg;
                        s.rpe = p.rpe;
                        s.rir = p.rir;
                        json j{{"set_number", s.set_number},
                               {"exercise_id", *s.exercise_id},
                               {"exercise", s.exercise},
                               {"reps", p.reps},
                               {"weight_kg", p.weight_kg ? json(*p.weight_kg) : json(nullptr)},
                               {"confidence", std::round(p.confidence * 1000) / 1000}};
                        if (p.rpe) j["rpe"] = *p.rpe;
                        if (p.rir) j["rir"] = *p.rir;
                        if (p.per_side) j["per_side"] = true;
                        sets.push_back(std::move(j));
                        w.sets.push_back(std::move(s));
                      }
                      store->AddWorkout(user.user_id, w);
                      reply["workout_id"] = w.id;
                      reply["sets"] = std::move(sets);
                    }
                    if (changed) changed(user.user_id);
                    return JsonResponse(201, reply);
                  },
              .doc = {.operation_id = "logVoice",
                      .summary = "Log what the athlete said: sets (stored as a workout) or a run",
                      .tag = "history",
                      .request_schema = VoiceLogRequestSchema(),
                      .response_schema = VoiceLogResponseSchema(),
                      .success_status = 201}});
}

}  // namespace vf::api
