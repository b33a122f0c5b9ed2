#include "exercises/matcher.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace vf::exercises {
namespace {

std::string Singular(std::string w) {
  if (w == "ups") return "up";  // "pull ups", "push ups", "sit ups"
  if (w == "flyes" || w == "flys") return "fly";
  auto ends = [&](std::string_view s) {
    return w.size() > s.size() && w.compare(w.size() - s.size(), s.size(), s) == 0;
  };
  if (w.size() <= 3) return w;
  if (ends("ies")) return w.substr(0, w.size() - 3) + "y";
  if (ends("sses") || ends("ches") || ends("shes") || ends("xes")) return w.substr(0, w.size() - 2);
  if (ends("ss") || ends("us") || ends("is")) return w;
  if (ends("s")) return w.substr(0, w.size() - 1);
  return w;
}

// Deletions of up to `depth` characters (the symmetric-delete spelling index).
void Deletes(const std::string& w, int depth, std::set<std::string>& out) {
  if (depth == 0 || w.size() <= 1) return;
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::string d = w.substr(0, i) + w.substr(i + 1);
    if (out.insert(d).second) Deletes(d, depth - 1, out);
  }
}

int MaxDistance(std::size_t length) { return length >= 7 ? 2 : length >= 4 ? 1 : 0; }

}  // namespace

std::vector<std::string> Matcher::Words(std::string_view text) {
  static const std::set<std::string> kStop{"the", "a",     "an",   "with", "of", "on", "some",
                                           "my",  "and",   "for",  "to",   "in", "at", "do",
                                           "did", "doing", "done", "set",  "rep"};
  static const std::unordered_map<std::string, std::string> kShorthand{
      {"db", "dumbbell"},   {"dbs", "dumbbell"},      {"dumbell", "dumbbell"}, {"bb", "barbell"},
      {"kb", "kettlebell"}, {"kettle", "kettlebell"}, {"tricep", "triceps"},   {"bicep", "biceps"},
      {"ez", "ez"},         {"lat", "lat"},           {"pulldown", "pulldown"}};
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    std::string w = Singular(current);
    if (auto it = kShorthand.find(w); it != kShorthand.end()) w = it->second;
    if (!kStop.count(w)) words.push_back(w);
    current.clear();
  };
  for (char raw : text) {
    auto c = static_cast<unsigned char>(raw);
    if (c == '\'') continue;  // "farmer's" -> "farmers", "rdl's" -> "rdls"
    if (std::isalnum(c)) {
      current += static_cast<char>(std::tolower(c));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

int Matcher::EditDistance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  if (n > 48 || m > 48) return static_cast<int>(std::max(n, m));
  std::array<std::array<int, 49>, 49> d{};
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

uint32_t Matcher::Intern(const std::string& token) {
  auto [it, added] = token_id_.emplace(token, static_cast<uint32_t>(vocab_.size()));
  if (added) {
    vocab_.push_back(token);
    postings_.emplace_back();
    std::set<std::string> dels{token};
    Deletes(token, MaxDistance(token.size()), dels);
    for (const auto& d : dels) deletes_[d].push_back(it->second);
  }
  return it->second;
}

std::string Matcher::Key(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::string key;
  for (const auto& w : words) {
    if (!key.empty()) key += ' ';
    key += w;
  }
  return key;
}

void Matcher::AddPhrase(std::size_t exercise, std::string_view text, std::string how,
                        double weight) {
  auto words = Words(text);
  if (words.empty()) return;
  Phrase p{{}, exercise, weight, std::move(how)};
  for (const auto& w : words) p.tokens.push_back(Intern(w));
  std::sort(p.tokens.begin(), p.tokens.end());
  p.tokens.erase(std::unique(p.tokens.begin(), p.tokens.end()), p.tokens.end());
  auto index = phrases_.size();
  for (uint32_t t : p.tokens) postings_[t].push_back(static_cast<uint32_t>(index));
  // Defaults win over aliases, aliases over names, when two say the same words.
  std::string key = Key(words);
  auto it = exact_.find(key);
  if (it == exact_.end() || phrases_[it->second].weight < weight) exact_[key] = index;
  phrases_.push_back(std::move(p));
}

Matcher::Matcher(const Catalog& catalog, double threshold)
    : catalog_(catalog), threshold_(threshold) {
  std::unordered_map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < catalog.exercises().size(); ++i) {
    const Exercise& e = catalog.exercises()[i];
    index_of[e.id] = i;
    AddPhrase(i, e.name, "name", 1.0);
    for (const auto& a : e.aliases) AddPhrase(i, a, "alias", 1.1);
  }
  for (const auto& [word, id] : catalog.defaults())
    AddPhrase(index_of.at(id), word, "default", 1.2);
}

std::vector<std::pair<uint32_t, double>> Matcher::Similar(const std::string& token) const {
  std::vector<std::pair<uint32_t, double>> out;
  if (auto it = token_id_.find(token); it != token_id_.end()) return {{it->second, 1.0}};
  int reach = MaxDistance(token.size());
  if (reach == 0) return out;
  std::set<std::string> dels{token};
  Deletes(token, reach, dels);
  std::set<uint32_t> seen;
  for (const auto& d : dels) {
    auto it = deletes_.find(d);
    if (it == deletes_.end()) continue;
    for (uint32_t id : it->second) {
      if (!seen.insert(id).second) continue;
      int distance = EditDistance(token, vocab_[id]);
      if (distance > reach) continue;
      double longest = static_cast<double>(std::max(token.size(), vocab_[id].size()));
      // One slip in a five-letter word keeps 0.88 of its weight; two in an eight-letter one 0.85.
      out.emplace_back(id, 1.0 - 0.6 * distance / std::max(4.0, longest));
    }
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second > b.second; });
  return out;
}

std::vector<std::string> Matcher::MergeCompounds(std::vector<std::string> words) const {
  // "pull ups" -> "pullup", "dead lift" -> "deadlift" when the catalog knows the joined word.
  std::vector<std::string> out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i + 1 < words.size()) {
      std::string joined = words[i] + words[i + 1];
      if (token_id_.count(joined) && !token_id_.count(words[i] + " " + words[i + 1])) {
        out.push_back(joined);
        ++i;
        continue;
      }
    }
    out.push_back(words[i]);
  }
  return out;
}

bool Matcher::KnowsWord(std::string_view word) const {
  auto words = Words(word);
  return words.size() == 1 && token_id_.count(words[0]) > 0;
}

std::optional<MatchResult> Matcher::MatchExact(std::string_view spoken) const {
  auto words = Words(spoken);
  if (words.empty()) return std::nullopt;
  for (const auto& ws : {words, MergeCompounds(words)}) {
    auto it = exact_.find(Key(ws));
    if (it == exact_.end()) continue;
    const Phrase& p = phrases_[it->second];
    MatchResult result;
    result.exercise = &catalog_.exercises()[p.exercise];
    result.confidence = p.how == "default" ? 0.95 : 1.0;
    result.how = p.how;
    result.candidates = {{result.exercise, result.confidence}};
    return result;
  }
  return std::nullopt;
}

MatchResult Matcher::Match(std::string_view spoken) const {
  if (auto exact = MatchExact(spoken)) return *exact;
  MatchResult result;
  result.how = "none";
  auto words = Words(spoken);
  if (words.empty()) return result;
  auto exact = [&](const std::vector<std::string>& ws) -> const Phrase* {
    auto it = exact_.find(Key(ws));
    return it == exact_.end() ? nullptr : &phrases_[it->second];
  };
  words = MergeCompounds(std::move(words));

  // Each word to its closest catalog words.
  std::vector<std::vector<std::pair<uint32_t, double>>> similar;
  similar.reserve(words.size());
  std::vector<std::string> corrected;
  double correction = 1.0;
  for (const auto& w : words) {
    similar.push_back(Similar(w));
    if (!similar.back().empty()) {
      corrected.push_back(vocab_[similar.back().front().first]);
      correction *= similar.back().front().second;
    }
  }
  // Every word corrected to a known one and together they name something exactly.
  if (corrected.size() == words.size()) {
    if (const Phrase* p = exact(corrected)) {
      double confidence = (p->how == "default" ? 0.95 : 1.0) * correction;
      result.candidates = {{&catalog_.exercises()[p->exercise], confidence}};
      if (confidence >= threshold_) {
        result.exercise = result.candidates[0].exercise;
        result.confidence = confidence;
        result.how = "corrected";
        return result;
      }
    }
  }

  // Word overlap (Dice) over the phrases sharing at least one (corrected) word.
  std::unordered_map<uint32_t, double> phrase_score;
  for (std::size_t i = 0; i < similar.size(); ++i) {
    std::unordered_map<uint32_t, double> best_in_phrase;
    for (const auto& [token, sim] : similar[i]) {
      for (uint32_t p : postings_[token]) {
        double& b = best_in_phrase[p];
        b = std::max(b, sim);
      }
    }
    for (const auto& [p, s] : best_in_phrase) phrase_score[p] += s;
  }
  std::unordered_map<std::size_t, double> by_exercise;
  for (const auto& [p, matched] : phrase_score) {
    const Phrase& phrase = phrases_[p];
    double dice = 2.0 * matched / static_cast<double>(words.size() + phrase.tokens.size());
    double score = std::min(1.0, dice * std::min(1.0, phrase.weight));
    double& best = by_exercise[phrase.exercise];
    best = std::max(best, score);
  }
  std::vector<MatchCandidate> ranked;
  for (const auto& [e, s] : by_exercise) ranked.push_back({&catalog_.exercises()[e], s});
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.score != b.score ? a.score > b.score : a.exercise->id < b.exercise->id;
  });
  if (ranked.size() > 3) ranked.resize(3);
  result.candidates = ranked;
  // A near tie is not a match: two exercises fit about as well.
  if (!ranked.empty() && ranked[0].score >= threshold_ &&
      (ranked.size() == 1 || ranked[0].score - ranked[1].score >= 0.05)) {
    result.exercise = ranked[0].exercise;
    result.confidence = ranked[0].score;
    result.how = "fuzzy";
  }
  return result;
}

}  // namespace vf::exercises
