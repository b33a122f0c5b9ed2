#include "store/sqlite/migrations.hpp"

#include <sqlite3.h>

#include "core/time.hpp"
#include "store/repositories.hpp"

namespace vf::store::sqlite {
namespace {

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError("migration failed: " + message);
  }
}

}  // namespace

const std::vector<Migration>& Migrations() {
  // Times are epoch milliseconds (UTC); weights kg, distances m, durations s.
  static const std::vector<Migration> kMigrations{
      {1, "initial schema", R"sql(
CREATE TABLE profiles (
  user_id TEXT PRIMARY KEY,
  age INTEGER, sex TEXT, height_cm REAL, weight_kg REAL, experience TEXT,
  goals TEXT NOT NULL DEFAULT '[]', days_per_week INTEGER, session_minutes INTEGER,
  equipment TEXT NOT NULL DEFAULT '[]', injuries TEXT NOT NULL DEFAULT '[]', running TEXT,
  preferred_unit TEXT, updated_at INTEGER NOT NULL
);
CREATE TABLE workouts (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, performed_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL, source TEXT NOT NULL
);
CREATE INDEX workouts_by_user_time ON workouts(user_id, performed_at DESC);
CREATE TABLE workout_sets (
  workout_id TEXT NOT NULL REFERENCES workouts(id) ON DELETE CASCADE,
  set_number INTEGER NOT NULL, exercise TEXT NOT NULL, exercise_id TEXT,
  reps INTEGER, weight_kg REAL, rpe REAL, rir REAL, duration_s REAL, distance_m REAL,
  PRIMARY KEY (workout_id, set_number)
);
CREATE TABLE runs (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, started_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL, distance_m REAL NOT NULL, duration_s REAL NOT NULL,
  avg_hr REAL, max_hr REAL, elevation_gain_m REAL, rpe REAL, splits TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX runs_by_user_time ON runs(user_id, started_at DESC);
CREATE TABLE injuries (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, body_part TEXT NOT NULL, side TEXT,
  severity INTEGER NOT NULL, description TEXT NOT NULL, onset INTEGER, onset_kind TEXT,
  status TEXT NOT NULL DEFAULT 'active', created_at INTEGER NOT NULL
);
CREATE INDEX injuries_by_user ON injuries(user_id, created_at DESC);
CREATE TABLE programs (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,
  active INTEGER NOT NULL, created_at INTEGER NOT NULL
);
CREATE INDEX programs_by_user ON programs(user_id, kind, active);
CREATE TABLE onboarding_sessions (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, state TEXT NOT NULL,
  complete INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX onboarding_by_user ON onboarding_sessions(user_id);
)sql"},
  };
  return kMigrations;
}

int ApplyMigrations(sqlite3* db) {
  Exec(db,
       "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
       "name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  // IMMEDIATE takes the write lock first, so two processes starting together don't both migrate.
  Exec(db, "BEGIN IMMEDIATE");
  int applied = 0;
  try {
    int current = 0;
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1, &stmt,
                       nullptr);
    if (sqlite3_step(stmt) == SQLITE_ROW) current = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    for (const auto& m : Migrations()) {
      if (m.version <= current) continue;
      Exec(db, m.sql);
      std::string record = "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) +
                           ", '" + m.name + "', " + std::to_string(NowMs()) + ")";
      Exec(db, record);
      ++applied;
    }
    Exec(db, "COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return applied;
}

}  // namespace vf::store::sqlite
