#pragma once
// The embedded default store: one SQLite file in WAL mode (readers never wait for the writer),
// a busy timeout instead of immediate SQLITE_BUSY, synchronous=FULL so a committed write survives
// power loss, and one connection per concurrent caller from a small pool, each with its own
// prepared-statement cache.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/repositories.hpp"

namespace vf::store::sqlite {

class SqliteStore final : public Store {
 public:
  struct Options {
    std::string path;  // file path or ":memory:"
    int busy_timeout_ms = 5000;
    bool migrate = true;
  };
  explicit SqliteStore(Options options);
  ~SqliteStore() override;

  int migrations_applied() const { return migrations_applied_; }

  std::optional<Profile> GetProfile(const std::string& user_id) override;
  void PutProfile(const std::string& user_id, const Profile& profile) override;
  void AddWorkout(const std::string& user_id, const Workout& workout) override;
  std::vector<Workout> ListWorkouts(const std::string& user_id, const TimeRange& range) override;
  void AddRun(const std::string& user_id, const Run& run) override;
  std::vector<Run> ListRuns(const std::string& user_id, const TimeRange& range) override;
  void AddInjury(const std::string& user_id, const Injury& injury) override;
  std::vector<Injury> ListInjuries(const std::string& user_id, bool active_only) override;
  void SaveProgram(const std::string& user_id, const Program& program) override;
  std::optional<Program> ActiveProgram(const std::string& user_id,
                                       const std::string& kind) override;
  bool SaveOnboarding(const std::string& user_id, const OnboardingSession& session) override;
  std::optional<OnboardingSession> GetOnboarding(const std::string& user_id,
                                                 const std::string& session_id) override;
  DeletedCounts DeleteUserData(const std::string& user_id) override;
  void Ping() override;
  std::string kind() const override { return "sqlite"; }

  class Connection;

 private:
  class Lease;
  std::unique_ptr<Connection> Open() const;
  Lease Borrow();
  void Return(std::unique_ptr<Connection> conn);

  Options options_;
  bool in_memory_;
  int migrations_applied_ = 0;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::unique_ptr<Connection> memory_keeper_;
  std::mutex memory_mu_;  // keeps a shared in-memory database alive
};

}  // namespace vf::store::sqlite
