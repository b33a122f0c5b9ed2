#include "rag/namespace_selector.hpp"

#include <algorithm>
#include <map>

namespace vf::rag {
namespace {

void AddOnce(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

NamespaceSelector::NamespaceSelector(const Retriever& retriever, SelectorSettings settings)
    : retriever_(retriever), settings_(settings) {
  for (const auto& trigger : retriever_.knowledge_base().triggers) {
    auto stems = analyzer_.Stems(trigger.term);
    if (stems.empty()) continue;
    triggers_by_first_stem_[stems[0]].push_back(triggers_.size());
    triggers_.push_back({std::move(stems), trigger.namespaces});
  }
}

std::vector<std::string> NamespaceSelector::Triggered(const AnalyzedQuery& query) const {
  std::vector<std::string> out;
  const auto& stems = query.all_stems;
  for (size_t i = 0; i < stems.size(); ++i) {
    auto candidates = triggers_by_first_stem_.find(stems[i]);
    if (candidates == triggers_by_first_stem_.end()) continue;
    for (size_t index : candidates->second) {
      const auto& trigger = triggers_[index];
      if (trigger.stems.size() > stems.size() - i) continue;
      if (std::equal(trigger.stems.begin() + 1, trigger.stems.end(), stems.begin() + i + 1)) {
        for (const auto& ns : trigger.namespaces) AddOnce(out, ns);
      }
    }
  }
  return out;
}

NamespaceSelection NamespaceSelector::Select(std::string_view query,
                                             std::span<const std::string> prior) const {
  return Select(retriever_.Analyze(query), prior);
}

NamespaceSelection NamespaceSelector::Select(const AnalyzedQuery& analyzed,
                                             std::span<const std::string> prior) const {
  NamespaceSelection selection;
  for (const auto& ns : prior) AddOnce(selection.namespaces, ns);
  if (settings_.use_triggers) {
    selection.triggered = Triggered(analyzed);
    for (const auto& ns : selection.triggered) AddOnce(selection.namespaces, ns);
  }
  size_t depth = std::max(settings_.mass_depth, settings_.ranking_depth);
  auto& hits = selection.ranking.candidates;
  hits = retriever_.SearchLeg(analyzed, Retriever::Leg::kSynonyms, {}, depth);
  selection.ranking.complete = hits.size() < depth;
  std::map<std::string, double> mass;
  double total = 0;
  for (const auto& hit : std::span(hits).first(std::min(hits.size(), settings_.mass_depth))) {
    mass[retriever_.knowledge_base().passages[hit.passage].name_space] += hit.score;
    total += hit.score;
  }
  for (const auto& [ns, m] : mass) selection.shares.emplace_back(ns, total > 0 ? m / total : 0);
  std::stable_sort(selection.shares.begin(), selection.shares.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (size_t i = 0; i < selection.shares.size(); ++i) {
    if (i == 0 || selection.shares[i].second >= settings_.share_threshold) {
      AddOnce(selection.namespaces, selection.shares[i].first);
    }
  }
  return selection;
}

}  // namespace vf::rag
