#include "redis/async_redis.hpp"

#include <deque>
#include <future>
#include <thread>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "core/log.hpp"
#include "http/event_loop.hpp"

namespace vf::redis {

namespace {

struct Command {
  std::vector<std::string> argv;  // EVALSHA sha numkeys keys... args...
  const LuaScript* script = nullptr;
  AsyncRedis::ScriptDone done;
  std::chrono::steady_clock::time_point deadline;
  bool completed = false;
  bool retried = false;

  void Complete(std::vector<long long> reply, const char* error) {
    if (completed) return;
    completed = true;
    done(std::move(reply), error);
    done = nullptr;
  }
};

// hiredis's event hooks mapped onto the loop's descriptor watches. Callbacks hold the watch by
// shared_ptr and check `alive`: hiredis may free its context (and call cleanup) inside a read or
// write.
struct Watch {
  std::shared_ptr<http::EventLoop::FdWatch> fd;
  redisAsyncContext* context = nullptr;
  bool reading = false, writing = false, read_armed = false, write_armed = false;
  bool alive = true;
  std::shared_ptr<Watch> self;  // kept by hiredis's ev.data until cleanup
};

void ArmRead(const std::shared_ptr<Watch>& w) {
  if (!w->alive || !w->reading || w->read_armed) return;
  w->read_armed = true;
  w->fd->OnReadable([w] {
    w->read_armed = false;
    if (!w->alive || !w->reading) return;
    redisAsyncHandleRead(w->context);
    ArmRead(w);
  });
}

void ArmWrite(const std::shared_ptr<Watch>& w) {
  if (!w->alive || !w->writing || w->write_armed) return;
  w->write_armed = true;
  w->fd->OnWritable([w] {
    w->write_armed = false;
    if (!w->alive || !w->writing) return;
    redisAsyncHandleWrite(w->context);
    ArmWrite(w);
  });
}

Watch* WatchOf(void* data) { return static_cast<Watch*>(data); }

}  // namespace

struct AsyncRedis::Impl {
  Impl(RedisEndpoint e, std::chrono::milliseconds t)
      : endpoint(std::move(e)), timeout(t), alarm(loop.MakeAlarm()) {}
  ~Impl() {
    loop.Post([this] {
      FailAll("shutting down");
      alarm->Cancel();
    });
    loop.Stop();
  }

  void Submit(std::shared_ptr<Command> command) {
    if (context == nullptr && !Connect()) {
      command->Complete({}, "connect failed");
      return;
    }
    Send(command);
    waiting.push_back(std::move(command));
    ArmTimer();
  }

  void Send(const std::shared_ptr<Command>& command) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : command->argv) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* holder = new std::shared_ptr<Command>(command);
    if (redisAsyncCommandArgv(context, &Impl::OnReply, holder, static_cast<int>(argv.size()),
                              argv.data(), lens.data()) != REDIS_OK) {
      delete holder;
      command->Complete({}, "redis connection is closing");
    }
  }

  bool Connect() {
    redisAsyncContext* ac = redisAsyncConnect(endpoint.host.c_str(), endpoint.port);
    if (ac == nullptr) return false;
    if (ac->err != 0) {
      redisAsyncFree(ac);
      return false;
    }
    ac->data = this;
    auto watch = std::make_shared<Watch>();
    watch->fd = loop.Watch(ac->c.fd);
    watch->context = ac;
    watch->self = watch;
    ac->ev.data = watch.get();
    ac->ev.addRead = [](void* d) {
      WatchOf(d)->reading = true;
      ArmRead(WatchOf(d)->self);
    };
    ac->ev.delRead = [](void* d) { WatchOf(d)->reading = false; };
    ac->ev.addWrite = [](void* d) {
      WatchOf(d)->writing = true;
      ArmWrite(WatchOf(d)->self);
    };
    ac->ev.delWrite = [](void* d) { WatchOf(d)->writing = false; };
    ac->ev.cleanup = [](void* d) {
      Watch* w = WatchOf(d);
      w->alive = false;
      w->fd->Close();   // hiredis closes the socket itself
      w->self.reset();  // pending callbacks keep it until they are dropped
    };
    redisAsyncSetConnectCallback(ac, [](const redisAsyncContext* c, int status) {
      if (status != REDIS_OK) static_cast<Impl*>(c->data)->Lost(c);
    });
    redisAsyncSetDisconnectCallback(
        ac, [](const redisAsyncContext* c, int) { static_cast<Impl*>(c->data)->Lost(c); });
    context = ac;
    // AUTH and SELECT go first on the same pipeline; a refusal shows up as script errors.
    if (!endpoint.password.empty()) {
      if (endpoint.username.empty()) {
        redisAsyncCommand(ac, nullptr, nullptr, "AUTH %s", endpoint.password.c_str());
      } else {
        redisAsyncCommand(ac, nullptr, nullptr, "AUTH %s %s", endpoint.username.c_str(),
                          endpoint.password.c_str());
      }
    }
    if (endpoint.db != 0) redisAsyncCommand(ac, nullptr, nullptr, "SELECT %d", endpoint.db);
    return true;
  }

  // hiredis is freeing this context: it answers every queued callback with a null reply.
  void Lost(const redisAsyncContext* c) {
    if (context == c) context = nullptr;
  }

  static void OnReply(redisAsyncContext* ac, void* r, void* privdata) {
    auto* holder = static_cast<std::shared_ptr<Command>*>(privdata);
    std::shared_ptr<Command> command = std::move(*holder);
    delete holder;
    Impl* self = static_cast<Impl*>(ac->data);
    if (command->completed) return;
    auto* reply = static_cast<redisReply*>(r);
    if (reply == nullptr) {
      command->Complete({}, "redis connection lost");
    } else if (reply->type == REDIS_REPLY_ERROR) {
      std::string_view error(reply->str, reply->len);
      if (error.rfind("NOSCRIPT", 0) == 0 && !command->retried && self->context == ac) {
        // EVAL runs the script and caches it for the EVALSHAs that follow.
        command->retried = true;
        command->argv[0] = "EVAL";
        command->argv[1] = command->script->body;
        self->Send(command);
        return;
      }
      command->Complete({}, "script error");
    } else if (reply->type != REDIS_REPLY_ARRAY) {
      command->Complete({}, "script returned no array");
    } else {
      std::vector<long long> out;
      out.reserve(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) {
        if (reply->element[i]->type != REDIS_REPLY_INTEGER) {
          command->Complete({}, "script returned a non-integer");
          return;
        }
        out.push_back(reply->element[i]->integer);
      }
      command->Complete(std::move(out), nullptr);
    }
    self->DropCompleted();
  }

  void DropCompleted() {
    while (!waiting.empty() && waiting.front()->completed) waiting.pop_front();
  }

  void ArmTimer() {
    DropCompleted();
    if (timer_armed || waiting.empty()) return;
    timer_armed = true;
    alarm->At(waiting.front()->deadline, [this] {
      timer_armed = false;
      DropCompleted();
      if (!waiting.empty() && std::chrono::steady_clock::now() >= waiting.front()->deadline) {
        FailAll("redis timed out");
      }
      ArmTimer();
    });
  }

  // Fails everything still waiting and drops the connection.
  void FailAll(const char* why) {
    auto failed = std::move(waiting);
    waiting.clear();
    for (auto& command : failed) command->Complete({}, why);
    if (context != nullptr) {
      redisAsyncContext* ac = context;
      context = nullptr;
      redisAsyncFree(ac);
    }
  }

  RedisEndpoint endpoint;
  std::chrono::milliseconds timeout;
  http::EventLoop loop;
  std::unique_ptr<http::EventLoop::Alarm> alarm;  // after the loop: destroyed before it
  bool timer_armed = false;
  redisAsyncContext* context = nullptr;
  std::deque<std::shared_ptr<Command>> waiting;  // in the order their replies will arrive
};

AsyncRedis::AsyncRedis(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(std::move(endpoint), timeout)) {}

AsyncRedis::~AsyncRedis() = default;

void AsyncRedis::RunScript(const LuaScript& script, std::vector<std::string> keys,
                           std::vector<std::string> args, ScriptDone done) {
  auto command = std::make_shared<Command>();
  command->argv.reserve(3 + keys.size() + args.size());
  command->argv.push_back("EVALSHA");
  command->argv.push_back(script.sha1);
  command->argv.push_back(std::to_string(keys.size()));
  for (auto& k : keys) command->argv.push_back(std::move(k));
  for (auto& a : args) command->argv.push_back(std::move(a));
  command->script = &script;
  command->done = std::move(done);
  command->deadline = std::chrono::steady_clock::now() + impl_->timeout;
  impl_->loop.Post([impl = impl_.get(), command = std::move(command)]() mutable {
    impl->Submit(std::move(command));
  });
}

std::vector<long long> AsyncRedis::RunScriptAndWait(const LuaScript& script,
                                                    std::vector<std::string> keys,
                                                    std::vector<std::string> args) {
  std::promise<std::vector<long long>> answer;
  auto future = answer.get_future();
  RunScript(script, std::move(keys), std::move(args),
            [&answer](std::vector<long long> reply, const char* error) {
              if (error != nullptr) {
                answer.set_exception(std::make_exception_ptr(RedisError(error)));
              } else {
                answer.set_value(std::move(reply));
              }
            });
  return future.get();
}

}  // namespace vf::redis
