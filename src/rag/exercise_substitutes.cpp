#include "rag/exercise_substitutes.hpp"

#include <algorithm>

#include "rag/analyzer.hpp"
#include "rag/retriever.hpp"

namespace vf::rag {

namespace {

constexpr std::string_view kExercisesNamespace = "exercises";

// Words by which people ask for a replacement. Deliberately few: a named exercise alone ("how
// deep should I leg press") asks about that exercise, not for another.
constexpr std::string_view kAskingWords[] = {
    "instead",      "alternative", "alternatives", "substitute", "substitutes",
    "substitution", "sub",         "subs",         "swap",       "replace",
    "replacement",  "variation",   "variations",   "equivalent"};

}  // namespace

ExerciseSubstitutes::ExerciseSubstitutes(const knowledge::KnowledgeBase& kb,
                                         const Analyzer& analyzer, const Similarity& similarity)
    : exercise_of_passage_(kb.passages.size(), -1) {
  for (auto word : kAskingWords) asking_stems_.insert(analyzer.Stem(word));
  for (size_t i = 0; i < kb.passages.size(); ++i) {
    const auto& p = kb.passages[i];
    if (p.name_space != kExercisesNamespace) continue;
    auto index = static_cast<uint32_t>(i);
    exercise_of_passage_[i] = static_cast<int>(exercises_.size());
    exercises_.push_back(index);
    // The first tag is the exercise's everyday name ("hex bar deadlift" beside the title
    // "Trap-bar deadlift"); later tags are traits ("quads and glutes") that name no exercise.
    std::vector<std::string> names{p.title};
    if (!p.tags.empty()) names.push_back(p.tags.front());
    for (const auto& name : names) {
      auto stems = analyzer.Stems(name);
      if (!stems.empty()) names_.push_back({std::move(stems), index});
    }
  }
  // Computed once: a query then costs a lookup per exercise instead of a sparse dot product.
  const size_t n = exercises_.size();
  similarity_.assign(n * n, 0.0f);
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = a; b < n; ++b) {
      auto value = static_cast<float>(similarity(exercises_[a], exercises_[b]));
      similarity_[a * n + b] = similarity_[b * n + a] = value;
    }
  }
  std::stable_sort(names_.begin(), names_.end(),
                   [](const Name& a, const Name& b) { return a.stems.size() > b.stems.size(); });
}

std::vector<uint32_t> ExerciseSubstitutes::NamedForReplacement(
    std::span<const std::string> stems) const {
  std::vector<uint32_t> named;
  bool asking = std::any_of(stems.begin(), stems.end(),
                            [&](const std::string& s) { return asking_stems_.count(s) > 0; });
  if (!asking) return named;
  std::vector<bool> taken(stems.size(), false);
  for (const auto& name : names_) {
    const auto n = name.stems.size();
    for (size_t at = 0; at + n <= stems.size(); ++at) {
      if (!std::equal(name.stems.begin(), name.stems.end(), stems.begin() + at)) continue;
      // A shorter name inside a longer one already matched ("squat" in "front squat") is no
      // second exercise.
      if (std::any_of(taken.begin() + at, taken.begin() + at + n, [](bool t) { return t; })) {
        continue;
      }
      std::fill(taken.begin() + at, taken.begin() + at + n, true);
      if (std::find(named.begin(), named.end(), name.passage) == named.end()) {
        named.push_back(name.passage);
      }
    }
  }
  return named;
}

std::vector<Candidate> ExerciseSubstitutes::Rank(std::span<const std::string> stems,
                                                 size_t limit) const {
  std::vector<Candidate> ranked;
  auto named = NamedForReplacement(stems);
  if (named.empty()) return ranked;
  for (auto passage : exercises_) {
    // The named exercise itself leads: its passage says what it can be swapped for.
    bool is_named = std::find(named.begin(), named.end(), passage) != named.end();
    double best = is_named ? 1.0 : 0.0;
    auto row = static_cast<size_t>(exercise_of_passage_[passage]) * exercises_.size();
    for (auto source : named) {
      auto column = static_cast<size_t>(exercise_of_passage_[source]);
      best = std::max(best, static_cast<double>(similarity_[row + column]));
    }
    if (best > 0) ranked.push_back({passage, best});
  }
  std::sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score > b.score : a.passage < b.passage;
  });
  if (ranked.size() > limit) ranked.resize(limit);
  return ranked;
}

}  // namespace vf::rag
