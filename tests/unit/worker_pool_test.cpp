#include "core/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <stdexcept>

namespace vf {
namespace {

// In each test the pool is declared after what its jobs use, so it is destroyed first: its
// threads are joined before those objects go.

TEST(WorkerPool, RunsEveryJobItTakesOnItsOwnThreads) {
  std::atomic<int> ran{0}, on_caller{0};
  const auto caller = std::this_thread::get_id();
  std::latch finished(20);
  WorkerPool pool(2, 64);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(pool.TrySubmit([&] {
      if (std::this_thread::get_id() == caller) ++on_caller;
      ++ran;
      finished.count_down();
    }));
  }
  finished.wait();
  EXPECT_EQ(ran, 20);
  EXPECT_EQ(on_caller, 0);
  EXPECT_EQ(pool.refused(), 0u);
}

TEST(WorkerPool, RefusesAJobWhenItsThreadsAreBusyAndItsQueueIsFull) {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> started;
  WorkerPool pool(1, 1);
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the one thread is now busy
  EXPECT_TRUE(pool.TrySubmit([] {}));
  EXPECT_EQ(pool.queued(), 1u);
  EXPECT_FALSE(pool.TrySubmit([] {}));
  EXPECT_EQ(pool.refused(), 1u);
  release.set_value();
}

TEST(WorkerPool, StopRunsTheQueuedJobsThenRefusesMore) {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> ran{0};
  WorkerPool pool(1, 8);
  ASSERT_TRUE(pool.TrySubmit([&] {
    released.wait();
    ++ran;
  }));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.TrySubmit([&] { ++ran; }));
  release.set_value();
  pool.Stop();
  EXPECT_EQ(ran, 4);
  EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));
}

TEST(WorkerPool, AJobThatThrowsLeavesItsThreadServing) {
  std::promise<void> after;
  WorkerPool pool(1, 8);
  ASSERT_TRUE(pool.TrySubmit([] { throw std::runtime_error("a bug in one job"); }));
  ASSERT_TRUE(pool.TrySubmit([&] { after.set_value(); }));
  EXPECT_EQ(after.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

}  // namespace
}  // namespace vf
