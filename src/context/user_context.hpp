#pragma once
// The user context: what the coach knows about an athlete, summarised for the AI routes
// (profile, the last four weeks of training and running, active injuries, active programs).
// Read through the cache under the user's generation (cache/generations.hpp); every write that
// changes it bumps the generation after it commits, so the next read anywhere rebuilds it.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cache/generations.hpp"
#include "cache/loader.hpp"

namespace vf::store {
class Store;
}

namespace vf::context {

class UserContextService {
 public:
  UserContextService(store::Store& store, cache::Loader& loader, cache::Generations& generations);

  struct Result {
    nlohmann::json context;
    bool cached = false;
  };
  Result Get(const std::string& user_id);
  // After a committed write that changes the user's context, before the reply.
  void Invalidate(const std::string& user_id);
  // Straight from the store, no cache.
  nlohmann::json Build(const std::string& user_id);

  static constexpr int kWindowDays = 28;

 private:
  store::Store& store_;
  cache::Loader& loader_;
  cache::Generations& generations_;
};

}  // namespace vf::context
