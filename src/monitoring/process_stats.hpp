#pragma once
// Figures of this process from /proc (Linux): resident memory, CPU time, open descriptors.

#include <cstdint>

namespace vf::monitoring {

struct ProcessStats {
  uint64_t resident_bytes = 0;
  double cpu_seconds = 0;  // user + system
  uint64_t open_fds = 0;
  double start_time_s = 0;  // Unix time the process started
};

ProcessStats ReadProcessStats();

}  // namespace vf::monitoring
