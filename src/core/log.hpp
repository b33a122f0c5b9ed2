#pragma once
// Structured logging: one JSON object per line on stdout. Buffered and flushed on a short timer
// (and at exit) so the access log costs a memcpy per request, not a write(2).

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vf::log {

enum class Level { kDebug, kInfo, kWarn, kError };

void SetLevel(Level level);
// For commands whose standard output is their result (rag-eval): log lines go to stderr instead.
void WriteToStandardError();
Level ParseLevel(std::string_view name);
bool Enabled(Level level);

// Writes {"ts","level","msg", ...fields}. Fields must never carry secrets or request bodies.
void Write(Level level, std::string_view message, const nlohmann::json& fields);
void Info(std::string_view message);
void Warn(std::string_view message);
void Error(std::string_view message);

// Appends an already-serialised JSON line (the access log's fast path).
void WriteLine(std::string_view json_line);

void Flush();

}  // namespace vf::log
