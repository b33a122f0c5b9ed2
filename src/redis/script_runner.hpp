#pragma once
// Runs a server-side Lua script by its SHA1, loading it (and retrying once) when the server
// answers NOSCRIPT: after a restart, a failover or SCRIPT FLUSH. Two transports: the Redis
// protocol (hiredis, pooled connections) and Upstash's REST API (core/json_http: libcurl, pooled
// handles).

#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/json_http.hpp"
#include "redis/connection.hpp"
#include "redis/redis_url.hpp"

namespace vf::redis {

struct LuaScript {
  explicit LuaScript(std::string source);
  std::string body;
  std::string sha1;  // hex, as EVALSHA wants it
};

class ScriptRunner {
 public:
  virtual ~ScriptRunner() = default;
  // The script's reply as integers (it must return an array of integers). Throws RedisError.
  virtual std::vector<long long> Run(const LuaScript& script, std::span<const std::string> keys,
                                     std::span<const std::string> args) = 0;
  virtual const char* transport() const = 0;
};

class HiredisScriptRunner final : public ScriptRunner {
 public:
  HiredisScriptRunner(RedisEndpoint endpoint, std::chrono::milliseconds timeout);
  ~HiredisScriptRunner() override;
  std::vector<long long> Run(const LuaScript& script, std::span<const std::string> keys,
                             std::span<const std::string> args) override;
  const char* transport() const override { return "redis"; }

 private:
  ConnectionPool pool_;
};

class UpstashScriptRunner final : public ScriptRunner {
 public:
  UpstashScriptRunner(std::string rest_url, std::string token, std::chrono::milliseconds timeout);
  ~UpstashScriptRunner() override;
  std::vector<long long> Run(const LuaScript& script, std::span<const std::string> keys,
                             std::span<const std::string> args) override;
  const char* transport() const override { return "upstash-rest"; }

 private:
  // One REST call: the command as a JSON array. Returns false when the server did not know the
  // script; the reply's "result" goes to `result`. Throws RedisError.
  bool Post(const std::string& body, std::vector<long long>& result);
  std::string url_;
  JsonHttpClient http_;
};

}  // namespace vf::redis
