#include "monitoring/process_stats.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vf::monitoring {
namespace {

double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats s;
  static const long page = sysconf(_SC_PAGESIZE);
  static const long ticks = sysconf(_SC_CLK_TCK);
  {
    std::ifstream statm("/proc/self/statm");
    uint64_t size = 0, resident = 0;
    if (statm >> size >> resident) s.resident_bytes = resident * static_cast<uint64_t>(page);
  }
  {
    std::ifstream stat("/proc/self/stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the command name (which may hold spaces) start after the last ')'.
    auto close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(line.substr(close + 2));
      std::string field;
      double utime = 0, stime = 0, start_ticks = 0;
      for (int i = 3; rest >> field; ++i) {
        if (i == 14) utime = std::stod(field);
        if (i == 15) stime = std::stod(field);
        if (i == 22) {
          start_ticks = std::stod(field);
          break;
        }
      }
      s.cpu_seconds = (utime + stime) / static_cast<double>(ticks);
      static const double boot = BootTime();
      s.start_time_s = boot + start_ticks / static_cast<double>(ticks);
    }
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++s.open_fds;
  }
  return s;
}

}  // namespace vf::monitoring
