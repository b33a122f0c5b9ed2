// The limiter's open-addressing table against std::unordered_map on random inserts and erases,
// with colliding hashes forced so that backward-shift deletion is exercised across wrap-around.

#include "ratelimit/key_table.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_map>

namespace vf::ratelimit {
namespace {

struct Value {
  InlineKey key;
  int payload = 0;
};

InlineKey KeyWithHash(const std::string& text, uint64_t hash) {
  InlineKey k = InlineKey::From(text);
  k.hash = hash;
  return k;
}

TEST(KeyTable, MatchesAReferenceMapUnderRandomChurn) {
  KeyTable<Value> table;
  std::unordered_map<std::string, int> reference;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 200'000; ++step) {
    int id = static_cast<int>(rng() % 2000);
    std::string text = "user-" + std::to_string(id);
    // Only 64 distinct hashes for 2000 keys: long probe runs, many collisions, wrap-around.
    InlineKey key = KeyWithHash(text, static_cast<uint64_t>(id % 64) * 0x9e3779b97f4a7c15ULL);
    Value* found = table.Find(key);
    auto ref = reference.find(text);
    ASSERT_EQ(found != nullptr, ref != reference.end()) << "step " << step;
    if (found != nullptr) {
      ASSERT_EQ(found->payload, ref->second);
    }
    if (rng() % 3 == 0 && found != nullptr) {
      table.Erase(found);
      reference.erase(ref);
    } else if (found == nullptr) {
      table.Insert(key)->payload = step;
      reference[text] = step;
    }
    ASSERT_EQ(table.size(), reference.size());
  }
  table.EraseIf([](const Value& v) { return v.payload % 2 == 0; });
  std::erase_if(reference, [](const auto& item) { return item.second % 2 == 0; });
  EXPECT_EQ(table.size(), reference.size());
  for (const auto& [text, payload] : reference) {
    int id = std::stoi(text.substr(5));
    Value* v =
        table.Find(KeyWithHash(text, static_cast<uint64_t>(id % 64) * 0x9e3779b97f4a7c15ULL));
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->payload, payload);
  }
}

TEST(KeyTable, LongKeysAreDigestedNotTruncated) {
  std::string a(100, 'a'), b = a;
  b.back() = 'b';  // differs only after the inline buffer would end
  EXPECT_FALSE(InlineKey::From(a) == InlineKey::From(b));
  EXPECT_TRUE(InlineKey::From(a) == InlineKey::From(std::string(100, 'a')));
  EXPECT_EQ(InlineKey::From(a).size, 32);
  EXPECT_EQ(InlineKey::From("6f1c2d3e-4b5a-4789-9abc-123456789012").size, 36);
}

}  // namespace
}  // namespace vf::ratelimit
