#include "exercises/spoken_numbers.hpp"

#include <cctype>
#include <charconv>
#include <unordered_map>

namespace vf::exercises {
namespace {

const std::unordered_map<std::string, int>& Units() {
  static const std::unordered_map<std::string, int> kUnits{
      {"zero", 0}, {"one", 1}, {"two", 2},   {"three", 3}, {"four", 4},
      {"five", 5}, {"six", 6}, {"seven", 7}, {"eight", 8}, {"nine", 9}};
  return kUnits;
}
const std::unordered_map<std::string, int>& Teens() {
  static const std::unordered_map<std::string, int> kTeens{
      {"ten", 10},     {"eleven", 11},  {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14},
      {"fifteen", 15}, {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19}};
  return kTeens;
}
const std::unordered_map<std::string, int>& Tens() {
  static const std::unordered_map<std::string, int> kTens{
      {"twenty", 20}, {"thirty", 30},  {"forty", 40},  {"fourty", 40}, {"fifty", 50},
      {"sixty", 60},  {"seventy", 70}, {"eighty", 80}, {"ninety", 90}};
  return kTens;
}

// "eights" -> 8 (plural), "twenties" -> 20, "tens" -> 10.
std::optional<std::pair<int, bool>> Word(const std::string& w) {
  auto look = [](const std::string& s) -> std::optional<int> {
    for (const auto* table : {&Units(), &Teens(), &Tens()}) {
      if (auto it = table->find(s); it != table->end()) return it->second;
    }
    return std::nullopt;
  };
  if (auto v = look(w)) return std::pair{*v, false};
  if (w.size() > 3 && w.compare(w.size() - 3, 3, "ies") == 0) {
    if (auto v = look(w.substr(0, w.size() - 3) + "y")) return std::pair{*v, true};
  }
  if (w.size() > 2 && w.back() == 's' && w != "sixes" && w != "tens") {
    if (auto v = look(w.substr(0, w.size() - 1))) return std::pair{*v, true};
  }
  if (w == "sixes") return std::pair{6, true};
  if (w == "tens") return std::pair{10, true};
  return std::nullopt;
}

std::optional<std::pair<double, bool>> Digits(const std::string& w) {
  std::string_view s = w;
  bool plural = false;
  if (s.size() > 1 && s.back() == 's') {  // "the 30s"
    s.remove_suffix(1);
    plural = true;
  }
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])))) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return std::pair{v, plural};
}

}  // namespace

std::vector<SpokenToken> CollapseNumbers(const std::vector<std::string>& words) {
  std::vector<SpokenToken> out;
  auto at = [&](std::size_t i) -> const std::string& {
    static const std::string kNone;
    return i < words.size() ? words[i] : kNone;
  };
  bool small_plural = false;
  auto small = [&](std::size_t i, int& value) -> std::size_t {  // 1..99 from words; returns length
    small_plural = false;
    if (auto it = Tens().find(at(i)); it != Tens().end()) {
      value = it->second;
      if (auto u = Units().find(at(i + 1)); u != Units().end() && u->second > 0) {
        value += u->second;
        return 2;
      }
      if (auto w = Word(at(i + 1)); w && w->second && w->first > 0 && w->first < 10) {
        value += w->first;  // "the thirty fives"
        small_plural = true;
        return 2;
      }
      return 1;
    }
    if (auto it = Teens().find(at(i)); it != Teens().end()) {
      value = it->second;
      return 1;
    }
    if (auto it = Units().find(at(i)); it != Units().end()) {
      value = it->second;
      return 1;
    }
    return 0;
  };
  for (std::size_t i = 0; i < words.size();) {
    std::size_t start = i;
    std::optional<double> value;
    bool plural = false;
    if (auto d = Digits(words[i])) {
      value = d->first;
      plural = d->second;
      ++i;
    } else if ((words[i] == "a" || words[i] == "one") && at(i + 1) == "hundred") {
      value = 100;
      i += 2;
    } else if (auto u = Units().find(words[i]);
               u != Units().end() && u->second > 0 && at(i + 1) == "hundred") {
      value = u->second * 100;
      i += 2;
    } else if (u != Units().end() && u->second > 0 && at(i + 1) == "oh" &&
               Units().count(at(i + 2))) {
      value = u->second * 100 + Units().at(at(i + 2));  // "two oh five"
      i += 3;
    } else if (u != Units().end() && u->second > 0 &&
               (Tens().count(at(i + 1)) || Teens().count(at(i + 1)))) {
      int rest = 0;
      std::size_t n = small(i + 1, rest);  // "one eighty five", "two twenty", "one fifteen"
      value = u->second * 100 + rest;
      i += 1 + n;
    } else if (auto w = Word(words[i])) {
      if (w->second) {
        value = w->first;  // "eights", "twenties"
        plural = true;
        ++i;
      } else {
        int v = 0;
        i += small(i, v);
        value = v;
        plural = small_plural;
      }
    }
    if (!value) {
      out.push_back({words[i], std::nullopt, false});
      ++i;
      continue;
    }
    // "a hundred and forty", "one hundred twenty"
    if (i >= 2 && words[i - 1] == "hundred") {
      std::size_t j = i + (at(i) == "and" ? 1 : 0);
      int rest = 0;
      if (std::size_t n = small(j, rest)) {
        *value += rest;
        i = j + n;
      }
    }
    // "seven and a half", "twenty two point five"
    if (at(i) == "and" && at(i + 1) == "a" && at(i + 2) == "half") {
      *value += 0.5;
      i += 3;
    } else if (at(i) == "point") {
      if (auto d = Units().find(at(i + 1)); d != Units().end()) {
        *value += d->second / 10.0;
        i += 2;
      } else if (auto digits = Digits(at(i + 1))) {
        *value += digits->first / 10.0;
        i += 2;
      }
    }
    std::string text;
    for (std::size_t k = start; k < i; ++k) {
      if (k > start) text += ' ';
      text += words[k];
    }
    out.push_back({text, value, plural});
  }
  return out;
}

}  // namespace vf::exercises
