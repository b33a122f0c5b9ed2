// POST /api/chat/classify: the app sends every chat message here first, to route it. An ai-class
// route (rate limits), answered on the network thread: the model is in memory and fast.
#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "chat/entities.hpp"
#include "chat/intent_classifier.hpp"
#include "exercises/exercise_names.hpp"

namespace vf::api {

using nlohmann::json;

void AddChatRoutes(http::Router& router, const ApiDeps& deps) {
  const chat::IntentClassifier* model = deps.intents;
  const exercises::ExerciseNames* names = deps.exercise_names;
  if (model == nullptr || names == nullptr) return;
  double unsure_below = deps.unsure_below;
  json intent_enum =
      EnumSchema(std::vector<std::string>(chat::kIntents.begin(), chat::kIntents.end()));
  json nullable_object{{"type", {"object", "null"}}};
  json nullable_number{{"type", {"number", "null"}}};
  router.Add(
      {.method = "POST",
       .path = "/api/chat/classify",
       .route_class = http::RouteClass::kAi,
       .body_limit = 16 * 1024,
       .blocking = false,
       .handler =
           [model, names, unsure_below](http::RequestContext& ctx) {
             auto started = std::chrono::steady_clock::now();
             json body = ParseJsonBody(ctx);
             std::string message = body["message"].get<std::string>();
             auto scores = model->Classify(message);
             std::array<std::size_t, chat::kIntentCount> order{};
             for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
             std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
               return scores.probability[a] > scores.probability[b];
             });
             json intents = json::array();
             for (std::size_t i : order) {
               intents.push_back({{"intent", chat::kIntents[i]},
                                  {"score", std::round(scores.probability[i] * 10000) / 10000}});
             }
             double confidence = scores.probability[scores.best];
             double ms = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - started)
                             .count();
             return JsonResponse(
                 200, {{"intent", chat::kIntents[scores.best]},
                       {"confidence", std::round(confidence * 10000) / 10000},
                       {"unsure", confidence < unsure_below},
                       {"intents", std::move(intents)},
                       {"entities", chat::ExtractEntities(message, names->matcher(), *names)},
                       {"meta",
                        {{"engine", "offline:intent-model"},
                         {"cached", false},
                         {"latency_ms", std::round(ms * 1000) / 1000}}}});
           },
       .doc = {
           .operation_id = "classifyChat",
           .summary = "Route a chat message: one of eight intents, calibrated confidence, "
                      "entities",
           .tag = "coach",
           .request_schema = {{"type", "object"},
                              {"additionalProperties", false},
                              {"required", {"message"}},
                              {"properties", {{"message", StringSchema(2000, "the message")}}}},
           .response_schema = {
               {"type", "object"},
               {"required", {"intent", "confidence", "unsure", "intents", "entities", "meta"}},
               {"properties",
                {{"intent", intent_enum},
                 {"confidence", {{"type", "number"}}},
                 {"unsure", {{"type", "boolean"}}},
                 {"intents",
                  {{"type", "array"},
                   {"items",
                    {{"type", "object"},
                     {"properties", {{"intent", intent_enum}, {"score", {{"type", "number"}}}}}}}}},
                 {"entities",
                  {{"type", "object"},
                   {"properties",
                    {{"exercise", nullable_object},
                     {"weight", nullable_object},
                     {"sets", nullable_number},
                     {"reps", nullable_number},
                     {"distance", nullable_object},
                     {"duration_s", nullable_number},
                     {"body_part", {{"type", {"string", "null"}}}}}}}},
                 {"meta", {{"type", "object"}}}}}}}});
}

}  // namespace vf::api
