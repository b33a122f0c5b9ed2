// Fuzzes retrieval over the real knowledge base with arbitrary query text, as
// POST /api/knowledge/search and every AI route hand it over: the analyzer (stems, spelling
// correction, lexicon phrases), the namespace selector, every leg, fusion and diversity.
// Properties: nothing in a query fails a search (no crash, no exception); at most k sources,
// each passage once, all in the namespaces searched, scores in [0, 1]; and a query restricted to
// given namespaces searches exactly those.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "knowledge/knowledge_base.hpp"
#include "rag/namespace_selector.hpp"
#include "rag/rag_service.hpp"
#include "rag/retriever.hpp"

namespace {

using namespace vf;

struct Search {
  knowledge::KnowledgeBase kb = knowledge::LoadKnowledgeBase(VOICEFIT_KNOWLEDGE_DIR);
  rag::Retriever retriever{kb, VOICEFIT_FUZZ_INDEX_DIR};  // built once, reused by later runs
  rag::NamespaceSelector selector{retriever};
  rag::RagService service{retriever, selector};
  std::vector<std::string> namespaces;

  Search() {
    std::set<std::string> seen;
    for (const auto& p : kb.passages) {
      if (seen.insert(p.name_space).second) namespaces.push_back(p.name_space);
    }
  }
};

Search& TheSearch() {
  static Search* search = new Search;  // never destroyed: libFuzzer exits without unwinding
  return *search;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  auto& s = TheSearch();
  // Two bytes choose k and the namespaces; the rest, at most what the route accepts, is the text.
  constexpr size_t kMaxQueryBytes = 1000;
  rag::RagQuery query;
  query.endpoint = "coach/ask";
  query.k = 1 + data[0] % 12;
  for (size_t i = 0; i < s.namespaces.size() && i < 7; ++i) {
    if (data[1] & (1u << i)) query.namespaces.push_back(s.namespaces[i]);
  }
  query.only_these_namespaces = (data[1] & 0x80) && !query.namespaces.empty();
  query.text.assign(reinterpret_cast<const char*>(data + 2), std::min(size - 2, kMaxQueryBytes));

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
