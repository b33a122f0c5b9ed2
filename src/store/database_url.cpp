#include "store/database_url.hpp"

#include "core/config.hpp"

namespace vf::store {

DatabaseTarget ParseDatabaseUrl(const std::string& url) {
  auto starts = [&url](const char* prefix) { return url.rfind(prefix, 0) == 0; };
  if (starts("postgres://") || starts("postgresql://")) {
    return {DatabaseTarget::Kind::kPostgres, url};
  }
  std::string path = url;
  if (starts("sqlite://")) {
    path = url.substr(9);
  } else if (url.find("://") != std::string::npos) {
    throw ConfigError("DATABASE_URL: unsupported scheme in '" + url.substr(0, url.find("://")) +
                      "'; use sqlite://PATH or postgres://");
  }
  if (path.empty()) throw ConfigError("DATABASE_URL: the SQLite path is empty");
  return {DatabaseTarget::Kind::kSqlite, path};
}

}  // namespace vf::store
