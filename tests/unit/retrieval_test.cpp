// Retrieval over a small knowledge base written here: one analyzer for index and query, synonym
// expansion, namespace filters, fusion, diversity, the namespace selector and the cached service.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "cache/memory_cache.hpp"
#include "cache/single_flight.hpp"
#include "rag/analyzer.hpp"
#include "rag/diversity.hpp"
#include "rag/namespace_selector.hpp"
#include "rag/rag_service.hpp"
#include "rag/retriever.hpp"
#include "test_passages.hpp"

namespace vf::rag {
namespace {

using knowledge::KnowledgeBase;

KnowledgeBase SmallKnowledgeBase() {
  KnowledgeBase kb;
  auto add = [&](std::string id, std::string ns, std::string title, std::string body,
                 std::vector<std::string> tags = {}) {
    kb.passages.push_back(testing::TestPassage(id, ns, title, body, tags));
  };
  add("recovery-soreness", "recovery", "Delayed onset muscle soreness",
      "Delayed onset muscle soreness peaks one to three days after unaccustomed eccentric work "
      "and fades within a week. Gentle movement helps it feel better.");
  add("running-easy", "running", "Easy runs",
      "Easy running at a conversational pace builds aerobic fitness. Most weekly running "
      "should be easy.",
      {"zone 2", "conversation pace", "3 runs a week"});
  add("running-knee", "running", "Knee pain while running",
      "Knee pain at the front of the knee while running often settles when weekly running "
      "volume is reduced and hills are avoided for a while.");
  add("injury-knee", "injury", "Patellofemoral pain",
      "Patellofemoral pain is an ache around the kneecap made worse by stairs, squatting and "
      "running downhill. Hip and quadriceps strengthening helps.",
      {"runner's knee", "knee pain"});
  add("injury-knee-copy", "injury", "Kneecap pain and loading",
      "Patellofemoral pain is an ache around the kneecap made worse by stairs, squatting and "
      "running downhill. Quadriceps and hip strengthening help it settle.");
  add("injury-ankle", "injury", "Ankle sprain",
      "An ankle sprain is best managed with early "
      "protected movement, then balance and strength work before returning to sport.");
  kb.passages.back().questions = {"rolled it landing from a rebound playing hoops"};
  add("travel-italy", "general-health", "Training while travelling in Italy",
      "Hotel gyms in Italy are small; bodyweight circuits and hypertrophy supersets fit them.");
  add("strength-one-rep", "strength", "Testing a one-rep max",
      "A one-rep max test follows a ramp of warm-up singles; most lifters need three to five "
      "minutes between the heavy attempts.");
  kb.synonyms = {{{"doms", "delayed onset muscle soreness", "muscle soreness"}},
                 {{"1rm", "one rep max", "one-rep max"}},
                 {{"runner's knee", "patellofemoral pain", "pfps"}}};
  kb.triggers = {{"knee", {"injury"}}, {"marathon", {"running"}}};
  for (size_t i = 0; i < kb.passages.size(); ++i) kb.index_by_id[kb.passages[i].id] = i;
  kb.version = "v1";
  return kb;
}

std::vector<std::string> Ids(const Retriever& r, const std::vector<Candidate>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(r.knowledge_base().passages[h.passage].id);
  return ids;
}

TEST(Analyzer, LowercasesStemsAndDropsPossessivesAndStopwords) {
  Analyzer a;
  auto tokens = a.Analyze("My Runner's knees HURT when running—don’t they?");
  std::vector<std::string> stems, stopwords;
  for (const auto& t : tokens) (t.stopword ? stopwords : stems).push_back(t.stem);
  EXPECT_EQ(stems, (std::vector<std::string>{"runner", "knee", "hurt", "run"}));
  EXPECT_EQ(stopwords, (std::vector<std::string>{"my", "when", "dont", "they"}));
  EXPECT_EQ(tokens[3].position, 3u);
}

// The guard against an index stemmed one way and queries another (the classic silent bug).
TEST(Retriever, IndexAndQueryShareOneAnalyzer) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  for (auto [query, id] : {std::pair{"ITALY", "travel-italy"},
                           {"runs", "running-easy"},
                           {"Hypertrophy", "travel-italy"},
                           {"sprained ankles", "injury-ankle"}}) {
    auto hits = r.Search(query, {}, 3);
    ASSERT_FALSE(hits.empty()) << query;
    EXPECT_EQ(Ids(r, hits)[0], id) << query;
  }
  EXPECT_TRUE(r.Search("the of and", {}, 3).empty());
}

TEST(Retriever, SynonymGroupsFindPassagesThePlainWordsMiss) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  auto analyzed = r.Analyze("got doms from yesterday?");
  EXPECT_EQ(analyzed.expanded_groups, 1u);
  auto plain = r.SearchLeg(analyzed, Retriever::Leg::kPlain, {}, 5);
  auto synonyms = r.SearchLeg(analyzed, Retriever::Leg::kSynonyms, {}, 5);
  EXPECT_TRUE(plain.empty());  // neither "doms" nor "yesterday" is written in any passage
  ASSERT_FALSE(synonyms.empty());
  EXPECT_EQ(Ids(r, synonyms)[0], "recovery-soreness");
  // A phrase of the lexicon matches as a phrase: "1rm" finds "one-rep max".
  EXPECT_EQ(Ids(r, r.Search("how to test my 1RM", {}, 1))[0], "strength-one-rep");
}

TEST(Retriever, MisspeltWordsAreCorrectedAgainstTheKnowledgeBase) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  EXPECT_EQ(r.CorrectSpelling("spraine"), "sprain");
  EXPECT_EQ(r.CorrectSpelling("ankle"), "ankle");        // known
  EXPECT_EQ(r.CorrectSpelling("sprai"), "sprai");        // too short to guess at
  EXPECT_EQ(r.CorrectSpelling("zzzzzzzz"), "zzzzzzzz");  // nothing close
  auto hits = r.Search("spraine", {}, 3);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(Ids(r, hits)[0], "injury-ankle");
}

TEST(Retriever, ExpansionQuestionsMatchUsersWords) {
  auto kb = SmallKnowledgeBase();
  RetrievalSettings s;
  s.questions_weight = 0;
  Retriever r(kb, {}, s);
  EXPECT_TRUE(r.Search("hoops", {}, 3).empty());
  s.questions_weight = 1;
  r.set_settings(s);
  EXPECT_EQ(Ids(r, r.Search("hoops", {}, 3))[0], "injury-ankle");
}

TEST(Retriever, BareNumbersInTagsAreNotTopics) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  EXPECT_TRUE(r.Search("3", {}, 3).empty());  // only a tag says "3 runs a week"
  EXPECT_EQ(Ids(r, r.Search("runs a week", {}, 1))[0], "running-easy");
}

TEST(Retriever, NamespaceFilterIsAppliedInsideTheEngine) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  std::vector<std::string> running{"running"};
  auto hits = r.Search("knee pain", running, 10);
  ASSERT_FALSE(hits.empty());
  for (const auto& id : Ids(r, hits)) EXPECT_EQ(id.rfind("running-", 0), 0u) << id;
  auto all = Ids(r, r.Search("knee pain", {}, 10));
  EXPECT_NE(std::find(all.begin(), all.end(), "injury-knee"), all.end());
}

TEST(Retriever, TitleAndTagFieldsBoost) {
  auto kb = SmallKnowledgeBase();
  RetrievalSettings s;
  s.title_weight = 0;
  s.tags_weight = 0;
  Retriever r(kb, {}, s);
  auto analyzed = r.Analyze("zone 2");
  EXPECT_TRUE(r.SearchLeg(analyzed, Retriever::Leg::kPlain, {}, 5).empty());
  s.tags_weight = 1;
  r.set_settings(s);
  EXPECT_EQ(Ids(r, r.SearchLeg(analyzed, Retriever::Leg::kPlain, {}, 5))[0], "running-easy");
}

TEST(Retriever, EachKnowledgeBaseVersionHasItsOwnIndexFolder) {
  auto root = std::filesystem::temp_directory_path() / "voicefit-retrieval-test-index";
  std::filesystem::remove_all(root);
  auto kb = SmallKnowledgeBase();
  bool built = false;
  auto v1 = Retriever::PrepareIndex(kb, root, &built);
  EXPECT_TRUE(built);
  EXPECT_EQ(Retriever::PrepareIndex(kb, root, &built), v1);
  EXPECT_FALSE(built);  // reused
  Retriever old_version(kb, root);
  EXPECT_FALSE(old_version.built_index());
  EXPECT_EQ(old_version.index_dir(), v1);
  // The latent leg's decomposition is part of the prebuilt index.
  EXPECT_TRUE(std::filesystem::exists(
      v1 / LatentSemanticIndex::FileName(RetrievalSettings{}.latent_dimensions)));

  // A new version (a rolling deploy) builds beside it; the running one is not disturbed, even
  // for searchers it opens afterwards.
  auto kb2 = SmallKnowledgeBase();
  kb2.version = "v2";
  kb2.passages.pop_back();
  kb2.index_by_id.erase("strength-one-rep");
  Retriever new_version(kb2, root);
  EXPECT_TRUE(new_version.built_index());
  EXPECT_NE(new_version.index_dir(), v1);
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] { found += !old_version.Search("one rep max test", {}, 1).empty(); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 4);
  // Each serves its own version: the passage the new one dropped is found by the old one only.
  auto new_ids = Ids(new_version, new_version.Search("one rep max test singles", {}, 8));
  EXPECT_EQ(std::count(new_ids.begin(), new_ids.end(), "strength-one-rep"), 0);
  EXPECT_EQ(Ids(old_version, old_version.Search("one rep max test singles", {}, 1))[0],
            "strength-one-rep");
  std::filesystem::remove_all(root);
}

TEST(Retriever, ConcurrentBuildersOfOneVersionAgree) {
  auto root = std::filesystem::temp_directory_path() / "voicefit-retrieval-race-index";
  std::filesystem::remove_all(root);
  auto kb = SmallKnowledgeBase();
  std::vector<std::thread> builders;
  std::vector<std::filesystem::path> folders(4);
  for (int t = 0; t < 4; ++t) {
    builders.emplace_back([&, t] { folders[t] = Retriever::PrepareIndex(kb, root); });
  }
  for (auto& t : builders) t.join();
  for (const auto& folder : folders) EXPECT_EQ(folder, folders[0]);
  Retriever r(kb, root);
  EXPECT_FALSE(r.built_index());
  EXPECT_EQ(Ids(r, r.Search("ankle sprain", {}, 1))[0], "injury-ankle");
  size_t folders_left = 0;
  for (const auto& e : std::filesystem::directory_iterator(root)) folders_left += e.is_directory();
  EXPECT_EQ(folders_left, 1u);  // no staging folder left behind (beside it: its lock file)
  std::filesystem::remove_all(root);
}

// Old versions' folders go once no retriever has them open and they are over the age limit; a
// folder in use, a young one (prebuilt for a deploy that has not started) and the caller's own
// stay, and the retriever still using an old folder keeps working.
TEST(Retriever, PrunesOnlyIndexFoldersNobodyUses) {
  namespace fs = std::filesystem;
  auto root = fs::temp_directory_path() / "voicefit-retrieval-prune-index";
  fs::remove_all(root);
  auto version = [](std::string v) {
    auto kb = SmallKnowledgeBase();
    kb.version = std::move(v);
    return kb;
  };
  auto kb1 = version("v1"), kb2 = version("v2"), kb3 = version("v3"), kb4 = version("v4");
  auto in_use = std::make_unique<Retriever>(kb1, root);
  auto unused = Retriever::PrepareIndex(kb2, root);
  auto young = Retriever::PrepareIndex(kb3, root);
  auto dead_build = root / ".building-abc123";
  fs::create_directories(dead_build);
  auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  for (const auto& folder : {in_use->index_dir(), unused, dead_build}) {
    fs::last_write_time(folder, two_hours_ago);
  }

  Retriever current(kb4, root);  // prunes as it starts
  EXPECT_TRUE(fs::exists(current.index_dir()));
  EXPECT_TRUE(fs::exists(in_use->index_dir()));
  EXPECT_FALSE(fs::exists(unused));
  EXPECT_TRUE(fs::exists(young));
  EXPECT_FALSE(fs::exists(dead_build));
  EXPECT_EQ(Ids(*in_use, in_use->Search("ankle sprain", {}, 1))[0], "injury-ankle");

  auto old_folder = in_use->index_dir();
  in_use.reset();  // its server stopped
  EXPECT_EQ(Retriever::PruneIndexFolders(root, current.index_dir()), 1u);
  EXPECT_FALSE(fs::exists(old_folder));
  EXPECT_EQ(Retriever::PruneIndexFolders(root, current.index_dir(), std::chrono::seconds(0)), 1u);
  EXPECT_FALSE(fs::exists(young));
  EXPECT_EQ(Ids(current, current.Search("ankle sprain", {}, 1))[0], "injury-ankle");
  EXPECT_EQ(Retriever::PruneIndexFolders(root / "missing", {}), 0u);  // no throw, nothing done
  fs::remove_all(root);
}

TEST(Fusion, ReciprocalRankMatchesHandComputedScores) {
  std::vector<std::vector<Candidate>> lists{{{7, 9}, {3, 8}, {7, 1}}, {{3, 5}, {9, 4}}};
  std::vector<double> weights{1.0, 0.5};
  auto fused = FuseReciprocalRank(lists, weights, 60);
  ASSERT_EQ(fused.size(), 3u);
  double best = 1.0 / 61 + 0.5 / 61;
  // 3: 1/62 + 0.5/61; 7: 1/61 (its repeat is ignored); 9: 0.5/62.
  EXPECT_EQ(fused[0].passage, 3u);
  EXPECT_NEAR(fused[0].score, (1.0 / 62 + 0.5 / 61) / best, 1e-12);
  EXPECT_EQ(fused[1].passage, 7u);
  EXPECT_NEAR(fused[1].score, (1.0 / 61) / best, 1e-12);
  EXPECT_EQ(fused[2].passage, 9u);
  // Equal sums are ordered by the better single rank.
  std::vector<std::vector<Candidate>> tied{{{1, 0}, {2, 0}}, {{2, 0}, {1, 0}}};
  std::vector<double> equal{1, 1};
  EXPECT_EQ(FuseReciprocalRank(tied, equal, 60)[0].passage, 1u);
}

TEST(Diversity, MaximalMarginalRelevanceSkipsANearDuplicate) {
  std::vector<double> relevance{1.0, 0.95, 0.6};
  auto similarity = [](size_t a, size_t b) { return (a + b == 1) ? 0.98 : 0.1; };
  EXPECT_EQ(SelectDiverse(relevance, similarity, 2, 0.7), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(SelectDiverse(relevance, similarity, 2, 1.0), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(SelectDiverse(relevance, similarity, 5, 0.7).size(), 3u);
}

TEST(Retriever, SimilarityIsHighForNearDuplicatesOnly) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  EXPECT_GT(r.Similarity(3, 4), 0.6);
  EXPECT_LT(r.Similarity(3, 5), 0.2);
  EXPECT_NEAR(r.Similarity(5, 5), 1.0, 1e-5);
}

TEST(NamespaceSelector, UnitesPriorTriggersAndRetrievalMass) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  NamespaceSelector selector(r, {.mass_depth = 10, .share_threshold = 0.3, .use_triggers = true});
  std::vector<std::string> prior{"running"};
  auto s = selector.Select("my knee hurts on hills", prior);
  EXPECT_EQ(s.triggered, (std::vector<std::string>{"injury"}));
  EXPECT_EQ(s.namespaces[0], "running");
  EXPECT_NE(std::find(s.namespaces.begin(), s.namespaces.end(), "injury"), s.namespaces.end());
  // With no prior and no trigger, the namespace holding the mass is chosen.
  auto mass = selector.Select("sprained ankle", {});
  EXPECT_EQ(mass.namespaces, (std::vector<std::string>{"injury"}));
  EXPECT_NEAR(mass.shares[0].second, 1.0, 1e-9);
}

// The RAG service over an in-process cache, as the server wires it.
struct CachedService {
  CachedService(const Retriever& r, const NamespaceSelector& selector)
      : loader(memory,
               {"rag_context", RagService::FamilyVersion(r, selector, {}), std::chrono::hours(1)},
               flight),
        service(r, selector, &loader) {}
  cache::MemoryCache memory{{}};
  cache::SingleFlight flight;
  cache::Loader loader;
  RagService service;
};

TEST(RagService, CachesByQueryAndKnowledgeBaseVersion) {
  auto kb = SmallKnowledgeBase();
  RetrievalSettings settings;  // feedback from eight passages would be noise
  settings.feedback_weight = 0;
  Retriever r(kb, {}, settings);
  NamespaceSelector selector(r);
  CachedService cached(r, selector);
  RagService& service = cached.service;
  RagQuery q{"coach/ask", "Knee pain when running downhill", {}, 3};
  auto first = service.Retrieve(q);
  EXPECT_FALSE(first.cached);
  ASSERT_FALSE(first.sources.empty());
  auto second = service.Retrieve({"coach/ask", "knee   PAIN when running downhill?", {}, 3});
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(second.SourcesJson(), first.SourcesJson());
  EXPECT_EQ(second.MetaJson()["cache"], "hit");
  EXPECT_NE(service.CacheKey(q), service.CacheKey({"running/analyze", q.text, {}, 3}));
  EXPECT_NE(service.CacheKey(q), service.CacheKey({"coach/ask", q.text, {}, 4}));
  auto v1 = RagService::FamilyVersion(r, selector, {});
  kb.version = "v2";
  EXPECT_NE(RagService::FamilyVersion(r, selector, {}), v1);
  // Diversity: the near-duplicate kneecap passage does not follow its twin.
  service.set_ranking({.lambda = 0.5, .pool = 12});
  auto result = service.Compute({"coach/ask", "kneecap pain running", {"injury", "running"}, 2});
  ASSERT_EQ(result.sources.size(), 2u);
  std::set<std::string> ids{result.sources[0].id, result.sources[1].id};
  EXPECT_FALSE(ids.count("injury-knee") && ids.count("injury-knee-copy")) << result.SourcesJson();
  service.set_ranking({.lambda = 1.0, .pool = 12});
  auto plain = service.Compute({"coach/ask", "kneecap pain running", {"injury", "running"}, 2});
  EXPECT_EQ(plain.sources[0].id.substr(0, 11), plain.sources[1].id.substr(0, 11));
}

TEST(RagService, ARequiredFacetsAnswerReachesItsRank) {
  auto kb = SmallKnowledgeBase();
  RetrievalSettings settings;
  settings.feedback_weight = 0;
  Retriever r(kb, {}, settings);
  NamespaceSelector selector(r);
  RagService service(r, selector);
  auto ids = [](const RagResult& result) {
    std::vector<std::string> out;
    for (const auto& s : result.sources) out.push_back(s.id);
    return out;
  };
  // A running plan for an athlete with knee pain: the plan's query searches running only.
  // Its two passages fill k = 2, and the required rank (3) falls back to the k-th.
  RagQuery plan{"program/generate/running", "easy runs, running volume", {"running"}, 2};
  plan.only_these_namespaces = true;
  auto without = ids(service.Compute(plan));
  ASSERT_EQ(without.size(), 2u);
  for (const auto& id : without) EXPECT_EQ(id.rfind("injury-", 0), std::string::npos) << id;
  plan.required = {{"running with kneecap pain", {"injury"}}};
  auto with = ids(service.Compute(plan));
  ASSERT_EQ(with.size(), 2u);
  EXPECT_EQ(with[0], without[0]);
  EXPECT_EQ(with[1].rfind("injury-knee", 0), 0u) << with[1];
  EXPECT_NE(service.CacheKey(plan), service.CacheKey({plan.endpoint, plan.text, {"running"}, 2}));
  auto none = plan;
  none.k = 0;  // nothing asked for, nothing put in
  EXPECT_TRUE(service.Compute(none).sources.empty());

  // Present further down: moved up to the rank, the others keep their order, no duplicate.
  RagQuery knee{"coach/ask", "knee pain when running downhill", {"running", "injury"}, 5};
  knee.only_these_namespaces = true;
  auto plain = ids(service.Compute(knee));
  knee.required = {{"kneecap pain", {"injury"}}};
  service.set_ranking({.required_rank = 1});
  auto first = ids(service.Compute(knee));
  EXPECT_EQ(first[0].rfind("injury-knee", 0), 0u) << first[0];
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()),
            std::set<std::string>(plain.begin(), plain.end()));
  EXPECT_EQ(first.size(), plain.size());
  // Turned off, the facet changes nothing.
  service.set_ranking({.required_rank = 0});
  EXPECT_EQ(ids(service.Compute(knee)), plain);
  EXPECT_NE(RagService::FamilyVersion(r, selector, {.required_rank = 0}),
            RagService::FamilyVersion(r, selector, {}));
}

// Stands in for a hosted search leg (Upstash, an embeddings API: they cannot run here): ranks
// one passage first, or fails when told to, and counts what it was asked.
class HostedLegStandIn : public ExternalLeg {
 public:
  std::vector<std::string> Rank(const std::string& text, std::span<const std::string>,
                                size_t) override {
    ++ranks;
    ranked_texts.push_back(text);
    if (down) throw std::runtime_error("hosted leg: 503");
    return {"travel-italy"};
  }
  void Prepare(std::span<const std::string> texts) override {
    ++prepares;
    prepared = texts.size();
    prepared_texts.assign(texts.begin(), texts.end());
    if (down) throw std::runtime_error("hosted leg: 503");
  }
  std::string name() const override { return "hosted-stand-in"; }
  std::atomic<bool> down{false};
  int ranks = 0, prepares = 0;
  size_t prepared = 0;
  std::vector<std::string> ranked_texts, prepared_texts;
};

TEST(Retriever, AFailedExternalLegIsLeftOutForAWhileThenTriedAgain) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  HostedLegStandIn leg;
  // Long enough that the searches below run inside the break even on a loaded machine.
  r.AddExternalLeg(&leg, 10.0, std::chrono::milliseconds(1000));
  auto first = r.Search("knee pain running", {}, 5);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(kb.passages[first[0].passage].id, "travel-italy");  // weighted ten to one
  leg.down = true;
  bool missing = false;
  auto failed = r.Search("knee pain running", {}, 5, &missing);
  EXPECT_TRUE(missing);
  ASSERT_FALSE(failed.empty());  // the embedded legs answer alone
  EXPECT_NE(kb.passages[failed[0].passage].id, "travel-italy");
  EXPECT_EQ(r.FailingExternalLegs(), std::vector<std::string>{"hosted-stand-in"});
  // Open: the next searches go on without asking it at all.
  int asked = leg.ranks;
  missing = false;
  r.Search("ankle sprain", {}, 5, &missing);
  r.PrepareExternal(std::vector<std::string>{"ankle sprain"});
  EXPECT_TRUE(missing);
  EXPECT_EQ(leg.ranks, asked);
  EXPECT_EQ(leg.prepares, 0);
  EXPECT_EQ(r.external_failures(), 1u);
  EXPECT_EQ(r.external_skipped(), 2u);
  // The break over and the leg back: one search probes it, and it is fused in again.
  leg.down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  missing = false;
  auto back = r.Search("knee pain running", {}, 5, &missing);
  EXPECT_FALSE(missing);
  EXPECT_EQ(kb.passages[back[0].passage].id, "travel-italy");
  EXPECT_TRUE(r.FailingExternalLegs().empty());
}

TEST(RagService, AnExternalLegWithoutAComposedWeightRanksOnlyOnePhraseTexts) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  HostedLegStandIn leg;
  r.AddExternalLeg(&leg, 10.0, std::chrono::milliseconds(1000), 0.0);
  NamespaceSelector selector(r);
  RagService service(r, selector, nullptr, nullptr, {.required_rank = 0});
  service.set_overlap_below(1);  // prepared on this thread, so the counts below are settled

  // A route's query joined from two phrases: the leg is neither prepared nor asked.
  RagQuery plan{"program/generate/strength", "knee pain running. strength plan", {}, 3};
  plan.facets = {"knee pain running", "strength plan"};
  auto composed = service.Compute(plan);
  EXPECT_EQ(leg.prepares, 0);
  EXPECT_EQ(leg.ranks, 0);
  EXPECT_TRUE(composed.complete);
  ASSERT_FALSE(composed.sources.empty());
  EXPECT_NE(composed.sources[0].id, "travel-italy");

  // One phrase (a question in the athlete's words): fused in, weighted ten to one.
  auto question = service.Compute({"coach/ask", "knee pain running", {}, 3});
  EXPECT_EQ(leg.prepared_texts, std::vector<std::string>{"knee pain running"});
  EXPECT_EQ(leg.ranked_texts, std::vector<std::string>{"knee pain running"});
  ASSERT_FALSE(question.sources.empty());
  EXPECT_EQ(question.sources[0].id, "travel-italy");

  // A composed query's required facet is one phrase: prepared and ranked alone.
  service.set_ranking({});
  plan.required = {{"knee pain running", {"injury"}}};
  leg.ranked_texts.clear();
  service.Compute(plan);
  EXPECT_EQ(leg.prepared_texts, std::vector<std::string>{"knee pain running"});
  EXPECT_EQ(leg.ranked_texts, std::vector<std::string>{"knee pain running"});

  // The weights are part of every cache key's family.
  Retriever same_weight(kb, {});
  same_weight.AddExternalLeg(&leg, 10.0, std::chrono::milliseconds(1000));
  EXPECT_NE(same_weight.ExternalFingerprint(), r.ExternalFingerprint());
}

TEST(RagService, AsksTheExternalLegsForAllItsTextsAtOnceAndCachesOnlyWhatTheyAllAnswered) {
  auto kb = SmallKnowledgeBase();
  Retriever r(kb, {});
  HostedLegStandIn leg;
  r.AddExternalLeg(&leg, 1.0, std::chrono::milliseconds(1000));
  NamespaceSelector selector(r);
  CachedService cached(r, selector);
  RagService& service = cached.service;
  RagQuery plan{"program/generate/strength", "strength plan. training around knee pain", {}, 3};
  plan.required = {{"training around knee pain", {"injury"}}};
  EXPECT_FALSE(service.Retrieve(plan).cached);
  EXPECT_EQ(leg.prepares, 1);
  EXPECT_EQ(leg.prepared, 2u);  // the query and its required facet
  EXPECT_TRUE(service.Retrieve(plan).cached);

  // Computed while the leg was down: served, not cached; once it is back, computed again.
  leg.down = true;
  RagQuery ankle{"coach/ask", "rolled my ankle", {}, 3};
  auto degraded = service.Retrieve(ankle);
  EXPECT_FALSE(degraded.cached);
  EXPECT_FALSE(degraded.sources.empty());
  EXPECT_FALSE(service.Retrieve(ankle).cached);
  leg.down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto whole = service.Retrieve(ankle);
  EXPECT_FALSE(whole.cached);
  EXPECT_TRUE(service.Retrieve(ankle).cached);
}

// Stands in for an embeddings leg whose question takes a while to embed (a model run, a round
// trip): it notes the thread it was asked on and whether its texts were ready when asked to rank.
class SlowEmbeddingLegStandIn : public ExternalLeg {
 public:
  std::vector<std::string> Rank(const std::string&, std::span<const std::string>, size_t) override {
    ranked_before_prepared = ranked_before_prepared || !prepared;
    return {"travel-italy"};
  }
  void Prepare(std::span<const std::string>) override {
    prepare_thread = std::this_thread::get_id();
    thread_local int calls_on_this_thread = 0;
    most_calls_on_one_thread = std::max(most_calls_on_one_thread.load(), ++calls_on_this_thread);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    prepared = true;
  }
  std::string name() const override { return "slow-embedding-stand-in"; }
  std::atomic<bool> prepared{false};
  bool ranked_before_prepared = false;
  std::thread::id prepare_thread;
  std::atomic<int> most_calls_on_one_thread{0};
};

// A service whose one external leg is the slow stand-in, weighted ten to one over the lexical legs.
struct ServiceWithSlowLeg {
  knowledge::KnowledgeBase kb = SmallKnowledgeBase();
  Retriever retriever{kb, {}};
  SlowEmbeddingLegStandIn leg;
  NamespaceSelector selector{retriever};
  RagService service{retriever, selector};
  explicit ServiceWithSlowLeg(unsigned overlap_below) {
    retriever.AddExternalLeg(&leg, 10.0, std::chrono::milliseconds(1000));
    service.set_overlap_below(overlap_below);
  }
};

TEST(RagService, EmbedsTheQuestionWhileTheEmbeddedLegsSearchAndRanksOnlyOnceItIsEmbedded) {
  ServiceWithSlowLeg s(2);  // a second core is idle
  auto result = s.service.Compute({"coach/ask", "knee pain running", {}, 3});
  EXPECT_NE(s.leg.prepare_thread, std::this_thread::get_id());
  EXPECT_TRUE(s.leg.prepared);
  EXPECT_FALSE(s.leg.ranked_before_prepared);
  EXPECT_TRUE(result.complete);
  ASSERT_FALSE(result.sources.empty());
  EXPECT_EQ(result.sources[0].id, "travel-italy");
}

TEST(RagService, EmbedsOnThreadsKeptForItNotOnOneStartedPerRetrieval) {
  ServiceWithSlowLeg s(CoreCount() + 1);
  // One more retrieval than there are preparing threads (one per core): some thread must have
  // embedded twice, which a thread started per retrieval never does.
  for (unsigned i = 0; i <= CoreCount(); ++i) {
    s.service.Compute({"coach/ask", "knee pain running " + std::to_string(i), {}, 3});
  }
  EXPECT_NE(s.leg.prepare_thread, std::this_thread::get_id());
  EXPECT_GE(s.leg.most_calls_on_one_thread, 2);
}

TEST(RagService, EmbedsTheQuestionFirstOnTheRequestsThreadWhenEveryCoreIsRetrieving) {
  ServiceWithSlowLeg s(1);  // as if this retrieval took the last idle core
  auto result = s.service.Compute({"coach/ask", "knee pain running", {}, 3});
  EXPECT_EQ(s.leg.prepare_thread, std::this_thread::get_id());
  EXPECT_FALSE(s.leg.ranked_before_prepared);
  ASSERT_FALSE(result.sources.empty());
  EXPECT_EQ(result.sources[0].id, "travel-italy");
}

}  // namespace
}  // namespace vf::rag
