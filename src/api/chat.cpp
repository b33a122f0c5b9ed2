// POST /api/chat/classify: the app sends every chat message here first, to route it. An ai-class
// route (rate limits), answered on the network thread: the model is in memory and fast.
#include <cstdio>

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
             double confidence = scores.probability[scores.best];
             // The matcher itself, not the cache in front of it: this handler runs on a network
             // thread, which must never wait on Redis.
             std::string entities =
                 chat::ExtractEntities(message, names->matcher(), names->matcher()).dump();
             // Written by hand: this route answers every chat message, and a JSON tree for an
             // eight-score reply cost more than the model.
             auto number = [](std::string& out, double v) {
               char buf[32];
               int n = std::snprintf(buf, sizeof buf, "%.4g", v);
               out.append(buf, static_cast<std::size_t>(n));
             };
             std::string reply;
             reply.reserve(512 + entities.size());
             reply += R"({"intent":")";
             reply += chat::kIntents[scores.best];
             reply += R"(","confidence":)";
             number(reply, std::round(confidence * 10000) / 10000);
             reply += R"(,"unsure":)";
             reply += confidence < unsure_below ? "true" : "false";
             reply += R"(,"intents":[)";
             for (std::size_t k = 0; k < order.size(); ++k) {
               if (k > 0) reply += ',';
               reply += R"({"intent":")";
               reply += chat::kIntents[order[k]];
               reply += R"(","score":)";
               number(reply, std::round(scores.probability[order[k]] * 10000) / 10000);
               reply += '}';
             }
             reply += R"(],"entities":)";
             reply += entities;
             double ms = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - started)
                             .count();
             reply += R"(,"meta":{"engine":"offline:intent-model","cached":false,"latency_ms":)";
             number(reply, std::round(ms * 1000) / 1000);
             reply += "}}";
             return http::Response::Json(200, std::move(reply));
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
