#include "context/user_context.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/log.hpp"
#include "core/time.hpp"
#include "store/repositories.hpp"

namespace vf::context {

using nlohmann::json;

namespace {

double Round(double v, double step) { return std::round(v / step) * step; }

json ProfileSummary(const std::optional<store::Profile>& p) {
  if (!p) return nullptr;
  json out = json::object();
  if (p->age) out["age"] = *p->age;
  if (p->sex) out["sex"] = *p->sex;
  if (p->height_cm) out["height_cm"] = *p->height_cm;
  if (p->weight_kg) out["weight_kg"] = *p->weight_kg;
  if (p->experience) out["experience"] = *p->experience;
  out["goals"] = p->goals;
  if (p->days_per_week) out["days_per_week"] = *p->days_per_week;
  if (p->session_minutes) out["session_minutes"] = *p->session_minutes;
  out["equipment"] = p->equipment;
  if (p->preferred_unit) out["preferred_unit"] = *p->preferred_unit;
  if (p->running && p->running->weekly_km) out["weekly_km"] = *p->running->weekly_km;
  return out;
}

// Epley's estimate of a one-repetition maximum; reps above 12 say little about strength.
std::optional<double> EstimatedOneRepMax(const store::WorkoutSet& s) {
  if (!s.weight_kg || !s.reps || *s.reps < 1 || *s.reps > 12) return std::nullopt;
  return *s.weight_kg * (1.0 + static_cast<double>(*s.reps) / 30.0);
}

}  // namespace

UserContextService::UserContextService(store::Store& store, cache::Loader& loader,
                                       cache::Generations& generations)
    : store_(store), loader_(loader), generations_(generations) {}

json UserContextService::Build(const std::string& user_id) {
  EpochMs now = NowMs();
  store::TimeRange window{.since = now - int64_t{kWindowDays} * 86'400'000, .limit = 500};
  auto workouts = store_.ListWorkouts(user_id, window);
  auto runs = store_.ListRuns(user_id, window);
  auto injuries = store_.ListInjuries(user_id, true);

  struct ExerciseFigures {
    int sets = 0;
    double volume_kg = 0;
    std::optional<double> best_e1rm;
  };
  std::map<std::string, ExerciseFigures> by_exercise;
  int sets = 0;
  for (const auto& w : workouts) {
    for (const auto& s : w.sets) {
      ++sets;
      auto& f = by_exercise[s.exercise];
      ++f.sets;
      if (s.weight_kg && s.reps) f.volume_kg += *s.weight_kg * *s.reps;
      if (auto e = EstimatedOneRepMax(s); e && (!f.best_e1rm || *e > *f.best_e1rm)) f.best_e1rm = e;
    }
  }
  std::vector<std::pair<std::string, ExerciseFigures>> top(by_exercise.begin(), by_exercise.end());
  std::sort(top.begin(), top.end(),
            [](const auto& a, const auto& b) { return a.second.sets > b.second.sets; });
  json exercises = json::array();
  for (std::size_t i = 0; i < top.size() && i < 8; ++i) {
    json e{{"exercise", top[i].first},
           {"sets", top[i].second.sets},
           {"volume_kg", Round(top[i].second.volume_kg, 0.1)}};
    if (top[i].second.best_e1rm) e["best_e1rm_kg"] = Round(*top[i].second.best_e1rm, 0.5);
    exercises.push_back(std::move(e));
  }
  json training{
      {"window_days", kWindowDays},
      {"workouts", workouts.size()},
      {"sets", sets},
      {"top_exercises", std::move(exercises)},
      {"last_workout_at",
       workouts.empty() ? json(nullptr) : json(FormatRfc3339(workouts.front().performed_at))}};

  double km = 0, seconds = 0;
  for (const auto& r : runs) {
    km += r.distance_m / 1000.0;
    seconds += r.duration_s;
  }
  json running{
      {"window_days", kWindowDays},
      {"runs", runs.size()},
      {"km", Round(km, 0.01)},
      {"km_per_week", Round(km / (kWindowDays / 7.0), 0.1)},
      {"avg_pace_s_per_km", km > 0 ? json(Round(seconds / km, 1)) : json(nullptr)},
      {"last_run_at", runs.empty() ? json(nullptr) : json(FormatRfc3339(runs.front().started_at))}};

  json active_injuries = json::array();
  for (const auto& i : injuries) {
    json j{{"injury_id", i.id},
           {"body_part", i.body_part},
           {"severity", i.severity},
           {"since", FormatRfc3339(i.onset.value_or(i.created_at))}};
    if (i.side) j["side"] = *i.side;
    active_injuries.push_back(std::move(j));
  }

  json programs = json::array();
  for (const char* kind : {"strength", "running"}) {
    if (auto p = store_.ActiveProgram(user_id, kind)) {
      programs.push_back(
          {{"program_id", p->id}, {"kind", p->kind}, {"created_at", FormatRfc3339(p->created_at)}});
    }
  }

  return {{"user_id", user_id},
          {"built_at", FormatRfc3339(now)},
          {"profile", ProfileSummary(store_.GetProfile(user_id))},
          {"training", std::move(training)},
          {"running", std::move(running)},
          {"active_injuries", std::move(active_injuries)},
          {"active_programs", std::move(programs)}};
}

UserContextService::Result UserContextService::Get(const std::string& user_id) {
  auto generation = generations_.Current(user_id);
  // Without a trustworthy generation the cache could serve an old context: build it fresh.
  if (!generation) return {Build(user_id), false};
  auto loaded = loader_.GetOrCompute(user_id + ":g" + std::to_string(*generation),
                                     [&] { return Build(user_id).dump(); });
  return {json::parse(loaded.value), loaded.cached};
}

void UserContextService::Invalidate(const std::string& user_id) {
  if (!generations_.Bump(user_id, loader_.family().Key(user_id + ":"))) {
    log::Write(log::Level::kWarn, "user context invalidation failed: Redis unreachable",
               {{"user_id", user_id}});
  }
}

}  // namespace vf::context
