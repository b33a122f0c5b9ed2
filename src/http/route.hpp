#pragma once
// A route declares everything the server needs to know about it up front: method, path template,
// class (for auth and rate limiting), body limit, where it runs, and its OpenAPI description.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/principal.hpp"
#include "http/message.hpp"

namespace vf::http {

// public: no token; general: any authenticated API route; ai: runs a model, retrieval or a
// generator (stricter rate limit).
enum class RouteClass { kPublic, kGeneral, kAi };

std::string_view RouteClassName(RouteClass c);

struct RequestContext;
using Handler = std::function<Response(RequestContext&)>;

struct QueryParamDoc {
  std::string name;
  nlohmann::json schema;
  std::string description;
};

struct RouteDoc {
  std::string operation_id;
  std::string summary;
  std::string tag;
  nlohmann::json request_schema;   // null: no body
  nlohmann::json response_schema;  // schema of the success body
  int success_status = 200;
  std::string success_content_type = "application/json";
  std::vector<QueryParamDoc> query;
  bool hidden = false;  // not an API operation (static pages and their assets)
};

struct Route {
  std::string method;
  std::string path;  // template: "/api/workouts/{workout_id}"
  RouteClass route_class = RouteClass::kGeneral;
  bool admin_only = false;
  std::size_t body_limit = 0;  // 0: the server default
  // Blocking routes (store, network, index) run on the worker pool; cheap ones on the I/O thread.
  bool blocking = true;
  Handler handler;
  RouteDoc doc;
};

struct RequestContext {
  Request request;
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string allow;  // for 405: the methods the path does have
  std::optional<Principal> principal;
  std::string request_id;
  std::chrono::steady_clock::time_point started;
  // Headers a stage wants on the eventual response, whichever stage or handler writes it.
  std::vector<Header> response_headers;

  // The authenticated caller; throws ApiError 401 when there is none.
  const Principal& User() const;
  std::string_view PathParam(std::string_view name) const;
};

}  // namespace vf::http
