// Fuzzes retrieval over the real knowledge base, as POST /api/knowledge/search and every AI route
// hand it over: from arbitrary query text, or from an arbitrary JSON request and user context
// through a route's questionnaire transformer (the search route passes any JSON object there).
// Then the analyzer (stems, spelling correction, lexicon phrases), the namespace selector, every
// leg, fusion and diversity. Properties: nothing in a request or query fails a search (no crash,
// no exception); a transformer keeps its route and asks for 1 to kMaxK passages; at most k
// sources, each passage once, all in the namespaces searched, scores in [0, 1]; and a query
// restricted to given namespaces searches exactly those.
#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/knowledge_base.hpp"
#include "rag/namespace_selector.hpp"
#include "rag/questionnaire.hpp"
#include "rag/rag_service.hpp"
#include "rag/retriever.hpp"

namespace {

using namespace vf;

struct Search {
  knowledge::KnowledgeBase kb = knowledge::LoadKnowledgeBase(VOICEFIT_KNOWLEDGE_DIR);
  rag::Retriever retriever{kb, VOICEFIT_FUZZ_INDEX_DIR};  // built once, reused by later runs
  rag::NamespaceSelector selector{retriever};
  rag::RagService service{retriever, selector};
};

Search& TheSearch() {
  // Never destroyed: nothing to tidy at exit, and the index folder stays for the next run.
  static Search* search = new Search;
  return *search;
}

// {"endpoint", "request", "context"} through that route's transformer (an unknown endpoint: the
// one `pick` chooses); nullopt when the bytes are no JSON object.
std::optional<rag::RagQuery> Transformed(std::string_view bytes, uint8_t pick) {
  auto input = nlohmann::json::parse(bytes, nullptr, false);
  if (input.is_discarded() || !input.is_object()) return std::nullopt;
  const auto& endpoints = rag::TransformerEndpoints();
  std::string endpoint = endpoints[pick % endpoints.size()];
  if (auto it = input.find("endpoint");
      it != input.end() && it->is_string() && std::count(endpoints.begin(), endpoints.end(), *it)) {
    endpoint = it->get<std::string>();
  }
  auto query = rag::TransformRequest(endpoint, input.value("request", nlohmann::json()),
                                     input.value("context", nlohmann::json()));
  if (query.endpoint != endpoint || query.k < 1 || query.k > rag::RagService::kMaxK) {
    __builtin_trap();
  }
  return query;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  auto& s = TheSearch();
  // The first byte: bit 7 picks a transformed request over free text, the rest k or the route.
  // The next two: a bit per namespace to search only, as the search route's "namespaces" (none:
  // the selector chooses). The rest, at most what the search route accepts, is the text or JSON.
  constexpr size_t kMaxInputBytes = 32 * 1024;
  std::string_view rest(reinterpret_cast<const char*>(data + 3),
                        std::min(size - 3, data[0] & 0x80 ? kMaxInputBytes : 1000));
  rag::RagQuery query;
  if (data[0] & 0x80) {
    auto transformed = Transformed(rest, data[0] & 0x7f);
    if (!transformed) return 0;
    query = std::move(*transformed);
  } else {
    query.endpoint = "coach/ask";
    query.k = 1 + data[0] % rag::RagService::kMaxK;  // the search route's range
    query.text = std::string(rest);
  }
  std::vector<std::string> filter;
  unsigned mask = data[1] | data[2] << 8;
  for (size_t i = 0; i < knowledge::kNamespaces.size(); ++i) {
    if (mask & (1u << i)) filter.emplace_back(knowledge::kNamespaces[i]);
  }
  if (!filter.empty()) {
    query.namespaces = filter;
    query.only_these_namespaces = true;
  }

  auto result = s.service.Compute(query);

  if (result.sources.size() > query.k) __builtin_trap();
  if (query.only_these_namespaces && result.namespaces != query.namespaces) __builtin_trap();
  std::set<std::string> ids;
  for (const auto& source : result.sources) {
    if (!ids.insert(source.id).second) __builtin_trap();
    if (!(source.score >= 0 && source.score <= 1)) __builtin_trap();
    bool searched = false;
    for (const auto& ns : result.namespaces) searched = searched || ns == source.name_space;
    if (!searched && !result.namespaces.empty()) __builtin_trap();
  }
  return 0;
}
