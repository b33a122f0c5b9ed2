// The circuit breaker shared by the rate limiter's Redis failover and the optional search legs,
// on a clock the test moves.
#include "core/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace vf {
namespace {

TEST(CircuitBreaker, OpensOnAFailureAndLetsOneProbeCloseItAfterTheBreak) {
  int64_t now_us = 0;
  CircuitBreaker breaker(std::chrono::milliseconds(100), [&] { return now_us; });
  bool probe = true;
  EXPECT_TRUE(breaker.MayTry(probe));
  EXPECT_FALSE(probe);
  EXPECT_FALSE(breaker.Succeeded(probe));  // closed stays closed
  EXPECT_TRUE(breaker.Failed(probe));      // the first failure opens it
  EXPECT_TRUE(breaker.failing());
  now_us = 99'000;
  EXPECT_FALSE(breaker.MayTry(probe));
  // A call that started before the failure and succeeds now proves nothing.
  EXPECT_FALSE(breaker.Succeeded(false));
  EXPECT_TRUE(breaker.failing());
  now_us = 100'000;
  ASSERT_TRUE(breaker.MayTry(probe));
  EXPECT_TRUE(probe);
  bool second = false;
  EXPECT_FALSE(breaker.MayTry(second));  // one probe at a time
  // The probe fails: open again for a whole break, and not a new outage.
  EXPECT_FALSE(breaker.Failed(probe));
  now_us = 150'000;
  EXPECT_FALSE(breaker.MayTry(probe));
  now_us = 200'000;
  ASSERT_TRUE(breaker.MayTry(probe));
  ASSERT_TRUE(probe);
  EXPECT_TRUE(breaker.Succeeded(probe));  // back
  EXPECT_FALSE(breaker.failing());
  EXPECT_TRUE(breaker.MayTry(probe));
  EXPECT_FALSE(probe);
}

}  // namespace
}  // namespace vf
