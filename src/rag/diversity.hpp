#pragma once
// Maximal marginal relevance (Carbonell & Goldstein 1998): pick, one at a time, the candidate
// that best trades relevance against similarity to what is already picked, so five passages
// saying the same thing do not crowd out the one that says something else.

#include <functional>
#include <span>
#include <vector>

namespace vf::rag {

// `relevance[i]` of each candidate (any scale; divided by the largest), `similarity(i, j)` in
// [0, 1]. Returns up to k candidate indices in pick order. lambda = 1 is plain relevance order.
std::vector<size_t> SelectDiverse(std::span<const double> relevance,
                                  const std::function<double(size_t, size_t)>& similarity, size_t k,
                                  double lambda);

}  // namespace vf::rag
