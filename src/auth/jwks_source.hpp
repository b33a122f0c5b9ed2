#pragma once
// Where the JWKS comes from: a local file (SUPABASE_JWKS_PATH) or the project's
// SUPABASE_URL + /auth/v1/.well-known/jwks.json, fetched at start and refreshed on a timer and,
// rate-limited, when a token names a kid the set does not have (Supabase publishes standby keys
// before rotating).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "auth/jwt.hpp"

namespace vf::auth {

// Fetches a URL with libcurl (timeout in ms); throws std::runtime_error on failure or non-2xx.
std::string HttpGet(const std::string& url, long timeout_ms);

class JwksSource {
 public:
  // Exactly one of file_path / supabase_url is used (file wins).
  JwksSource(std::string file_path, std::string supabase_url, std::chrono::seconds refresh,
             JwtVerifier& verifier);
  ~JwksSource();

  // Loads once, synchronously; throws std::runtime_error with a message naming the setting.
  void LoadNow();
  // Starts the background refresh thread (URL sources only).
  void StartRefresh();
  // Asks for an early refresh because `kid` was unknown; at most one per 30 s.
  void OnUnknownKid(const std::string& kid);

  const std::string& url() const { return url_; }

 private:
  void RefreshLoop();
  std::string file_path_;
  std::string url_;
  std::chrono::seconds refresh_;
  JwtVerifier& verifier_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool wake_ = false;
  std::chrono::steady_clock::time_point last_unknown_kid_refresh_{};
  std::thread thread_;
};

}  // namespace vf::auth
