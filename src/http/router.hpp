#pragma once
// Method + path-template routing. Static paths resolve by hash lookup; templated ones by segment
// comparison. A path that exists under other methods yields 405 with the Allow list.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/route.hpp"

namespace vf::http {

class Router {
 public:
  // Throws std::invalid_argument on a duplicate method+path or a malformed template.
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // non-empty when the path exists but not for this method
  };
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Compiled {
    const Route* route;
    std::vector<std::string> segments;  // "{name}" marks a parameter
  };
  std::vector<std::unique_ptr<Route>> routes_;
  // Transparent hashing: lookups take the request path as a string_view, no copy per request.
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view path) const {
      return std::hash<std::string_view>{}(path);
    }
  };
  std::unordered_map<std::string, std::vector<const Route*>, PathHash, std::equal_to<>>
      static_;  // path -> routes
  std::vector<Compiled> templated_;
};

std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace vf::http
