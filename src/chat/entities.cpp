#include "chat/entities.hpp"

#include <cmath>
#include <set>
#include <unordered_map>

#include "exercises/spoken_numbers.hpp"
#include "exercises/transcript_parser.hpp"

namespace vf::chat {

using nlohmann::json;

namespace {

const std::unordered_map<std::string, std::string>& BodyParts() {
  static const std::unordered_map<std::string, std::string> kParts{{"knee", "knee"},
                                                                   {"knees", "knee"},
                                                                   {"kness", "knee"},
                                                                   {"shoulder", "shoulder"},
                                                                   {"shoulders", "shoulder"},
                                                                   {"back", "back"},
                                                                   {"hip", "hip"},
                                                                   {"hips", "hip"},
                                                                   {"ankle", "ankle"},
                                                                   {"ankles", "ankle"},
                                                                   {"wrist", "wrist"},
                                                                   {"wrists", "wrist"},
                                                                   {"elbow", "elbow"},
                                                                   {"elbows", "elbow"},
                                                                   {"neck", "neck"},
                                                                   {"hamstring", "hamstring"},
                                                                   {"hamstrings", "hamstring"},
                                                                   {"hammy", "hamstring"},
                                                                   {"calf", "calf"},
                                                                   {"calves", "calf"},
                                                                   {"shin", "shin"},
                                                                   {"shins", "shin"},
                                                                   {"groin", "groin"},
                                                                   {"quad", "quad"},
                                                                   {"quads", "quad"},
                                                                   {"glute", "glute"},
                                                                   {"glutes", "glute"},
                                                                   {"foot", "foot"},
                                                                   {"feet", "foot"},
                                                                   {"achilles", "achilles"},
                                                                   {"chest", "chest"},
                                                                   {"pec", "chest"},
                                                                   {"bicep", "biceps"},
                                                                   {"biceps", "biceps"},
                                                                   {"tricep", "triceps"},
                                                                   {"triceps", "triceps"},
                                                                   {"rotator", "shoulder"},
                                                                   {"spine", "back"},
                                                                   {"it", ""}};
  return kParts;
}

}  // namespace

json ExtractEntities(std::string_view message, const exercises::Matcher& matcher,
                     const exercises::NameMatcher& names) {
  auto words = exercises::SpokenWords(message);
  auto tokens = exercises::CollapseNumbers(words);
  json out{{"exercise", nullptr}, {"weight", nullptr},     {"sets", nullptr},     {"reps", nullptr},
           {"distance", nullptr}, {"duration_s", nullptr}, {"body_part", nullptr}};
  auto text = [&](std::size_t i) -> const std::string& {
    static const std::string kNone;
    return i < tokens.size() ? tokens[i].text : kNone;
  };
  auto num = [&](std::size_t i) { return i < tokens.size() && tokens[i].number.has_value(); };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& w = text(i);
    if (!num(i)) {
      if (out["body_part"].is_null()) {
        if (w == "lower" && text(i + 1) == "back") {
          out["body_part"] = "lower back";
        } else if (auto it = BodyParts().find(w); it != BodyParts().end() && !it->second.empty()) {
          out["body_part"] = it->second;
        }
      }
      continue;
    }
    double v = *tokens[i].number;
    const std::string& next = text(i + 1);
    if ((next == "x" || next == "by") && num(i + 2)) {
      out["sets"] = v;
      out["reps"] = *tokens[i + 2].number;
    } else if (next == "sets" || next == "set") {
      out["sets"] = v;
      if (text(i + 2) == "of" && num(i + 3)) out["reps"] = *tokens[i + 3].number;
    } else if (next == "reps" || next == "rep") {
      out["reps"] = v;
    } else if (auto unit = exercises::WeightUnitOf(next)) {
      bool kg = *unit == exercises::WeightUnit::kKg;
      out["weight"] = {{"value", v},
                       {"unit", kg ? "kg" : "lb"},
                       {"kg", kg ? v : std::round(v * exercises::kKgPerPound * 100) / 100}};
    } else if (next == "k" || next == "km" || next == "mile" || next == "miles" || next == "mi") {
      bool km = next == "k" || next == "km";
      out["distance"] = {{"value", v},
                         {"unit", km ? "km" : "mi"},
                         {"m", km ? v * 1000 : std::round(v * 1609.344 * 100) / 100}};
    } else if (next == "min" || next == "mins" || next == "minute" || next == "minutes") {
      out["duration_s"] = v * 60;
    } else if (next == "hour" || next == "hours") {
      out["duration_s"] = v * 3600;
    }
  }
  // The exercise: the longest run of words (up to four) that names one. Exact names, aliases
  // and defaults first (hash lookups); only if none is found, spelling slips on runs of up to
  // two words (through the cache), starting only at words the catalog knows.
  auto search = [&](bool exact_only, std::size_t longest) {
    double best = 0;
    std::size_t best_length = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (num(i) || !matcher.KnowsWord(text(i))) continue;
      std::string span;
      for (std::size_t n = 1; n <= longest && i + n <= tokens.size(); ++n) {
        if (num(i + n - 1)) break;
        if (!span.empty()) span += ' ';
        span += text(i + n - 1);
        auto m = exact_only ? matcher.MatchExact(span).value_or(exercises::MatchResult{})
                            : names.Match(span);
        if (m.matched() && (n > best_length || (n == best_length && m.confidence > best))) {
          best = m.confidence;
          best_length = n;
          out["exercise"] = {{"id", m.exercise->id},
                             {"name", m.exercise->name},
                             {"confidence", std::round(m.confidence * 1000) / 1000}};
        }
      }
    }
    return best_length > 0;
  };
  if (!search(true, 4)) search(false, 2);
  return out;
}

}  // namespace vf::chat
