#pragma once
// Questionnaire transformers: one per AI route, each turning that route's request and the
// user's context (context/user_context.hpp) into a retrieval query: the text to search, the
// namespaces the route's domain implies, and how many passages it needs. Deterministic: the same
// request and context give the same query, so the query's hash is a sound cache key.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rag/rag_service.hpp"

namespace vf::rag {

// The routes with a transformer, as "coach/ask", "running/analyze", ... (the path after /api/).
const std::vector<std::string>& TransformerEndpoints();

// Throws std::invalid_argument for an endpoint without a transformer. Fields the request lacks
// are taken from the context where the route allows (program generators read the profile).
RagQuery TransformRequest(std::string_view endpoint, const nlohmann::json& request,
                          const nlohmann::json& user_context);

}  // namespace vf::rag
