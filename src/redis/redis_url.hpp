#pragma once

#include <string>

namespace vf::redis {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;
  std::string password;  // secret: never logged
  int db = 0;
};

// redis://[[user]:password@]host[:port][/db]; throws ConfigError("REDIS_URL: ...").
RedisEndpoint ParseRedisUrl(const std::string& url);

}  // namespace vf::redis
