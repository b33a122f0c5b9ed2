#pragma once
// Record ids: UUID version 7 (time-ordered, RFC 9562), so new rows append to the index in order.

#include <string>

#include "core/time.hpp"

namespace vf {

std::string NewUuidV7(EpochMs now);
std::string NewUuidV7();

// Request ids: short, random, URL-safe.
std::string NewRequestId();

}  // namespace vf
