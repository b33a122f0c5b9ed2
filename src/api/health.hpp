#pragma once
// Health of the server and its dependencies. Probes run on a background thread once a second and
// the route serves the last result, so a flood of health checks costs nothing and never touches
// the store or Redis.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace vf::store {
class Store;
}

namespace vf::api {

struct DependencyProbe {
  std::string name;
  // Returns the check object ({"status": "ok"|"down"|"not_configured", ...}).
  std::function<nlohmann::json()> probe;
  bool required = false;  // required and down -> overall "down" (503); otherwise "degraded"
};

class HealthService {
 public:
  HealthService(std::string version, std::chrono::milliseconds period);
  ~HealthService();

  void AddProbe(DependencyProbe probe);
  // Probes once synchronously, then keeps probing in the background.
  void Start();
  void Stop();
  // Probes now (tests, and Start()).
  void Refresh();

  struct Snapshot {
    int http_status = 200;
    std::string body;
  };
  std::shared_ptr<const Snapshot> Current() const;

 private:
  void Loop();
  std::string version_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::vector<DependencyProbe> probes_;
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// A probe that pings the store.
DependencyProbe StoreProbe(store::Store& store);

}  // namespace vf::api
