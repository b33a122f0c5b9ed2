#include "redis/redis_url.hpp"

#include <charconv>

#include "core/config.hpp"

namespace vf::redis {
namespace {

int ParseInt(std::string_view text, int min, int max, const char* what) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || v < min || v > max) {
    throw ConfigError(std::string("REDIS_URL: bad ") + what);
  }
  return v;
}

}  // namespace

RedisEndpoint ParseRedisUrl(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0) throw ConfigError("REDIS_URL: must start with redis://");
  std::string_view rest(url);
  rest.remove_prefix(kScheme.size());
  RedisEndpoint e;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    if (auto colon = auth.find(':'); colon != std::string_view::npos) {
      e.username = std::string(auth.substr(0, colon));
      e.password = std::string(auth.substr(colon + 1));
    } else {
      e.password = std::string(auth);
    }
  }
  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) e.db = ParseInt(db, 0, 1 << 20, "database number");
  }
  if (hostport.empty()) throw ConfigError("REDIS_URL: missing host");
  if (hostport.front() == '[') {  // [v6]:port
    auto close = hostport.find(']');
    if (close == std::string_view::npos) throw ConfigError("REDIS_URL: bad IPv6 host");
    e.host = std::string(hostport.substr(1, close - 1));
    hostport.remove_prefix(close + 1);
    if (!hostport.empty()) {
      if (hostport.front() != ':') throw ConfigError("REDIS_URL: bad port");
      e.port = ParseInt(hostport.substr(1), 1, 65535, "port");
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    e.host = std::string(hostport.substr(0, colon));
    e.port = ParseInt(hostport.substr(colon + 1), 1, 65535, "port");
  } else {
    e.host = std::string(hostport);
  }
  if (e.host.empty()) throw ConfigError("REDIS_URL: missing host");
  return e;
}

}  // namespace vf::redis
