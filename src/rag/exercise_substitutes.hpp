#pragma once
// Exercise substitutes: a query that names an exercise and asks for something in its place ("a
// sub for leg press, my gym doesn't have one", "no pull-up bar, what can I do instead") wants the
// exercises that train what that one trains, and those share few of its words. This leg links
// the named exercise to its passage by the passage's title or first tag (entity linking), then
// ranks the other exercise passages by their similarity to it: passages describing the same
// muscles, pattern and purpose. The retriever fuses that ranking like its other legs.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "knowledge/knowledge_base.hpp"

namespace vf::rag {

struct Candidate;
class Analyzer;

class ExerciseSubstitutes {
 public:
  // Passages of the `exercises` namespace are the exercises; their titles and first tags their
  // names. `similarity` of two passages (0-1) is read once per pair of exercises, here.
  using Similarity = std::function<double(uint32_t, uint32_t)>;
  ExerciseSubstitutes(const knowledge::KnowledgeBase& kb, const Analyzer& analyzer,
                      const Similarity& similarity);

  // The exercise passages a query names, when it also asks for an alternative; else empty.
  // `stems`: every word's stem in order, stopwords too (AnalyzedQuery::all_stems).
  std::vector<uint32_t> NamedForReplacement(std::span<const std::string> stems) const;

  // The other exercise passages by their highest similarity to a named one, best first, at most
  // `limit`; the named ones lead. Empty when the query asks for no substitute.
  std::vector<Candidate> Rank(std::span<const std::string> stems, size_t limit) const;

 private:
  struct Name {
    std::vector<std::string> stems;
    uint32_t passage;
  };
  std::vector<Name> names_;  // longest first, so "front squat" wins over "squat"
  std::vector<uint32_t> exercises_;
  std::vector<int> exercise_of_passage_;          // passage -> position in exercises_, or -1
  std::vector<float> similarity_;                 // exercises_ x exercises_, row-major
  std::unordered_set<std::string> asking_stems_;  // "instead", "alternative", "sub", ...
};

}  // namespace vf::rag
