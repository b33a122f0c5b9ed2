#pragma once
// An exact sliding-window log: the timestamps of the admitted requests still inside the window,
// oldest first, bounded at the window's limit. Never more than `limit` stamps are needed: with
// `limit` stamps all inside the window the next request is refused, so nothing more is recorded.
// Each decision is amortised O(1): expired stamps leave from the front, new ones join the back.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vf::ratelimit {

class SlidingLog {
 public:
  // Drops the stamps that have left the trailing window (now - length, now].
  void Expire(int64_t now_us, int64_t length_us) {
    while (size_ > 0 && slots_[head_] <= now_us - length_us) {
      head_ = head_ + 1 == slots_.size() ? 0 : head_ + 1;
      --size_;
    }
    if (size_ == 0) head_ = 0;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t oldest() const { return slots_[head_]; }
  int64_t newest() const { return slots_[(head_ + size_ - 1) % slots_.size()]; }

  // Records an admitted request; the caller has checked size() < limit after Expire.
  void Push(int64_t stamp_us, std::size_t limit) {
    if (size_ == slots_.size()) Grow(limit);
    slots_[(head_ + size_) % slots_.size()] = stamp_us;
    ++size_;
  }

  std::size_t capacity_bytes() const { return slots_.capacity() * sizeof(int64_t); }

 private:
  // Rings start small and grow to the limit, so a user who sends three requests holds three
  // slots, not three hundred.
  void Grow(std::size_t limit) {
    std::rotate(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_), slots_.end());
    head_ = 0;
    std::size_t next = std::min(limit, std::max<std::size_t>(4, slots_.size() * 2));
    slots_.resize(std::max(next, size_ + 1));
  }

  std::vector<int64_t> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace vf::ratelimit
