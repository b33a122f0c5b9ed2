// UUIDv7 record ids and request ids.

#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <unordered_set>

namespace vf {
namespace {

const std::regex kUuidV7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

TEST(NewUuidV7, HasCanonicalLowercaseFormWithVersionAndVariant) {
  for (int i = 0; i < 200; ++i) {
    std::string id = NewUuidV7();
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_TRUE(std::regex_match(id, kUuidV7)) << id;
    EXPECT_EQ(id[14], '7') << id;
  }
}

TEST(NewUuidV7, EncodesMillisecondsInFirst48Bits) {
  std::string id = NewUuidV7(0x0123456789ab);
  EXPECT_EQ(id.substr(0, 13), "01234567-89ab") << id;
  EXPECT_TRUE(std::regex_match(id, kUuidV7)) << id;
  EXPECT_EQ(NewUuidV7(0).substr(0, 13), "00000000-0000");
}

TEST(NewUuidV7, OrdersByTimeAsStrings) {
  // Index locality depends on later ids sorting after earlier ones as plain strings.
  const EpochMs times[] = {0,
                           1,
                           255,
                           256,
                           1'000,
                           1'764'137'239'000,
                           1'764'137'239'001,
                           1'764'137'240'000,
                           1'900'000'000'000,
                           0xFFFFFFFFFFFF};
  std::string previous;
  for (EpochMs t : times) {
    std::string id = NewUuidV7(t);
    if (!previous.empty()) {
      EXPECT_LT(previous, id) << "t=" << t;
    }
    previous = id;
  }
}

TEST(NewUuidV7, UniqueOverManyCalls) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_TRUE(seen.insert(NewUuidV7()).second) << "duplicate at call " << i;
  }
}

TEST(NewUuidV7, UniqueWithinTheSameMillisecond) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) seen.insert(NewUuidV7(1'764'137'239'000));
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(NewRequestId, IsSixteenAlphanumericCharacters) {
  for (int i = 0; i < 200; ++i) {
    std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 16u) << id;
    for (char c : id) {
      EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) << id;
    }
  }
}

TEST(NewRequestId, UniqueOverManyCalls) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_TRUE(seen.insert(NewRequestId()).second) << "duplicate at call " << i;
  }
}

}  // namespace
}  // namespace vf
