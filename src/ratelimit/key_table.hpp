#pragma once
// An open-addressing hash table from short keys to heap-allocated values, for the in-process
// limiter's shards. A lookup costs one cache line of slots and then the value itself; the
// standard unordered_map walked bucket -> previous node -> node, three dependent cache misses,
// which was most of a decision's cost with 100,000 keys (docs/BENCHMARKS.md).

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace vf::ratelimit {

// A key kept inline with its hash (computed once per decision). Keys longer than the buffer are
// replaced by their SHA-256 before they get here (see InlineKey::From).
struct InlineKey {
  static InlineKey From(std::string_view key);
  uint64_t hash = 0;
  uint8_t size = 0;
  std::array<char, 47> text{};
  bool operator==(const InlineKey& o) const {
    return hash == o.hash && size == o.size &&
           std::equal(text.begin(), text.begin() + size, o.text.begin());
  }
};

// Value must have a public `InlineKey key` member.
template <class Value>
class KeyTable {
 public:
  KeyTable() : slots_(16) {}
  ~KeyTable() { Clear(); }
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  Value* Find(const InlineKey& key) const {
    for (std::size_t i = key.hash & mask(); slots_[i].value != nullptr; i = (i + 1) & mask()) {
      if (slots_[i].hash == key.hash && slots_[i].value->key == key) return slots_[i].value;
    }
    return nullptr;
  }

  // The key must be absent.
  Value* Insert(const InlineKey& key) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    auto owned = std::make_unique<Value>();
    owned->key = key;
    Value* value = owned.release();
    Place(key.hash, value);
    ++size_;
    return value;
  }

  void Erase(const Value* value) {
    std::size_t i = value->key.hash & mask();
    while (slots_[i].value != value) i = (i + 1) & mask();
    delete slots_[i].value;
    slots_[i] = {};
    --size_;
    // Backward-shift deletion: pull later members of the probe run into the hole, so lookups
    // never need tombstones.
    for (std::size_t hole = i, j = (i + 1) & mask(); slots_[j].value != nullptr;
         j = (j + 1) & mask()) {
      std::size_t home = slots_[j].hash & mask();
      bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        slots_[hole] = slots_[j];
        slots_[j] = {};
        hole = j;
      }
    }
  }

  // Erases every value the predicate picks.
  template <class Pred>
  void EraseIf(Pred pred) {
    std::vector<const Value*> victims;
    for (const auto& slot : slots_) {
      if (slot.value != nullptr && pred(*slot.value)) victims.push_back(slot.value);
    }
    for (const Value* v : victims) Erase(v);
  }

  std::size_t size() const { return size_; }
  std::size_t slot_count() const { return slots_.size(); }
  Value* SlotValue(std::size_t index) const { return slots_[index & mask()].value; }
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

  void Clear() {
    for (auto& slot : slots_) {
      delete slot.value;
      slot = {};
    }
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    Value* value = nullptr;
  };
  std::size_t mask() const { return slots_.size() - 1; }
  void Place(uint64_t hash, Value* value) {
    std::size_t i = hash & mask();
    while (slots_[i].value != nullptr) i = (i + 1) & mask();
    slots_[i] = {hash, value};
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const auto& slot : old) {
      if (slot.value != nullptr) Place(slot.hash, slot.value);
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace vf::ratelimit
