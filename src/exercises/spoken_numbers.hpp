#pragma once
// Numbers as people say them into a phone, turned into values: "one eighty-five" = 185,
// "two oh five" = 205, "a hundred and forty" = 140, "seven and a half" = 7.5, "twenty-two point
// five" = 22.5, "three eights" = a plural 8. Works on a list of lowercase words and leaves every
// word that is not part of a number as it is.

#include <optional>
#include <string>
#include <vector>

namespace vf::exercises {

struct SpokenToken {
  std::string text;              // the word (numbers: as written, for "unparsed" reports)
  std::optional<double> number;  // set when the token is a number
  bool plural = false;           // "eights", "tens", "the 30s"
  bool rep_word = false;         // "single", "doubles", "triples": a number of reps
  bool keep_word = false;        // a number word that is part of a name ("one arm ...")
};

// Collapses number words (and digit strings) into number tokens.
std::vector<SpokenToken> CollapseNumbers(const std::vector<std::string>& words);

}  // namespace vf::exercises
