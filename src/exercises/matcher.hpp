#pragma once
// Spoken or typed exercise name -> catalog exercise, with a confidence. Names are normalised
// (case, punctuation, plurals, stop words, "db" -> dumbbell, "pull ups" -> pullup) and compared
// as sets of words, so word order does not matter. Exact names, aliases and defaults for
// unqualified words ("bench") match first; otherwise each word is corrected against the
// catalog's vocabulary (edit distance through a symmetric-delete index: typos and
// speech-recognition slips) and phrases are scored by word overlap. Below the threshold nothing
// is picked: the best candidates are reported instead.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "exercises/catalog.hpp"

namespace vf::exercises {

struct MatchCandidate {
  const Exercise* exercise = nullptr;
  double score = 0;
};

struct MatchResult {
  const Exercise* exercise = nullptr;  // null: not matched
  double confidence = 0;
  std::string how;  // "name", "alias", "default", "corrected", "fuzzy", "none"
  std::vector<MatchCandidate> candidates;  // best first (at most 3), also when unmatched
  bool matched() const { return exercise != nullptr; }
};

// Anything that names exercises: the matcher itself, or the matcher behind the cache.
class NameMatcher {
 public:
  virtual ~NameMatcher() = default;
  virtual MatchResult Match(std::string_view spoken) const = 0;
};

class Matcher final : public NameMatcher {
 public:
  explicit Matcher(const Catalog& catalog, double threshold = 0.8);
  MatchResult Match(std::string_view spoken) const override;
  // Only the exact step (a name, alias or default, in any word order): a hash lookup. Fuzzy
  // matching, the expensive part, is what the cache in front of the matcher is for.
  std::optional<MatchResult> MatchExact(std::string_view spoken) const;
  double threshold() const { return threshold_; }
  // Whether a word (normalised like names) occurs in any name, alias or default.
  bool KnowsWord(std::string_view word) const;

  // Lowercased words, plurals made singular, stop words dropped, shorthand expanded.
  static std::vector<std::string> Words(std::string_view text);
  // Optimal-string-alignment distance (adjacent transpositions count one).
  static int EditDistance(std::string_view a, std::string_view b);

 private:
  struct Phrase {
    std::vector<uint32_t> tokens;
    std::size_t exercise = 0;
    double weight = 1.0;  // defaults and aliases say exactly what people mean
    std::string how;
  };
  uint32_t Intern(const std::string& token);
  void AddPhrase(std::size_t exercise, std::string_view text, std::string how, double weight);
  // Vocabulary tokens within reach of `token`, with their similarity (1 exact).
  std::vector<std::pair<uint32_t, double>> Similar(const std::string& token) const;
  std::vector<std::string> MergeCompounds(std::vector<std::string> words) const;
  static std::string Key(std::vector<std::string> words);

  const Catalog& catalog_;
  double threshold_;
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, uint32_t> token_id_;
  std::unordered_map<std::string, std::vector<uint32_t>> deletes_;
  std::unordered_map<std::string, std::size_t> exact_;  // word-set key -> phrase
  std::vector<Phrase> phrases_;
  std::vector<std::vector<uint32_t>> postings_;  // token -> phrases holding it
};

}  // namespace vf::exercises
