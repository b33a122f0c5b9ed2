#include "cache/question_scope.hpp"

#include <array>
#include <cctype>
#include <set>
#include <vector>

#include "core/digest.hpp"

namespace vf::cache {
namespace {

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char raw : text) {
    auto c = static_cast<unsigned char>(raw);
    // Apostrophes stay inside words ("i'm", "how's"); digits and letters make words.
    if (std::isalnum(c) || c == '\'' || c >= 0x80) {
      current += static_cast<char>(std::tolower(c));
    } else if (!current.empty()) {
      words.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

bool HasDigit(const std::string& w) {
  for (char c : w) {
    if (std::isdigit(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

}  // namespace

QuestionVerdict ClassifyQuestion(std::string_view question) {
  // The speaker and what belongs to them.
  static const std::set<std::string> kFirstPerson{"i",  "i'm",   "im",  "i've", "ive",  "i'd",
                                                  "id", "i'll",  "me",  "my",   "mine", "myself",
                                                  "we", "we're", "our", "ours", "us"};
  // The athlete's own record and calendar.
  static const std::set<std::string> kOwnData{
      "yesterday", "today",  "tonight", "tomorrow", "lately", "recently", "logged",
      "log",       "remind", "streak",  "pr",       "prs",    "pb",       "pbs"};
  // Units that make a number somebody's own figure ("squat 140 kg", "ran 10k at 150 bpm").
  static const std::set<std::string> kUnits{"kg",    "kgs",     "kilo", "kilos", "lb",   "lbs",
                                            "pound", "pounds",  "km",   "k",     "mi",   "mile",
                                            "miles", "bpm",     "cm",   "min",   "mins", "minutes",
                                            "sec",   "seconds", "reps", "sets",  "x"};
  auto words = Words(question);
  if (words.empty()) return {QuestionScope::kPersonal, "empty"};
  for (auto& w : words) {
    // "yesterday's run" is about yesterday: possessives count as the word itself.
    if (w.size() > 2 && w.compare(w.size() - 2, 2, "'s") == 0) w.resize(w.size() - 2);
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (kFirstPerson.count(w)) return {QuestionScope::kPersonal, "first person: " + w};
    if (kOwnData.count(w)) return {QuestionScope::kPersonal, "own record: " + w};
    // "this week", "last week", "last workout", "next session"
    if ((w == "this" || w == "last" || w == "next") && i + 1 < words.size()) {
      static const std::set<std::string> kPeriods{"week",    "weeks", "month", "workout",
                                                  "session", "run",   "time",  "night",
                                                  "program", "plan",  "block"};
      if (kPeriods.count(words[i + 1])) return {QuestionScope::kPersonal, "own period: " + w};
    }
    if (HasDigit(w)) {
      bool unit_next = i + 1 < words.size() && kUnits.count(words[i + 1]);
      bool unit_inside = w.find_first_not_of("0123456789.") != std::string::npos;  // "140kg", "3x5"
      if (unit_next || unit_inside) return {QuestionScope::kPersonal, "own figure: " + w};
    }
  }
  return {QuestionScope::kGeneral, ""};
}

std::string NormalizedQuestionKey(std::string_view question) {
  std::string normalized;
  for (const auto& w : Words(question)) {
    if (!normalized.empty()) normalized += ' ';
    normalized += w;
  }
  return Sha256Hex(normalized);
}

}  // namespace vf::cache
