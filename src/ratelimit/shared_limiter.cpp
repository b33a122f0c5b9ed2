#include "ratelimit/shared_limiter.hpp"

namespace vf::ratelimit {

const redis::LuaScript& SlidingLogScript() {
  // Lua 5.1 numbers are doubles: microsecond stamps (~1.8e15) are exact below 2^53, and they are
  // written with %.0f because tostring() would print them in exponent form.
  static const redis::LuaScript kScript(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS
for i = 1, n do
  local newest = redis.call('LINDEX', KEYS[i], -1)
  if newest and tonumber(newest) > now then now = tonumber(newest) end
end
local admit = 1
local used, oldest = {}, {}
for i = 1, n do
  local limit, length = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local size = redis.call('LLEN', KEYS[i])
  local front = 0
  while size > 0 do
    front = tonumber(redis.call('LINDEX', KEYS[i], 0))
    if front > now - length then break end
    redis.call('LPOP', KEYS[i])
    size = size - 1
    front = 0
  end
  used[i], oldest[i] = size, front
  if size >= limit then admit = 0 end
end
if admit == 1 then
  local stamp = string.format('%.0f', now)
  for i = 1, n do
    redis.call('RPUSH', KEYS[i], stamp)
    redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[2 * i]) / 1000))
    if used[i] == 0 then oldest[i] = now end
    used[i] = used[i] + 1
  end
end
local out = {admit, now}
for i = 1, n do
  out[2 * i + 1] = used[i]
  out[2 * i + 2] = oldest[i]
end
return out
)lua");
  return kScript;
}

SharedLimiter::SharedLimiter(redis::ScriptRunner& runner, std::string prefix)
    : runner_(&runner), prefix_(std::move(prefix)) {}

SharedLimiter::SharedLimiter(redis::AsyncRedis& redis, std::string prefix)
    : async_(&redis), prefix_(std::move(prefix)) {}

std::string SharedLimiter::KeyFor(std::string_view key, std::string_view window) const {
  std::string out;
  out.reserve(prefix_.size() + key.size() + window.size() + 3);
  out += prefix_;
  out += '{';
  out += key;
  out += "}:";
  out += window;
  return out;
}

void SharedLimiter::Arguments(std::string_view key, std::span<const WindowSpec> windows,
                              std::vector<std::string>& keys,
                              std::vector<std::string>& args) const {
  std::size_t count = std::min(windows.size(), kMaxWindows);
  for (std::size_t i = 0; i < count; ++i) {
    keys.push_back(KeyFor(key, windows[i].name));
    args.push_back(std::to_string(windows[i].limit));
    args.push_back(std::to_string(windows[i].length_us));
  }
}

Decision SharedLimiter::Parse(const std::vector<long long>& reply,
                              std::span<const WindowSpec> windows) {
  Decision d;
  d.source = DecisionSource::kShared;
  d.count = std::min(windows.size(), kMaxWindows);
  if (reply.size() != 2 + 2 * d.count) throw redis::RedisError("script reply has a wrong shape");
  d.admitted = reply[0] == 1;
  d.now_us = reply[1];
  for (std::size_t i = 0; i < d.count; ++i) {
    WindowOutcome& w = d.windows[i];
    w.limit = windows[i].limit;
    w.length_us = windows[i].length_us;
    w.used = reply[2 + 2 * i];
    w.oldest_us = reply[3 + 2 * i];
    w.refused = !d.admitted && w.used >= w.limit;
  }
  return d;
}

Decision SharedLimiter::Decide(std::string_view key, std::span<const WindowSpec> windows) {
  std::vector<std::string> keys, args;
  Arguments(key, windows, keys, args);
  if (runner_ != nullptr) return Parse(runner_->Run(SlidingLogScript(), keys, args), windows);
  return Parse(async_->RunScriptAndWait(SlidingLogScript(), std::move(keys), std::move(args)),
               windows);
}

void SharedLimiter::DecideAsync(std::string_view key, std::span<const WindowSpec> windows,
                                DecisionDone done) {
  std::vector<std::string> keys, args;
  Arguments(key, windows, keys, args);
  // The window specs live in the policy, which outlives every request.
  async_->RunScript(
      SlidingLogScript(), std::move(keys), std::move(args),
      [windows, done = std::move(done)](std::vector<long long> reply, const char* error) {
        if (error != nullptr) return done(Decision{}, error);
        Decision d;
        try {
          d = Parse(reply, windows);
        } catch (const redis::RedisError& e) {
          return done(Decision{}, "script reply has a wrong shape");
        }
        done(d, nullptr);
      });
}

}  // namespace vf::ratelimit
