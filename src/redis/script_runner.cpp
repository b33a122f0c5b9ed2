#include "redis/script_runner.hpp"

#include <hiredis/hiredis.h>

#include <nlohmann/json.hpp>

#include "core/digest.hpp"

namespace vf::redis {
namespace {

bool IsNoScript(std::string_view error) { return error.rfind("NOSCRIPT", 0) == 0; }

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

}  // namespace

LuaScript::LuaScript(std::string source) : body(std::move(source)), sha1(Sha1Hex(body)) {}

// --- Redis protocol ---------------------------------------------------------------------------

HiredisScriptRunner::HiredisScriptRunner(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : pool_(std::move(endpoint), timeout) {}

HiredisScriptRunner::~HiredisScriptRunner() = default;

std::vector<long long> HiredisScriptRunner::Run(const LuaScript& script,
                                                std::span<const std::string> keys,
                                                std::span<const std::string> args) {
  ContextPtr ctx = pool_.Acquire();
  std::string numkeys = std::to_string(keys.size());
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  auto add = [&](const std::string& s) {
    argv.push_back(s.data());
    lens.push_back(s.size());
  };
  static const std::string kEvalSha = "EVALSHA";
  add(kEvalSha);
  add(script.sha1);
  add(numkeys);
  for (const auto& k : keys) add(k);
  for (const auto& a : args) add(a);

  auto call = [&]() -> ReplyPtr {
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(ctx.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
    // A timeout or I/O error leaves the connection unusable (a late reply would be misread).
    if (!reply) throw RedisError(std::string("io: ") + ctx->errstr);
    return reply;
  };
  ReplyPtr reply = call();
  if (reply->type == REDIS_REPLY_ERROR && IsNoScript({reply->str, reply->len})) {
    // EVAL runs the script and caches it for the EVALSHAs that follow, in one round trip; a
    // SCRIPT LOAD followed by EVALSHA could meet another flush (or a failover) in between.
    argv[0] = "EVAL";
    lens[0] = 4;
    argv[1] = script.body.data();
    lens[1] = script.body.size();
    reply = call();
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string error(reply->str, reply->len);
    pool_.Release(std::move(ctx));
    throw RedisError("script error: " + error);
  }
  if (reply->type != REDIS_REPLY_ARRAY) throw RedisError("script returned no array");
  std::vector<long long> out;
  out.reserve(reply->elements);
  for (size_t i = 0; i < reply->elements; ++i) {
    if (reply->element[i]->type != REDIS_REPLY_INTEGER) {
      throw RedisError("script returned a non-integer");
    }
    out.push_back(reply->element[i]->integer);
  }
  pool_.Release(std::move(ctx));
  return out;
}

// --- Upstash REST -----------------------------------------------------------------------------

UpstashScriptRunner::UpstashScriptRunner(std::string rest_url, std::string token,
                                         std::chrono::milliseconds timeout)
    : url_(std::move(rest_url)), http_(std::move(token), timeout) {}

UpstashScriptRunner::~UpstashScriptRunner() = default;

bool UpstashScriptRunner::Post(const std::string& body, std::vector<long long>& result) {
  JsonHttpClient::Reply http;
  try {
    http = http_.Post(url_, body);
  } catch (const HttpError& e) {
    throw RedisError(std::string("upstash: ") + e.what());
  }
  long status = http.status;
  auto reply = nlohmann::json::parse(http.body, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    throw RedisError("upstash: HTTP " + std::to_string(status) + " without a JSON reply");
  }
  if (auto error = reply.find("error"); error != reply.end()) {
    std::string text = error->is_string() ? error->get<std::string>() : "error";
    if (IsNoScript(text)) return false;
    throw RedisError("upstash: HTTP " + std::to_string(status) + ": " + text.substr(0, 200));
  }
  const auto& r = reply["result"];
  result.clear();
  if (r.is_string()) return true;  // SCRIPT LOAD answers the SHA
  if (!r.is_array()) throw RedisError("upstash: script returned no array");
  for (const auto& v : r) {
    if (!v.is_number_integer()) throw RedisError("upstash: script returned a non-integer");
    result.push_back(v.get<long long>());
  }
  return true;
}

std::vector<long long> UpstashScriptRunner::Run(const LuaScript& script,
                                                std::span<const std::string> keys,
                                                std::span<const std::string> args) {
  nlohmann::json command =
      nlohmann::json::array({"EVALSHA", script.sha1, std::to_string(keys.size())});
  for (const auto& k : keys) command.push_back(k);
  for (const auto& a : args) command.push_back(a);
  std::string body = command.dump();
  std::vector<long long> result;
  if (Post(body, result)) return result;
  std::vector<long long> ignored;
  if (!Post(nlohmann::json::array({"SCRIPT", "LOAD", script.body}).dump(), ignored)) {
    throw RedisError("upstash: SCRIPT LOAD refused");
  }
  if (Post(body, result)) return result;
  // Flushed again between the load and the call: run it by its body.
  command[0] = "EVAL";
  command[1] = script.body;
  if (!Post(command.dump(), result)) throw RedisError("upstash: EVAL answered NOSCRIPT");
  return result;
}

}  // namespace vf::redis
