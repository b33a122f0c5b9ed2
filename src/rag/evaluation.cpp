#include "rag/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "core/text.hpp"
#include "knowledge/knowledge_base.hpp"
#include "rag/questionnaire.hpp"

namespace vf::rag {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> SplitOn(const std::string& s, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

// Figures to three decimals: one query in 64 moves them by far more than that.
double Rounded(double v) { return std::round(v * 1000) / 1000; }

// The grade a passage needs to answer a query: 2, or 1 when nothing is graded 2.
int AnsweringGrade(const std::map<std::string, int>& grades) {
  bool any_answer =
      std::any_of(grades.begin(), grades.end(), [](const auto& g) { return g.second >= 2; });
  return any_answer ? 2 : 1;
}

std::string ReadAll(const fs::path& path) {
  auto text = ReadFile(path);
  if (!text) throw knowledge::KnowledgeError("cannot read " + path.string());
  return *text;
}

std::vector<fs::path> FilesEndingWith(const fs::path& dir, std::string_view suffix) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().ends_with(suffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> NamespaceList(const std::string& field) {
  std::vector<std::string> out;
  for (auto& ns : SplitOn(field, ',')) {
    ns.erase(std::remove(ns.begin(), ns.end(), ' '), ns.end());
    if (!ns.empty()) out.push_back(ns);
  }
  return out;
}

}  // namespace

std::vector<EvalQuery> LoadEvalSet(const fs::path& knowledge_dir) {
  auto dir = knowledge_dir / "eval";
  std::vector<EvalQuery> set;
  std::map<std::string, size_t> by_qid;
  auto add = [&](EvalQuery q) {
    if (by_qid.count(q.qid)) throw knowledge::KnowledgeError("duplicate query id " + q.qid);
    by_qid[q.qid] = set.size();
    set.push_back(std::move(q));
  };
  for (const auto& path : FilesEndingWith(dir, ".queries.tsv")) {
    std::istringstream in(ReadAll(path));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto fields = SplitOn(line, '\t');
      if (fields.size() != 4) {
        throw knowledge::KnowledgeError(path.filename().string() + ": expected 4 fields: " + line);
      }
      EvalQuery q;
      q.qid = fields[0];
      q.endpoint = fields[1];
      q.gold_namespaces = NamespaceList(fields[2]);
      // A user's own question arrives the way coach/ask sends it: no prior namespaces.
      q.query = {"coach/ask", fields[3], {}, 10};
      add(std::move(q));
    }
  }
  auto fixtures_path = dir / "endpoint-fixtures.json";
  if (fs::exists(fixtures_path)) {
    auto fixtures = json::parse(ReadAll(fixtures_path));
    for (const auto& f : fixtures.at("fixtures")) {
      EvalQuery q;
      q.qid = f.at("qid").get<std::string>();
      q.endpoint = f.at("endpoint").get<std::string>();
      q.gold_namespaces = f.at("gold_namespaces").get<std::vector<std::string>>();
      const auto& context = fixtures.at("contexts").at(f.at("context").get<std::string>());
      q.query = TransformRequest(q.endpoint, f.at("request"), context);
      add(std::move(q));
    }
  }
  for (const auto& path : FilesEndingWith(dir, ".qrels")) {
    for (const auto& [qid, grades] : LoadQrels(path)) {
      auto it = by_qid.find(qid);
      if (it == by_qid.end()) {
        throw knowledge::KnowledgeError(path.filename().string() + ": unknown query " + qid);
      }
      for (const auto& [passage, grade] : grades) {
        auto& kept = set[it->second].grades[passage];
        kept = std::max(kept, grade);
      }
    }
  }
  return set;
}

bool InTestSplit(std::string_view qid) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (unsigned char c : qid) hash = (hash ^ c) * 16777619u;
  return hash % 10 < 3;
}

bool InFreshSet(std::string_view qid) { return qid.starts_with("fr-"); }
bool InFinalSet(std::string_view qid) { return qid.starts_with("fs-"); }
bool InHoldoutSet(std::string_view qid) { return qid.starts_with("ft-"); }
bool InAuditSet(std::string_view qid) { return qid.starts_with("fa-"); }

std::optional<Split> SplitNamed(std::string_view name) {
  static constexpr std::pair<std::string_view, Split> kNames[] = {
      {"train", Split::kTrain},   {"test", Split::kTest},       {"fresh", Split::kFresh},
      {"final", Split::kFinal},   {"holdout", Split::kHoldout}, {"audit", Split::kAudit},
      {"pooled", Split::kPooled}, {"all", Split::kAll}};
  for (auto [known, split] : kNames) {
    if (name == known) return split;
  }
  return std::nullopt;
}

std::vector<const EvalQuery*> SplitOf(const std::vector<EvalQuery>& set, Split split) {
  std::vector<const EvalQuery*> out;
  for (const auto& q : set) {
    // A query nobody has judged yet measures nothing.
    if (std::none_of(q.grades.begin(), q.grades.end(),
                     [](const auto& g) { return g.second > 0; })) {
      continue;
    }
    bool fresh = InFreshSet(q.qid), final = InFinalSet(q.qid), holdout = InHoldoutSet(q.qid),
         audit = InAuditSet(q.qid);
    bool development = !fresh && !final && !holdout && !audit;
    bool test = InTestSplit(q.qid);
    bool wanted =
        split == Split::kAll || (split == Split::kFresh && fresh) ||
        (split == Split::kFinal && final) || (split == Split::kHoldout && holdout) ||
        (split == Split::kAudit && audit) ||
        (split == Split::kPooled && (final || holdout || audit || (development && test))) ||
        (split == Split::kTest && development && test) ||
        (split == Split::kTrain && development && !test);
    if (wanted) out.push_back(&q);
  }
  return out;
}

double RecallAt(std::span<const std::string> ranked, const std::map<std::string, int>& grades,
                size_t k, int min_grade) {
  size_t relevant = 0, found = 0;
  for (const auto& [id, grade] : grades) relevant += grade >= min_grade;
  if (relevant == 0) return 0;
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) {
    auto it = grades.find(ranked[i]);
    found += it != grades.end() && it->second >= min_grade;
  }
  return static_cast<double>(found) / static_cast<double>(relevant);
}

double AnswerRecallAt(std::span<const std::string> ranked, const std::map<std::string, int>& grades,
                      size_t k) {
  const int min_grade = AnsweringGrade(grades);
  size_t relevant = 0;
  for (const auto& [id, grade] : grades) relevant += grade >= min_grade;
  if (relevant == 0) return 0;
  double found = RecallAt(ranked, grades, k, min_grade) * static_cast<double>(relevant);
  return found / static_cast<double>(std::min(k, relevant));
}

double ReciprocalRankAt(std::span<const std::string> ranked,
                        const std::map<std::string, int>& grades, size_t k) {
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) {
    auto it = grades.find(ranked[i]);
    if (it != grades.end() && it->second > 0) return 1.0 / static_cast<double>(i + 1);
  }
  return 0;
}

double NdcgAt(std::span<const std::string> ranked, const std::map<std::string, int>& grades,
              size_t k) {
  double dcg = 0;
  for (size_t i = 0; i < std::min(k, ranked.size()); ++i) {
    auto it = grades.find(ranked[i]);
    if (it != grades.end()) dcg += it->second / std::log2(static_cast<double>(i) + 2);
  }
  std::vector<int> ideal;
  for (const auto& [id, grade] : grades) ideal.push_back(grade);
  std::sort(ideal.rbegin(), ideal.rend());
  double idcg = 0;
  for (size_t i = 0; i < std::min(k, ideal.size()); ++i) {
    idcg += ideal[i] / std::log2(static_cast<double>(i) + 2);
  }
  return idcg > 0 ? dcg / idcg : 0;
}

EvalReport Evaluate(const RagService& service, std::span<const EvalQuery* const> queries) {
  EvalReport report;
  for (const auto* q : queries) {
    auto query = q->query;
    query.k = 10;
    auto result = service.Compute(query);
    QueryOutcome o;
    o.query = q;
    for (const auto& s : result.sources) o.ranked.push_back(s.id);
    o.namespaces = result.namespaces;
    o.recall5 = AnswerRecallAt(o.ranked, q->grades, 5);
    o.recall5_any = RecallAt(o.ranked, q->grades, 5);
    o.rr10 = ReciprocalRankAt(o.ranked, q->grades, 10);
    o.ndcg10 = NdcgAt(o.ranked, q->grades, 10);
    size_t right = 0;
    for (const auto& ns : o.namespaces) {
      right += std::count(q->gold_namespaces.begin(), q->gold_namespaces.end(), ns);
    }
    o.ns_precision = o.namespaces.empty() ? 0 : double(right) / double(o.namespaces.size());
    o.ns_recall =
        q->gold_namespaces.empty() ? 1 : double(right) / double(q->gold_namespaces.size());
    report.recall5 += o.recall5;
    report.recall5_any += o.recall5_any;
    report.mrr10 += o.rr10;
    report.ndcg10 += o.ndcg10;
    report.selector_precision += o.ns_precision;
    report.selector_recall += o.ns_recall;
    report.outcomes.push_back(std::move(o));
  }
  report.queries = queries.size();
  if (report.queries) {
    double n = static_cast<double>(report.queries);
    report.recall5 /= n;
    report.recall5_any /= n;
    report.mrr10 /= n;
    report.ndcg10 /= n;
    report.selector_precision /= n;
    report.selector_recall /= n;
  }
  return report;
}

std::pair<double, double> BootstrapInterval95(std::span<const double> values, size_t resamples) {
  if (values.empty()) return {0, 0};
  std::mt19937_64 rng(20261127);
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  std::vector<double> means(resamples);
  for (auto& mean : means) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += values[pick(rng)];
    mean = sum / static_cast<double>(values.size());
  }
  std::sort(means.begin(), means.end());
  auto at = [&](double q) {
    return means[std::min(means.size() - 1, static_cast<size_t>(q * double(means.size())))];
  };
  return {at(0.025), at(0.975)};
}

std::map<std::string, std::map<std::string, int>> LoadQrels(const fs::path& path) {
  std::map<std::string, std::map<std::string, int>> out;
  std::istringstream in(ReadAll(path));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string qid, zero, passage, rest;
    int grade = -1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!(fields >> qid >> zero >> passage >> grade) || (fields >> rest) || grade < 0 ||
        grade > 2) {
      throw knowledge::KnowledgeError(path.filename().string() +
                                      ": not `qid 0 passage grade`: " + line);
    }
    auto& kept = out[qid][passage];
    kept = std::max(kept, grade);
  }
  return out;
}

std::vector<std::string> AnsweringPassages(const std::map<std::string, int>& grades) {
  const int min_grade = AnsweringGrade(grades);
  std::vector<std::string> out;
  for (const auto& [id, grade] : grades) {
    if (grade >= min_grade) out.push_back(id);
  }
  return out;
}

double ExpectedAnswerRecallOfJudge(const std::map<std::string, int>& judge,
                                   const std::map<std::string, int>& truth, size_t k) {
  auto answers = AnsweringPassages(truth);
  if (answers.empty()) return 0;
  std::set<std::string> wanted(answers.begin(), answers.end());
  auto first = AnsweringPassages(judge);
  std::set<std::string> first_tier(first.begin(), first.end());
  std::vector<std::string> second_tier;
  for (const auto& [id, grade] : judge) {
    if (grade >= 1 && !first_tier.count(id)) second_tier.push_back(id);
  }
  // Each tier fills what slots are left; a random order of a tier puts each of its passages in
  // those slots with the same chance, so the expected count found is slots x the tier's share.
  double found = 0;
  size_t slots = k;
  for (const auto& tier : {first, second_tier}) {
    if (tier.empty() || slots == 0) continue;
    size_t taken = std::min(slots, tier.size());
    auto hits = std::count_if(tier.begin(), tier.end(),
                              [&](const auto& id) { return wanted.count(id) > 0; });
    found +=
        static_cast<double>(taken) * static_cast<double>(hits) / static_cast<double>(tier.size());
    slots -= taken;
  }
  return found / static_cast<double>(std::min(k, answers.size()));
}

double CohensKappa(std::span<const std::pair<int, int>> ratings, int categories) {
  if (ratings.empty()) return 0;
  std::vector<double> first(categories), second(categories);
  double agree = 0;
  for (auto [a, b] : ratings) {
    first[a] += 1;
    second[b] += 1;
    agree += a == b;
  }
  const auto n = static_cast<double>(ratings.size());
  double chance = 0;
  for (int c = 0; c < categories; ++c) chance += first[c] / n * second[c] / n;
  if (chance >= 1) return 1;  // both gave one category only, and so agree entirely
  return (agree / n - chance) / (1 - chance);
}

JudgeAgreement CompareJudges(std::span<const EvalQuery* const> queries,
                             const std::map<std::string, std::map<std::string, int>>& second) {
  JudgeAgreement out;
  std::vector<std::pair<int, int>> grades, answers;
  for (const auto* q : queries) {
    auto it = second.find(q->qid);
    if (it == second.end()) continue;
    const auto& theirs = it->second;
    ++out.queries;
    auto ours_answering = AnsweringPassages(q->grades);
    auto theirs_answering = AnsweringPassages(theirs);
    std::set<std::string> a(ours_answering.begin(), ours_answering.end());
    std::set<std::string> b(theirs_answering.begin(), theirs_answering.end());
    for (const auto& [id, grade] : theirs) {
      auto ours = q->grades.find(id);
      if (ours == q->grades.end()) {
        out.found_by_second += grade > 0;
        continue;
      }
      grades.emplace_back(ours->second, grade);
      answers.emplace_back(a.count(id) ? 1 : 0, b.count(id) ? 1 : 0);
      ++out.passages;
    }
    size_t both = 0;
    for (const auto& id : a) both += b.count(id);
    size_t either = a.size() + b.size() - both;
    out.answer_overlap.push_back(either ? static_cast<double>(both) / static_cast<double>(either)
                                        : 1.0);
    out.second_as_system.push_back(ExpectedAnswerRecallOfJudge(theirs, q->grades, 5));
    out.set_as_system.push_back(ExpectedAnswerRecallOfJudge(q->grades, theirs, 5));
  }
  out.grade_kappa = CohensKappa(grades, 3);
  out.answer_kappa = CohensKappa(answers, 2);
  return out;
}

json JudgeAgreement::Summary() const {
  auto mean_and_interval = [&](const std::vector<double>& values) {
    double sum = 0;
    for (double v : values) sum += v;
    auto [low, high] = BootstrapInterval95(values);
    return json::array({values.empty() ? 0 : Rounded(sum / static_cast<double>(values.size())),
                        json::array({Rounded(low), Rounded(high)})});
  };
  return {{"queries", queries},
          {"passages_graded_by_both", passages},
          {"relevant_found_only_by_second_judge", found_by_second},
          {"grade_kappa", Rounded(grade_kappa)},
          {"answer_kappa", Rounded(answer_kappa)},
          {"answer_set_overlap", mean_and_interval(answer_overlap)},
          {"second_judge_answer_recall@5", mean_and_interval(second_as_system)},
          {"set_answer_recall@5_by_second_judge", mean_and_interval(set_as_system)}};
}

json EvalReport::Summary() const {
  auto interval = [&](double QueryOutcome::*metric) {
    std::vector<double> values;
    for (const auto& o : outcomes) values.push_back(o.*metric);
    auto [low, high] = BootstrapInterval95(values);
    return json::array({Rounded(low), Rounded(high)});
  };
  return {{"queries", queries},
          {"answer_recall@5", Rounded(recall5)},
          {"answer_recall@5_ci95", interval(&QueryOutcome::recall5)},
          {"recall@5", Rounded(recall5_any)},
          {"mrr@10", Rounded(mrr10)},
          {"ndcg@10", Rounded(ndcg10)},
          {"ndcg@10_ci95", interval(&QueryOutcome::ndcg10)},
          {"selector_precision", Rounded(selector_precision)},
          {"selector_recall", Rounded(selector_recall)}};
}

std::string EvalReport::Misses() const {
  std::ostringstream out;
  for (const auto& o : outcomes) {
    if (o.recall5 >= 1.0) continue;
    out << o.query->qid << " [" << o.query->endpoint << "] answer recall@5 " << o.recall5 << ": "
        << o.query->query.text << "\n  searched:";
    for (const auto& ns : o.namespaces) out << " " << ns;
    out << "\n  missed:";
    std::set<std::string> top5(o.ranked.begin(),
                               o.ranked.begin() + std::min<size_t>(5, o.ranked.size()));
    for (const auto& [id, grade] : o.query->grades) {
      if (grade > 0 && !top5.count(id)) {
        auto rank = std::find(o.ranked.begin(), o.ranked.end(), id) - o.ranked.begin();
        out << " " << id << " (grade " << grade << ", "
            << (rank < static_cast<long>(o.ranked.size()) ? "rank " + std::to_string(rank + 1)
                                                          : std::string("not in top 10"))
            << ")";
      }
    }
    out << "\n  top 5 instead:";
    for (size_t i = 0; i < std::min<size_t>(5, o.ranked.size()); ++i) {
      auto it = o.query->grades.find(o.ranked[i]);
      out << " " << o.ranked[i] << "("
          << (it == o.query->grades.end() ? "-" : std::to_string(it->second)) << ")";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace vf::rag

namespace vf::rag {

std::string JudgingPools(Retriever& retriever, NamespaceSelector& selector, RagService& service,
                         const std::vector<EvalQuery>& set, size_t depth) {
  auto base_r = retriever.settings();
  auto base_s = selector.settings();
  std::vector<std::pair<RetrievalSettings, SelectorSettings>> configs;
  configs.emplace_back(base_r, base_s);
  auto unfiltered = base_s;
  unfiltered.filter = false;
  configs.emplace_back(base_r, unfiltered);
  auto plain = base_r;
  plain.synonym_weight = 0;
  plain.feedback_weight = 0;
  plain.plain_weight = 1;
  configs.emplace_back(plain, unfiltered);
  auto feedback = base_r;
  feedback.feedback_weight = 1;
  feedback.feedback_min_terms = 1;
  configs.emplace_back(feedback, base_s);
  auto passages_only = base_r;  // without the expansion questions
  passages_only.questions_weight = 0;
  configs.emplace_back(passages_only, base_s);
  const auto& kb = retriever.knowledge_base();
  std::ostringstream out;
  for (const auto& q : set) {
    std::vector<std::string> pool;
    for (const auto& [r, s] : configs) {
      retriever.set_settings(r);
      selector.set_settings(s);
      auto query = q.query;
      query.k = depth;
      for (const auto& source : service.Compute(query).sources) {
        if (std::find(pool.begin(), pool.end(), source.id) == pool.end()) pool.push_back(source.id);
      }
    }
    json line{{"qid", q.qid},
              {"endpoint", q.endpoint},
              {"query", q.query.text},
              {"gold_namespaces", q.gold_namespaces},
              {"pool", json::array()}};
    for (const auto& id : pool) {
      const auto* p = kb.Find(id);
      auto grade = q.grades.find(id);
      line["pool"].push_back(
          {{"id", id},
           {"title", p->title},
           {"grade", grade == q.grades.end() ? json(nullptr) : json(grade->second)}});
    }
    out << line.dump() << "\n";
  }
  retriever.set_settings(base_r);
  selector.set_settings(base_s);
  return out.str();
}

double Objective(const EvalReport& report) { return (report.ndcg10 + report.recall5) / 2; }

TuningResult Tune(Retriever& retriever, NamespaceSelector& selector, RagService& service,
                  std::span<const EvalQuery* const> queries, std::ostream& log, int rounds) {
  auto r = retriever.settings();
  auto sel = selector.settings();
  auto div = service.ranking();
  auto score = [&] {
    retriever.set_settings(r);
    selector.set_settings(sel);
    service.set_ranking(div);
    return Objective(Evaluate(service, queries));
  };
  double best = score();
  log << "start: " << best << "\n";
  // Each axis: its name, the values to try, and how to set one.
  struct Axis {
    const char* name;
    std::vector<double> grid;
    std::function<void(double)> set;
    std::function<double()> get;
  };
  std::vector<Axis> axes = {
      {"k1", {0.6, 0.9, 1.2, 1.5, 2.0}, [&](double v) { r.k1 = v; }, [&] { return r.k1; }},
      {"b", {0.3, 0.5, 0.75, 0.9}, [&](double v) { r.b = v; }, [&] { return r.b; }},
      {"title_weight",
       {0, 0.5, 1, 2, 3},
       [&](double v) { r.title_weight = v; },
       [&] { return r.title_weight; }},
      {"tags_weight",
       {0, 0.5, 1, 2},
       [&](double v) { r.tags_weight = v; },
       [&] { return r.tags_weight; }},
      {"questions_weight",
       {0, 0.5, 1, 2},
       [&](double v) { r.questions_weight = v; },
       [&] { return r.questions_weight; }},
      {"plain_weight",
       {0, 0.5, 1},
       [&](double v) { r.plain_weight = v; },
       [&] { return r.plain_weight; }},
      {"synonym_weight",
       {0, 0.5, 1, 1.5},
       [&](double v) { r.synonym_weight = v; },
       [&] { return r.synonym_weight; }},
      {"feedback_weight",
       {0, 0.5, 1},
       [&](double v) { r.feedback_weight = v; },
       [&] { return r.feedback_weight; }},
      {"latent_weight",
       {0, 0.15, 0.25, 0.35, 0.5},
       [&](double v) { r.latent_weight = v; },
       [&] { return r.latent_weight; }},
      {"substitutes_weight",
       {0, 0.5, 1},
       [&](double v) { r.substitutes_weight = v; },
       [&] { return r.substitutes_weight; }},
      {"feedback_min_terms",
       {3, 4, 6, 8},
       [&](double v) { r.feedback_min_terms = int(v); },
       [&] { return double(r.feedback_min_terms); }},
      {"feedback_scale",
       {0.2, 0.3, 0.5},
       [&](double v) { r.feedback_scale = v; },
       [&] { return r.feedback_scale; }},
      {"share_threshold",
       {0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1.01},
       [&](double v) { sel.share_threshold = v; },
       [&] { return sel.share_threshold; }},
      {"selector_filter",
       {0, 1},
       [&](double v) { sel.filter = v > 0; },
       [&] { return sel.filter ? 1.0 : 0.0; }},
      {"use_triggers",
       {0, 1},
       [&](double v) { sel.use_triggers = v > 0; },
       [&] { return sel.use_triggers ? 1.0 : 0.0; }},
      {"mmr_lambda",
       {0.5, 0.6, 0.7, 0.8, 0.9, 1.0},
       [&](double v) { div.lambda = v; },
       [&] { return div.lambda; }},
      {"mmr_pool",
       {8, 12, 20},
       [&](double v) { div.pool = size_t(v); },
       [&] { return double(div.pool); }},
      {"facet_weight",
       {0, 0.25, 0.5, 1},
       [&](double v) { div.facet_weight = v; },
       [&] { return div.facet_weight; }},
      {"required_rank",
       {0, 1, 2, 3, 5},
       [&](double v) { div.required_rank = size_t(v); },
       [&] { return double(div.required_rank); }},
  };
  for (int round = 0; round < rounds; ++round) {
    for (auto& axis : axes) {
      double kept = axis.get();
      double chosen = kept;
      for (double v : axis.grid) {
        if (v == kept) continue;
        axis.set(v);
        double s = score();
        // Only a clear gain moves a setting: ties keep the simpler, earlier choice.
        if (s > best + 1e-4) {
          best = s;
          chosen = v;
        }
      }
      axis.set(chosen);
      log << "round " << round + 1 << " " << axis.name << " = " << chosen << " -> " << best << "\n";
    }
  }
  score();  // leave the chosen settings in place
  return {r, sel, div, best};
}

}  // namespace vf::rag
