#include "core/ids.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace vf {
namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }()};
  return rng;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

std::string NewUuidV7(EpochMs now) {
  std::array<uint8_t, 16> b{};
  uint64_t ms = static_cast<uint64_t>(now);
  for (int i = 0; i < 6; ++i) b[static_cast<size_t>(i)] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  uint64_t r1 = Rng()(), r2 = Rng()();
  for (int i = 0; i < 2; ++i) b[static_cast<size_t>(6 + i)] = static_cast<uint8_t>(r1 >> (8 * i));
  for (int i = 0; i < 8; ++i) b[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(r2 >> (8 * i));
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x70);  // version 7
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 9562 variant
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xF];
  }
  return out;
}

std::string NewUuidV7() { return NewUuidV7(NowMs()); }

std::string NewRequestId() {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  uint64_t r = Rng()();
  std::string out(16, '0');
  for (auto& c : out) {
    c = kAlphabet[r % 62];
    r /= 62;
    if (r == 0) r = Rng()();
  }
  return out;
}

}  // namespace vf
