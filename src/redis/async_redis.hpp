#pragma once
// A pipelined, non-blocking Redis connection for scripts on the request path: commands from any
// thread are queued onto one connection served by a thread of its own (hiredis's async API on an
// Asio event loop), so a request waiting for Redis holds no thread, and many requests share each
// round trip. Every command has a deadline; when the oldest unanswered one passes it, all
// waiting commands fail and the connection is dropped (a late reply would be misread), and the
// next command reconnects.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "redis/redis_url.hpp"
#include "redis/script_runner.hpp"

namespace vf::redis {

class AsyncRedis {
 public:
  // Called exactly once, on the client's thread: the script's integer reply, or an error (a
  // timeout, a lost connection, a script error) with `reply` empty.
  using ScriptDone = std::function<void(std::vector<long long> reply, const char* error)>;

  AsyncRedis(RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  ~AsyncRedis();
  AsyncRedis(const AsyncRedis&) = delete;
  AsyncRedis& operator=(const AsyncRedis&) = delete;

  // EVALSHA, falling back to EVAL (which also caches the script) after NOSCRIPT.
  void RunScript(const LuaScript& script, std::vector<std::string> keys,
                 std::vector<std::string> args, ScriptDone done);

  // The same, waiting for the answer (tests, benchmarks, tools); throws RedisError.
  std::vector<long long> RunScriptAndWait(const LuaScript& script, std::vector<std::string> keys,
                                          std::vector<std::string> args);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vf::redis
