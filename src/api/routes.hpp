#pragma once
// The route table: each group adds its routes (handlers, classes, limits, OpenAPI docs).

#include <functional>
#include <string>

#include "http/router.hpp"

namespace vf::store {
class Store;
}

namespace vf::monitoring {
class Registry;
class Monitor;
}  // namespace vf::monitoring

namespace vf::context {
class UserContextService;
}
namespace vf::exercises {
class ExerciseNames;
}
namespace vf::chat {
class IntentClassifier;
}
namespace vf::rag {
class RagService;
}

namespace vf::api {

class HealthService;

// Filled in after the router is built: the request metrics need the finished route table, and
// the monitoring routes need the metrics.
struct MonitoringHandles {
  monitoring::Registry* registry = nullptr;
  monitoring::Monitor* monitor = nullptr;
};

struct ApiDeps {
  store::Store& store;
  HealthService& health;
  std::string version;
  const MonitoringHandles* monitoring = nullptr;
  std::string web_dir;  // dashboard and docs pages; empty: not served
  // Called by every write that changes what the coach knows of a user, after it committed and
  // before the reply (the user-context cache is invalidated here).
  std::function<void(const std::string& user_id)> user_data_changed;
  context::UserContextService* user_context = nullptr;  // GET /api/context; null: no route
  // Names exercises in logs (catalog + matcher + cache); null: names are stored as given.
  const exercises::ExerciseNames* exercise_names = nullptr;
  const chat::IntentClassifier* intents = nullptr;  // POST /api/chat/classify; null: no route
  double unsure_below = 0.5;                        // confidence under which it says so
  rag::RagService* rag = nullptr;  // knowledge-base retrieval; null: no knowledge routes
};

void AddHealthRoutes(http::Router& router, const ApiDeps& deps);
void AddProfileRoutes(http::Router& router, const ApiDeps& deps);
void AddWorkoutRoutes(http::Router& router, const ApiDeps& deps);
void AddRunRoutes(http::Router& router, const ApiDeps& deps);
void AddInjuryRoutes(http::Router& router, const ApiDeps& deps);
void AddAccountRoutes(http::Router& router, const ApiDeps& deps);
// POST /api/chat/classify: which of the eight intents a chat message is, with its entities.
void AddChatRoutes(http::Router& router, const ApiDeps& deps);
// POST /api/knowledge/search and GET /api/knowledge/passages/{id}.
void AddKnowledgeRoutes(http::Router& router, const ApiDeps& deps);
// POST /api/voice/log: a spoken log parsed into sets or a run.
void AddVoiceLogRoutes(http::Router& router, const ApiDeps& deps);
// GET /api/context: the summarised user context the AI routes read (cached).
void AddContextRoutes(http::Router& router, const ApiDeps& deps);
// GET /metrics, /api/monitoring/summary and /api/monitoring/alerts.
void AddMonitoringRoutes(http::Router& router, const ApiDeps& deps);
// The dashboard and API-reference pages and their assets, from web/assets.json.
void AddWebRoutes(http::Router& router, const ApiDeps& deps);
// Last: it describes every route added before it (and itself).
void AddOpenApiRoute(http::Router& router, const ApiDeps& deps);

// All of the above, in order.
void AddAllRoutes(http::Router& router, const ApiDeps& deps);

// The OpenAPI 3.1 document of the router's routes.
nlohmann::json BuildOpenApi(const http::Router& router, const std::string& version);

}  // namespace vf::api
