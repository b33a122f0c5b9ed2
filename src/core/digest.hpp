#pragma once
// Message digests (OpenSSL): script SHAs for Redis, stable keys for caches and limiters.

#include <array>
#include <string>
#include <string_view>

namespace vf {

std::array<unsigned char, 32> Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string Sha1Hex(std::string_view data);  // what Redis calls a script's SHA

}  // namespace vf
