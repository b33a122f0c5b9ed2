#include "rag/diversity.hpp"

#include <algorithm>
#include <limits>

namespace vf::rag {

std::vector<size_t> SelectDiverse(std::span<const double> relevance,
                                  const std::function<double(size_t, size_t)>& similarity, size_t k,
                                  double lambda) {
  std::vector<size_t> picked;
  if (relevance.empty() || k == 0) return picked;
  double top = *std::max_element(relevance.begin(), relevance.end());
  if (top <= 0) top = 1;
  std::vector<bool> taken(relevance.size(), false);
  // The largest similarity of each candidate to anything picked so far, updated per pick.
  std::vector<double> closest(relevance.size(), 0.0);
  while (picked.size() < std::min(k, relevance.size())) {
    size_t best = relevance.size();
    double best_value = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < relevance.size(); ++i) {
      if (taken[i]) continue;
      double value = lambda * relevance[i] / top - (1 - lambda) * closest[i];
      if (value > best_value) {  // ties keep the earlier (more relevant) candidate
        best_value = value;
        best = i;
      }
    }
    taken[best] = true;
    picked.push_back(best);
    for (size_t i = 0; i < relevance.size(); ++i) {
      if (!taken[i]) closest[i] = std::max(closest[i], similarity(best, i));
    }
  }
  return picked;
}

}  // namespace vf::rag
