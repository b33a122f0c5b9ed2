// The knowledge base's format and content rules, and the real knowledge/ folder against them.

#include "knowledge/knowledge_base.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

namespace vf::knowledge {
namespace {

namespace fs = std::filesystem;

std::string Words(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " w" : "w") + std::to_string(i);
  return out;
}

TEST(KnowledgeBaseParse, ReadsFieldsTitleAndBody) {
  std::string text =
      "# Strength\nIntro line.\n\n## Rest between sets\nid: strength-rest\n"
      "namespace: strength\ntags: rest; recovery between sets\ncite: ACSM 2009\n"
      "questions: how long between sets; do i need 3 min rest\n\n"
      "First paragraph.\n\nSecond paragraph.\n\n\n## Next\nid: strength-next\n"
      "namespace: strength\ntags: a\ncite: b\n\nBody two.\n";
  Problems problems;
  auto passages = ParsePassages(text, "strength.md", problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(passages.size(), 2u);
  EXPECT_EQ(passages[0].title, "Rest between sets");
  EXPECT_EQ(passages[0].id, "strength-rest");
  EXPECT_EQ(passages[0].tags, (std::vector<std::string>{"rest", "recovery between sets"}));
  EXPECT_EQ(passages[0].cite, "ACSM 2009");
  EXPECT_EQ(passages[0].questions,
            (std::vector<std::string>{"how long between sets", "do i need 3 min rest"}));
  EXPECT_EQ(passages[0].body, "First paragraph.\n\nSecond paragraph.");
  EXPECT_EQ(passages[0].words, 4);
  EXPECT_EQ(passages[0].line, 4);
  EXPECT_EQ(passages[1].body, "Body two.");
}

TEST(KnowledgeBaseParse, NamesStructuralProblemsWithTheirLines) {
  std::string text = "## No id\nnamespace: strength\nauthor: me\n\nBody.\n## Bad field\nid x\n";
  Problems problems;
  auto passages = ParsePassages(text, "strength.md", problems);
  EXPECT_TRUE(passages.empty());
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0], "strength.md:3: unknown field \"author\"");
  EXPECT_NE(problems[1].find("strength.md:1: passage \"No id\" has no id"), std::string::npos);
  EXPECT_NE(problems[2].find("strength.md:7: expected"), std::string::npos);
}

TEST(KnowledgeBaseCheck, FlagsEveryContentRule) {
  KnowledgeBase kb;
  Passage good{"strength-a", "A", "strength", {"t"}, {}, "ACSM", Words(80), "strength.md", 1, 80};
  kb.passages.push_back(good);
  auto duplicate = good;
  kb.passages.push_back(duplicate);
  auto short_body = good;
  short_body.id = "strength-short";
  short_body.words = 12;
  kb.passages.push_back(short_body);
  auto no_cite = good;
  no_cite.id = "strength-nocite";
  no_cite.cite = "";
  kb.passages.push_back(no_cite);
  auto wrong_prefix = good;
  wrong_prefix.id = "running-x";
  kb.passages.push_back(wrong_prefix);
  auto unknown = good;
  unknown.id = "yoga-x";
  unknown.name_space = "yoga";
  kb.passages.push_back(unknown);
  auto upper = good;
  upper.id = "strength-Upper";
  kb.passages.push_back(upper);
  auto Count = [&](const std::string& fragment) {
    int n = 0;
    for (const auto& p : Check(kb)) n += p.find(fragment) != std::string::npos;
    return n;
  };
  EXPECT_EQ(Count("duplicate id"), 1);
  EXPECT_EQ(Count("12 words"), 1);
  EXPECT_EQ(Count("empty cite"), 1);
  EXPECT_EQ(Count("must start with \"strength-\""), 1);
  EXPECT_EQ(Count("unknown namespace \"yoga\""), 1);
  EXPECT_EQ(Count("lowercase"), 1);
  EXPECT_EQ(Check(kb).size(), 7u);  // the namespace "yoga" also differs from its file
}

TEST(KnowledgeBaseParse, LexiconsAndTheirVersion) {
  Problems problems;
  std::string version;
  auto groups = ParseSynonyms("# version: 3\n1rm\tone rep max|One-Rep Max\nlonely\n", "s.tsv",
                              problems, &version);
  EXPECT_EQ(version, "3");
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].terms, (std::vector<std::string>{"1rm", "one rep max", "one-rep max"}));
  ASSERT_EQ(problems.size(), 1u);
  auto triggers =
      ParseTriggers("knee pain\tinjury, running\nsleep\trecovery\nx\tyoga\n", "t.tsv", problems);
  ASSERT_EQ(triggers.size(), 3u);
  EXPECT_EQ(triggers[0].namespaces, (std::vector<std::string>{"injury", "running"}));
  EXPECT_EQ(problems.size(), 2u);  // yoga
}

// The shipped knowledge base: the minimum ground, and every passage within the rules.
TEST(ShippedKnowledgeBase, LoadsWithoutProblemsAndCoversEveryNamespace) {
  auto kb = LoadKnowledgeBase(fs::path(VOICEFIT_SOURCE_DIR) / "knowledge");
  EXPECT_GE(kb.passages.size(), 300u);
  std::map<std::string, int> per_namespace;
  for (const auto& p : kb.passages) ++per_namespace[p.name_space];
  for (auto ns : kNamespaces) {
    EXPECT_GE(per_namespace[std::string(ns)], 15) << ns;
  }
  EXPECT_GE(per_namespace["exercises"], 60);
  EXPECT_GE(kb.synonyms.size(), 200u);
  EXPECT_GE(kb.triggers.size(), 200u);
  EXPECT_FALSE(kb.synonyms_version.empty());
  EXPECT_EQ(kb.version.size(), 64u);
  for (const auto& p : kb.passages) EXPECT_EQ(kb.Find(p.id), &p);
}

TEST(ShippedKnowledgeBase, VersionChangesWithAnyEdit) {
  auto source = fs::path(VOICEFIT_SOURCE_DIR) / "knowledge";
  auto copy = fs::temp_directory_path() / ("kb-version-test-" + std::to_string(::getpid()));
  fs::remove_all(copy);
  fs::copy(source, copy, fs::copy_options::recursive);
  auto before = LoadKnowledgeBase(copy).version;
  EXPECT_EQ(LoadKnowledgeBase(copy).version, before);
  {
    std::ofstream out(copy / "lexicon" / "synonyms.tsv", std::ios::app);
    out << "zzzz\tzzzz variant\n";
  }
  EXPECT_NE(LoadKnowledgeBase(copy).version, before);
  {
    std::ofstream out(copy / "strength.md", std::ios::app);
    out << "\n## Broken\nnamespace: strength\n\nNo id here.\n";
  }
  EXPECT_THROW(LoadKnowledgeBase(copy), KnowledgeError);
  fs::remove_all(copy);
}

}  // namespace
}  // namespace vf::knowledge
