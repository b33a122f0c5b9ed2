#pragma once
// Chooses which namespaces of the knowledge base a query searches, without a language model:
//   - the endpoint's prior (the transformer knows its domain: injury/analyze -> injury);
//   - lexicon triggers ("shin splints" -> injury, running);
//   - resource selection as in federated search (ReDDE-style): the query runs once over the
//     whole knowledge base and each namespace's share of the top-ranked BM25 mass is measured;
//     namespaces holding at least `share_threshold` of it, and always the largest, are kept.
// The union is the selection, so a knee question on the running-analysis route searches both
// running and injury.

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rag/retriever.hpp"

namespace vf::rag {

struct SelectorSettings {
  size_t mass_depth = 20;  // how many top passages the shares are measured over
  // How deep that search is read: deep enough that, restricted to the chosen namespaces, it
  // usually serves as the filtered synonyms leg too (one Xapian query fewer per retrieval).
  size_t ranking_depth = 100;
  double share_threshold = 0.075;  // a namespace with this share of the mass is searched
  bool use_triggers = true;        // within noise on the evaluation set; kept for explicit cases
  bool filter = true;  // search only the selected namespaces (false: select, but search all)
};

struct NamespaceSelection {
  std::vector<std::string> namespaces;  // prior first, then triggered, then by share
  std::vector<std::string> triggered;
  std::vector<std::pair<std::string, double>> shares;  // largest first
  UnfilteredRanking ranking;  // the search the shares come from, for Retriever::Search
};

class NamespaceSelector {
 public:
  NamespaceSelector(const Retriever& retriever, SelectorSettings settings = {});
  NamespaceSelection Select(std::string_view query, std::span<const std::string> prior) const;
  NamespaceSelection Select(const AnalyzedQuery& query, std::span<const std::string> prior) const;
  std::vector<std::string> Triggered(const AnalyzedQuery& query) const;

  const SelectorSettings& settings() const { return settings_; }
  void set_settings(const SelectorSettings& s) { settings_ = s; }  // evaluation and tuning only

 private:
  const Retriever& retriever_;
  SelectorSettings settings_;
  Analyzer analyzer_;
  struct Trigger {
    std::vector<std::string> stems;
    std::vector<std::string> namespaces;
  };
  std::vector<Trigger> triggers_;
  std::unordered_map<std::string, std::vector<size_t>> triggers_by_first_stem_;
};

}  // namespace vf::rag
