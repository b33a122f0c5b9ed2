// SqliteStore against real SQLite: a scratch file (so the test can also inspect the rows with the
// C API) and ":memory:". Plus ParseDatabaseUrl, which picks the store.

#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "store/database_url.hpp"
#include "store/sqlite/migrations.hpp"

namespace vf::store::sqlite {
namespace {

// ---- helpers ---------------------------------------------------------------------------------

Profile FullProfile() {
  Profile p;
  p.age = 34;
  p.sex = "female";
  p.height_cm = 168.5;
  p.weight_kg = 61.25;
  p.experience = "intermediate";
  p.goals = {"strength", "half marathon", "cr\xC3\xA8me \"br\xC3\xBBl\xC3\xA9\xC3\xA9\""};
  p.days_per_week = 4;
  p.session_minutes = 60;
  p.equipment = {"barbell", "dumbbells", "pull-up bar"};
  p.injuries = {{"knee", "left knee hurts on stairs"}, {"shoulder", ""}};
  p.running = RunningBackground{.weekly_km = 25.5,
                                .recent_race = RecentRace{.distance_m = 10'000, .time_s = 2950.5}};
  p.preferred_unit = "kg";
  p.updated_at = 1'764'137'239'000;
  return p;
}

void ExpectSameProfile(const Profile& actual, const Profile& expected) {
  EXPECT_EQ(actual.age, expected.age);
  EXPECT_EQ(actual.sex, expected.sex);
  EXPECT_EQ(actual.height_cm, expected.height_cm);
  EXPECT_EQ(actual.weight_kg, expected.weight_kg);
  EXPECT_EQ(actual.experience, expected.experience);
  EXPECT_EQ(actual.goals, expected.goals);
  EXPECT_EQ(actual.days_per_week, expected.days_per_week);
  EXPECT_EQ(actual.session_minutes, expected.session_minutes);
  EXPECT_EQ(actual.equipment, expected.equipment);
  ASSERT_EQ(actual.injuries.size(), expected.injuries.size());
  for (size_t i = 0; i < expected.injuries.size(); ++i) {
    EXPECT_EQ(actual.injuries[i].body_part, expected.injuries[i].body_part) << i;
    EXPECT_EQ(actual.injuries[i].note, expected.injuries[i].note) << i;
  }
  ASSERT_EQ(actual.running.has_value(), expected.running.has_value());
  if (expected.running) {
    EXPECT_EQ(actual.running->weekly_km, expected.running->weekly_km);
    ASSERT_EQ(actual.running->recent_race.has_value(), expected.running->recent_race.has_value());
    if (expected.running->recent_race) {
      EXPECT_EQ(actual.running->recent_race->distance_m, expected.running->recent_race->distance_m);
      EXPECT_EQ(actual.running->recent_race->time_s, expected.running->recent_race->time_s);
    }
  }
  EXPECT_EQ(actual.preferred_unit, expected.preferred_unit);
  EXPECT_EQ(actual.updated_at, expected.updated_at);
}

Workout MakeWorkout(std::string id, EpochMs performed_at, int set_count = 1) {
  Workout w;
  w.id = std::move(id);
  w.performed_at = performed_at;
  w.created_at = performed_at + 5;
  for (int n = 1; n <= set_count; ++n) {
    WorkoutSet s;
    s.set_number = n;
    s.exercise = "Back squat";
    s.reps = 5;
    s.weight_kg = 100.0 + n;
    w.sets.push_back(s);
  }
  return w;
}

void ExpectSameSet(const WorkoutSet& actual, const WorkoutSet& expected) {
  EXPECT_EQ(actual.set_number, expected.set_number);
  EXPECT_EQ(actual.exercise, expected.exercise);
  EXPECT_EQ(actual.exercise_id, expected.exercise_id);
  EXPECT_EQ(actual.reps, expected.reps);
  EXPECT_EQ(actual.weight_kg, expected.weight_kg);
  EXPECT_EQ(actual.rpe, expected.rpe);
  EXPECT_EQ(actual.rir, expected.rir);
  EXPECT_EQ(actual.duration_s, expected.duration_s);
  EXPECT_EQ(actual.distance_m, expected.distance_m);
}

Run MakeRun(std::string id, EpochMs started_at) {
  Run r;
  r.id = std::move(id);
  r.started_at = started_at;
  r.created_at = started_at + 7;
  r.distance_m = 5'000;
  r.duration_s = 1'500.5;
  return r;
}

Injury MakeInjury(std::string id, EpochMs created_at, std::string status = "active") {
  Injury i;
  i.id = std::move(id);
  i.body_part = "knee";
  i.severity = 4;
  i.description = "ache after long runs";
  i.status = std::move(status);
  i.created_at = created_at;
  return i;
}

template <class Record>
std::vector<std::string> Ids(const std::vector<Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

using IdList = std::vector<std::string>;

// "<prefix><n>" built by appending: GCC 12 raises a false -Wrestrict on `"lit" + std::to_string`.
std::string Numbered(std::string prefix, long long n) {
  prefix += std::to_string(n);
  return prefix;
}
// Inside a test body, plain `Run` names testing::Test::Run.
using RunRecord = Run;

// A fresh directory per test for the database file and its -wal/-shm companions.
class ScratchDatabase {
 protected:
  void CreateScratch() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("voicefit-store-test-") + std::to_string(::getpid()) + "-" +
                       std::to_string(counter++) + "-" + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';  // parameterised test names contain '/'
    }
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "voicefit.db";
  }
  void RemoveScratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Runs a single-value query on the file with the SQLite C API, bypassing the store.
  int64_t Scalar(const std::string& sql) const {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path_ << ": " << sqlite3_errmsg(db);
      sqlite3_close(db);
      return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    int64_t value = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    } else {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
};

// ---- behaviour every backing must share (file and :memory:) ----------------------------------

enum class Backing { kFile, kMemory };

void PrintTo(Backing backing, std::ostream* os) {
  *os << (backing == Backing::kFile ? "file" : ":memory:");
}

class StoreContractTest : public ::testing::TestWithParam<Backing>, protected ScratchDatabase {
 protected:
  void SetUp() override {
    CreateScratch();
    std::string location = GetParam() == Backing::kFile ? path_.string() : ":memory:";
    store_ = std::make_unique<SqliteStore>(SqliteStore::Options{.path = location});
  }
  void TearDown() override {
    store_.reset();
    RemoveScratch();
  }
  SqliteStore& store() { return *store_; }

  std::unique_ptr<SqliteStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backings, StoreContractTest,
                         ::testing::Values(Backing::kFile, Backing::kMemory),
                         [](const ::testing::TestParamInfo<Backing>& param_info) {
                           return param_info.param == Backing::kFile ? "File" : "Memory";
                         });

TEST_P(StoreContractTest, PingsAndNamesItsKind) {
  EXPECT_NO_THROW(store().Ping());
  EXPECT_EQ(store().kind(), "sqlite");
}

TEST_P(StoreContractTest, MigrationsRunOnAFreshDatabase) {
  EXPECT_EQ(store().migrations_applied(), static_cast<int>(Migrations().size()));
}

TEST_P(StoreContractTest, UnknownUserHasNoProfile) {
  EXPECT_FALSE(store().GetProfile("nobody").has_value());
}

TEST_P(StoreContractTest, ProfileRoundTripsEveryField) {
  const Profile profile = FullProfile();
  store().PutProfile("user-a", profile);
  auto loaded = store().GetProfile("user-a");
  ASSERT_TRUE(loaded.has_value());
  ExpectSameProfile(*loaded, profile);
}

TEST_P(StoreContractTest, ProfileWithNothingOptionalRoundTrips) {
  Profile profile;
  profile.updated_at = 42;
  store().PutProfile("user-a", profile);
  auto loaded = store().GetProfile("user-a");
  ASSERT_TRUE(loaded.has_value());
  ExpectSameProfile(*loaded, profile);
}

TEST_P(StoreContractTest, ProfileRunningBackgroundWithoutRaceRoundTrips) {
  // "running": {} and "running": {"weekly_km": ...} are distinct from no running background.
  Profile profile;
  profile.running = RunningBackground{.weekly_km = 12.0};
  store().PutProfile("user-a", profile);
  ExpectSameProfile(*store().GetProfile("user-a"), profile);

  profile.running = RunningBackground{};
  store().PutProfile("user-a", profile);
  ExpectSameProfile(*store().GetProfile("user-a"), profile);
}

TEST_P(StoreContractTest, PutProfileReplacesRatherThanMerges) {
  store().PutProfile("user-a", FullProfile());
  Profile second;
  second.age = 35;
  second.goals = {"mobility"};
  second.updated_at = 1'764'137'300'000;
  store().PutProfile("user-a", second);
  auto loaded = store().GetProfile("user-a");
  ASSERT_TRUE(loaded.has_value());
  // Fields absent from the new profile must not survive from the old one.
  ExpectSameProfile(*loaded, second);
}

TEST_P(StoreContractTest, WorkoutWithSetsRoundTripsInOrder) {
  Workout w;
  w.id = "w-1";
  w.performed_at = 1'764'137'239'000;
  w.created_at = 1'764'137'240'000;
  w.source = "voice";
  WorkoutSet squat;
  squat.set_number = 1;
  squat.exercise = "Back squat";
  squat.exercise_id = "back-squat";
  squat.reps = 5;
  squat.weight_kg = 102.5;
  squat.rpe = 8.5;
  squat.rir = 1.5;
  WorkoutSet plank;
  plank.set_number = 2;
  plank.exercise = "Plank";
  plank.duration_s = 60.0;
  WorkoutSet row;
  row.set_number = 3;
  row.exercise = "Rowing erg";
  row.distance_m = 2'000.0;
  row.duration_s = 450.25;
  w.sets = {squat, plank, row};
  store().AddWorkout("user-a", w);

  auto listed = store().ListWorkouts("user-a", {});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, "w-1");
  EXPECT_EQ(listed[0].performed_at, w.performed_at);
  EXPECT_EQ(listed[0].created_at, w.created_at);
  EXPECT_EQ(listed[0].source, "voice");
  ASSERT_EQ(listed[0].sets.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ExpectSameSet(listed[0].sets[i], w.sets[i]);
  }
}

TEST_P(StoreContractTest, ListWorkoutsIsNewestFirstWithinHalfOpenRange) {
  for (EpochMs t : {2'000, 4'000, 1'000, 3'000}) {
    store().AddWorkout("user-a", MakeWorkout(Numbered("w", t / 1000), t));
  }
  EXPECT_EQ(Ids(store().ListWorkouts("user-a", {})), (IdList{"w4", "w3", "w2", "w1"}));
  // since is inclusive, until exclusive.
  EXPECT_EQ(Ids(store().ListWorkouts("user-a", {.since = 2'000})), (IdList{"w4", "w3", "w2"}));
  EXPECT_EQ(Ids(store().ListWorkouts("user-a", {.until = 3'000})), (IdList{"w2", "w1"}));
  EXPECT_EQ(Ids(store().ListWorkouts("user-a", {.since = 2'000, .until = 4'000})),
            (IdList{"w3", "w2"}));
  EXPECT_TRUE(store().ListWorkouts("user-a", {.since = 3'000, .until = 3'000}).empty());
  EXPECT_EQ(Ids(store().ListWorkouts("user-a", {.limit = 2})), (IdList{"w4", "w3"}));
  EXPECT_EQ(Ids(store().ListWorkouts("user-a", {.until = 4'000, .limit = 1})), (IdList{"w3"}));
}

TEST_P(StoreContractTest, RunWithSplitsRoundTrips) {
  RunRecord r = MakeRun("r-1", 1'764'137'239'000);
  r.avg_hr = 152.5;
  r.max_hr = 181;
  r.elevation_gain_m = 35.5;
  r.rpe = 6;
  r.splits = {{.distance_m = 1'000, .duration_s = 300.5, .elevation_gain_m = 5, .avg_hr = 148},
              {.distance_m = 1'000, .duration_s = 295.25},
              {.distance_m = 500, .duration_s = 140, .avg_hr = 171.5}};
  store().AddRun("user-a", r);

  auto runs = store().ListRuns("user-a", {});
  ASSERT_EQ(runs.size(), 1u);
  const RunRecord& got = runs[0];
  EXPECT_EQ(got.id, r.id);
  EXPECT_EQ(got.started_at, r.started_at);
  EXPECT_EQ(got.created_at, r.created_at);
  EXPECT_EQ(got.distance_m, r.distance_m);
  EXPECT_EQ(got.duration_s, r.duration_s);
  EXPECT_EQ(got.avg_hr, r.avg_hr);
  EXPECT_EQ(got.max_hr, r.max_hr);
  EXPECT_EQ(got.elevation_gain_m, r.elevation_gain_m);
  EXPECT_EQ(got.rpe, r.rpe);
  ASSERT_EQ(got.splits.size(), r.splits.size());
  for (size_t i = 0; i < r.splits.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got.splits[i].distance_m, r.splits[i].distance_m);
    EXPECT_EQ(got.splits[i].duration_s, r.splits[i].duration_s);
    EXPECT_EQ(got.splits[i].elevation_gain_m, r.splits[i].elevation_gain_m);
    EXPECT_EQ(got.splits[i].avg_hr, r.splits[i].avg_hr);
  }
}

TEST_P(StoreContractTest, RunWithoutOptionalsRoundTrips) {
  store().AddRun("user-a", MakeRun("r-1", 1'000));
  auto runs = store().ListRuns("user-a", {});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].avg_hr.has_value());
  EXPECT_FALSE(runs[0].max_hr.has_value());
  EXPECT_FALSE(runs[0].elevation_gain_m.has_value());
  EXPECT_FALSE(runs[0].rpe.has_value());
  EXPECT_TRUE(runs[0].splits.empty());
}

TEST_P(StoreContractTest, ListRunsIsNewestFirstWithinHalfOpenRange) {
  for (EpochMs t : {3'000, 1'000, 2'000}) {
    store().AddRun("user-a", MakeRun(Numbered("r", t / 1000), t));
  }
  EXPECT_EQ(Ids(store().ListRuns("user-a", {})), (IdList{"r3", "r2", "r1"}));
  EXPECT_EQ(Ids(store().ListRuns("user-a", {.since = 2'000, .until = 3'000})), (IdList{"r2"}));
  EXPECT_EQ(Ids(store().ListRuns("user-a", {.limit = 1})), (IdList{"r3"}));
}

TEST_P(StoreContractTest, InjuryRoundTripsAndActiveOnlyFilters) {
  Injury knee = MakeInjury("i-knee", 1'000);
  knee.side = "left";
  knee.onset = 500;
  knee.onset_kind = "gradual";
  store().AddInjury("user-a", knee);
  store().AddInjury("user-a", MakeInjury("i-ankle", 2'000, "resolved"));
  store().AddInjury("user-a", MakeInjury("i-back", 3'000));

  EXPECT_EQ(Ids(store().ListInjuries("user-a", false)), (IdList{"i-back", "i-ankle", "i-knee"}));
  auto active = store().ListInjuries("user-a", true);
  EXPECT_EQ(Ids(active), (IdList{"i-back", "i-knee"}));

  const Injury& got = active[1];
  EXPECT_EQ(got.body_part, knee.body_part);
  EXPECT_EQ(got.side, knee.side);
  EXPECT_EQ(got.severity, knee.severity);
  EXPECT_EQ(got.description, knee.description);
  EXPECT_EQ(got.onset, knee.onset);
  EXPECT_EQ(got.onset_kind, knee.onset_kind);
  EXPECT_EQ(got.status, "active");
  EXPECT_EQ(got.created_at, knee.created_at);
  EXPECT_FALSE(active[0].side.has_value());
  EXPECT_FALSE(active[0].onset.has_value());
  EXPECT_FALSE(active[0].onset_kind.has_value());
}

TEST_P(StoreContractTest, SaveProgramReplacesActiveProgramOfSameKindOnly) {
  store().SaveProgram(
      "user-a",
      {.id = "p-old", .kind = "strength", .body_json = R"({"v":1})", .created_at = 2'000});
  store().SaveProgram(
      "user-a", {.id = "r-1", .kind = "running", .body_json = R"({"r":1})", .created_at = 2'500});
  // The newer program gets an older created_at on purpose: if the old one were still active,
  // ActiveProgram (newest active first) would return it instead.
  store().SaveProgram(
      "user-a",
      {.id = "p-new", .kind = "strength", .body_json = R"({"v":2})", .created_at = 1'000});

  auto strength = store().ActiveProgram("user-a", "strength");
  ASSERT_TRUE(strength.has_value());
  EXPECT_EQ(strength->id, "p-new");
  EXPECT_EQ(strength->kind, "strength");
  EXPECT_EQ(strength->body_json, R"({"v":2})");
  EXPECT_TRUE(strength->active);
  EXPECT_EQ(strength->created_at, 1'000);

  auto running = store().ActiveProgram("user-a", "running");
  ASSERT_TRUE(running.has_value());
  EXPECT_EQ(running->id, "r-1");
  EXPECT_FALSE(store().ActiveProgram("user-a", "mobility").has_value());
}

TEST_P(StoreContractTest, OnboardingSaveUpdateAndGet) {
  EXPECT_TRUE(store().SaveOnboarding(
      "user-a",
      {.id = "o-1", .state_json = R"({"step":1})", .complete = false, .updated_at = 1'000}));
  auto first = store().GetOnboarding("user-a", "o-1");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, "o-1");
  EXPECT_EQ(first->state_json, R"({"step":1})");
  EXPECT_FALSE(first->complete);
  EXPECT_EQ(first->updated_at, 1'000);

  EXPECT_TRUE(store().SaveOnboarding(
      "user-a",
      {.id = "o-1", .state_json = R"({"step":5})", .complete = true, .updated_at = 2'000}));
  auto second = store().GetOnboarding("user-a", "o-1");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->state_json, R"({"step":5})");
  EXPECT_TRUE(second->complete);
  EXPECT_EQ(second->updated_at, 2'000);

  EXPECT_FALSE(store().GetOnboarding("user-a", "o-unknown").has_value());
}

TEST_P(StoreContractTest, OnboardingSessionBelongsToItsUser) {
  store().SaveOnboarding("user-a", {.id = "o-1", .state_json = R"({"a":1})", .updated_at = 1'000});
  EXPECT_FALSE(store().GetOnboarding("user-b", "o-1").has_value());

  // Another user writing to the same session id is refused and changes nothing.
  EXPECT_FALSE(store().SaveOnboarding(
      "user-b", {.id = "o-1", .state_json = R"({"b":1})", .updated_at = 2'000}));
  auto owned = store().GetOnboarding("user-a", "o-1");
  ASSERT_TRUE(owned.has_value());
  EXPECT_EQ(owned->state_json, R"({"a":1})");
  EXPECT_EQ(owned->updated_at, 1'000);
  EXPECT_FALSE(store().GetOnboarding("user-b", "o-1").has_value());
}

TEST_P(StoreContractTest, UsersSeeOnlyTheirOwnRecords) {
  store().PutProfile("user-a", FullProfile());
  store().AddWorkout("user-a", MakeWorkout("w-a", 1'000, 2));
  store().AddRun("user-a", MakeRun("r-a", 1'000));
  store().AddInjury("user-a", MakeInjury("i-a", 1'000));
  store().SaveProgram("user-a", {.id = "p-a", .kind = "strength", .body_json = "{}"});
  store().SaveOnboarding("user-a", {.id = "o-a", .state_json = "{}"});

  EXPECT_FALSE(store().GetProfile("user-b").has_value());
  EXPECT_TRUE(store().ListWorkouts("user-b", {}).empty());
  EXPECT_TRUE(store().ListRuns("user-b", {}).empty());
  EXPECT_TRUE(store().ListInjuries("user-b", false).empty());
  EXPECT_FALSE(store().ActiveProgram("user-b", "strength").has_value());
  EXPECT_FALSE(store().GetOnboarding("user-b", "o-a").has_value());

  // Deleting B's account touches nothing of A's.
  DeletedCounts b = store().DeleteUserData("user-b");
  EXPECT_EQ(b.profiles + b.workouts + b.runs + b.injuries + b.programs + b.onboarding_sessions, 0);
  EXPECT_TRUE(store().GetProfile("user-a").has_value());
  ASSERT_EQ(store().ListWorkouts("user-a", {}).size(), 1u);
  EXPECT_EQ(store().ListWorkouts("user-a", {})[0].sets.size(), 2u);
}

TEST_P(StoreContractTest, DeleteUserDataCountsAndRemovesEverything) {
  store().PutProfile("user-a", FullProfile());
  store().AddWorkout("user-a", MakeWorkout("w-1", 1'000, 3));
  store().AddWorkout("user-a", MakeWorkout("w-2", 2'000, 2));
  store().AddRun("user-a", MakeRun("r-1", 1'000));
  store().AddInjury("user-a", MakeInjury("i-1", 1'000));
  store().AddInjury("user-a", MakeInjury("i-2", 2'000, "resolved"));
  store().SaveProgram("user-a", {.id = "p-1", .kind = "strength", .body_json = "{}"});
  store().SaveProgram("user-a", {.id = "p-2", .kind = "strength", .body_json = "{}"});
  store().SaveProgram("user-a", {.id = "p-3", .kind = "running", .body_json = "{}"});
  store().SaveOnboarding("user-a", {.id = "o-1", .state_json = "{}"});
  store().AddWorkout("user-b", MakeWorkout("w-b", 1'000, 1));

  DeletedCounts n = store().DeleteUserData("user-a");
  EXPECT_EQ(n.profiles, 1);
  EXPECT_EQ(n.workouts, 2);  // workouts, not their sets
  EXPECT_EQ(n.runs, 1);
  EXPECT_EQ(n.injuries, 2);
  EXPECT_EQ(n.programs, 3);  // inactive programs are the user's data too
  EXPECT_EQ(n.onboarding_sessions, 1);

  EXPECT_FALSE(store().GetProfile("user-a").has_value());
  EXPECT_TRUE(store().ListWorkouts("user-a", {}).empty());
  EXPECT_TRUE(store().ListRuns("user-a", {}).empty());
  EXPECT_TRUE(store().ListInjuries("user-a", false).empty());
  EXPECT_FALSE(store().ActiveProgram("user-a", "strength").has_value());
  EXPECT_FALSE(store().GetOnboarding("user-a", "o-1").has_value());
  EXPECT_EQ(store().ListWorkouts("user-b", {}).size(), 1u);

  DeletedCounts again = store().DeleteUserData("user-a");
  EXPECT_EQ(again.profiles + again.workouts + again.runs + again.injuries + again.programs +
                again.onboarding_sessions,
            0);
}

TEST_P(StoreContractTest, FailedWorkoutWriteLeavesNothingAndStoreStaysUsable) {
  Workout bad = MakeWorkout("w-bad", 1'000, 2);
  bad.sets[1].set_number = 1;  // duplicate (workout_id, set_number): the second insert fails
  EXPECT_THROW(store().AddWorkout("user-a", bad), StoreError);
  EXPECT_TRUE(store().ListWorkouts("user-a", {}).empty());

  // The failed transaction was rolled back, so the pooled connection is clean for the next call.
  store().AddWorkout("user-a", MakeWorkout("w-good", 2'000, 2));
  EXPECT_EQ(Ids(store().ListWorkouts("user-a", {})), (IdList{"w-good"}));
}

TEST_P(StoreContractTest, DuplicateWorkoutIdIsRejectedAndOriginalKept) {
  store().AddWorkout("user-a", MakeWorkout("w-1", 1'000, 2));
  EXPECT_THROW(store().AddWorkout("user-a", MakeWorkout("w-1", 5'000, 4)), StoreError);
  auto listed = store().ListWorkouts("user-a", {});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].performed_at, 1'000);
  EXPECT_EQ(listed[0].sets.size(), 2u);
}

// Runs on both backings: shared-cache in-memory databases refuse a second writer at once
// (SQLITE_LOCKED ignores the busy timeout), which the in-memory store must hide by serialising.
TEST_P(StoreContractTest, ConcurrentWritersAllLand) {
  // Each AddWorkout takes its own pooled connection; contention must wait, not fail.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> failures{0};
  std::mutex error_mu;
  std::string first_error;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        try {
          store().AddWorkout("user-a",
                             MakeWorkout(Numbered(Numbered("t", t) + "-", i), t * 1'000 + i, 2));
        } catch (const std::exception& e) {
          ++failures;
          std::lock_guard lock(error_mu);
          if (first_error.empty()) first_error = e.what();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0) << first_error;
  auto listed = store().ListWorkouts("user-a", {.limit = 1'000});
  EXPECT_EQ(listed.size(), static_cast<size_t>(kThreads * kPerThread));
  for (const auto& w : listed) EXPECT_EQ(w.sets.size(), 2u) << w.id;
}

// ---- file-only: what the database file itself holds ------------------------------------------

class SqliteFileStoreTest : public ::testing::Test, protected ScratchDatabase {
 protected:
  void SetUp() override { CreateScratch(); }
  void TearDown() override { RemoveScratch(); }

  std::unique_ptr<SqliteStore> Open() {
    return std::make_unique<SqliteStore>(SqliteStore::Options{.path = path_.string()});
  }
};

TEST_F(SqliteFileStoreTest, MigrationsAreAppliedOnce) {
  auto first = Open();
  EXPECT_EQ(first->migrations_applied(), static_cast<int>(Migrations().size()));
  EXPECT_GE(first->migrations_applied(), 1);
  // A second store on the same file (another process, or a restart) finds them applied.
  auto second = Open();
  EXPECT_EQ(second->migrations_applied(), 0);
  second.reset();
  first.reset();
  EXPECT_EQ(Open()->migrations_applied(), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(Migrations().size()));
}

TEST_F(SqliteFileStoreTest, DataSurvivesReopening) {
  {
    auto store = Open();
    store->PutProfile("user-a", FullProfile());
    store->AddWorkout("user-a", MakeWorkout("w-1", 1'000, 3));
  }
  auto store = Open();
  auto profile = store->GetProfile("user-a");
  ASSERT_TRUE(profile.has_value());
  ExpectSameProfile(*profile, FullProfile());
  auto listed = store->ListWorkouts("user-a", {});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].sets.size(), 3u);
}

TEST_F(SqliteFileStoreTest, CreatesMissingParentDirectories) {
  auto nested = dir_ / "a" / "b" / "voicefit.db";
  SqliteStore store(SqliteStore::Options{.path = nested.string()});
  store.Ping();
  EXPECT_TRUE(std::filesystem::exists(nested));
}

TEST_F(SqliteFileStoreTest, SaveProgramLeavesOnlyOneActivePerKind) {
  auto store = Open();
  store->SaveProgram("user-a",
                     {.id = "s-1", .kind = "strength", .body_json = "{}", .created_at = 1});
  store->SaveProgram("user-a",
                     {.id = "r-1", .kind = "running", .body_json = "{}", .created_at = 2});
  store->SaveProgram("user-a",
                     {.id = "s-2", .kind = "strength", .body_json = "{}", .created_at = 3});
  store->SaveProgram("user-b",
                     {.id = "s-b", .kind = "strength", .body_json = "{}", .created_at = 4});
  EXPECT_EQ(Scalar("SELECT active FROM programs WHERE id = 's-1'"), 0);
  EXPECT_EQ(Scalar("SELECT active FROM programs WHERE id = 's-2'"), 1);
  EXPECT_EQ(Scalar("SELECT active FROM programs WHERE id = 'r-1'"), 1);
  EXPECT_EQ(Scalar("SELECT active FROM programs WHERE id = 's-b'"), 1);  // other user untouched
}

TEST_F(SqliteFileStoreTest, DeleteUserDataRemovesWorkoutSets) {
  auto store = Open();
  store->AddWorkout("user-a", MakeWorkout("w-a1", 1'000, 3));
  store->AddWorkout("user-a", MakeWorkout("w-a2", 2'000, 2));
  store->AddWorkout("user-b", MakeWorkout("w-b1", 1'000, 4));
  ASSERT_EQ(Scalar("SELECT COUNT(*) FROM workout_sets"), 9);

  DeletedCounts n = store->DeleteUserData("user-a");
  EXPECT_EQ(n.workouts, 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workouts WHERE user_id = 'user-a'"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workout_sets WHERE workout_id IN ('w-a1', 'w-a2')"), 0);
  // No orphans of any user, and B's sets are still there.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workout_sets WHERE workout_id NOT IN "
                   "(SELECT id FROM workouts)"),
            0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workout_sets WHERE workout_id = 'w-b1'"), 4);
}

TEST_F(SqliteFileStoreTest, FailedWriteMidTransactionLeavesNoRows) {
  auto store = Open();
  Workout bad = MakeWorkout("w-bad", 1'000, 3);
  bad.sets[2].set_number = 2;  // the third set collides with the second
  EXPECT_THROW(store->AddWorkout("user-a", bad), StoreError);
  // The workout row and the first two sets were written before the failure; all must be gone.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workouts WHERE id = 'w-bad'"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workout_sets WHERE workout_id = 'w-bad'"), 0);
}

TEST_F(SqliteFileStoreTest, ConcurrentWritersAcrossStoresAllLand) {
  // Two stores on one file stand in for two processes: SQLite's file locking and the busy
  // timeout, not the in-process pool, must serialise them.
  auto first = Open();
  auto second = Open();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    SqliteStore* store = (t % 2 == 0 ? first : second).get();
    threads.emplace_back([store, t, &failures] {
      for (int i = 0; i < 50; ++i) {
        try {
          store->AddWorkout(Numbered("user-", t),
                            MakeWorkout(Numbered(Numbered("t", t) + "-", i), i, 1));
        } catch (const StoreError&) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workouts"), 200);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM workout_sets"), 200);
}

// ---- :memory: only ---------------------------------------------------------------------------

TEST(SqliteMemoryStore, EachInstanceIsItsOwnDatabase) {
  SqliteStore a(SqliteStore::Options{.path = ":memory:"});
  SqliteStore b(SqliteStore::Options{.path = ":memory:"});
  a.AddWorkout("user-a", MakeWorkout("w-1", 1'000));
  EXPECT_EQ(a.ListWorkouts("user-a", {}).size(), 1u);
  EXPECT_TRUE(b.ListWorkouts("user-a", {}).empty());
  EXPECT_EQ(b.migrations_applied(), static_cast<int>(Migrations().size()));
}

// ---- ParseDatabaseUrl ------------------------------------------------------------------------

TEST(ParseDatabaseUrl, SqliteForms) {
  const std::pair<std::string, std::string> cases[] = {
      {"sqlite://./x.db", "./x.db"},
      {"sqlite:///abs/x.db", "/abs/x.db"},
      {"plain/path.db", "plain/path.db"},
      {"sqlite://:memory:", ":memory:"},
  };
  for (const auto& [url, location] : cases) {
    auto target = ParseDatabaseUrl(url);
    EXPECT_EQ(target.kind, DatabaseTarget::Kind::kSqlite) << url;
    EXPECT_EQ(target.location, location) << url;
  }
}

TEST(ParseDatabaseUrl, PostgresKeepsWholeUrl) {
  const std::string url = "postgres://app:pw@db.internal:5432/voicefit?sslmode=require";
  auto target = ParseDatabaseUrl(url);
  EXPECT_EQ(target.kind, DatabaseTarget::Kind::kPostgres);
  EXPECT_EQ(target.location, url);
  EXPECT_EQ(ParseDatabaseUrl("postgresql://h/db").kind, DatabaseTarget::Kind::kPostgres);
}

TEST(ParseDatabaseUrl, UnsupportedSchemeNamesSettingWithoutCredentials) {
  try {
    (void)ParseDatabaseUrl("mysql://root:hunter2@x/db");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.rfind("DATABASE_URL", 0), 0u) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  }
  EXPECT_THROW((void)ParseDatabaseUrl("mysql://x"), ConfigError);
}

TEST(ParseDatabaseUrl, EmptySqlitePathThrows) {
  try {
    (void)ParseDatabaseUrl("sqlite://");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("DATABASE_URL", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace vf::store::sqlite
