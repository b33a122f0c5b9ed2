#include "http/router.hpp"

#include <stdexcept>

#include "core/problem.hpp"

namespace vf::http {

std::string_view RouteClassName(RouteClass c) {
  switch (c) {
    case RouteClass::kPublic:
      return "public";
    case RouteClass::kGeneral:
      return "general";
    case RouteClass::kAi:
      return "ai";
  }
  return "general";
}

const Principal& RequestContext::User() const {
  if (!principal) throw ApiError::Unauthorized("a valid bearer token is required");
  return *principal;
}

std::string_view RequestContext::PathParam(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

void Router::Add(Route route) {
  if (route.path.empty() || route.path[0] != '/') {
    throw std::invalid_argument("route path must start with '/': " + route.path);
  }
  for (const auto& r : routes_) {
    if (r->method == route.method && r->path == route.path) {
      throw std::invalid_argument("duplicate route " + route.method + " " + route.path);
    }
  }
  routes_.push_back(std::make_unique<Route>(std::move(route)));
  const Route* r = routes_.back().get();
  if (r->path.find('{') == std::string::npos) {
    static_[r->path].push_back(r);
    return;
  }
  Compiled c{r, {}};
  for (auto seg : SplitPath(r->path)) {
    bool param = seg.front() == '{';
    if (param && (seg.back() != '}' || seg.size() < 3)) {
      throw std::invalid_argument("bad path template " + r->path);
    }
    c.segments.emplace_back(seg);
  }
  templated_.push_back(std::move(c));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  auto add_allow = [&m](const std::string& verb) {
    if (m.allow.find(verb) == std::string::npos) m.allow += (m.allow.empty() ? "" : ", ") + verb;
  };
  // Trailing slashes are not significant ("/api/profile/" is "/api/profile").
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (auto it = static_.find(path); it != static_.end()) {
    for (const Route* r : it->second) {
      if (r->method == method) {
        m.route = r;
        m.allow.clear();
        return m;
      }
      add_allow(r->method);
    }
  }
  if (!templated_.empty()) {
    auto segments = SplitPath(path);
    for (const auto& c : templated_) {
      if (c.segments.size() != segments.size()) continue;
      std::vector<std::pair<std::string, std::string>> params;
      bool ok = true;
      for (size_t i = 0; i < segments.size() && ok; ++i) {
        const auto& want = c.segments[i];
        if (want.front() == '{') {
          params.emplace_back(want.substr(1, want.size() - 2), std::string(segments[i]));
        } else {
          ok = want == segments[i];
        }
      }
      if (!ok) continue;
      if (c.route->method == method) {
        m.route = c.route;
        m.params = std::move(params);
        m.allow.clear();
        return m;
      }
      add_allow(c.route->method);
    }
  }
  return m;
}

}  // namespace vf::http
