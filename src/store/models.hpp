#pragma once
// What the store keeps, in the API's units: kilograms, metres, seconds, epoch milliseconds.

#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace vf::store {

struct InjuryNote {
  std::string body_part;
  std::string note;
};

struct RecentRace {
  double distance_m = 0;
  double time_s = 0;
};

struct RunningBackground {
  std::optional<double> weekly_km;
  std::optional<RecentRace> recent_race;
};

struct Profile {
  std::optional<int> age;
  std::optional<std::string> sex;
  std::optional<double> height_cm;
  std::optional<double> weight_kg;
  std::optional<std::string> experience;
  std::vector<std::string> goals;
  std::optional<int> days_per_week;
  std::optional<int> session_minutes;
  std::vector<std::string> equipment;
  std::vector<InjuryNote> injuries;
  std::optional<RunningBackground> running;
  std::optional<std::string> preferred_unit;  // "kg" | "lb": how the athlete speaks weights
  EpochMs updated_at = 0;
};

struct WorkoutSet {
  int set_number = 0;
  std::string exercise;                    // as given, or the catalog's name once matched
  std::optional<std::string> exercise_id;  // catalog id when matched
  std::optional<int> reps;
  std::optional<double> weight_kg;
  std::optional<double> rpe;
  std::optional<double> rir;
  std::optional<double> duration_s;
  std::optional<double> distance_m;
};

struct Workout {
  std::string id;
  EpochMs performed_at = 0;
  EpochMs created_at = 0;
  std::string source = "manual";  // manual | voice
  std::vector<WorkoutSet> sets;
};

struct RunSplit {
  double distance_m = 0;
  double duration_s = 0;
  std::optional<double> elevation_gain_m;
  std::optional<double> avg_hr;
};

struct Run {
  std::string id;
  EpochMs started_at = 0;
  EpochMs created_at = 0;
  double distance_m = 0;
  double duration_s = 0;
  std::optional<double> avg_hr;
  std::optional<double> max_hr;
  std::optional<double> elevation_gain_m;
  std::optional<double> rpe;
  std::vector<RunSplit> splits;
};

struct Injury {
  std::string id;
  std::string body_part;
  std::optional<std::string> side;  // left | right | both
  int severity = 0;                 // 0-10
  std::string description;
  std::optional<EpochMs> onset;           // when it started, if known
  std::optional<std::string> onset_kind;  // sudden | gradual
  std::string status = "active";          // active | resolved
  EpochMs created_at = 0;
};

struct Program {
  std::string id;
  std::string kind;       // strength | running
  std::string body_json;  // the generated program as returned to the client
  bool active = true;
  EpochMs created_at = 0;
};

struct OnboardingSession {
  std::string id;
  std::string state_json;
  bool complete = false;
  EpochMs updated_at = 0;
};

// Half-open range [since, until) on a record's time, newest first, at most `limit` records.
struct TimeRange {
  std::optional<EpochMs> since;
  std::optional<EpochMs> until;
  int limit = 50;
};

struct DeletedCounts {
  int profiles = 0, workouts = 0, runs = 0, injuries = 0, programs = 0, onboarding_sessions = 0;
};

}  // namespace vf::store
