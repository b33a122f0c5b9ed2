#pragma once
// Retrieval evaluation (knowledge/README.md): graded judgments (TREC qrels), the standard
// metrics as trec_eval computes them (a passage graded 1 or 2 is relevant; linear gain), a fixed
// 70/30 split by query id, and selector precision/recall against gold namespaces.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rag/rag_service.hpp"

namespace vf::rag {

struct EvalQuery {
  std::string qid;
  std::string endpoint;  // "user" or the route whose transformer made it
  std::vector<std::string> gold_namespaces;
  RagQuery query;
  std::map<std::string, int> grades;  // passage id -> 0, 1 or 2
};

// Reads eval/*.queries.tsv, eval/*.qrels and eval/endpoint-fixtures.json (whose requests go
// through their transformers now, so the set measures the transformers as they are).
std::vector<EvalQuery> LoadEvalSet(const std::filesystem::path& knowledge_dir);

// kTrain and kTest: the 70/30 split of the development set, fixed by a hash of the query id.
// kFresh ("fr-...") and kFinal ("fs-..."): questions written after development by writers who saw
// neither the passages nor any other query. The first fresh set served once as a validation set
// (the weight of the expansion questions, twice); the final one was judged after the first
// round of decisions. kHoldout ("ft-..."): a third such set, judged after the second round
// (eight expansion questions per passage) and measured once. kAudit ("fa-..."): a fourth such
// set, written and judged after every decision so far, for a figure no decision has seen.
// kPooled: kTest, kFinal, kHoldout and kAudit together, the sets no setting was decided on (280
// queries), for a figure whose interval is about half as wide as one set's.
enum class Split { kTrain, kTest, kFresh, kFinal, kHoldout, kAudit, kPooled, kAll };
// The split a name given on the command line stands for ("train", "test", ...); none if unknown.
std::optional<Split> SplitNamed(std::string_view name);
bool InTestSplit(std::string_view qid);  // 30% of ids, fixed by a hash
bool InFreshSet(std::string_view qid);
bool InFinalSet(std::string_view qid);
bool InHoldoutSet(std::string_view qid);
bool InAuditSet(std::string_view qid);
std::vector<const EvalQuery*> SplitOf(const std::vector<EvalQuery>& set, Split split);

// Share of the relevant passages (graded at least `min_grade`) found in the top k.
double RecallAt(std::span<const std::string> ranked, const std::map<std::string, int>& grades,
                size_t k, int min_grade = 1);
// Capped recall (BEIR's R_cap@k: found / min(k, relevant)) of the passages that answer the query
// (grade 2; grade 1 when none does): whether what a route needs reaches the k passages it puts
// in front of the model or the user. Capped, because a program query with seven answering
// passages is served perfectly by five of them.
double AnswerRecallAt(std::span<const std::string> ranked, const std::map<std::string, int>& grades,
                      size_t k);
double ReciprocalRankAt(std::span<const std::string> ranked,
                        const std::map<std::string, int>& grades, size_t k);
double NdcgAt(std::span<const std::string> ranked, const std::map<std::string, int>& grades,
              size_t k);

struct QueryOutcome {
  const EvalQuery* query = nullptr;
  std::vector<std::string> ranked;  // top 10
  std::vector<std::string> namespaces;
  double recall5 = 0, recall5_any = 0, rr10 = 0, ndcg10 = 0, ns_precision = 0, ns_recall = 0;
};

struct EvalReport {
  size_t queries = 0;
  double recall5 = 0;      // answer recall@5 (the gate)
  double recall5_any = 0;  // recall@5 of every passage graded 1 or 2
  double mrr10 = 0, ndcg10 = 0;
  double selector_precision = 0, selector_recall = 0;
  std::vector<QueryOutcome> outcomes;

  // The means, and a 95% bootstrap interval for answer recall@5 and nDCG@10 (`..._ci95`).
  nlohmann::json Summary() const;
  // Every query whose answering passages are not all in the top 5, with what came instead.
  std::string Misses() const;
};

// The 95% percentile bootstrap interval of the mean of `values` (Efron & Tibshirani 1993):
// how far the mean of this many queries could move on another draw of queries like them.
// Resampled `resamples` times with a fixed seed, so a report reads the same every run.
std::pair<double, double> BootstrapInterval95(std::span<const double> values,
                                              size_t resamples = 2000);

// One qrels file on its own, kept apart from the evaluation set: qid -> passage -> grade (the
// highest where a line repeats).
std::map<std::string, std::map<std::string, int>> LoadQrels(const std::filesystem::path& path);

// The passages that answer a query by `grades`, as AnswerRecallAt counts them: grade 2, or grade
// 1 when nothing is graded 2.
std::vector<std::string> AnsweringPassages(const std::map<std::string, int>& grades);

// A judge's grades used as a retrieval: the judge's answering passages first, then its other
// relevant ones, each tier in an order drawn uniformly at random. The answer recall@k that
// ranking is expected to score against `truth`, exactly (the mean over every order).
double ExpectedAnswerRecallOfJudge(const std::map<std::string, int>& judge,
                                   const std::map<std::string, int>& truth, size_t k);

// Cohen's kappa (1960) of paired ratings in 0..categories-1: agreement beyond what the two
// raters' own rates would give by chance. 1 when they agree on every pair; 0 at chance.
double CohensKappa(std::span<const std::pair<int, int>> ratings, int categories);

// How far a second, independent judgment of the same queries agrees with the set's own (TREC
// practice: Voorhees 2000). Over the queries `second` grades: Cohen's kappa on grades and on
// "answers it or not" for the passages both graded, the overlap of the two answer sets, and
// each judgment's answers used as a retrieval and scored by answer recall@5 against the other:
// how well a person choosing from the judged passages would do against the other judgment.
struct JudgeAgreement {
  size_t queries = 0;
  size_t passages = 0;         // graded by both
  size_t found_by_second = 0;  // graded relevant by the second judge, never judged in the set
  double grade_kappa = 0, answer_kappa = 0;
  std::vector<double> answer_overlap;    // per query: Jaccard of the two answer sets
  std::vector<double> second_as_system;  // the second judge's answers, scored by the set
  std::vector<double> set_as_system;     // the set's answers, scored by the second judge
  nlohmann::json Summary() const;        // means with 95% bootstrap intervals
};
JudgeAgreement CompareJudges(std::span<const EvalQuery* const> queries,
                             const std::map<std::string, std::map<std::string, int>>& second);

// Runs each query through `service.Compute` (the full pipeline, k = 10 for the metrics).
EvalReport Evaluate(const RagService& service, std::span<const EvalQuery* const> queries);

// Judging pools (TREC practice): for each query, the union of the top `depth` of several
// configurations (the current one, without the namespace filter, the plain leg alone, with
// feedback always, without the expansion questions), each passage with its grade so far (null
// when unjudged). JSON lines.
std::string JudgingPools(Retriever& retriever, NamespaceSelector& selector, RagService& service,
                         const std::vector<EvalQuery>& set, size_t depth);

// What tuning optimises: the mean of nDCG@10 and recall@5 (ranking quality, and whether the
// passages that answer make the five a route puts in its prompt).
double Objective(const EvalReport& report);

// Coordinate ascent over the retrieval, selector and diversity settings on `queries` (the
// training split): each setting in turn takes the value of its grid that scores best, for
// `rounds` passes. Leaves the best settings in place and logs each step.
struct TuningResult {
  RetrievalSettings retrieval;
  SelectorSettings selector;
  RankingSettings diversity;
  double objective = 0;
};
TuningResult Tune(Retriever& retriever, NamespaceSelector& selector, RagService& service,
                  std::span<const EvalQuery* const> queries, std::ostream& log, int rounds = 2);

}  // namespace vf::rag
