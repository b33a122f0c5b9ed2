#pragma once
// The one text analyzer both the indexer and every query use (a mismatch between the two is the
// classic silent retrieval bug): lowercase ASCII words of letters and digits, possessive "'s"
// dropped, English Snowball (Porter2) stems. Stopwords (function words, chat filler) are dropped
// from queries only.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vf::rag {

struct Token {
  std::string word;  // lowercased
  std::string stem;
  uint32_t position = 0;  // word position in the text, stopwords counted
  bool stopword = false;
};

class Analyzer {
 public:
  std::vector<Token> Analyze(std::string_view text) const;
  // The stems of a phrase, stopwords kept (a lexicon phrase such as "range of motion").
  std::vector<std::string> Stems(std::string_view phrase) const;
  std::string Stem(std::string_view word) const;
  static bool IsStopword(std::string_view word);
  static bool IsNumber(std::string_view word);  // digits only
};

}  // namespace vf::rag
