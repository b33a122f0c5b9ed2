#pragma once
// A single-threaded event loop for network clients outside the server (the pipelined Redis
// connection): file-descriptor readiness, alarms and posted tasks, on a thread of its own.
// Asio stays inside src/http; clients see only this interface.

#include <chrono>
#include <functional>
#include <memory>

namespace vf::http {

class EventLoop {
 public:
  EventLoop();   // starts the loop's thread
  ~EventLoop();  // Stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs `task` on the loop's thread. Thread-safe.
  void Post(std::function<void()> task);
  // Runs what is already posted, then ends the thread. Idempotent.
  void Stop();

  // Readiness of a descriptor the loop does not own (it never closes it). Use on the loop's
  // thread only. Each wait is one-shot; after Close() no pending callback runs.
  class FdWatch {
   public:
    virtual ~FdWatch() = default;
    virtual void OnReadable(std::function<void()> ready) = 0;
    virtual void OnWritable(std::function<void()> ready) = 0;
    virtual void Close() = 0;
  };
  std::shared_ptr<FdWatch> Watch(int fd);

  // One pending callback at a time; At() replaces it. Loop thread only.
  class Alarm {
   public:
    virtual ~Alarm() = default;
    virtual void At(std::chrono::steady_clock::time_point when, std::function<void()> ring) = 0;
    virtual void Cancel() = 0;
  };
  std::unique_ptr<Alarm> MakeAlarm();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vf::http
