#pragma once
// The route table: each group adds its routes (handlers, classes, limits, OpenAPI docs).

#include <string>

#include "http/router.hpp"

namespace vf::store {
class Store;
}

namespace vf::api {

class HealthService;

struct ApiDeps {
  store::Store& store;
  HealthService& health;
  std::string version;
};

void AddHealthRoutes(http::Router& router, const ApiDeps& deps);
void AddProfileRoutes(http::Router& router, const ApiDeps& deps);
void AddWorkoutRoutes(http::Router& router, const ApiDeps& deps);
void AddRunRoutes(http::Router& router, const ApiDeps& deps);
void AddInjuryRoutes(http::Router& router, const ApiDeps& deps);
void AddAccountRoutes(http::Router& router, const ApiDeps& deps);
// Last: it describes every route added before it (and itself).
void AddOpenApiRoute(http::Router& router, const ApiDeps& deps);

// All of the above, in order.
void AddAllRoutes(http::Router& router, const ApiDeps& deps);

// The OpenAPI 3.1 document of the router's routes.
nlohmann::json BuildOpenApi(const http::Router& router, const std::string& version);

}  // namespace vf::api
