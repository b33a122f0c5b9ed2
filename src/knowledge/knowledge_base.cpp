#include "knowledge/knowledge_base.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "core/digest.hpp"
#include "core/text.hpp"

namespace vf::knowledge {
namespace {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> SplitTrimmed(std::string_view s, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(separator, start);
    if (end == std::string_view::npos) end = s.size();
    auto part = Trim(s.substr(start, end - start));
    if (!part.empty()) parts.emplace_back(part);
    start = end + 1;
  }
  return parts;
}

int CountWords(std::string_view text) {
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::string Where(const std::string& file, int line) { return file + ":" + std::to_string(line); }

bool IsIdChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::string ReadOrThrow(const std::filesystem::path& path) {
  auto text = ReadFile(path);
  if (!text) throw KnowledgeError("cannot read " + path.string());
  return *text;
}

void FinishPassage(Passage& p, std::vector<std::string_view>& body_lines, Problems& problems,
                   std::vector<Passage>& out) {
  // Trailing blank lines belong to the gap before the next heading.
  while (!body_lines.empty() && Trim(body_lines.back()).empty()) body_lines.pop_back();
  std::string body;
  for (auto line : body_lines) {
    if (!body.empty()) body += '\n';
    body += Trim(line);
  }
  p.body = std::move(body);
  p.words = CountWords(p.body);
  if (p.id.empty()) {
    problems.push_back(Where(p.file, p.line) + ": passage \"" + p.title + "\" has no id");
    return;
  }
  out.push_back(std::move(p));
}

}  // namespace

bool IsKnownNamespace(std::string_view name) {
  return std::find(kNamespaces.begin(), kNamespaces.end(), name) != kNamespaces.end();
}

const Passage* KnowledgeBase::Find(std::string_view id) const {
  auto it = index_by_id.find(std::string(id));
  return it == index_by_id.end() ? nullptr : &passages[it->second];
}

std::vector<Passage> ParsePassages(std::string_view text, const std::string& file,
                                   Problems& problems) {
  std::vector<Passage> out;
  std::optional<Passage> current;
  std::vector<std::string_view> body_lines;
  bool in_fields = false;
  int number = 0;
  for (auto raw : SplitLines(text)) {
    ++number;
    auto line = Trim(raw);
    if (line.rfind("## ", 0) == 0) {
      if (current) FinishPassage(*current, body_lines, problems, out);
      current.emplace();
      current->title = std::string(Trim(line.substr(3)));
      current->file = file;
      current->line = number;
      body_lines.clear();
      in_fields = true;
      continue;
    }
    if (!current) continue;  // the file's title and introduction
    if (in_fields) {
      if (line.empty()) {
        in_fields = false;
        continue;
      }
      auto colon = line.find(':');
      if (colon == std::string_view::npos) {
        problems.push_back(Where(file, number) + ": expected \"field: value\" or a blank line");
        continue;
      }
      auto field = Trim(line.substr(0, colon));
      auto value = Trim(line.substr(colon + 1));
      if (field == "id") {
        current->id = std::string(value);
      } else if (field == "namespace") {
        current->name_space = std::string(value);
      } else if (field == "tags") {
        current->tags = SplitTrimmed(value, ';');
      } else if (field == "questions") {
        current->questions = SplitTrimmed(value, ';');
      } else if (field == "cite") {
        current->cite = std::string(value);
      } else {
        problems.push_back(Where(file, number) + ": unknown field \"" + std::string(field) + "\"");
      }
      continue;
    }
    body_lines.push_back(raw);
  }
  if (current) FinishPassage(*current, body_lines, problems, out);
  return out;
}

std::vector<SynonymGroup> ParseSynonyms(std::string_view text, const std::string& file,
                                        Problems& problems, std::string* version) {
  std::vector<SynonymGroup> out;
  int number = 0;
  for (auto raw : SplitLines(text)) {
    ++number;
    auto line = Trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      auto rest = Trim(line.substr(1));
      if (version && rest.rfind("version:", 0) == 0) *version = std::string(Trim(rest.substr(8)));
      continue;
    }
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) {
      problems.push_back(Where(file, number) + ": expected \"term<TAB>variant|variant\"");
      continue;
    }
    SynonymGroup group;
    group.terms.push_back(AsciiLower(Trim(line.substr(0, tab))));
    for (auto& variant : SplitTrimmed(line.substr(tab + 1), '|')) {
      group.terms.push_back(AsciiLower(variant));
    }
    if (group.terms.size() < 2 || group.terms.front().empty()) {
      problems.push_back(Where(file, number) + ": a synonym group needs two terms");
      continue;
    }
    out.push_back(std::move(group));
  }
  return out;
}

std::vector<NamespaceTrigger> ParseTriggers(std::string_view text, const std::string& file,
                                            Problems& problems) {
  std::vector<NamespaceTrigger> out;
  int number = 0;
  for (auto raw : SplitLines(text)) {
    ++number;
    auto line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) {
      problems.push_back(Where(file, number) + ": expected \"term<TAB>namespace[,namespace]\"");
      continue;
    }
    NamespaceTrigger trigger{AsciiLower(Trim(line.substr(0, tab))),
                             SplitTrimmed(line.substr(tab + 1), ',')};
    for (const auto& ns : trigger.namespaces) {
      if (!IsKnownNamespace(ns)) {
        problems.push_back(Where(file, number) + ": unknown namespace \"" + ns + "\"");
      }
    }
    if (trigger.term.empty() || trigger.namespaces.empty()) {
      problems.push_back(Where(file, number) + ": empty trigger");
      continue;
    }
    out.push_back(std::move(trigger));
  }
  return out;
}

Problems Check(const KnowledgeBase& kb) {
  Problems problems;
  std::set<std::string> seen;
  for (const auto& p : kb.passages) {
    auto at = Where(p.file, p.line) + ": " + (p.id.empty() ? p.title : p.id) + ": ";
    if (!seen.insert(p.id).second) problems.push_back(at + "duplicate id");
    if (!std::all_of(p.id.begin(), p.id.end(), IsIdChar)) {
      problems.push_back(at + "id must be lowercase letters, digits and '-'");
    }
    if (!IsKnownNamespace(p.name_space)) {
      problems.push_back(at + "unknown namespace \"" + p.name_space + "\"");
    } else if (p.id.rfind(p.name_space + "-", 0) != 0) {
      problems.push_back(at + "id must start with \"" + p.name_space + "-\"");
    }
    auto stem = std::filesystem::path(p.file).stem().string();
    if (stem != p.name_space) problems.push_back(at + "namespace differs from its file's name");
    if (p.title.empty()) problems.push_back(at + "empty title");
    if (p.cite.empty()) problems.push_back(at + "empty cite");
    if (p.tags.empty()) problems.push_back(at + "no tags");
    if (p.words < kMinWords || p.words > kMaxWords) {
      problems.push_back(at + std::to_string(p.words) + " words (must be " +
                         std::to_string(kMinWords) + "-" + std::to_string(kMaxWords) + ")");
    }
  }
  for (const auto& group : kb.synonyms) {
    for (const auto& term : group.terms) {
      if (term.empty()) problems.push_back("synonyms: empty term in group " + group.terms[0]);
    }
  }
  return problems;
}

KnowledgeBase LoadKnowledgeBase(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw KnowledgeError("not a directory: " + dir.string());
  std::vector<fs::path> passage_files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".md" &&
        entry.path().filename() != "README.md") {
      passage_files.push_back(entry.path());
    }
  }
  std::sort(passage_files.begin(), passage_files.end());
  if (passage_files.empty()) throw KnowledgeError("no passages in " + dir.string());

  KnowledgeBase kb;
  Problems problems;
  std::string hashed;  // every file's name and bytes, in a fixed order
  for (const auto& path : passage_files) {
    auto text = ReadOrThrow(path);
    auto name = path.filename().string();
    hashed += name + '\0' + text + '\0';
    for (auto& p : ParsePassages(text, name, problems)) kb.passages.push_back(std::move(p));
  }
  auto lexicon = dir / "lexicon";
  if (fs::exists(lexicon / "synonyms.tsv")) {
    auto text = ReadOrThrow(lexicon / "synonyms.tsv");
    hashed += std::string("synonyms.tsv") + '\0' + text + '\0';
    kb.synonyms = ParseSynonyms(text, "lexicon/synonyms.tsv", problems, &kb.synonyms_version);
  }
  if (fs::exists(lexicon / "namespace-triggers.tsv")) {
    auto text = ReadOrThrow(lexicon / "namespace-triggers.tsv");
    hashed += std::string("namespace-triggers.tsv") + '\0' + text + '\0';
    kb.triggers = ParseTriggers(text, "lexicon/namespace-triggers.tsv", problems);
  }
  for (auto& problem : Check(kb)) problems.push_back(std::move(problem));
  if (!problems.empty()) {
    std::string message = "knowledge base " + dir.string() + " has " +
                          std::to_string(problems.size()) + " problem(s):";
    for (const auto& problem : problems) message += "\n  " + problem;
    throw KnowledgeError(message);
  }
  for (size_t i = 0; i < kb.passages.size(); ++i) kb.index_by_id[kb.passages[i].id] = i;
  kb.version = Sha256Hex(hashed);
  return kb;
}

}  // namespace vf::knowledge
