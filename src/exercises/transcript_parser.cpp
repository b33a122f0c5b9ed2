#include "exercises/transcript_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <unordered_map>

#include "exercises/spoken_numbers.hpp"

namespace vf::exercises {
namespace {

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

// "3x8" -> 3 x 8; "140kg" -> 140 kg; "x8" -> x 8; "rpe8" -> rpe 8. Keeps "22.5", "24:30", "30s".
void SplitMixed(const std::string& token, std::vector<std::string>& out) {
  std::string current;
  auto kind = [](char c) { return IsDigit(c) || c == '.' || c == ':' ? 1 : 2; };
  for (std::size_t i = 0; i < token.size(); ++i) {
    char c = token[i];
    bool plural_s =
        c == 's' && !current.empty() && IsDigit(current.back()) && i + 1 == token.size();
    if (!current.empty() && kind(c) != kind(current.back()) && !plural_s) {
      out.push_back(current);
      current.clear();
    }
    current += c;
  }
  if (!current.empty()) out.push_back(current);
}

const std::set<std::string>& Fillers() {
  static const std::set<std::string> kFillers{
      "uh",   "uhh", "um", "umm",  "er",   "erm",  "hmm",   "like",    "basically",
      "okay", "ok",  "so", "well", "just", "yeah", "kinda", "alright", "right"};
  return kFillers;
}

bool IsKg(const std::string& w) {
  return w == "kg" || w == "kgs" || w == "kilo" || w == "kilos" || w == "kilogram" ||
         w == "kilograms";
}
bool IsLb(const std::string& w) { return w == "lb" || w == "lbs" || w == "pound" || w == "pounds"; }
bool IsReps(const std::string& w) { return w == "rep" || w == "reps" || w == "repetitions"; }
bool IsSets(const std::string& w) {
  return w == "set" || w == "sets" || w == "round" || w == "rounds";
}
bool IsSide(const std::string& w) {
  return w == "leg" || w == "legs" || w == "side" || w == "sides" || w == "arm" || w == "arms";
}

// Words that join, introduce or pad a log but never name an exercise.
const std::set<std::string>& Joiners() {
  static const std::set<std::string> kJoiners{
      "then",  "and",     "also",  "next",     "after",   "that",   "followed", "by",
      "i",     "did",     "do",    "got",      "hit",     "went",   "for",      "of",
      "at",    "with",    "x",     "times",    "the",     "a",      "an",       "some",
      "my",    "we",      "rpe",   "rir",      "plus",    "each",   "per",      "in",
      "tank",  "reserve", "today", "first",    "finally", "last",   "up",       "to",
      "on",    "was",     "were",  "it",       "is",      "this",   "those",    "these",
      "more",  "another", "oh",    "mean",     "top",     "heavy",  "worked",   "all",
      "total", "them",    "both",  "superset", "plate",   "plates", "weighted", ","};
  return kJoiners;
}

struct Group {
  std::optional<double> sets, reps, weight, rpe, rir;
  std::vector<double> reps_list;             // "sets of 12, 10 and 8"
  std::optional<double> last_rpe, last_rir;  // "last set RPE 9"
  std::optional<WeightUnit> unit;
  bool per_side = false, bodyweight = false, plus = false;
  bool bare_reps = false;  // reps came from a bare number (may turn out to be the weight)
  bool dumbbells = false;  // "the 30s": a load per dumbbell
  bool any() const {
    return sets || reps || weight || rpe || rir || bodyweight || !reps_list.empty();
  }
};

struct Current {
  std::string spoken;
  MatchResult match;
  bool set = false;
};

class Parser {
 public:
  Parser(const NameMatcher& matcher, const ParseOptions& options)
      : matcher_(matcher), options_(options) {}

  ParsedLog Run(std::string_view transcript) {
    words_ = SpokenWords(transcript);
    if (NotALog(transcript)) {
      if (!words_.empty()) log_.unparsed.push_back(std::string(transcript.substr(0, 200)));
      return std::move(log_);
    }
    tokens_ = CollapseNumbers(words_);
    for (std::size_t i = 0; i + 1 < tokens_.size(); ++i) {
      // "one arm lat pulldown", "single leg extension": part of the name, not a count.
      const std::string& next = tokens_[i + 1].text;
      if ((tokens_[i].text == "one" || tokens_[i].text == "single") &&
          (next == "arm" || next == "leg" || next == "legged" || next == "armed")) {
        tokens_[i].number.reset();
        tokens_[i].text = tokens_[i].text == "one" ? "one" : "single";
        tokens_[i].rep_word = false;
        tokens_[i].keep_word = true;
      }
    }
    RepWords();
    ApplyCorrections();
    if (TryRun()) return std::move(log_);
    Lifts();
    return std::move(log_);
  }

 private:
  bool Num(std::size_t i) const { return i < tokens_.size() && tokens_[i].number.has_value(); }
  const std::string& Text(std::size_t i) const {
    static const std::string kNone;
    return i < tokens_.size() ? tokens_[i].text : kNone;
  }
  double Value(std::size_t i) const { return *tokens_[i].number; }

  // Corrections: "actually make that 6 (reps)", "no, 3 sets", "I mean, four by ten", "it was
  // four sets", "sorry, 160". A correction that names its kind replaces that kind; a restated
  // scheme replaces the scheme; a bare number replaces the number said just before.
  void ApplyCorrections() {
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      std::size_t length = 0;
      const std::string& w = Text(i);
      auto is = [&](std::size_t k, const char* word) { return Text(k) == word; };
      if (w == "make" && (is(i + 1, "that") || is(i + 1, "it"))) length = 2;
      if (w == "wait" && is(i + 1, "no")) length = 2;
      if (w == "no" && (is(i + 1, "wait") || is(i + 1, "sorry"))) length = 2;
      if (w == "no" && !length) length = 1;
      if (w == "i" && (is(i + 1, "meant") || is(i + 1, "mean"))) length = 2;
      if (w == "actually" || w == "sorry" || w == "correction" || w == "wait") {
        length = 1;
        if (is(i + 1, "make") && (is(i + 2, "that") || is(i + 2, "it"))) length = 3;
        if (is(i + 1, "no")) length = 2;
      }
      if (length == 0) continue;
      std::size_t n = i + length;
      while (Text(n) == "," || (Text(n) == "it" && Text(n + 1) == "was")) {
        n += Text(n) == "," ? 1 : 2;
      }
      if (!Num(n) || i == 0) {
        if (w == "i" || w == "no") {  // "I mean" without a number: a filler
          tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(i),
                        tokens_.begin() + static_cast<std::ptrdiff_t>(i + length));
          --i;
        }
        continue;
      }
      const std::string& kind = Text(n + 1);
      bool scheme = kind == "by" || kind == "x" || kind == "times";
      bool sets = IsSets(kind) && !Num(n + 2) && Text(n + 2) != "of";
      bool reps = IsReps(kind);
      bool weight = IsKg(kind) || IsLb(kind);
      std::optional<std::size_t> target;
      for (std::size_t k = i; k-- > 0;) {
        if (!Num(k)) continue;
        const std::string& before = k > 0 ? Text(k - 1) : Text(tokens_.size());
        const std::string& after = Text(k + 1);
        bool k_scheme = after == "by" || after == "x" || after == "times" || IsSets(after);
        bool k_sets = IsSets(after) || after == "by" || after == "x";
        bool k_reps = IsReps(after) || before == "by" || before == "x" || before == "of";
        bool k_weight = IsKg(after) || IsLb(after) || before == "at" || before == "with";
        if ((scheme && k_scheme) || (sets && k_sets) || (reps && k_reps) || (weight && k_weight) ||
            (!scheme && !sets && !reps && !weight)) {
          target = k;
          break;
        }
      }
      if (!target) continue;
      if (scheme || (IsSets(kind) && !sets)) {
        // The new scheme stands; the old one and everything up to the correction go.
        tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(*target),
                      tokens_.begin() + static_cast<std::ptrdiff_t>(n));
        i = *target > 0 ? *target - 1 : 0;
        continue;
      }
      tokens_[*target].number = tokens_[n].number;
      std::size_t erase_end = n + 1;
      if (reps || weight || sets) ++erase_end;
      tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(i),
                    tokens_.begin() + static_cast<std::ptrdiff_t>(erase_end));
      --i;
    }
  }

  // Questions, plans, body stats and device commands are not logs, even with numbers in them.
  bool NotALog(std::string_view transcript) const {
    if (words_.empty()) return true;
    if (transcript.find('?') != std::string_view::npos) return true;
    // Markup, JSON or SQL typed into the transcript, and control characters.
    for (char c : transcript) {
      auto u = static_cast<unsigned char>(c);
      if (c == '{' || c == '}' || c == '<' || c == '>' || c == '[' || c == ']' || c == '=' ||
          (u < 0x20 && c != '\n' && c != '\t')) {
        return true;
      }
    }
    static const std::set<std::string> kQuestion{
        "how",   "what",  "whats", "why", "when", "where", "which", "should", "can",
        "could", "would", "will",  "is",  "are",  "do",    "does",  "shall",  "who"};
    if (kQuestion.count(words_[0])) return true;
    auto has = [&](std::initializer_list<const char*> phrase) {
      std::vector<std::string> p(phrase.begin(), phrase.end());
      for (std::size_t i = 0; i + p.size() <= words_.size(); ++i) {
        if (std::equal(p.begin(), p.end(), words_.begin() + static_cast<std::ptrdiff_t>(i))) {
          return true;
        }
      }
      return false;
    };
    return has({"going", "to"}) || has({"gonna"}) || has({"tomorrow"}) || has({"my", "goal"}) ||
           has({"ill"}) || has({"next", "week"}) || has({"next", "time"}) || has({"plan", "to"}) ||
           has({"i", "weigh"}) || has({"want", "to"}) || has({"set", "a", "timer"}) ||
           has({"timer"}) || has({"play"}) || has({"rest", "for"}) ||
           (words_[0] == "rest" && words_.size() <= 4) || has({"remind", "me"}) ||
           has({"select"}) || has({"drop", "table"});
  }

  // "a triple" = one set of 3; "three doubles" = 3 sets of 2; "singles" = reps of 1.
  void RepWords() {
    static const std::unordered_map<std::string, std::pair<int, bool>> kReps{
        {"single", {1, false}}, {"singles", {1, true}}, {"double", {2, false}},
        {"doubles", {2, true}}, {"triple", {3, false}}, {"triples", {3, true}}};
    for (auto& t : tokens_) {
      if (t.keep_word) continue;
      if (auto it = kReps.find(t.text); it != kReps.end() && !t.number) {
        t.number = it->second.first;
        t.plural = true;
        t.rep_word = true;
      }
    }
  }

  double Kilograms(double value, std::optional<WeightUnit> said) const {
    WeightUnit unit = said.value_or(
        options_.request_unit.value_or(options_.profile_unit.value_or(WeightUnit::kKg)));
    return unit == WeightUnit::kLb ? std::round(value * kKgPerPound * 100) / 100 : value;
  }

  // --- runs ---------------------------------------------------------------------------------

  static bool IsDistanceUnit(const std::string& w) {
    static const std::set<std::string> kUnits{
        "k",     "km", "ks",    "kilometer", "kilometers", "kilometre", "kilometres", "mile",
        "miles", "mi", "meter", "meters",    "metre",      "metres",    "m",          "marathon"};
    return kUnits.count(w) > 0;
  }

  // A number said as "two forty five" in a time: minutes and seconds.
  static double MinutesSeconds(const SpokenToken& t) {
    double v = *t.number;
    if (v >= 100 && t.text.find(' ') != std::string::npos) {
      return std::floor(v / 100) * 60 + std::fmod(v, 100);
    }
    return v * 60;
  }

  bool TryRun() {
    static const std::set<std::string> kRunWords{"ran",    "run",     "runs",   "jog",
                                                 "jogged", "jogging", "running"};
    bool verb = false, distance_said = false, lift_words = false;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      verb = verb || kRunWords.count(Text(i)) > 0;
      if (IsDistanceUnit(Text(i)) && (i > 0 && (Num(i - 1) || Text(i) == "marathon"))) {
        distance_said = true;
      }
      lift_words = lift_words || IsSets(Text(i)) || IsReps(Text(i)) || Text(i) == "by";
    }
    // "10 k in fifty two thirty" is a run even without the word.
    if (!verb && !(distance_said && !lift_words)) return false;
    ParsedRun run;
    std::optional<double> pace_min_per_mile;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      const std::string& w = Text(i);
      if (w == "marathon") {
        run.distance_m = i > 0 && Text(i - 1) == "half" ? 21097.5 : 42195.0;
      }
      if ((w == "an" || w == "a") && Text(i + 1) == "hour") {  // "an hour fifty"
        run.duration_s = run.duration_s.value_or(0) + 3600;
        if (Num(i + 2) && !IsDistanceUnit(Text(i + 3))) {
          run.duration_s = *run.duration_s + Value(i + 2) * 60;
          i += 2;
        }
        continue;
      }
      if (!Num(i)) continue;
      const std::string& next = Text(i + 1);
      double v = Value(i);
      if (next == "minute" && Text(i + 2) == "mile" && Text(i + 3) == "pace") {
        pace_min_per_mile = v;  // "at a nine minute mile pace"
        i += 3;
      } else if (next == "k" || next == "km" || next == "kilometer" || next == "kilometers" ||
                 next == "kilometre" || next == "kilometres" || next == "ks") {
        run.distance_m = v * 1000;
      } else if (next == "mile" || next == "miles" || next == "mi") {
        run.distance_m = std::round(v * 1609.344 * 100) / 100;
      } else if (next == "meter" || next == "meters" || next == "metre" || next == "metres" ||
                 next == "m") {
        run.distance_m = v;
      } else if (next == "minute" || next == "minutes" || next == "min" || next == "mins") {
        run.duration_s = run.duration_s.value_or(0) + v * 60;
      } else if (next == "second" || next == "seconds" || next == "sec" || next == "secs") {
        run.duration_s = run.duration_s.value_or(0) + v;
      } else if (next == "hour" || next == "hours" || next == "hr" || next == "hrs") {
        run.duration_s = run.duration_s.value_or(0) + v * 3600;
        if (Num(i + 2) && !IsDistanceUnit(Text(i + 3)) && Text(i + 3) != "minutes") {
          run.duration_s = *run.duration_s + Value(i + 2) * 60;  // "three hours forty five"
          i += 2;
        }
      } else if (i > 0 && Text(i - 1) == "in") {
        if (Num(i + 1)) {
          run.duration_s = v * 60 + Value(i + 1);  // "in fifty two thirty"
          ++i;
        } else {
          run.duration_s = MinutesSeconds(tokens_[i]);  // "in two forty five", "in 24"
        }
      }
    }
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      auto colon = Text(i).find(':');
      if (colon != std::string::npos && IsDigit(Text(i)[0])) {  // "24:30"
        double m = std::stod(Text(i).substr(0, colon));
        std::string seconds = Text(i).substr(colon + 1);
        run.duration_s = m * 60 + (seconds.empty() ? 0 : std::stod(seconds));
      }
    }
    if (pace_min_per_mile && run.distance_m && !run.duration_s) {
      run.duration_s = std::round(*run.distance_m / 1609.344 * *pace_min_per_mile * 60);
    }
    if (!run.distance_m && !run.duration_s) return false;
    log_.run = run;
    return true;
  }

  // --- lifts --------------------------------------------------------------------------------

  void Resolve(std::vector<std::string>& name, bool claims = false) {
    // "power cleans 5x3 at 75 then 3 sets of 5 front squats": once an exercise has its sets, a
    // new scheme said before the next name is that name's.
    if (current_.set && emitted_for_current_ > 0 && group_.any() && !group_.weight) claims = true;
    // Drop leading words that only join or pad, then try shorter and shorter phrases from the
    // left ("and then some bench" -> "bench").
    std::size_t first = 0;
    while (first < name.size() && Joiners().count(name[first])) ++first;
    std::size_t last = name.size();
    while (last > first && Joiners().count(name[last - 1])) --last;
    if (first >= last) {
      name.clear();
      return;
    }
    MatchResult best;
    std::string best_spoken;
    for (std::size_t start = first; start < last; ++start) {
      std::string spoken;
      for (std::size_t k = start; k < last; ++k) {
        if (!spoken.empty()) spoken += ' ';
        spoken += name[k];
      }
      MatchResult m = matcher_.Match(spoken);
      if (start == first) {
        best = m;
        best_spoken = spoken;
      }
      if (m.matched()) {
        best = m;
        best_spoken = spoken;
        if (start > first) {
          std::string skipped;
          for (std::size_t k = first; k < start; ++k) {
            if (!skipped.empty()) skipped += ' ';
            skipped += name[k];
          }
          log_.unparsed.push_back(skipped);
        }
        break;
      }
    }
    Group carried;
    if (claims) {
      carried = group_;  // "then 3 by 8 on leg press"
      group_ = {};
    }
    // Two names with nothing between ("curls and skull crushers, 3 by 12 each"): both get the
    // scheme said after them.
    if (current_.set && !group_.any() && !claims && current_.match.matched()) {
      partners_.push_back(current_);
    } else {
      Finish();
    }
    if (claims) group_ = carried;
    if (!current_.set && pending_.any()) {
      group_ = pending_;  // "8 reps of squats": the numbers came first
    }
    pending_ = {};
    current_ = {best_spoken, best, true};
    emitted_for_current_ = 0;
    name.clear();
  }

  // Turns the open group into sets of the current exercise (and of exercises named with it).
  void Finish() {
    Group g = group_;
    group_ = {};
    auto partners = std::move(partners_);
    partners_.clear();
    if (!g.any()) {
      for (const auto& p : partners) log_.unparsed.push_back(p.spoken);
      return;
    }
    if (!current_.set) {
      pending_ = g;
      return;
    }
    if (!g.reps && !g.reps_list.empty()) g.reps = g.reps_list.front();
    if (!g.reps) {
      // "3 sets" with no reps, or a weight alone: not a set we can store.
      log_.unparsed.push_back(current_.spoken + " (no reps)");
      log_.warnings.push_back("no reps said for " + current_.spoken);
      return;
    }
    partners.push_back(current_);
    for (auto& exercise : partners) Emit(exercise, g);
    ++emitted_for_current_;
  }

  void Emit(Current& exercise, const Group& g) {
    if (g.dumbbells && exercise.match.matched() &&
        exercise.match.exercise->name.find("Dumbbell") == std::string::npos) {
      // "curls with the 30s" are dumbbell curls.
      MatchResult m = matcher_.Match("dumbbell " + exercise.spoken);
      if (m.matched()) exercise.match = m;
    }
    if (!exercise.match.matched()) {
      std::string note = "exercise not recognised: \"" + exercise.spoken + "\"";
      if (!exercise.match.candidates.empty()) {
        note += "; closest: ";
        for (std::size_t i = 0; i < exercise.match.candidates.size(); ++i) {
          if (i > 0) note += ", ";
          note += exercise.match.candidates[i].exercise->name;
        }
      }
      log_.warnings.push_back(note);
      log_.unparsed.push_back(exercise.spoken);
      return;
    }
    std::vector<double> reps = g.reps_list;
    if (reps.empty()) {
      reps.assign(static_cast<std::size_t>(std::max(0.0, g.sets.value_or(1))), *g.reps);
    }
    if (reps.empty() || reps.size() > 50 ||
        std::any_of(reps.begin(), reps.end(), [](double r) { return r < 1 || r > 1000; })) {
      log_.unparsed.push_back(exercise.spoken + " (numbers out of range)");
      return;
    }
    for (std::size_t s = 0; s < reps.size(); ++s) {
      ParsedSet set;
      set.spoken = exercise.spoken;
      set.exercise = exercise.match.exercise;
      set.confidence = exercise.match.confidence;
      set.reps = static_cast<int>(reps[s]);
      if (g.weight) set.weight_kg = Kilograms(*g.weight, g.unit);
      set.rpe = g.rpe;
      set.rir = g.rir;
      if (s + 1 == reps.size()) {
        if (g.last_rpe) set.rpe = g.last_rpe;
        if (g.last_rir) set.rir = g.last_rir;
      }
      set.per_side = g.per_side;
      log_.sets.push_back(set);
    }
  }

  // Reads a weight at i ("100", "100 kilos", "the 30s"); returns tokens used.
  std::size_t Weight(std::size_t i) {
    std::size_t used = 0;
    if ((Text(i) == "the" || Text(i) == "a" || Text(i) == "pair") && Num(i + 1)) ++used;
    if (Text(i) == "a" && Text(i + 1) == "pair" && Text(i + 2) == "of" && Num(i + 3)) used = 3;
    if (!Num(i + used)) return 0;
    group_.weight = Value(i + used);
    group_.unit = spoken_unit_;
    group_.dumbbells = tokens_[i + used].plural;
    // "at 1 85": a hundreds digit and the rest, said apart.
    if (Text(i + used).size() == 1 && Num(i + used + 1) && Text(i + used + 1).size() == 2 &&
        IsDigit(Text(i + used + 1)[0])) {
      group_.weight = Value(i + used) * 100 + Value(i + used + 1);
      ++used;
    }
    ++used;
    if (IsKg(Text(i + used)) || IsLb(Text(i + used))) {
      // A unit said carries forward to later weights, never back to earlier ones.
      spoken_unit_ = IsKg(Text(i + used)) ? WeightUnit::kKg : WeightUnit::kLb;
      group_.unit = spoken_unit_;
      ++used;
    }
    return used;
  }

  static bool IsEquipment(const std::string& w) {
    static const std::set<std::string> kEquipment{
        "dumbbell", "dumbbells", "barbell", "barbells", "kettlebell", "kettlebells", "cable",
        "cables",   "band",      "bands",   "machine",  "bar",        "ez"};
    return kEquipment.count(w) > 0;
  }

  static std::string Joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
      if (!out.empty()) out += ' ';
      out += w;
    }
    return out;
  }

  bool RealName(const std::vector<std::string>& name) const {
    for (const auto& n : name) {
      if (!Joiners().count(n)) return true;
    }
    return false;
  }

  void Lifts() {
    std::vector<std::string> name;
    bool claims = false;  // "3 by 8 on leg press": the numbers said belong to the next name
    for (std::size_t i = 0; i < tokens_.size();) {
      const std::string& w = Text(i);
      if (w == "scratch" && Text(i + 1) == "that") {  // drop the group just said
        group_ = {};
        i += 2;
        continue;
      }
      // "with dumbbells" after a name is part of the name.
      if (w == "with" && IsEquipment(Text(i + 1)) && !name.empty()) {
        name.push_back(Text(i + 1));
        i += 2;
        continue;
      }
      // "bodyweight squats": a name, not a load.
      bool bodyweight_name = (w == "bodyweight") && !Num(i + 1) && Text(i + 1) != "plus" &&
                             Text(i + 1) != "," && i + 1 < tokens_.size() &&
                             !Joiners().count(Text(i + 1));
      bool number = Num(i);
      bool descriptor =
          !bodyweight_name &&
          (number || w == "at" || w == "@" || w == "with" || w == "for" || w == "plus" ||
           w == "holding" || w == "added" || w == "rpe" || w == "rir" || w == "bodyweight" ||
           w == "failure" || (w == "body" && Text(i + 1) == "weight") || w == "each" ||
           w == "per" || (w == "a" && IsSide(Text(i + 1))) ||
           ((w == "a" || w == "an") && (Num(i + 1) || Text(i + 1) == "rpe")) ||
           (w == "last" && IsSets(Text(i + 1))) ||
           ((w == "a" || w == "one") && IsSets(Text(i + 1))) || IsSets(w) || IsReps(w));
      if (!descriptor) {
        // "curls and skull crushers": two names; the first is resolved now and shares the
        // scheme said after both.
        if (w == "and" && !name.empty() && RealName(name) &&
            matcher_.Match(Joined(name)).matched()) {
          Resolve(name, claims);
          claims = false;
          ++i;
          continue;
        }
        if (w != "," && w != "then" && (!Joiners().count(w) || !name.empty())) {
          if (name.empty()) {
            std::size_t back = i;
            while (back > 0 && Joiners().count(Text(back - 1)) && Text(back - 1) != "," &&
                   Text(back - 1) != "on" && Text(back - 1) != "of") {
              --back;
            }
            claims = back > 0 && (Text(back - 1) == "on" || Text(back - 1) == "of");
          }
          name.push_back(w);
        }
        ++i;
        continue;
      }
      if (!name.empty()) {
        if (RealName(name)) {
          Resolve(name, claims);
        } else {
          name.clear();
        }
        claims = false;
      }
      i = Descriptor(i);
    }
    if (!name.empty() && RealName(name)) {
      // A name at the end: it owns the numbers said before it ("did 100 push ups", "a triple at
      // 140 on squat"), or it was said with nothing ("and some curls").
      bool owns = claims || (!current_.set && (group_.any() || pending_.any()));
      std::string spoken;
      for (const auto& n : name) {
        if (!spoken.empty()) spoken += ' ';
        spoken += n;
      }
      if (owns || group_.any() || pending_.any()) {
        if (!current_.set || claims) {
          Resolve(name, true);
          Finish();
          return;
        }
      }
      Finish();
      log_.unparsed.push_back(spoken);
      if (matcher_.Match(spoken).matched()) {
        log_.warnings.push_back("no sets or reps said for " + spoken);
      }
      return;
    }
    Finish();
    if (pending_.any()) log_.unparsed.push_back("numbers without an exercise");
  }

  // "rows one fifty five, four sets of ten": a bare number before the scheme was the weight.
  void LeftoverIsWeight() {
    if (group_.reps && group_.bare_reps && !group_.sets && !group_.weight) {
      group_.weight = group_.reps;
      group_.unit = spoken_unit_;
      group_.reps.reset();
      group_.bare_reps = false;
    }
  }

  // Reps at j, and more after "," / "and" ("sets of 12, 10 and 8"): one set each.
  std::size_t RepsList(std::size_t j) {
    std::vector<double> list{Value(j)};
    std::size_t k = j + 1;
    auto list_goes_on = [&](const std::string& after) {
      return after.empty() || after == "," || after == "and" || after == "at" || after == "@" ||
             IsReps(after) || after == "then";
    };
    while ((Text(k) == "," || Text(k) == "and") && Num(k + 1) && list_goes_on(Text(k + 2))) {
      list.push_back(Value(k + 1));
      k += 2;
    }
    if (list.size() > 1) {
      group_.reps_list = list;
      group_.reps = list.front();
    } else {
      group_.reps = list.front();
    }
    return k + (IsReps(Text(k)) ? 1 : 0);
  }

  // Reads one set descriptor starting at i; returns the next index.
  std::size_t Descriptor(std::size_t i) {
    const std::string& w = Text(i);
    if ((w == "a" || w == "an") && Num(i + 1)) return Descriptor(i + 1);  // "a triple"
    if ((w == "a" || w == "an") && Text(i + 1) == "rpe") return Descriptor(i + 1);
    if (w == "failure") {  // "to failure", "all to failure"
      group_.rir = 0;
      return i + 1;
    }
    if (w == "last" && IsSets(Text(i + 1))) {  // "last set RPE 9"
      std::size_t j = i + 2;
      if (Text(j) == "at") ++j;
      if (Text(j) == "rpe" && Num(j + 1 + (Text(j + 1) == "of" ? 1 : 0))) {
        j += 1 + (Text(j + 1) == "of" ? 1 : 0);
        group_.last_rpe = Value(j);
        return j + 1;
      }
      return i + 2;
    }
    if (w == "each" || w == "per" || w == "a") {
      if (IsSide(Text(i + 1))) {
        group_.per_side = true;
        return i + 2;
      }
      return i + 1;
    }
    if (w == "bodyweight" || w == "body") {
      group_.bodyweight = true;
      return i + (w == "body" ? 2 : 1);
    }
    if (w == "rpe") {
      std::size_t j = i + 1 + (Text(i + 1) == "of" ? 1 : 0);  // "an RPE of 9"
      if (Num(j)) {
        group_.rpe = Value(j);
        return j + 1;
      }
      return i + 1;
    }
    if (w == "rir") {
      if (Num(i + 1)) group_.rir = Value(i + 1);
      return i + (Num(i + 1) ? 2 : 1);
    }
    if (IsSets(w) && Text(i + 1) == "of" && Num(i + 2)) {  // "sets of 12, 10 and 8"
      return RepsList(i + 2);
    }
    if ((w == "a" || w == "one") && IsSets(Text(i + 1))) {  // "a set of 10"
      group_.sets = 1;
      std::size_t j = i + 2 + (Text(i + 2) == "of" ? 1 : 0);
      if (Num(j)) {
        group_.reps = Value(j);
        return j + 1 + (IsReps(Text(j + 1)) ? 1 : 0);
      }
      return j;
    }
    if (w == "at" || w == "@" || w == "with" || w == "holding" || w == "added") {
      std::size_t j = i + 1;
      if (Text(j) == "rpe" || Text(j) == "an" || Text(j) == "a") {
        if (Text(j) == "rpe" || Text(j + 1) == "rpe") return j;  // "at rpe 8", "at an RPE of 9"
      }
      if (Num(j) && (IsReps(Text(j + 1)) || Text(j + 1) == "in"))
        return j;                                                  // "with 3 reps in reserve"
      if (group_.weight && group_.reps && current_.set) Finish();  // "5 at 120, 5 at 130"
      if (std::size_t used = Weight(j)) return j + used;
      return j;
    }
    if (w == "plus") {
      group_.plus = true;
      if (std::size_t used = Weight(i + 1)) return i + 1 + used;
      return i + 1;
    }
    if (w == "for") {
      std::size_t j = i + 1;
      if (Num(j) && IsSets(Text(j + 1))) return j;  // "for 3 sets of 8"
      if (Text(j) == "a" && Num(j + 1)) ++j;        // "for a single"
      if (Num(j)) {
        if (group_.reps && !group_.weight && !group_.sets) {
          group_.weight = group_.reps;  // "185 for 5" said as "bench 185 for 5"
        }
        group_.reps = Value(j);
        return j + 1 + (IsReps(Text(j + 1)) ? 1 : 0);
      }
      return j;
    }
    if (IsSets(w) || IsReps(w)) return i + 1;  // stray "sets"/"reps"
    // A number.
    double v = Value(i);
    const std::string& next = Text(i + 1);
    if (tokens_[i].rep_word) {  // "a triple", "three doubles" (handled below), "singles"
      if (group_.reps && current_.set) Finish();
      group_.reps = v;
      return i + 1;
    }
    if (Num(i + 1) && tokens_[i + 1].rep_word) {  // "three doubles"
      if (group_.reps && current_.set) Finish();
      group_.sets = v;
      group_.reps = Value(i + 1);
      return i + 2;
    }
    if (next == "rpe") {  // "8 RPE"
      group_.rpe = v;
      return i + 2;
    }
    if (IsReps(next) && Text(i + 2) == "in" && Text(i + 3) == "reserve") {
      group_.rir = v;
      return i + 4;
    }
    if (tokens_[i].plural && group_.sets && !group_.reps) {  // "three eights"
      group_.reps = v;
      return i + 1;
    }
    if (Num(i + 1) && tokens_[i + 1].plural) {  // "three eights"
      group_.sets = v;
      group_.reps = Value(i + 1);
      return i + 2;
    }
    if ((next == "by" || next == "x" || next == "times") && Num(i + 2)) {
      LeftoverIsWeight();
      if (group_.reps && current_.set) Finish();
      group_.sets = v;
      group_.reps = Value(i + 2);
      return i + 3 + (IsReps(Text(i + 3)) ? 1 : 0);
    }
    if (IsSets(next)) {
      LeftoverIsWeight();
      if (group_.reps && group_.sets && current_.set) Finish();
      group_.sets = v;
      std::size_t j = i + 2 + (Text(i + 2) == "of" ? 1 : 0);
      if (Num(j)) return RepsList(j);
      return j;
    }
    if (IsReps(next)) {
      if (group_.reps && current_.set) Finish();  // "5 reps at 100, 3 reps at 110"
      group_.reps = v;
      return i + 2;
    }
    if (next == "in" && Text(i + 2) == "the" && Text(i + 3) == "tank") {
      group_.rir = v;
      return i + 4;
    }
    if (next == "rir" || (next == "reps" && Text(i + 2) == "in" && Text(i + 3) == "reserve")) {
      group_.rir = v;
      return i + 2;
    }
    if (IsKg(next) || IsLb(next)) {
      if (group_.weight && group_.reps && current_.set) Finish();
      group_.weight = v;
      spoken_unit_ = IsKg(next) ? WeightUnit::kKg : WeightUnit::kLb;
      group_.unit = spoken_unit_;
      return i + 2;
    }
    if (tokens_[i].plural) {  // "the 30s" without "with"
      group_.weight = v;
      group_.unit = spoken_unit_;
      group_.dumbbells = true;
      return i + 1;
    }
    // A bare number: "140 for 5" is a weight, "5 at 140" reps; else reps first, then weight.
    if (next == "for") {
      if (group_.reps && group_.weight && current_.set) Finish();
      group_.weight = v;
      group_.unit = spoken_unit_;
      return i + 1;
    }
    if (next == "at" || next == "@") {
      if (group_.reps && current_.set) Finish();
      group_.reps = v;
      return i + 1;
    }
    if (!group_.reps) {
      group_.reps = v;
      group_.bare_reps = true;
    } else if (!group_.weight) {
      group_.weight = v;
    } else {
      if (current_.set) Finish();
      group_.reps = v;
    }
    return i + 1;
  }

  const NameMatcher& matcher_;
  ParseOptions options_;
  std::vector<std::string> words_;
  std::vector<SpokenToken> tokens_;
  std::optional<WeightUnit> spoken_unit_;
  ParsedLog log_;
  Current current_;
  Group group_, pending_;
  std::vector<Current> partners_;
  int emitted_for_current_ = 0;  // named together, sharing the scheme said after them
};

}  // namespace

std::optional<WeightUnit> WeightUnitOf(std::string_view w) {
  if (w == "kg" || w == "kgs" || w == "kilo" || w == "kilos" || w == "kilogram" ||
      w == "kilograms") {
    return WeightUnit::kKg;
  }
  if (w == "lb" || w == "lbs" || w == "pound" || w == "pounds") return WeightUnit::kLb;
  return std::nullopt;
}

std::vector<std::string> SpokenWords(std::string_view transcript) {
  std::string cleaned;
  cleaned.reserve(transcript.size());
  for (std::size_t i = 0; i < transcript.size(); ++i) {
    char c = transcript[i];
    if (static_cast<unsigned char>(c) == 0xC3 && i + 1 < transcript.size() &&
        static_cast<unsigned char>(transcript[i + 1]) == 0x97) {  // "×" (U+00D7)
      cleaned += " x ";
      ++i;
      continue;
    }
    auto lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool digit_around = i > 0 && i + 1 < transcript.size() && IsDigit(transcript[i - 1]) &&
                        IsDigit(transcript[i + 1]);
    if (IsAlpha(c) || IsDigit(c)) {
      cleaned += lower;
    } else if ((c == '.' || c == ':') && digit_around) {
      cleaned += c;  // "22.5", "24:30"
    } else if (c == '\'') {
      continue;  // "rdl's", "farmer's"
    } else if (c == '@') {
      cleaned += " at ";
    } else if (c == ',' || c == ';' || c == '.' || c == '!' || c == '?' || c == '\n') {
      cleaned += " , ";
    } else {
      cleaned += ' ';
    }
  }
  std::vector<std::string> raw;
  std::string current;
  for (char c : cleaned) {
    if (c == ' ') {
      if (!current.empty()) SplitMixed(current, raw);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) SplitMixed(current, raw);
  // Verbs people use for what they did, as the exercise they name.
  static const std::unordered_map<std::string, std::string> kVerbs{
      {"benched", "bench"},          {"squatted", "squat"}, {"deadlifted", "deadlift"},
      {"curled", "curls"},           {"pressed", "press"},  {"rowed", "rows"},
      {"benchpress", "bench press"}, {"bye", "by"},         {"buy", "by"},
      {"deads", "deadlift"}};
  auto at = [&](std::size_t k) -> const std::string& {
    static const std::string kNone;
    return k < raw.size() ? raw[k] : kNone;
  };
  std::vector<std::string> out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& w = raw[i];
    if (Fillers().count(w)) continue;
    if ((w == "you" && at(i + 1) == "know") || (w == "hey" && at(i + 1) == "coach")) {
      ++i;
      continue;
    }
    if (w == "let" && at(i + 1) == "me" && at(i + 2) == "think") {
      i += 2;
      continue;
    }
    if (w == "on" && at(i + 1) == "my" && (at(i + 2) == "back" || at(i + 2) == "chest")) {
      i += 2;
      continue;
    }
    if (w == "log" && out.empty()) continue;  // "log bench 3 by 8"
    // "o h p" -> "ohp": letters spelled out one by one.
    if (w.size() == 1 && IsAlpha(w[0]) && at(i + 1).size() == 1 && IsAlpha(at(i + 1)[0]) &&
        w != "a" && w != "i" && w != "x") {
      std::string joined = w;
      while (at(i + 1).size() == 1 && IsAlpha(at(i + 1)[0]) && at(i + 1) != "x") joined += raw[++i];
      out.push_back(joined);
      continue;
    }
    // A comma right after a connector ("at, uh, 150") separates nothing.
    if (w == "," && !out.empty() &&
        (out.back() == "at" || out.back() == "with" || out.back() == "by" || out.back() == "for" ||
         out.back() == "of" || out.back() == "x" || out.back() == ",")) {
      continue;
    }
    if (auto v = kVerbs.find(w); v != kVerbs.end()) {
      if (v->second == "bench press") {
        out.push_back("bench");
        out.push_back("press");
      } else {
        out.push_back(v->second);
      }
      continue;
    }
    out.push_back(w);
  }
  return out;
}

ParsedLog ParseTranscript(std::string_view transcript, const NameMatcher& matcher,
                          const ParseOptions& options) {
  return Parser(matcher, options).Run(transcript);
}

}  // namespace vf::exercises
