// The shared text and file helpers.

#include "core/text.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vf {
namespace {

TEST(Text, TrimDropsBlanksAtBothEndsOnly) {
  EXPECT_EQ(Trim(" \t a b \r"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim("x"), "x");
}

TEST(Text, AsciiLowerLeavesOtherBytesAlone) {
  EXPECT_EQ(AsciiLower("RDL 3x8 Über"),
            "rdl 3x8 \xC3\x9C"
            "ber");
}

TEST(Text, ReadFileReturnsBytesOrNothing) {
  auto path = std::filesystem::temp_directory_path() / "voicefit-text-test.bin";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string("a\0b\r\n", 5);
  }
  EXPECT_EQ(ReadFile(path), std::string("a\0b\r\n", 5));
  std::filesystem::remove(path);
  EXPECT_EQ(ReadFile(path), std::nullopt);
}

}  // namespace
}  // namespace vf
