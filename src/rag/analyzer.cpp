#include "rag/analyzer.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace vf::rag {
namespace {

// Function words and the filler of spoken questions ("what should I do about...").
constexpr std::array<std::string_view, 146> kStopwords = {
    "a",     "about",     "am",        "an",       "and",       "any",      "are",    "as",
    "at",    "be",        "been",      "but",      "by",        "can",      "could",  "did",
    "do",    "does",      "doing",     "for",      "from",      "get",      "got",    "had",
    "has",   "have",      "having",    "he",       "her",       "here",     "him",    "his",
    "how",   "i",         "id",        "if",       "im",        "in",       "into",   "is",
    "it",    "its",       "ive",       "just",     "me",        "might",    "my",     "myself",
    "of",    "on",        "or",        "our",      "she",       "should",   "so",     "some",
    "than",  "that",      "thats",     "the",      "their",     "them",     "then",   "there",
    "these", "they",      "this",      "those",    "to",        "too",      "us",     "was",
    "we",    "were",      "what",      "whats",    "when",      "where",    "which",  "while",
    "who",   "why",       "will",      "with",     "would",     "you",      "your",   "yours",
    "ok",    "okay",      "hey",       "hi",       "please",    "thanks",   "really", "actually",
    "also",  "still",     "yet",       "very",     "much",      "lot",      "lots",   "kind",
    "sort",  "thing",     "things",    "anything", "something", "way",      "want",   "wanna",
    "gonna", "need",      "know",      "tell",     "idea",      "ideas",    "dont",   "doesnt",
    "isnt",  "wont",      "cant",      "u",        "ur",        "pls",      "coach",  "question",
    "lol",   "rn",        "like",      "even",     "always",    "everyone", "says",   "mate",
    "guys",  "literally", "basically", "totally",  "pretty",    "super",    "kinda",  "sorta",
    "stuff"};

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

}  // namespace

bool Analyzer::IsNumber(std::string_view word) {
  return !word.empty() &&
         std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Analyzer::IsStopword(std::string_view word) {
  return std::find(kStopwords.begin(), kStopwords.end(), word) != kStopwords.end();
}

std::string Analyzer::Stem(std::string_view word) const {
  // Stem objects are not safe to share between threads; one per thread is cheap.
  thread_local Xapian::Stem stemmer("english");
  return stemmer(std::string(word));
}

std::vector<Token> Analyzer::Analyze(std::string_view text) const {
  std::vector<Token> tokens;
  std::string word;
  uint32_t position = 0;
  auto flush = [&] {
    if (word.empty()) return;
    // "runner's" -> "runner"; "don't" -> "dont" (the apostrophe was skipped below).
    if (word.size() > 2 && word.ends_with("'s")) word.resize(word.size() - 2);
    word.erase(std::remove(word.begin(), word.end(), '\''), word.end());
    if (!word.empty()) {
      Token token;
      token.stopword = IsStopword(word);
      token.stem = Stem(word);
      token.word = std::move(word);
      token.position = position++;
      tokens.push_back(std::move(token));
    }
    word.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (text.substr(i, 3) == "\xE2\x80\x99") {  // typographic apostrophe, as phones type it
      i += 2;
      c = '\'';
    }
    // General punctuation (dashes, quotes, ellipsis: U+2000-U+206F) and Latin-1 symbols
    // (no-break space, degree, fractions: U+0080-U+00BF) separate words like ASCII punctuation.
    if (c == 0xE2 && i + 2 < text.size() &&
        (static_cast<unsigned char>(text[i + 1]) & 0xFE) == 0x80) {
      i += 2;
      c = ' ';
    } else if (c == 0xC2 && i + 1 < text.size()) {
      i += 1;
      c = ' ';
    }
    if (c != '\'' && IsWordByte(c)) {
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (c == '\'' && !word.empty() && i + 1 < text.size() &&
               std::isalpha(static_cast<unsigned char>(text[i + 1]))) {
      word += '\'';
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

std::vector<std::string> Analyzer::Stems(std::string_view phrase) const {
  std::vector<std::string> stems;
  for (auto& token : Analyze(phrase)) stems.push_back(std::move(token.stem));
  return stems;
}

}  // namespace vf::rag
