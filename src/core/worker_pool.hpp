#pragma once
// A fixed set of threads for blocking work with a bounded queue: when the queue is full, work is
// refused at once instead of piling up (the server answers 503; the retriever does it itself).

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vf {

// The machine's hardware threads, at least one: what pools and per-core limits are sized by.
unsigned CoreCount();

class WorkerPool {
 public:
  WorkerPool(unsigned threads, std::size_t queue_capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping; the job is then not run.
  bool TrySubmit(std::function<void()> job);
  // Runs the jobs already queued, then joins the threads.
  void Stop();

  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
  std::size_t capacity() const { return capacity_; }
  // Jobs waiting for a thread now; jobs refused because the queue was full, since start.
  std::size_t queued() const;
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  void Run();
  mutable std::mutex mu_;
  std::atomic<uint64_t> refused_{0};
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::size_t capacity_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vf
