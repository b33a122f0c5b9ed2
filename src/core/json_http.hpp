#pragma once
// A small JSON-over-HTTP client (libcurl) for the hosted services the server may call: a POST
// with a bearer token and a deadline, on pooled handles so connections are reused. Thread-safe.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vf {

class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The deadline of a call made while starting up (uploading or embedding every passage in
// batches): no user waits on it, and a batch can take seconds on a busy machine.
inline constexpr std::chrono::milliseconds kStartupBatchTimeout{120'000};

class JsonHttpClient {
 public:
  JsonHttpClient(std::string bearer_token, std::chrono::milliseconds timeout);
  ~JsonHttpClient();
  JsonHttpClient(const JsonHttpClient&) = delete;
  JsonHttpClient& operator=(const JsonHttpClient&) = delete;

  struct Reply {
    long status = 0;
    std::string body;
  };
  // Throws HttpError when no reply arrived (refused, timed out); any HTTP status is a Reply.
  // `timeout` replaces the client's deadline for this call (a long batch, not a user's wait).
  Reply Post(const std::string& url, const std::string& json_body,
             std::optional<std::chrono::milliseconds> timeout = std::nullopt);

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  std::string auth_header_;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;
};

}  // namespace vf
