#include "rag/questionnaire.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>

#include "core/text.hpp"

namespace vf::rag {
namespace {

using nlohmann::json;

// Reads a field of the request, then of the profile, tolerating absent or mistyped values (the
// route validates the request; the transformer must never be the one to throw on it).
template <typename T>
std::optional<T> Field(const json& object, const char* name) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

const json& Profile(const json& context) {
  static const json empty = json::object();
  if (context.is_object() && context.contains("profile") && context["profile"].is_object()) {
    return context["profile"];
  }
  return empty;
}

template <typename T>
std::optional<T> FromRequestOrProfile(const json& request, const json& context, const char* name) {
  if (auto value = Field<T>(request, name)) return value;
  return Field<T>(Profile(context), name);
}

std::vector<std::string> StringList(const json& object, const char* name) {
  std::vector<std::string> out;
  if (!object.is_object() || !object.contains(name) || !object[name].is_array()) return out;
  for (const auto& item : object[name]) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

bool Has(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> InjuredBodyParts(const json& context) {
  std::vector<std::string> parts;
  if (!context.is_object() || !context.contains("active_injuries")) return parts;
  for (const auto& injury : context["active_injuries"]) {
    if (auto part = Field<std::string>(injury, "body_part")) {
      if (!Has(parts, *part)) parts.push_back(*part);
    }
  }
  return parts;
}

bool Mentions(const std::string& text, std::span<const std::string_view> words) {
  auto lower = AsciiLower(text);
  return std::any_of(words.begin(), words.end(),
                     [&](auto w) { return lower.find(w) != std::string::npos; });
}
bool Mentions(const std::string& text, std::initializer_list<std::string_view> words) {
  return Mentions(text, std::span<const std::string_view>(words.begin(), words.size()));
}

constexpr std::array<std::string_view, 5> kPainWords = {"pain", "hurt", "ache", "injur", "sore"};

int WordCount(const std::string& text) {
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    bool letter = std::isalnum(static_cast<unsigned char>(c));
    if (letter && !in_word) ++words;
    in_word = letter;
  }
  return words;
}

// Days in a week, as words: the passages say "two training days", and bare numbers are no terms.
constexpr std::array<std::string_view, 8> kCountWords = {"zero", "one",  "two", "three",
                                                         "four", "five", "six", "seven"};

std::string CountWord(int n) {
  if (n >= 0 && n < static_cast<int>(kCountWords.size())) return std::string(kCountWords[n]);
  return std::to_string(n);
}

// The first `max_words` words of a user's free text: long messages would drown the query.
std::string FirstWords(const std::string& text, int max_words) {
  int words = 0;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool letter = std::isalnum(static_cast<unsigned char>(text[i]));
    if (letter && !in_word && ++words > max_words) return text.substr(0, i);
    in_word = letter;
  }
  return text;
}

// Builds the query phrase by phrase: the text joins them, and each is a facet of its own.
class QueryText {
 public:
  void Add(std::string_view phrase) {
    if (phrase.empty()) return;
    if (!text_.empty()) text_ += ". ";
    text_ += phrase;
    facets_.emplace_back(phrase);
  }
  // A phrase whose answer the sources must hold (see RequiredFacet).
  void Require(std::string_view phrase, std::vector<std::string> namespaces) {
    Add(phrase);
    required_.push_back({std::string(phrase), std::move(namespaces)});
  }
  std::string Take() { return std::move(text_); }
  std::vector<std::string> TakeFacets() { return std::move(facets_); }
  std::vector<RequiredFacet> TakeRequired() { return std::move(required_); }

 private:
  std::string text_;
  std::vector<std::string> facets_;
  std::vector<RequiredFacet> required_;
};

// A finished query: the endpoint, the phrases, the namespaces and k.
RagQuery Finish(std::string endpoint, QueryText& q, std::vector<std::string> namespaces, size_t k) {
  RagQuery query{std::move(endpoint), q.Take(), std::move(namespaces), k};
  query.facets = q.TakeFacets();
  query.required = q.TakeRequired();
  return query;
}

// `lead` words the facet ("running with" knee pain) so that its own search finds the guidance
// for that sport: a runner's knee pain is another passage than a lifter's.
void AddInjuries(QueryText& q, const std::vector<std::string>& parts, std::string_view lead,
                 std::vector<std::string>& namespaces) {
  // A plan must account for every active injury, however the rest of the query ranks.
  for (const auto& part : parts) q.Require(std::string(lead) + " " + part + " pain", {"injury"});
  if (!parts.empty() && !Has(namespaces, "injury")) namespaces.push_back("injury");
}

const std::map<std::string, std::string, std::less<>> kRaceNames = {
    {"5k", "5K"}, {"10k", "10K"}, {"half", "half marathon"}, {"marathon", "marathon"}};

RagQuery CoachAsk(const json& request, const json&) {
  auto question = Field<std::string>(request, "question").value_or("");
  QueryText q;
  // A short follow-up ("and for deadlifts?") needs the turn it follows.
  if (WordCount(question) < 6 && request.contains("history") && request["history"].is_array()) {
    const auto& history = request["history"];
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
      if (Field<std::string>(*it, "role") == "user") {
        q.Add(FirstWords(Field<std::string>(*it, "content").value_or(""), 30));
        break;
      }
    }
  }
  q.Add(FirstWords(question, 60));
  return Finish("coach/ask", q, {}, 5);
}

RagQuery ProgramStrength(const json& request, const json& context) {
  auto goal = Field<std::string>(request, "goal").value_or("general_fitness");
  auto experience = FromRequestOrProfile<std::string>(request, context, "experience");
  auto days = FromRequestOrProfile<int>(request, context, "days_per_week");
  auto minutes = FromRequestOrProfile<int>(request, context, "session_minutes");
  auto weeks = Field<int>(request, "weeks").value_or(8);
  auto equipment = StringList(request, "equipment");
  if (equipment.empty()) equipment = StringList(Profile(context), "equipment");

  QueryText q;
  std::vector<std::string> namespaces{"programming"};
  if (goal == "hypertrophy") {
    q.Add("hypertrophy program weekly sets per muscle volume progression rep ranges");
    namespaces.push_back("hypertrophy");
  } else if (goal == "strength") {
    q.Add("strength program periodization percent of 1RM rep ranges progressive overload");
    namespaces.push_back("strength");
  } else {
    q.Add("general fitness full body resistance training program");
    namespaces.push_back("strength");
    namespaces.push_back("general-health");
  }
  if (experience == "beginner") q.Add("beginner linear progression");
  if (experience == "intermediate") q.Add("intermediate undulating periodization");
  if (experience == "advanced") q.Add("advanced block periodization");
  if (days) q.Add(CountWord(*days) + " days per week training split");
  if (minutes && *minutes <= 45) q.Add("short time-efficient sessions supersets");
  if (weeks >= 6) q.Add("deload week");
  bool gym = equipment.empty() || Has(equipment, "full_gym") || Has(equipment, "barbell");
  if (!gym) {
    q.Add(Has(equipment, "dumbbells") || Has(equipment, "kettlebells")
              ? "home training with dumbbells and kettlebells"
              : "bodyweight training at home");
  }
  AddInjuries(q, InjuredBodyParts(context), "training around", namespaces);
  return Finish("program/generate/strength", q, namespaces, 6);
}

RagQuery ProgramRunning(const json& request, const json& context) {
  auto goal = Field<std::string>(request, "goal").value_or("5k");
  auto race = kRaceNames.count(goal) ? kRaceNames.find(goal)->second : std::string("race");
  auto days = Field<int>(request, "days_per_week");
  auto weekly_km = Field<double>(request, "current_weekly_km");
  if (!weekly_km) weekly_km = Field<double>(Profile(context), "weekly_km");

  QueryText q;
  bool beginner = weekly_km && *weekly_km < 20;
  q.Add(beginner ? "first " + race + " plan for a beginner" : race + " training plan");
  if (goal == "marathon") q.Add("long run marathon pace fueling taper");
  if (goal == "half") q.Add("half marathon long run threshold runs taper");
  if (goal == "10k") q.Add("10K threshold tempo runs intervals");
  if (goal == "5k") q.Add("5K intervals VO2max repetitions");
  if (beginner) {
    q.Add("beginner building weekly mileage safely");
  } else {
    q.Add("weekly volume progression cutback weeks");
  }
  if (request.contains("recent_race")) q.Add("training paces from a recent race VDOT");
  if (days && *days >= 6) q.Add("recovery runs easy running most of the week");
  if (days && *days <= 3) q.Add("three runs a week with cross-training");
  std::vector<std::string> namespaces{"running", "programming"};
  AddInjuries(q, InjuredBodyParts(context), "running with", namespaces);
  return Finish("program/generate/running", q, namespaces, 6);
}

RagQuery RunningAnalyze(const json& request, const json&) {
  auto distance = Field<double>(request, "distance_m").value_or(0);
  auto duration = Field<double>(request, "duration_s").value_or(0);
  QueryText q;
  q.Add(distance >= 18000 ? "long run analysis" : "run analysis pace");
  // Pacing: the second half's pace against the first's.
  if (request.contains("splits") && request["splits"].is_array() && request["splits"].size() >= 2) {
    const auto& splits = request["splits"];
    size_t half = splits.size() / 2;
    double first_d = 0, first_t = 0, second_d = 0, second_t = 0, climb = 0;
    for (size_t i = 0; i < splits.size(); ++i) {
      double d = Field<double>(splits[i], "distance_m").value_or(0);
      double t = Field<double>(splits[i], "duration_s").value_or(0);
      climb += Field<double>(splits[i], "elevation_gain_m").value_or(0);
      (i < half ? first_d : second_d) += d;
      (i < half ? first_t : second_t) += t;
    }
    if (first_d > 0 && second_d > 0 && first_t > 0) {
      double ratio = (second_t / second_d) / (first_t / first_d);
      if (ratio > 1.02) q.Add("positive split slowing down pacing strategy even pace");
      if (ratio < 0.98) q.Add("negative split pacing");
    }
    if (distance > 0 && climb / (distance / 1000) > 10) q.Add("hill running effort");
  }
  auto avg_hr = Field<double>(request, "avg_hr");
  auto max_hr = Field<double>(request, "max_hr");
  if (avg_hr && max_hr && *max_hr > 0) {
    double share = *avg_hr / *max_hr;
    if (share >= 0.88) q.Add("high heart rate threshold effort zones");
    if (share <= 0.75) q.Add("easy run zone 2 heart rate");
  }
  auto rpe = Field<double>(request, "rpe");
  if (rpe && *rpe >= 8) q.Add("hard effort recovery after a hard run");
  if (rpe && *rpe <= 4) q.Add("easy pace conversational");
  if (duration > 0 && distance > 0 && duration / (distance / 1000) > 480) {
    q.Add("walk run beginner pace");
  }
  // Free text the athlete added ("left knee ached after 8k") is the strongest signal of all, and
  // pain in it must find injury guidance however the run's figures rank.
  std::vector<std::string> namespaces{"running"};
  if (auto notes = Field<std::string>(request, "notes")) {
    auto note = FirstWords(*notes, 40);
    if (Mentions(note, kPainWords)) {
      q.Require(note, {"injury"});
      namespaces.push_back("injury");
    } else {
      q.Add(note);
    }
  }
  return Finish("running/analyze", q, namespaces, 5);
}

RagQuery WorkoutInsights(const json&, const json& context) {
  QueryText q;
  q.Add("estimated 1RM progress plateau progressive overload");
  // Push/pull balance is computed by the route; as words it found the push/pull/legs split.
  q.Add("weekly sets per muscle training volume");
  // The athlete's lifts are left out: their names find the exercises' how-to passages, not
  // what a trend in them means (the lifts belong in the model's prompt, not in this query).
  int workouts = 0;
  if (context.is_object() && context.contains("training")) {
    workouts = Field<int>(context["training"], "workouts").value_or(0);
  }
  if (workouts < 8) q.Add("training frequency and consistency");
  return Finish("workout/insights", q, {"strength", "hypertrophy", "programming"}, 5);
}

RagQuery InjuryAnalyze(const json& request, const json&) {
  auto part = Field<std::string>(request, "body_part").value_or("");
  auto description = Field<std::string>(request, "description").value_or("");
  auto symptoms = StringList(request, "symptoms");
  auto severity = Field<double>(request, "severity");
  auto onset = Field<std::string>(request, "onset");
  auto days = Field<double>(request, "duration_days");
  QueryText q;
  q.Add(part + " pain");
  q.Add(FirstWords(description, 40));
  std::string listed;
  for (const auto& s : symptoms) listed += (listed.empty() ? "" : ", ") + s;
  q.Add(listed);
  bool alarming = Mentions(description + " " + listed,
                           {"numb", "tingl", "swell", "fever", "night", "can't bear", "cannot bear",
                            "pop", "deform", "bladder", "chest"});
  if ((severity && *severity >= 7) || alarming) q.Add("red flags when to see a doctor urgently");
  if (onset == "sudden") q.Add("acute injury first days PEACE and LOVE");
  if (onset == "gradual") q.Add("overuse load management tendon");
  if (days && *days > 42) q.Add("persistent pain see a physiotherapist");
  q.Add("graded return to training");
  return Finish("injury/analyze", q, {"injury"}, 6);
}

RagQuery SwapExercise(const json& request, const json& context) {
  auto exercise = Field<std::string>(request, "exercise").value_or("");
  auto reason = Field<std::string>(request, "reason").value_or("");
  auto equipment = StringList(request, "equipment");
  QueryText q;
  q.Add(exercise + " alternatives and variations working the same muscles");
  q.Add(FirstWords(reason, 30));
  if (!equipment.empty() && !Has(equipment, "full_gym") && !Has(equipment, "barbell")) {
    q.Add(Has(equipment, "dumbbells") ? "dumbbell alternative" : "equipment-free alternative");
  }
  std::vector<std::string> namespaces{"exercises"};
  auto injuries = StringList(request, "injuries");
  for (const auto& part : InjuredBodyParts(context)) {
    if (!Has(injuries, part)) injuries.push_back(part);
  }
  for (const auto& part : injuries) {
    q.Require(exercise + " with " + part + " pain exercises to avoid", {"injury"});
  }
  if (!injuries.empty() || Mentions(reason, kPainWords)) {
    namespaces.push_back("injury");
  }
  return Finish("chat/swap-exercise-enhanced", q, namespaces, 5);
}

// Training days a week said in free text ("3 evenings a week", "about 4 days", "5x a week",
// "twice a week"): a count of one to seven before a word for days or sessions.
std::optional<int> SpokenDaysPerWeek(const std::string& text) {
  // 1-7 as a digit or a word.
  auto count = [](std::string_view word) {
    if (word.size() == 1 && word[0] >= '1' && word[0] <= '7') return word[0] - '0';
    auto it = std::find(kCountWords.begin() + 1, kCountWords.end(), word);
    return it == kCountWords.end() ? 0 : static_cast<int>(it - kCountWords.begin());
  };
  static const std::set<std::string, std::less<>> kUnits = {
      "day", "days", "evenings", "mornings", "nights", "sessions", "times", "x"};
  // Runs of letters and runs of digits, so "4x" reads as "4" "x".
  std::vector<std::string> words;
  auto kind = [](char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isdigit(u) ? 1 : std::isalpha(u) ? 2 : 0;
  };
  auto lower = AsciiLower(text);
  for (size_t i = 0; i < lower.size();) {
    size_t j = i;
    while (j < lower.size() && kind(lower[j]) == kind(lower[i])) ++j;
    if (kind(lower[i]) != 0) words.push_back(lower.substr(i, j - i));
    i = j;
  }
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (int n = count(words[i]); n > 0 && kUnits.count(words[i + 1])) return n;
    bool per_week = i + 2 < words.size() && (words[i + 1] == "a" || words[i + 1] == "per") &&
                    words[i + 2] == "week";
    if (per_week && words[i] == "once") return 1;
    if (per_week && words[i] == "twice") return 2;
  }
  return std::nullopt;
}

RagQuery OnboardingExtract(const json& request, const json&) {
  QueryText q;
  auto text = Field<std::string>(request, "text").value_or("");
  q.Add(FirstWords(text, 40));
  if (auto days = SpokenDaysPerWeek(text))
    q.Add(CountWord(*days) + " days per week training split");
  q.Add("getting started with a training program");
  return Finish("onboarding/extract", q, {"programming", "general-health"}, 4);
}

RagQuery OnboardingConversational(const json& request, const json&) {
  QueryText q;
  auto message = Field<std::string>(request, "message").value_or("");
  q.Add(FirstWords(message, 40));
  if (auto days = SpokenDaysPerWeek(message)) {
    q.Add(CountWord(*days) + " days per week training split");
  }
  q.Add("beginner new to training");  // not "athlete": the masters-athlete passages took it
  return Finish("onboarding/conversational", q, {"programming", "general-health"}, 3);
}

RagQuery AnalyticsFatigue(const json&, const json& context) {
  QueryText q;
  q.Add("acute chronic workload ratio training load fatigue and readiness");
  q.Add("signs of overreaching sleep and resting heart rate");
  if (context.is_object() && context.contains("running") &&
      Field<double>(context["running"], "km_per_week").value_or(0) > 0) {
    q.Add("running volume spikes");
  }
  std::vector<std::string> namespaces{"recovery", "programming"};
  if (!InjuredBodyParts(context).empty()) q.Add("injury risk after load spikes");
  return Finish("analytics/fatigue", q, namespaces, 5);
}

RagQuery AnalyticsDeload(const json&, const json& context) {
  QueryText q;
  q.Add("deload week when to deload and how much to reduce volume and intensity");
  q.Add("accumulated fatigue stalled progress");
  if (auto experience = Field<std::string>(Profile(context), "experience")) {
    q.Add(*experience + " lifter");
  }
  return Finish("analytics/deload", q, {"programming", "recovery"}, 4);
}

RagQuery AdherenceReport(const json&, const json&) {
  QueryText q;
  q.Add("training adherence and consistency");
  q.Add("missed sessions and how to resume");
  q.Add("building a training habit");
  return Finish("adherence/report", q, {"programming"}, 4);
}

RagQuery ChatClassify(const json& request, const json&) {
  return {
      "chat/classify", FirstWords(Field<std::string>(request, "message").value_or(""), 40), {}, 3};
}

using Transformer = RagQuery (*)(const json&, const json&);
const std::map<std::string, Transformer, std::less<>>& Transformers() {
  static const std::map<std::string, Transformer, std::less<>> table = {
      {"coach/ask", CoachAsk},
      {"program/generate/strength", ProgramStrength},
      {"program/generate/running", ProgramRunning},
      {"running/analyze", RunningAnalyze},
      {"workout/insights", WorkoutInsights},
      {"injury/analyze", InjuryAnalyze},
      {"chat/swap-exercise-enhanced", SwapExercise},
      {"onboarding/extract", OnboardingExtract},
      {"onboarding/conversational", OnboardingConversational},
      {"analytics/fatigue", AnalyticsFatigue},
      {"analytics/deload", AnalyticsDeload},
      {"adherence/report", AdherenceReport},
      {"chat/classify", ChatClassify}};
  return table;
}

}  // namespace

const std::vector<std::string>& TransformerEndpoints() {
  static const std::vector<std::string> endpoints = [] {
    std::vector<std::string> out;
    for (const auto& [name, fn] : Transformers()) out.push_back(name);
    return out;
  }();
  return endpoints;
}

RagQuery TransformRequest(std::string_view endpoint, const json& request,
                          const json& user_context) {
  auto it = Transformers().find(endpoint);
  if (it == Transformers().end()) {
    throw std::invalid_argument("no questionnaire transformer for " + std::string(endpoint));
  }
  return it->second(request, user_context);
}

}  // namespace vf::rag
