#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/time.hpp"

namespace vf::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<FILE*> g_stream{stdout};

// A buffer swapped out under a short lock and written by a background flusher.
class Sink {
 public:
  Sink() : flusher_([this] { Run(); }) {}
  ~Sink() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    flusher_.join();
    FlushNow();
  }
  void Append(std::string_view line) {
    bool urgent;
    {
      std::lock_guard lock(mu_);
      buffer_.append(line);
      buffer_.push_back('\n');
      urgent = buffer_.size() > (1 << 20);
    }
    if (urgent) cv_.notify_one();
  }
  void FlushNow() {
    std::string out;
    {
      std::lock_guard lock(mu_);
      out.swap(buffer_);
    }
    if (!out.empty()) {
      FILE* stream = g_stream.load();
      std::fwrite(out.data(), 1, out.size(), stream);
      std::fflush(stream);
    }
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      lock.unlock();
      FlushNow();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  bool stop_ = false;
  std::thread flusher_;
};

Sink& TheSink() {
  static Sink sink;
  return sink;
}

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void WriteToStandardError() { g_stream = stderr; }

void SetLevel(Level level) { g_level = level; }

Level ParseLevel(std::string_view name) {
  if (name == "debug") return Level::kDebug;
  if (name == "warn") return Level::kWarn;
  if (name == "error") return Level::kError;
  return Level::kInfo;
}

bool Enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

void Write(Level level, std::string_view message, const nlohmann::json& fields) {
  if (!Enabled(level)) return;
  nlohmann::json line{{"ts", FormatRfc3339(NowMs())}, {"level", Name(level)}, {"msg", message}};
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[k] = v;
  }
  TheSink().Append(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (level >= Level::kWarn) TheSink().FlushNow();
}

void Info(std::string_view message) { Write(Level::kInfo, message, nlohmann::json::object()); }
void Warn(std::string_view message) { Write(Level::kWarn, message, nlohmann::json::object()); }
void Error(std::string_view message) { Write(Level::kError, message, nlohmann::json::object()); }

void WriteLine(std::string_view json_line) { TheSink().Append(json_line); }

void Flush() { TheSink().FlushNow(); }

}  // namespace vf::log
