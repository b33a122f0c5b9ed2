#pragma once
// Time as integer milliseconds since the Unix epoch (UTC), and RFC 3339 text at the API edge.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vf {

using EpochMs = int64_t;

// Wall-clock now. Domain code takes time as a parameter; only the edges call this.
EpochMs NowMs();

// Parses RFC 3339 date-times ("2026-11-26T06:07:19Z", "...19.5+02:00") and full dates
// ("2026-11-26", taken as midnight UTC). nullopt on anything else, including impossible dates.
std::optional<EpochMs> ParseRfc3339(std::string_view text);

// "2026-11-26T06:07:19.123Z" (milliseconds only when non-zero).
std::string FormatRfc3339(EpochMs ms);

// Monotonic microseconds (steady clock), for durations: wall-clock steps must not move them.
int64_t SteadyMicros();

}  // namespace vf
