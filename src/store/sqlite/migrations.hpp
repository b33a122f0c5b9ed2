#pragma once
// Versioned schema migrations for SQLite. Each runs once, in its own transaction, recorded in
// schema_migrations; applied at start-up and by `voicefit migrate`.

#include <string>
#include <vector>

struct sqlite3;

namespace vf::store::sqlite {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

const std::vector<Migration>& Migrations();

// Applies the pending migrations; returns how many ran. Throws StoreError.
int ApplyMigrations(sqlite3* db);

}  // namespace vf::store::sqlite
