#pragma once
// The coach's knowledge base (knowledge/README.md): passages parsed from one Markdown file per
// namespace, and the lexicons applied to queries. The version is a hash of every file's bytes, so
// any edit changes every retrieval cache key.

#include <array>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vf::knowledge {

inline constexpr std::array<std::string_view, 10> kNamespaces = {
    "strength",  "hypertrophy", "running",     "injury",    "recovery",
    "nutrition", "mobility",    "programming", "exercises", "general-health"};
bool IsKnownNamespace(std::string_view name);

// Passage bodies must hold one idea: long enough to answer, short enough to quote.
inline constexpr int kMinWords = 60;
inline constexpr int kMaxWords = 250;

struct Passage {
  std::string id;
  std::string title;
  std::string name_space;  // "namespace" is a keyword
  std::vector<std::string> tags;
  // Questions a user would ask that this passage answers, in users' words (document expansion
  // in the manner of doc2query: they close the gap between how passages and people say things).
  std::vector<std::string> questions;
  std::string cite;
  std::string body;
  std::string file;  // where it was read, for messages
  int line = 0;
  int words = 0;  // in the body
};

// A word-or-phrase lexicon line. Synonym groups are sets of equivalent terms; triggers map a term
// to the namespaces it points at.
struct SynonymGroup {
  std::vector<std::string> terms;  // lowercase; the first is the canonical one
};
struct NamespaceTrigger {
  std::string term;
  std::vector<std::string> namespaces;
};

struct KnowledgeBase {
  std::vector<Passage> passages;
  std::vector<SynonymGroup> synonyms;
  std::vector<NamespaceTrigger> triggers;
  std::string synonyms_version;  // the lexicon's "# version: N" line
  std::string version;           // sha-256 (hex) of every file that went in

  const Passage* Find(std::string_view id) const;
  std::unordered_map<std::string, size_t> index_by_id;
};

class KnowledgeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One problem found in the files, "file:line: message".
using Problems = std::vector<std::string>;

// Parses one namespace file. Structural problems (a heading without id, an unknown field) are
// appended to `problems`; the passages that parsed are returned.
std::vector<Passage> ParsePassages(std::string_view text, const std::string& file,
                                   Problems& problems);
std::vector<SynonymGroup> ParseSynonyms(std::string_view text, const std::string& file,
                                        Problems& problems, std::string* version = nullptr);
std::vector<NamespaceTrigger> ParseTriggers(std::string_view text, const std::string& file,
                                            Problems& problems);

// The content rules: unique ids with the namespace as prefix, known namespaces, body sizes,
// non-empty cites and tags, namespace equal to the file's name.
Problems Check(const KnowledgeBase& kb);

// Reads `<dir>/*.md` (README.md excepted) and `<dir>/lexicon/*.tsv`. Throws KnowledgeError listing
// every problem, parse or content, so a bad edit stops start-up with all of them named.
KnowledgeBase LoadKnowledgeBase(const std::filesystem::path& dir);

}  // namespace vf::knowledge
