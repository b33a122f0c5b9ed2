#pragma once

#include <string>

namespace vf::store {

struct DatabaseTarget {
  enum class Kind { kSqlite, kPostgres } kind = Kind::kSqlite;
  std::string location;  // SQLite: file path or ":memory:"; PostgreSQL: the URL
};

// sqlite://PATH, sqlite:///ABSOLUTE, a plain path, or postgres(ql)://...; throws
// ConfigError("DATABASE_URL: ...") for anything else.
DatabaseTarget ParseDatabaseUrl(const std::string& url);

}  // namespace vf::store
