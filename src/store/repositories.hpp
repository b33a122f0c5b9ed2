#pragma once
// Repository interfaces. Every method that writes returns only after the transaction committed;
// every method throws StoreError when the database is unusable. All are keyed by the caller's
// user id, so no query can reach another user's rows.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/models.hpp"

namespace vf::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProfileRepository {
 public:
  virtual ~ProfileRepository() = default;
  virtual std::optional<Profile> GetProfile(const std::string& user_id) = 0;
  virtual void PutProfile(const std::string& user_id, const Profile& profile) = 0;
};

class WorkoutRepository {
 public:
  virtual ~WorkoutRepository() = default;
  virtual void AddWorkout(const std::string& user_id, const Workout& workout) = 0;
  virtual std::vector<Workout> ListWorkouts(const std::string& user_id, const TimeRange& range) = 0;
};

class RunRepository {
 public:
  virtual ~RunRepository() = default;
  virtual void AddRun(const std::string& user_id, const Run& run) = 0;
  virtual std::vector<Run> ListRuns(const std::string& user_id, const TimeRange& range) = 0;
};

class InjuryRepository {
 public:
  virtual ~InjuryRepository() = default;
  virtual void AddInjury(const std::string& user_id, const Injury& injury) = 0;
  virtual std::vector<Injury> ListInjuries(const std::string& user_id, bool active_only) = 0;
};

class ProgramRepository {
 public:
  virtual ~ProgramRepository() = default;
  // Saves the program as the user's active one of its kind (the previous one is deactivated).
  virtual void SaveProgram(const std::string& user_id, const Program& program) = 0;
  virtual std::optional<Program> ActiveProgram(const std::string& user_id,
                                               const std::string& kind) = 0;
};

class OnboardingRepository {
 public:
  virtual ~OnboardingRepository() = default;
  // Creates or updates the caller's session; false (nothing written) when the id is another
  // user's.
  virtual bool SaveOnboarding(const std::string& user_id, const OnboardingSession& session) = 0;
  virtual std::optional<OnboardingSession> GetOnboarding(const std::string& user_id,
                                                         const std::string& session_id) = 0;
};

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;
  // Removes every record of the user in one transaction.
  virtual DeletedCounts DeleteUserData(const std::string& user_id) = 0;
};

// The whole store, as the composition root hands it to the routes.
class Store : public ProfileRepository,
              public WorkoutRepository,
              public RunRepository,
              public InjuryRepository,
              public ProgramRepository,
              public OnboardingRepository,
              public AccountRepository {
 public:
  // Cheap round trip proving the database answers; throws StoreError if not.
  virtual void Ping() = 0;
  virtual std::string kind() const = 0;
};

}  // namespace vf::store
