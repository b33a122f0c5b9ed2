#pragma once
// What every limiter decides, whichever backend decided it. Times are microseconds on the
// deciding clock (the in-process steady clock, or Redis's TIME for the shared limiter).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace vf::ratelimit {

// A request counts against at most this many windows (general, and ai for AI routes).
inline constexpr std::size_t kMaxWindows = 2;

struct WindowSpec {
  std::string_view name;  // policy name in headers and keys: "general", "ai", "anonymous"
  int64_t limit = 0;      // admitted requests allowed in any trailing window
  int64_t length_us = 0;
};

struct WindowOutcome {
  int64_t limit = 0;
  int64_t length_us = 0;
  int64_t used = 0;       // admitted requests in the trailing window, after this decision
  int64_t oldest_us = 0;  // the oldest of those (meaningful when used > 0)
  bool refused = false;   // this window alone would refuse the request
  // Microseconds until this window gains a free slot (0 when it has one now).
  int64_t FreeInUs(int64_t now_us) const {
    return used < limit ? 0 : oldest_us + length_us - now_us;
  }
  // Microseconds until the oldest counted request leaves the window: the draft's reset "t".
  int64_t ResetInUs(int64_t now_us) const { return used == 0 ? 0 : oldest_us + length_us - now_us; }
};

enum class DecisionSource { kInProcess, kShared, kFailOpen };

struct Decision {
  bool admitted = false;
  int64_t now_us = 0;
  DecisionSource source = DecisionSource::kInProcess;
  std::size_t count = 0;  // windows[0..count) are meaningful, in the order they were asked
  std::array<WindowOutcome, kMaxWindows> windows{};

  // Exact time until this request would be admitted: when every refusing window has a slot.
  int64_t RetryAfterUs() const {
    int64_t wait = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (windows[i].refused && windows[i].FreeInUs(now_us) > wait) {
        wait = windows[i].FreeInUs(now_us);
      }
    }
    return wait;
  }
};

// Checks and consumes one request against every given window atomically: admitted only if each
// window has room, and then recorded in each; a refusal records nothing.
class Limiter {
 public:
  virtual ~Limiter() = default;
  virtual Decision Decide(std::string_view key, std::span<const WindowSpec> windows) = 0;
};

}  // namespace vf::ratelimit
