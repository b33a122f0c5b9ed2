// The knowledge base over HTTP:
//   POST /api/knowledge/search     retrieval as the AI routes use it: a free query, or an AI
//                                  route's request run through that route's questionnaire
//                                  transformer with the caller's context;
//   GET  /api/knowledge/passages/{id}  one passage, for showing a cited source.
// Answered by workers: the caller's context may come from Redis.
#include <chrono>
#include <cmath>

#include "api/request_body.hpp"
#include "api/routes.hpp"
#include "context/user_context.hpp"
#include "knowledge/knowledge_base.hpp"
#include "rag/questionnaire.hpp"
#include "rag/rag_service.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

json PassageJson(const knowledge::Passage& p) {
  return {{"id", p.id},     {"title", p.title}, {"namespace", p.name_space},
          {"tags", p.tags}, {"cite", p.cite},   {"text", p.body}};
}

json SourcesSchema() {
  return {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"required", {"id", "title", "namespace", "score"}},
            {"properties",
             {{"id", {{"type", "string"}}},
              {"title", {{"type", "string"}}},
              {"namespace", {{"type", "string"}}},
              {"score", {{"type", "number"}}},
              {"text", {{"type", "string"}}},
              {"cite", {{"type", "string"}}}}}}}};
}

}  // namespace

void AddKnowledgeRoutes(http::Router& router, const ApiDeps& deps) {
  rag::RagService* service = deps.rag;
  if (service == nullptr) return;
  context::UserContextService* contexts = deps.user_context;
  const auto& kb = service->retriever().knowledge_base();
  std::vector<std::string> namespaces(knowledge::kNamespaces.begin(), knowledge::kNamespaces.end());
  json namespace_enum = EnumSchema(namespaces);

  router.Add(
      {.method = "POST",
       .path = "/api/knowledge/search",
       .body_limit = 32 * 1024,
       .handler =
           [service, contexts, &kb](http::RequestContext& ctx) {
             auto started = std::chrono::steady_clock::now();
             json body = ParseJsonBody(ctx);
             bool has_query = body.contains("query");
             bool has_request = body.contains("request");
             if (has_query == has_request) {
               throw ApiError::Validation(
                   {{"query", "give either a query or an endpoint's request, not both"}});
             }
             rag::RagQuery query;
             if (has_query) {
               query = {body.value("endpoint", std::string("coach/ask")),
                        body["query"].get<std::string>(),
                        {},
                        5};
             } else {
               if (!body.contains("endpoint")) {
                 throw ApiError::Validation({{"endpoint", "required with a request"}});
               }
               json user_context = json::object();
               if (contexts) user_context = contexts->Get(ctx.User().user_id).context;
               query = rag::TransformRequest(body["endpoint"].get<std::string>(), body["request"],
                                             user_context);
             }
             if (body.contains("namespaces")) {  // the caller's choice, not a hint
               query.namespaces = body["namespaces"].get<std::vector<std::string>>();
               query.only_these_namespaces = !query.namespaces.empty();
             }
             if (body.contains("k")) query.k = body["k"].get<size_t>();
             if (service->retriever().Analyze(query.text).stems.empty()) {
               throw ApiError::Validation(
                   {{has_query ? "query" : "request", "has no words to search for"}});
             }
             auto result = service->Retrieve(query);
             json sources = result.SourcesJson();
             if (body.value("include_text", false)) {
               for (auto& s : sources) {
                 const auto* p = kb.Find(s["id"].get<std::string>());
                 s["text"] = p->body;
                 s["cite"] = p->cite;
               }
             }
             double ms = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - started)
                             .count();
             return JsonResponse(200, {{"query",
                                        {{"endpoint", query.endpoint},
                                         {"text", query.text},
                                         {"namespaces", query.namespaces},
                                         {"k", query.k}}},
                                       {"sources", std::move(sources)},
                                       {"meta",
                                        {{"engine", "offline"},
                                         {"cached", result.cached},
                                         {"rag", result.MetaJson()},
                                         {"kb_version", kb.version.substr(0, 16)},
                                         {"latency_ms", std::round(ms * 1000) / 1000}}}});
           },
       .doc = {
           .operation_id = "searchKnowledge",
           .summary = "Search the coach's knowledge base, with a free query or as an AI route "
                      "would for a given request",
           .tag = "coach",
           .request_schema =
               {{"type", "object"},
                {"additionalProperties", false},
                {"properties",
                 {{"query", StringSchema(1000, "what to search for")},
                  {"endpoint", EnumSchema(rag::TransformerEndpoints(),
                                          "the AI route whose transformer and namespaces apply")},
                  {"request", {{"type", "object"}, {"description", "that route's request body"}}},
                  {"namespaces",
                   {{"type", "array"},
                    {"items", namespace_enum},
                    {"maxItems", 10},
                    {"uniqueItems", true},
                    {"description",
                     "search only these (default: the namespace selector chooses)"}}},
                  {"k", IntegerSchema(1, static_cast<int>(rag::RagService::kMaxK),
                                      "passages wanted (5)")},
                  {"include_text", {{"type", "boolean"}}}}}},
           .response_schema = {{"type", "object"},
                               {"required", {"query", "sources", "meta"}},
                               {"properties",
                                {{"query", {{"type", "object"}}},
                                 {"sources", SourcesSchema()},
                                 {"meta", {{"type", "object"}}}}}}}});

  router.Add(
      {.method = "GET",
       .path = "/api/knowledge/passages/{id}",
       .handler =
           [&kb](http::RequestContext& ctx) {
             const auto* p = kb.Find(ctx.PathParam("id"));
             if (!p) throw ApiError::NotFound("no passage with this id");
             return JsonResponse(200, PassageJson(*p));
           },
       .doc = {.operation_id = "getKnowledgePassage",
               .summary = "One passage of the knowledge base, with its text and source",
               .tag = "coach",
               .response_schema = {{"type", "object"},
                                   {"required", {"id", "title", "namespace", "cite", "text"}},
                                   {"properties",
                                    {{"id", {{"type", "string"}}},
                                     {"title", {{"type", "string"}}},
                                     {"namespace", {{"type", "string"}}},
                                     {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                                     {"cite", {{"type", "string"}}},
                                     {"text", {{"type", "string"}}}}}}}});
}

}  // namespace vf::api
