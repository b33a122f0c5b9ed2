#include "store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "store/sqlite/migrations.hpp"

namespace vf::store::sqlite {

using nlohmann::json;

namespace {

[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  throw StoreError(what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "no connection"));
}

// A prepared statement, reset on scope exit so its cached copy can be reused.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int i, const std::string& v) {
    Check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    Check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, double v) {
    Check(sqlite3_bind_double(stmt_, i, v));
    return *this;
  }
  template <class T>
  Stmt& Bind(int i, const std::optional<T>& v) {
    if (v) return Bind(i, *v);
    Check(sqlite3_bind_null(stmt_, i));
    return *this;
  }

  // True while there is a row.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fail(db_, "query failed");
  }
  void Run() {
    while (Step()) {
    }
  }

  bool IsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  std::string Text(int c) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
                        : std::string();
  }
  int64_t Int(int c) const { return sqlite3_column_int64(stmt_, c); }
  double Real(int c) const { return sqlite3_column_double(stmt_, c); }
  std::optional<std::string> OptText(int c) const {
    return IsNull(c) ? std::nullopt : std::optional(Text(c));
  }
  std::optional<int> OptInt(int c) const {
    return IsNull(c) ? std::nullopt : std::optional(static_cast<int>(Int(c)));
  }
  std::optional<double> OptReal(int c) const {
    return IsNull(c) ? std::nullopt : std::optional(Real(c));
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Fail(db_, "bind failed");
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

std::string NextMemoryName() {
  static std::atomic<int> counter{0};
  return "file:voicefit-memory-" + std::to_string(counter++) + "?mode=memory&cache=shared";
}

json SplitsToJson(const std::vector<RunSplit>& splits) {
  json out = json::array();
  for (const auto& s : splits) {
    json j{{"distance_m", s.distance_m}, {"duration_s", s.duration_s}};
    if (s.elevation_gain_m) j["elevation_gain_m"] = *s.elevation_gain_m;
    if (s.avg_hr) j["avg_hr"] = *s.avg_hr;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<RunSplit> SplitsFromJson(const std::string& text) {
  std::vector<RunSplit> out;
  for (const auto& j : json::parse(text)) {
    RunSplit s;
    s.distance_m = j.at("distance_m").get<double>();
    s.duration_s = j.at("duration_s").get<double>();
    if (j.contains("elevation_gain_m")) s.elevation_gain_m = j["elevation_gain_m"].get<double>();
    if (j.contains("avg_hr")) s.avg_hr = j["avg_hr"].get<double>();
    out.push_back(s);
  }
  return out;
}

}  // namespace

class SqliteStore::Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  sqlite3* db() const { return db_; }

  Stmt Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
          SQLITE_OK) {
        Fail(db_, "prepare failed");
      }
      it = cache_.emplace(sql, stmt).first;
    }
    return Stmt(db_, it->second);
  }

  void Exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Fail(db_, sql);
  }

  // Runs fn inside BEGIN IMMEDIATE ... COMMIT; rolls back if fn throws. Returning means committed.
  template <class Fn>
  auto Transaction(Fn fn) {
    Exec("BEGIN IMMEDIATE");
    try {
      if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        Exec("COMMIT");
      } else {
        auto result = fn();
        Exec("COMMIT");
        return result;
      }
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// A connection borrowed from the pool for one call, returned on scope exit.
class SqliteStore::Lease {
 public:
  Lease(SqliteStore& store, std::unique_ptr<Connection> conn, std::unique_lock<std::mutex> solo)
      : store_(store), conn_(std::move(conn)), solo_(std::move(solo)) {}
  ~Lease() {
    if (conn_) store_.Return(std::move(conn_));
  }
  Lease(Lease&&) = default;
  Connection* operator->() { return conn_.get(); }

 private:
  SqliteStore& store_;
  std::unique_ptr<Connection> conn_;
  std::unique_lock<std::mutex> solo_;  // held for the whole call on in-memory databases
};

SqliteStore::SqliteStore(Options options)
    : options_(std::move(options)), in_memory_(options_.path == ":memory:") {
  if (in_memory_) {
    options_.path = NextMemoryName();
  } else {
    auto parent = std::filesystem::path(options_.path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) throw StoreError("cannot create directory " + parent.string() + ": " + ec.message());
  }
  auto first = Open();
  if (options_.migrate) migrations_applied_ = ApplyMigrations(first->db());
  if (in_memory_) memory_keeper_ = Open();
  Return(std::move(first));
}

SqliteStore::~SqliteStore() = default;

std::unique_ptr<SqliteStore::Connection> SqliteStore::Open() const {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(options_.path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    throw StoreError("cannot open SQLite database '" + options_.path + "': " + message);
  }
  auto conn = std::make_unique<Connection>(db);
  sqlite3_busy_timeout(db, options_.busy_timeout_ms);
  if (!in_memory_) conn->Exec("PRAGMA journal_mode=WAL");
  conn->Exec("PRAGMA synchronous=FULL");
  conn->Exec("PRAGMA foreign_keys=ON");
  return conn;
}

SqliteStore::Lease SqliteStore::Borrow() {
  // A shared-cache in-memory database answers a second writer with SQLITE_LOCKED at once (the
  // busy timeout does not apply), so in-memory stores serve one call at a time.
  std::unique_lock<std::mutex> solo;
  if (in_memory_) solo = std::unique_lock(memory_mu_);
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn), std::move(solo));
    }
  }
  return Lease(*this, Open(), std::move(solo));
}

void SqliteStore::Return(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(pool_mu_);
  if (idle_.size() < 16) idle_.push_back(std::move(conn));
}

void SqliteStore::Ping() {
  auto c = Borrow();
  auto stmt = c->Prepare("SELECT 1");
  if (!stmt.Step()) throw StoreError("ping returned no row");
}

std::optional<Profile> SqliteStore::GetProfile(const std::string& user_id) {
  auto c = Borrow();
  auto s = c->Prepare(
      "SELECT age, sex, height_cm, weight_kg, experience, goals, days_per_week, session_minutes, "
      "equipment, injuries, running, preferred_unit, updated_at FROM profiles WHERE user_id = ?");
  s.Bind(1, user_id);
  if (!s.Step()) return std::nullopt;
  Profile p;
  p.age = s.OptInt(0);
  p.sex = s.OptText(1);
  p.height_cm = s.OptReal(2);
  p.weight_kg = s.OptReal(3);
  p.experience = s.OptText(4);
  p.goals = json::parse(s.Text(5)).get<std::vector<std::string>>();
  p.days_per_week = s.OptInt(6);
  p.session_minutes = s.OptInt(7);
  p.equipment = json::parse(s.Text(8)).get<std::vector<std::string>>();
  for (const auto& j : json::parse(s.Text(9))) {
    p.injuries.push_back({j.at("body_part").get<std::string>(), j.value("note", "")});
  }
  if (auto running = s.OptText(10)) {
    auto j = json::parse(*running);
    RunningBackground r;
    if (j.contains("weekly_km")) r.weekly_km = j["weekly_km"].get<double>();
    if (j.contains("recent_race")) {
      r.recent_race = RecentRace{j["recent_race"].at("distance_m").get<double>(),
                                 j["recent_race"].at("time_s").get<double>()};
    }
    p.running = r;
  }
  p.preferred_unit = s.OptText(11);
  p.updated_at = s.Int(12);
  return p;
}

void SqliteStore::PutProfile(const std::string& user_id, const Profile& p) {
  json injuries = json::array();
  for (const auto& i : p.injuries)
    injuries.push_back({{"body_part", i.body_part}, {"note", i.note}});
  std::optional<std::string> running;
  if (p.running) {
    json r = json::object();
    if (p.running->weekly_km) r["weekly_km"] = *p.running->weekly_km;
    if (p.running->recent_race) {
      r["recent_race"] = {{"distance_m", p.running->recent_race->distance_m},
                          {"time_s", p.running->recent_race->time_s}};
    }
    running = r.dump();
  }
  auto c = Borrow();
  c->Transaction([&] {
    auto s = c->Prepare(
        "INSERT INTO profiles (user_id, age, sex, height_cm, weight_kg, experience, goals, "
        "days_per_week, session_minutes, equipment, injuries, running, preferred_unit, "
        "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(user_id) DO UPDATE SET "
        "age=excluded.age, sex=excluded.sex, height_cm=excluded.height_cm, "
        "weight_kg=excluded.weight_kg, experience=excluded.experience, goals=excluded.goals, "
        "days_per_week=excluded.days_per_week, session_minutes=excluded.session_minutes, "
        "equipment=excluded.equipment, injuries=excluded.injuries, running=excluded.running, "
        "preferred_unit=excluded.preferred_unit, updated_at=excluded.updated_at");
    s.Bind(1, user_id).Bind(2, p.age).Bind(3, p.sex).Bind(4, p.height_cm).Bind(5, p.weight_kg);
    s.Bind(6, p.experience).Bind(7, json(p.goals).dump()).Bind(8, p.days_per_week);
    s.Bind(9, p.session_minutes).Bind(10, json(p.equipment).dump()).Bind(11, injuries.dump());
    s.Bind(12, running).Bind(13, p.preferred_unit).Bind(14, p.updated_at);
    s.Run();
  });
}

void SqliteStore::AddWorkout(const std::string& user_id, const Workout& w) {
  auto c = Borrow();
  c->Transaction([&] {
    {
      auto s = c->Prepare(
          "INSERT INTO workouts (id, user_id, performed_at, created_at, source) "
          "VALUES (?,?,?,?,?)");
      s.Bind(1, w.id).Bind(2, user_id).Bind(3, w.performed_at).Bind(4, w.created_at);
      s.Bind(5, w.source).Run();
    }
    for (const auto& set : w.sets) {
      auto s = c->Prepare(
          "INSERT INTO workout_sets (workout_id, set_number, exercise, exercise_id, reps, "
          "weight_kg, rpe, rir, duration_s, distance_m) VALUES (?,?,?,?,?,?,?,?,?,?)");
      s.Bind(1, w.id).Bind(2, set.set_number).Bind(3, set.exercise).Bind(4, set.exercise_id);
      s.Bind(5, set.reps).Bind(6, set.weight_kg).Bind(7, set.rpe).Bind(8, set.rir);
      s.Bind(9, set.duration_s).Bind(10, set.distance_m).Run();
    }
  });
}

std::vector<Workout> SqliteStore::ListWorkouts(const std::string& user_id, const TimeRange& range) {
  auto c = Borrow();
  std::vector<Workout> out;
  {
    auto s = c->Prepare(
        "SELECT id, performed_at, created_at, source FROM workouts WHERE user_id = ? "
        "AND performed_at >= ? AND performed_at < ? ORDER BY performed_at DESC, id DESC LIMIT ?");
    s.Bind(1, user_id).Bind(2, range.since.value_or(INT64_MIN));
    s.Bind(3, range.until.value_or(INT64_MAX)).Bind(4, range.limit);
    while (s.Step()) {
      Workout w;
      w.id = s.Text(0);
      w.performed_at = s.Int(1);
      w.created_at = s.Int(2);
      w.source = s.Text(3);
      out.push_back(std::move(w));
    }
  }
  for (auto& w : out) {
    auto s = c->Prepare(
        "SELECT set_number, exercise, exercise_id, reps, weight_kg, rpe, rir, duration_s, "
        "distance_m FROM workout_sets WHERE workout_id = ? ORDER BY set_number");
    s.Bind(1, w.id);
    while (s.Step()) {
      WorkoutSet set;
      set.set_number = static_cast<int>(s.Int(0));
      set.exercise = s.Text(1);
      set.exercise_id = s.OptText(2);
      set.reps = s.OptInt(3);
      set.weight_kg = s.OptReal(4);
      set.rpe = s.OptReal(5);
      set.rir = s.OptReal(6);
      set.duration_s = s.OptReal(7);
      set.distance_m = s.OptReal(8);
      w.sets.push_back(std::move(set));
    }
  }
  return out;
}

void SqliteStore::AddRun(const std::string& user_id, const Run& r) {
  auto c = Borrow();
  c->Transaction([&] {
    auto s = c->Prepare(
        "INSERT INTO runs (id, user_id, started_at, created_at, distance_m, duration_s, avg_hr, "
        "max_hr, elevation_gain_m, rpe, splits) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    s.Bind(1, r.id).Bind(2, user_id).Bind(3, r.started_at).Bind(4, r.created_at);
    s.Bind(5, r.distance_m).Bind(6, r.duration_s).Bind(7, r.avg_hr).Bind(8, r.max_hr);
    s.Bind(9, r.elevation_gain_m).Bind(10, r.rpe).Bind(11, SplitsToJson(r.splits).dump()).Run();
  });
}

std::vector<Run> SqliteStore::ListRuns(const std::string& user_id, const TimeRange& range) {
  auto c = Borrow();
  auto s = c->Prepare(
      "SELECT id, started_at, created_at, distance_m, duration_s, avg_hr, max_hr, "
      "elevation_gain_m, rpe, splits FROM runs WHERE user_id = ? AND started_at >= ? "
      "AND started_at < ? ORDER BY started_at DESC, id DESC LIMIT ?");
  s.Bind(1, user_id).Bind(2, range.since.value_or(INT64_MIN));
  s.Bind(3, range.until.value_or(INT64_MAX)).Bind(4, range.limit);
  std::vector<Run> out;
  while (s.Step()) {
    Run r;
    r.id = s.Text(0);
    r.started_at = s.Int(1);
    r.created_at = s.Int(2);
    r.distance_m = s.Real(3);
    r.duration_s = s.Real(4);
    r.avg_hr = s.OptReal(5);
    r.max_hr = s.OptReal(6);
    r.elevation_gain_m = s.OptReal(7);
    r.rpe = s.OptReal(8);
    r.splits = SplitsFromJson(s.Text(9));
    out.push_back(std::move(r));
  }
  return out;
}

void SqliteStore::AddInjury(const std::string& user_id, const Injury& i) {
  auto c = Borrow();
  c->Transaction([&] {
    auto s = c->Prepare(
        "INSERT INTO injuries (id, user_id, body_part, side, severity, description, onset, "
        "onset_kind, status, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)");
    s.Bind(1, i.id).Bind(2, user_id).Bind(3, i.body_part).Bind(4, i.side).Bind(5, i.severity);
    s.Bind(6, i.description).Bind(7, i.onset).Bind(8, i.onset_kind).Bind(9, i.status);
    s.Bind(10, i.created_at).Run();
  });
}

std::vector<Injury> SqliteStore::ListInjuries(const std::string& user_id, bool active_only) {
  auto c = Borrow();
  auto s = c->Prepare(
      "SELECT id, body_part, side, severity, description, onset, onset_kind, status, created_at "
      "FROM "
      "injuries WHERE user_id = ? AND (? = 0 OR status = 'active') ORDER BY created_at DESC, id "
      "DESC");
  s.Bind(1, user_id).Bind(2, active_only ? 1 : 0);
  std::vector<Injury> out;
  while (s.Step()) {
    Injury i;
    i.id = s.Text(0);
    i.body_part = s.Text(1);
    i.side = s.OptText(2);
    i.severity = static_cast<int>(s.Int(3));
    i.description = s.Text(4);
    if (!s.IsNull(5)) i.onset = s.Int(5);
    i.onset_kind = s.OptText(6);
    i.status = s.Text(7);
    i.created_at = s.Int(8);
    out.push_back(std::move(i));
  }
  return out;
}

void SqliteStore::SaveProgram(const std::string& user_id, const Program& p) {
  auto c = Borrow();
  c->Transaction([&] {
    c->Prepare("UPDATE programs SET active = 0 WHERE user_id = ? AND kind = ?")
        .Bind(1, user_id)
        .Bind(2, p.kind)
        .Run();
    auto s = c->Prepare(
        "INSERT INTO programs (id, user_id, kind, body, active, created_at) VALUES (?,?,?,?,1,?)");
    s.Bind(1, p.id).Bind(2, user_id).Bind(3, p.kind).Bind(4, p.body_json).Bind(5, p.created_at);
    s.Run();
  });
}

std::optional<Program> SqliteStore::ActiveProgram(const std::string& user_id,
                                                  const std::string& kind) {
  auto c = Borrow();
  auto s = c->Prepare(
      "SELECT id, kind, body, active, created_at FROM programs WHERE user_id = ? AND kind = ? "
      "AND active = 1 ORDER BY created_at DESC LIMIT 1");
  s.Bind(1, user_id).Bind(2, kind);
  if (!s.Step()) return std::nullopt;
  return Program{s.Text(0), s.Text(1), s.Text(2), s.Int(3) != 0, s.Int(4)};
}

bool SqliteStore::SaveOnboarding(const std::string& user_id, const OnboardingSession& o) {
  auto c = Borrow();
  return c->Transaction([&] {
    auto s = c->Prepare(
        "INSERT INTO onboarding_sessions (id, user_id, state, complete, updated_at) VALUES "
        "(?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET state=excluded.state, "
        "complete=excluded.complete, updated_at=excluded.updated_at WHERE "
        "user_id=excluded.user_id");
    s.Bind(1, o.id).Bind(2, user_id).Bind(3, o.state_json).Bind(4, o.complete ? 1 : 0);
    s.Bind(5, o.updated_at).Run();
    return sqlite3_changes(c->db()) == 1;  // 0: the id belongs to another user
  });
}

std::optional<OnboardingSession> SqliteStore::GetOnboarding(const std::string& user_id,
                                                            const std::string& session_id) {
  auto c = Borrow();
  auto s = c->Prepare(
      "SELECT id, state, complete, updated_at FROM onboarding_sessions WHERE id = ? AND "
      "user_id = ?");
  s.Bind(1, session_id).Bind(2, user_id);
  if (!s.Step()) return std::nullopt;
  return OnboardingSession{s.Text(0), s.Text(1), s.Int(2) != 0, s.Int(3)};
}

DeletedCounts SqliteStore::DeleteUserData(const std::string& user_id) {
  auto c = Borrow();
  return c->Transaction([&] {
    DeletedCounts n;
    auto remove = [&](const char* sql) {
      c->Prepare(sql).Bind(1, user_id).Run();
      return sqlite3_changes(c->db());
    };
    n.profiles = remove("DELETE FROM profiles WHERE user_id = ?");
    // workout_sets go with their workouts (ON DELETE CASCADE).
    n.workouts = remove("DELETE FROM workouts WHERE user_id = ?");
    n.runs = remove("DELETE FROM runs WHERE user_id = ?");
    n.injuries = remove("DELETE FROM injuries WHERE user_id = ?");
    n.programs = remove("DELETE FROM programs WHERE user_id = ?");
    n.onboarding_sessions = remove("DELETE FROM onboarding_sessions WHERE user_id = ?");
    return n;
  });
}

}  // namespace vf::store::sqlite
