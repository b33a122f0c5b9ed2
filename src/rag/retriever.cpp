#include "rag/retriever.hpp"

#include <xapian.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <unordered_map>

#include "core/log.hpp"
#include "core/worker_pool.hpp"

namespace vf::rag {
namespace {

namespace fs = std::filesystem;

// Bumped when what goes into the index changes (terms, fields, the analyzer, the latent
// decomposition and its term weighting), so an old prebuilt index is rebuilt.
constexpr const char* kIndexLayout = "5";
constexpr const char* kBodyPrefix = "Z";
constexpr const char* kTitlePrefix = "T";
constexpr const char* kTagsPrefix = "K";
constexpr const char* kQuestionsPrefix = "U";
constexpr const char* kNamespacePrefix = "XNS";
constexpr const char* kIdPrefix = "Q";
// Positions between fields so a phrase never spans two of them.
constexpr Xapian::termpos kFieldGap = 100;

std::string IndexVersion(const knowledge::KnowledgeBase& kb) {
  return kb.version + "/" + kIndexLayout;
}

Xapian::Query PhraseQuery(const std::vector<std::string>& stems, const std::string& prefix) {
  if (stems.size() == 1) return Xapian::Query(prefix + stems[0]);
  std::vector<Xapian::Query> parts;
  for (const auto& stem : stems) parts.emplace_back(prefix + stem);
  return Xapian::Query(Xapian::Query::OP_PHRASE, parts.begin(), parts.end(), parts.size());
}

Xapian::Query ConceptQuery(const AnalyzedQuery::Concept& c, const std::string& prefix) {
  if (c.alternatives.size() == 1) return PhraseQuery(c.alternatives[0], prefix);
  std::vector<Xapian::Query> parts;
  for (const auto& alternative : c.alternatives) parts.push_back(PhraseQuery(alternative, prefix));
  return Xapian::Query(Xapian::Query::OP_SYNONYM, parts.begin(), parts.end());
}

// One concept over the three fields: the body at full weight, title and tags scaled.
Xapian::Query FieldsQuery(const AnalyzedQuery::Concept& c, const RetrievalSettings& s) {
  std::vector<Xapian::Query> fields{ConceptQuery(c, kBodyPrefix)};
  if (s.title_weight > 0) {
    fields.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, ConceptQuery(c, kTitlePrefix),
                        s.title_weight);
  }
  if (s.tags_weight > 0) {
    fields.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, ConceptQuery(c, kTagsPrefix),
                        s.tags_weight);
  }
  if (s.questions_weight > 0) {
    fields.emplace_back(Xapian::Query::OP_SCALE_WEIGHT, ConceptQuery(c, kQuestionsPrefix),
                        s.questions_weight);
  }
  return Xapian::Query(Xapian::Query::OP_OR, fields.begin(), fields.end());
}

Xapian::Query ConceptsQuery(const std::vector<AnalyzedQuery::Concept>& concepts,
                            const RetrievalSettings& s) {
  std::vector<Xapian::Query> parts;
  for (const auto& c : concepts) parts.push_back(FieldsQuery(c, s));
  return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

// Feedback terms come from the body field only, and never repeat the query.
class FeedbackTermDecider : public Xapian::ExpandDecider {
 public:
  explicit FeedbackTermDecider(std::set<std::string> query_terms)
      : query_terms_(std::move(query_terms)) {}
  bool operator()(const std::string& term) const override {
    return term.size() > 3 && term[0] == 'Z' && !query_terms_.count(term) &&
           !std::isdigit(static_cast<unsigned char>(term[1]));
  }

 private:
  std::set<std::string> query_terms_;
};

}  // namespace

std::string RetrievalSettings::Fingerprint() const {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer,
                "k1=%g,b=%g,t=%g,g=%g,q=%g,p=%g,s=%g,f=%g/%d/%d/%g/%d,rrf=%d,d=%d,lsi=%g/%d,sub=%g",
                k1, b, title_weight, tags_weight, questions_weight, plain_weight, synonym_weight,
                feedback_weight, feedback_docs, feedback_terms, feedback_scale, feedback_min_terms,
                rrf_k, depth, latent_weight, latent_dimensions, substitutes_weight);
  return std::string(buffer) + ",layout=" + kIndexLayout;
}

struct Retriever::Searchers {
  struct Searcher {
    explicit Searcher(const fs::path& dir)
        : disk(dir.string()), db(LoadIntoMemory(disk)), enquire(db) {}
    // The on-disk index copied into an in-memory database of this searcher's own: postings are
    // then read without a B-tree lookup and system call per term, several times faster for the
    // long OR queries the transformers make. The knowledge base is small; each copy is too.
    static Xapian::WritableDatabase LoadIntoMemory(const Xapian::Database& disk) {
      Xapian::WritableDatabase memory(std::string(), Xapian::DB_BACKEND_INMEMORY);
      for (auto it = disk.postlist_begin(""); it != disk.postlist_end(""); ++it) {
        memory.replace_document(*it, disk.get_document(*it));
      }
      return memory;
    }
    Xapian::Database disk;  // the on-disk index: spelling data (the in-memory copy has none)
    Xapian::WritableDatabase db;
    Xapian::Enquire enquire;
  };
  fs::path dir;
  std::vector<uint32_t> passage_of_docid;  // docid -> passage index
  std::vector<Xapian::docid> docid_of_passage;
  std::mutex mutex;
  std::vector<std::unique_ptr<Searcher>> idle;

  // A searcher for this thread's query; returned to the pool when the holder goes.
  struct Lease {
    Searchers* owner;
    std::unique_ptr<Searcher> searcher;
    ~Lease() {
      std::lock_guard lock(owner->mutex);
      owner->idle.push_back(std::move(searcher));
    }
  };
  Lease Take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        auto searcher = std::move(idle.back());
        idle.pop_back();
        return {this, std::move(searcher)};
      }
    }
    return {this, std::make_unique<Searcher>(dir)};
  }
};

size_t Retriever::BuildIndex(const knowledge::KnowledgeBase& kb, const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  Analyzer analyzer;
  Xapian::WritableDatabase db(dir.string(),
                              Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
  for (const auto& p : kb.passages) {
    Xapian::Document doc;
    Xapian::termpos next = 1;
    auto add = [&](const std::string& prefix, std::string_view text) {
      auto tokens = analyzer.Analyze(text);
      for (const auto& token : tokens) {
        // A bare number in a tag ("3 days per week") is no topic: rare in that field, it would
        // pull any query with that number in ("3 weeks out") towards the tag.
        if (prefix == kTagsPrefix && Analyzer::IsNumber(token.word)) continue;
        doc.add_posting(prefix + token.stem, next + token.position);
      }
      // The words a misspelt query word can be corrected to (the body prefix only: once each).
      if (prefix == kBodyPrefix) {
        for (const auto& token : tokens) {
          if (!token.stopword && token.word.size() >= 4) db.add_spelling(token.word);
        }
      }
      next += static_cast<Xapian::termpos>(tokens.size()) + kFieldGap;
    };
    add(kBodyPrefix, p.title);
    add(kBodyPrefix, p.body);
    add(kTitlePrefix, p.title);
    for (const auto& tag : p.tags) add(kTagsPrefix, tag);
    for (const auto& question : p.questions) add(kQuestionsPrefix, question);
    doc.add_boolean_term(kNamespacePrefix + p.name_space);
    doc.add_boolean_term(kIdPrefix + p.id);
    doc.set_data(p.id);
    db.replace_document(kIdPrefix + p.id, doc);
  }
  // The latent leg's decomposition at the default size, so retrievers read it instead of each
  // running the eigensolver.
  auto dimensions = static_cast<size_t>(RetrievalSettings{}.latent_dimensions);
  LatentSemanticIndex(kb, analyzer, dimensions)
      .Save(dir / LatentSemanticIndex::FileName(dimensions));
  db.set_metadata("kb_version", IndexVersion(kb));
  db.commit();
  db.close();
  return kb.passages.size();
}

namespace {

fs::path FolderFor(const knowledge::KnowledgeBase& kb, const fs::path& index_root) {
  return index_root / ("kb-" + kb.version.substr(0, 16) + "-layout" + kIndexLayout);
}

// Beside the folder, not in it: the folder only appears by a rename, and may be removed.
fs::path LockFileOf(const fs::path& folder) { return folder.string() + ".lock"; }

// An open lock file with `operation` (LOCK_SH, LOCK_EX | LOCK_NB ...) applied, or -1.
int LockFile(const fs::path& path, int operation) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (::flock(fd, operation) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool HoldsIndexOf(const fs::path& dir, const knowledge::KnowledgeBase& kb) {
  try {
    Xapian::Database existing(dir.string());
    return existing.get_metadata("kb_version") == IndexVersion(kb) &&
           existing.get_doccount() == kb.passages.size();
  } catch (const Xapian::Error&) {
    return false;  // no index there yet, or not a readable one
  }
}

}  // namespace

fs::path Retriever::PrepareIndex(const knowledge::KnowledgeBase& kb, const fs::path& index_root,
                                 bool* built) {
  auto folder = FolderFor(kb, index_root);
  if (built) *built = false;
  if (HoldsIndexOf(folder, kb)) return folder;
  fs::create_directories(index_root);
  std::string pattern = (index_root / ".building-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw knowledge::KnowledgeError("cannot create an index folder");
  fs::path staging = pattern;
  BuildIndex(kb, staging);
  // The folder only ever appears whole, by this rename; it is never removed, since a running
  // server may be reading it.
  std::error_code error;
  fs::rename(staging, folder, error);
  if (error) {
    // Another builder renamed its build into place first: theirs is as good as ours.
    fs::remove_all(staging, error);
    if (!HoldsIndexOf(folder, kb)) {
      throw knowledge::KnowledgeError(folder.string() +
                                      " holds something else than this index: remove it");
    }
    return folder;
  }
  if (built) *built = true;
  return folder;
}

Retriever::Retriever(const knowledge::KnowledgeBase& kb, fs::path index_root,
                     RetrievalSettings settings)
    : kb_(kb), settings_(std::move(settings)) {
  if (index_root.empty()) {
    std::string pattern = (fs::temp_directory_path() / "voicefit-index-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw knowledge::KnowledgeError("cannot create an index folder");
    index_root = pattern;
    temporary_root_ = index_root;
  }
  if (temporary_root_.empty()) {
    // Taken before the folder is looked at, so a pruner cannot remove it from under us; lock
    // files stay (removing one races with a process about to lock it).
    fs::create_directories(index_root);
    index_lock_ = LockFile(LockFileOf(FolderFor(kb_, index_root)), LOCK_SH);
  }
  index_dir_ = PrepareIndex(kb_, index_root, &built_);
  if (temporary_root_.empty()) PruneIndexFolders(index_root, index_dir_);

  searchers_ = std::make_unique<Searchers>();
  searchers_->dir = index_dir_;
  {
    Xapian::Database db(index_dir_.string());
    searchers_->passage_of_docid.assign(db.get_lastdocid() + 1, 0);
    searchers_->docid_of_passage.assign(kb_.passages.size(), 0);
    for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
      auto* passage = kb_.Find(db.get_document(*it).get_data());
      if (!passage) throw knowledge::KnowledgeError("index holds an unknown passage");
      auto index = static_cast<uint32_t>(passage - kb_.passages.data());
      searchers_->passage_of_docid[*it] = index;
      searchers_->docid_of_passage[index] = *it;
    }

    // The feedback leg's statistics, read as Xapian's expansion reads them (FeedbackTerms).
    const FeedbackTermDecider admitted({});
    std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> postings;  // byte order
    auto& x = expansion_;
    x.length.assign(kb_.passages.size(), 0);
    for (uint32_t passage = 0; passage < kb_.passages.size(); ++passage) {
      auto docid = searchers_->docid_of_passage[passage];
      x.length[passage] = db.get_doclength(docid);
      for (auto t = db.termlist_begin(docid); t != db.termlist_end(docid); ++t) {
        if (admitted(*t)) postings[*t].emplace_back(passage, t.get_wdf());
      }
    }
    x.postings.resize(kb_.passages.size());
    for (auto& [term, list] : postings) {
      auto id = static_cast<uint32_t>(x.terms.size());
      x.terms.push_back(term);
      x.term_frequency.push_back(db.get_termfreq(term));
      for (auto [passage, wdf] : list) x.postings[passage].emplace_back(id, wdf);
    }
    x.average_length = db.get_avlength();
  }

  // Lexicon phrases as stems, longest first so "delayed onset muscle soreness" wins over "muscle".
  for (const auto& group : kb_.synonyms) {
    std::vector<std::vector<std::string>> phrases;
    for (const auto& term : group.terms) {
      auto stems = analyzer_.Stems(term);
      if (stems.empty()) continue;
      if (std::find(phrases.begin(), phrases.end(), stems) == phrases.end())
        phrases.push_back(stems);
    }
    if (phrases.size() < 2) continue;
    for (const auto& stems : phrases) phrases_.push_back({stems, groups_.size()});
    groups_.push_back(std::move(phrases));
  }
  std::stable_sort(phrases_.begin(), phrases_.end(),
                   [](const auto& a, const auto& b) { return a.stems.size() > b.stems.size(); });
  for (size_t i = 0; i < phrases_.size(); ++i) {
    phrases_by_first_stem_[phrases_[i].stems[0]].push_back(i);
  }

  // One pass over the knowledge base for two things: every word it and its lexicons use (a query
  // word outside them is looked up in the index's spelling table), and tf-idf counts over title
  // and body stems (passage similarity for diversity).
  auto know = [&](std::string_view text) {
    for (const auto& token : analyzer_.Analyze(text)) known_words_.insert(token.word);
  };
  std::unordered_map<std::string, uint32_t> term_ids;
  std::vector<std::map<uint32_t, int>> counts(kb_.passages.size());
  std::vector<int> document_frequency;
  for (size_t i = 0; i < kb_.passages.size(); ++i) {
    const auto& p = kb_.passages[i];
    for (const auto& token : analyzer_.Analyze(p.title + "\n" + p.body)) {
      known_words_.insert(token.word);
      if (token.stopword) continue;
      auto [it, inserted] = term_ids.emplace(token.stem, static_cast<uint32_t>(term_ids.size()));
      if (inserted) document_frequency.push_back(0);
      if (counts[i][it->second]++ == 0) ++document_frequency[it->second];
    }
    for (const auto& phrase : p.tags) know(phrase);
    for (const auto& phrase : p.questions) know(phrase);
  }
  for (const auto& group : kb_.synonyms) {
    for (const auto& term : group.terms) know(term);
  }
  for (const auto& trigger : kb_.triggers) know(trigger.term);
  if (settings_.latent_dimensions > 0) {
    auto dimensions = static_cast<size_t>(settings_.latent_dimensions);
    latent_ = std::make_unique<LatentSemanticIndex>(
        kb_, analyzer_, dimensions, index_dir_ / LatentSemanticIndex::FileName(dimensions));
  }
  double n = static_cast<double>(kb_.passages.size());
  vocabulary_ = term_ids.size();
  vectors_.resize(kb_.passages.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    double norm = 0;
    for (auto [term, count] : counts[i]) {
      float w = static_cast<float>((1 + std::log(count)) * std::log(n / document_frequency[term]));
      vectors_[i].emplace_back(term, w);
      norm += double(w) * w;
    }
    norm = std::sqrt(norm);
    for (auto& [term, w] : vectors_[i]) w = norm > 0 ? static_cast<float>(w / norm) : 0.f;
  }
  substitutes_ = std::make_unique<ExerciseSubstitutes>(
      kb_, analyzer_, [this](uint32_t a, uint32_t b) { return Similarity(a, b); });
}

size_t Retriever::PruneIndexFolders(const fs::path& index_root, const fs::path& keep,
                                    std::chrono::seconds min_age) {
  auto cutoff = fs::file_time_type::clock::now() - min_age;
  size_t removed = 0;
  // Error codes throughout: pruning is housekeeping and never stops a server from starting. A
  // folder that cannot be read or removed is left for the next call.
  std::error_code listing;
  fs::directory_iterator it(index_root, listing), end;
  for (; !listing && it != end; it.increment(listing)) {
    std::error_code error;
    const auto& path = it->path();
    auto name = path.filename().string();
    bool index_folder = name.starts_with("kb-") && it->is_directory(error);
    bool staging = name.starts_with(".building-") && it->is_directory(error);
    if ((!index_folder && !staging) || path == keep) continue;
    auto written = fs::last_write_time(path, error);
    if (error || written > cutoff) continue;
    if (staging) {  // a build takes well under a second: one this old died
      removed += fs::remove_all(path, error) > 0 && !error;
      continue;
    }
    int lock = LockFile(LockFileOf(path), LOCK_EX | LOCK_NB);
    if (lock < 0) continue;  // a retriever has it open
    removed += fs::remove_all(path, error) > 0 && !error;
    ::close(lock);
  }
  return removed;
}

Retriever::~Retriever() {
  searchers_.reset();
  if (index_lock_ >= 0) ::close(index_lock_);  // the folder may be pruned from here on
  if (!temporary_root_.empty()) {
    std::error_code ignored;
    fs::remove_all(temporary_root_, ignored);
  }
}

void Retriever::set_settings(const RetrievalSettings& settings) { settings_ = settings; }

void Retriever::AddExternalLeg(ExternalLeg* leg, double weight,
                               std::chrono::milliseconds breaker_open,
                               std::optional<double> composed_weight) {
  external_.push_back({leg, weight, composed_weight.value_or(weight),
                       std::make_unique<CircuitBreaker>(breaker_open)});
  if (!preparers_) {
    // One thread per core: the overlap only pays while a core is free (RagService), and a
    // question that finds them all busy is embedded on its own thread, not queued behind others.
    preparers_ = std::make_unique<WorkerPool>(CoreCount(), CoreCount());
  }
}

bool Retriever::AskExternal(const External& external, const std::function<void()>& ask) const {
  bool probe = false;
  if (!external.breaker->MayTry(probe)) {
    ++external_skipped_;
    return false;
  }
  try {
    ask();
  } catch (const std::exception& e) {
    ++external_failures_;  // the embedded legs still answer
    if (external.breaker->Failed(probe)) {
      log::Write(log::Level::kWarn, "search leg failed; searching without it for a while",
                 {{"leg", external.leg->name()}, {"error", e.what()}});
    }
    return false;
  }
  if (external.breaker->Succeeded(probe)) {
    log::Write(log::Level::kInfo, "search leg is back", {{"leg", external.leg->name()}});
  }
  return true;
}

void Retriever::PrepareExternal(std::span<const std::string> texts) const {
  for (const auto& external : external_) {
    AskExternal(external, [&] { external.leg->Prepare(texts); });
  }
}

bool Retriever::external_legs_rank(size_t phrases) const {
  return std::any_of(external_.begin(), external_.end(),
                     [&](const External& e) { return e.WeightFor(phrases) > 0; });
}

std::shared_future<void> Retriever::PrepareExternalInBackground(
    std::vector<std::string> texts) const {
  auto shared = std::make_shared<const std::vector<std::string>>(std::move(texts));
  auto prepared = std::make_shared<std::promise<void>>();
  auto done = prepared->get_future().share();
  auto job = [this, shared, prepared] {
    try {
      PrepareExternal(*shared);
      prepared->set_value();
    } catch (...) {
      prepared->set_exception(std::current_exception());
    }
  };
  if (preparers_ && preparers_->TrySubmit(std::move(job))) return done;
  PrepareExternal(*shared);  // every preparing thread busy: on this one, as searches did before
  return {};
}

std::vector<std::string> Retriever::FailingExternalLegs() const {
  std::vector<std::string> out;
  for (const auto& external : external_) {
    if (external.breaker->failing()) out.push_back(external.leg->name());
  }
  return out;
}

std::string Retriever::ExternalFingerprint() const {
  std::string out;
  for (const auto& external : external_) {
    out += '+';  // appended piece by piece: "literal" + std::string trips GCC 12's -Wrestrict
    out += external.leg->name();
    out += '*';
    out += std::to_string(external.weight);
    out += '/';
    out += std::to_string(external.composed_weight);
  }
  return out;
}

std::string Retriever::CorrectSpelling(const std::string& word) const {
  // Short words are too easily "corrected" into other words; long ones may be two slips off.
  if (word.size() < 6 || known_words_.count(word)) return word;
  auto lease = searchers_->Take();
  auto suggestion = lease.searcher->disk.get_spelling_suggestion(word, word.size() >= 8 ? 2 : 1);
  return suggestion.empty() ? word : suggestion;
}

AnalyzedQuery Retriever::Analyze(std::string_view query) const {
  AnalyzedQuery out;
  out.text = std::string(query);
  auto tokens = analyzer_.Analyze(query);
  for (auto& token : tokens) {
    if (token.stopword) continue;
    auto corrected = CorrectSpelling(token.word);
    if (corrected != token.word) {
      token.stem = analyzer_.Stem(corrected);
      token.word = std::move(corrected);
    }
  }
  std::set<std::string> seen_stems;
  std::set<size_t> seen_groups;
  for (const auto& token : tokens) out.all_stems.push_back(token.stem);
  for (size_t i = 0; i < tokens.size();) {
    const LexiconPhrase* match = nullptr;
    auto candidates = phrases_by_first_stem_.find(tokens[i].stem);
    if (candidates != phrases_by_first_stem_.end()) {
      for (size_t index : candidates->second) {
        const auto& phrase = phrases_[index];
        if (phrase.stems.size() > tokens.size() - i) continue;
        bool equal = true;
        for (size_t j = 1; j < phrase.stems.size() && equal; ++j) {
          equal = tokens[i + j].stem == phrase.stems[j];
        }
        // A lone stopword ("a", "it") never stands for a group.
        if (equal && !(phrase.stems.size() == 1 && tokens[i].stopword)) {
          match = &phrase;
          break;
        }
      }
    }
    if (match) {
      for (size_t j = 0; j < match->stems.size(); ++j) {
        if (!tokens[i + j].stopword && seen_stems.insert(tokens[i + j].stem).second) {
          out.stems.push_back(tokens[i + j].stem);
        }
      }
      if (seen_groups.insert(match->group).second) {
        out.concepts.push_back({groups_[match->group]});
        ++out.expanded_groups;
      }
      i += match->stems.size();
      continue;
    }
    if (!tokens[i].stopword && seen_stems.insert(tokens[i].stem).second) {
      out.stems.push_back(tokens[i].stem);
      out.concepts.push_back({{{tokens[i].stem}}});
    }
    ++i;
  }
  return out;
}

namespace {

Xapian::Query Filtered(Xapian::Query query, std::span<const std::string> namespaces) {
  if (namespaces.empty()) return query;
  std::vector<Xapian::Query> terms;
  for (const auto& ns : namespaces) terms.emplace_back(kNamespacePrefix + ns);
  return Xapian::Query(Xapian::Query::OP_FILTER, query,
                       Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
}

}  // namespace

std::vector<Candidate> Retriever::SearchLeg(const AnalyzedQuery& query, Leg leg,
                                            std::span<const std::string> namespaces, size_t limit,
                                            std::span<const Candidate> synonyms_ranking) const {
  std::vector<Candidate> out;
  if (query.concepts.empty() || limit == 0) return out;
  const auto& s = settings_;
  Xapian::Query lexical;
  if (leg == Leg::kPlain) {
    std::vector<AnalyzedQuery::Concept> words;
    for (const auto& stem : query.stems) words.push_back({{{stem}}});
    lexical = ConceptsQuery(words, s);
  } else {
    lexical = ConceptsQuery(query.concepts, s);
  }
  auto lease = searchers_->Take();
  auto& enquire = lease.searcher->enquire;
  enquire.set_weighting_scheme(Xapian::BM25Weight(s.k1, 0, 1, s.b, 0.5));
  enquire.set_query(Filtered(lexical, namespaces));
  Xapian::MSet mset;
  bool reuse = leg == Leg::kFeedback && !synonyms_ranking.empty();
  if (!reuse) mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit));

  if (leg == Leg::kFeedback && (reuse || !mset.empty())) {
    std::vector<uint32_t> relevant;
    if (reuse) {
      for (const auto& c : synonyms_ranking) {
        if (static_cast<int>(relevant.size()) == s.feedback_docs) break;
        relevant.push_back(c.passage);
      }
    } else {
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        if (static_cast<int>(relevant.size()) == s.feedback_docs) break;
        relevant.push_back(searchers_->passage_of_docid[*it]);
      }
    }
    auto eset = FeedbackTerms(query, relevant);
    if (!eset.empty()) {
      std::vector<Xapian::Query> terms;
      for (const auto& term : eset) terms.emplace_back(term);
      Xapian::Query expansion(Xapian::Query::OP_OR, terms.begin(), terms.end());
      Xapian::Query expanded(
          Xapian::Query::OP_OR, lexical,
          Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, expansion, s.feedback_scale));
      enquire.set_query(Filtered(expanded, namespaces));
      mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit));
    } else if (reuse) {  // nothing to add: the synonyms leg's ranking stands
      return {synonyms_ranking.begin(), synonyms_ranking.end()};
    }
  }
  out.reserve(mset.size());
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    out.push_back({searchers_->passage_of_docid[*it], it.get_weight()});
  }
  return out;
}

std::vector<Candidate> Retriever::Search(std::string_view query,
                                         std::span<const std::string> namespaces, size_t limit,
                                         bool* external_missing) const {
  return Search(Analyze(query), namespaces, limit, nullptr, external_missing);
}

std::optional<std::vector<Candidate>> Retriever::Restricted(const UnfilteredRanking& ranking,
                                                            std::span<const std::string> namespaces,
                                                            size_t depth) const {
  std::vector<Candidate> out;
  for (const auto& c : ranking.candidates) {
    const auto& ns = kb_.passages[c.passage].name_space;
    if (namespaces.empty() ||
        std::find(namespaces.begin(), namespaces.end(), ns) != namespaces.end()) {
      out.push_back(c);
      if (out.size() == depth) return out;
    }
  }
  if (ranking.complete) return out;
  return std::nullopt;
}

std::vector<Candidate> Retriever::Search(const AnalyzedQuery& analyzed,
                                         std::span<const std::string> namespaces, size_t limit,
                                         const UnfilteredRanking* unfiltered,
                                         bool* external_missing,
                                         const std::shared_future<void>& external_prepared) const {
  const auto& s = settings_;
  auto depth = static_cast<size_t>(std::max<int>(s.depth, static_cast<int>(limit)));
  std::vector<std::vector<Candidate>> lists;
  std::vector<double> weights;
  // Without a lexicon phrase in the query the synonyms leg is the plain one.
  std::optional<std::vector<Candidate>> reused;
  if (unfiltered && !analyzed.concepts.empty()) reused = Restricted(*unfiltered, namespaces, depth);
  std::vector<Candidate> plain;
  if (s.plain_weight > 0 || analyzed.expanded_groups == 0) {
    plain = reused && analyzed.expanded_groups == 0
                ? *reused
                : SearchLeg(analyzed, Leg::kPlain, namespaces, depth);
  }
  if (s.plain_weight > 0) {
    lists.push_back(plain);
    weights.push_back(s.plain_weight);
  }
  bool feedback =
      s.feedback_weight > 0 && static_cast<int>(analyzed.stems.size()) >= s.feedback_min_terms;
  std::vector<Candidate> synonyms;
  if (s.synonym_weight > 0 || feedback) {
    synonyms = !analyzed.expanded_groups ? plain
               : reused                  ? std::move(*reused)
                                         : SearchLeg(analyzed, Leg::kSynonyms, namespaces, depth);
  }
  if (feedback && !synonyms.empty()) {
    lists.push_back(SearchLeg(analyzed, Leg::kFeedback, namespaces, depth, synonyms));
    weights.push_back(s.feedback_weight);
  }
  if (s.synonym_weight > 0) {
    lists.push_back(std::move(synonyms));
    weights.push_back(s.synonym_weight);
  }
  if (s.latent_weight > 0 && latent_) {
    lists.push_back(latent_->Rank(analyzed.stems, namespaces, depth));
    weights.push_back(s.latent_weight);
  }
  if (s.substitutes_weight > 0 &&
      (namespaces.empty() ||
       std::find(namespaces.begin(), namespaces.end(), "exercises") != namespaces.end())) {
    auto substitutes = substitutes_->Rank(analyzed.all_stems, depth);
    if (!substitutes.empty()) {
      lists.push_back(std::move(substitutes));
      weights.push_back(s.substitutes_weight);
    }
  }
  if (!external_.empty() && external_prepared.valid()) external_prepared.wait();
  for (const auto& external : external_) {
    const double weight = external.WeightFor(analyzed.phrases);
    if (weight <= 0) continue;
    std::vector<Candidate> ranked;
    bool answered = AskExternal(external, [&] {
      for (const auto& id : external.leg->Rank(analyzed.text, namespaces, depth)) {
        auto it = kb_.index_by_id.find(id);
        if (it != kb_.index_by_id.end()) ranked.push_back({static_cast<uint32_t>(it->second), 0});
      }
    });
    if (!answered) {
      if (external_missing) *external_missing = true;
      continue;
    }
    lists.push_back(std::move(ranked));
    weights.push_back(weight);
  }
  auto fused = FuseReciprocalRank(lists, weights, s.rrf_k);
  if (fused.size() > limit) fused.resize(limit);
  return fused;
}

std::vector<std::string> Retriever::FeedbackTerms(const AnalyzedQuery& query,
                                                  std::span<const uint32_t> passages) const {
  const auto& x = expansion_;
  // Xapian's relevance set: each passage once, in document id order.
  std::vector<uint32_t> relevant(passages.begin(), passages.end());
  const auto& docid = searchers_->docid_of_passage;
  std::sort(relevant.begin(), relevant.end(),
            [&](uint32_t a, uint32_t b) { return docid[a] < docid[b]; });
  relevant.erase(std::unique(relevant.begin(), relevant.end()), relevant.end());
  if (relevant.empty()) return {};

  // The query's own words are never suggested (Xapian leaves out its query's terms).
  std::vector<uint32_t> excluded;
  auto exclude = [&](const std::string& stem) {
    auto term = kBodyPrefix + stem;
    auto it = std::lower_bound(x.terms.begin(), x.terms.end(), term);
    if (it != x.terms.end() && *it == term) {
      excluded.push_back(static_cast<uint32_t>(it - x.terms.begin()));
    }
  };
  for (const auto& stem : query.stems) exclude(stem);
  for (const auto& group : query.concepts) {
    for (const auto& phrase : group.alternatives) {
      for (const auto& stem : phrase) exclude(stem);
    }
  }
  std::sort(excluded.begin(), excluded.end());

  // Each term of the feedback passages in byte order, its statistics summed over them in
  // document order, weighted and kept as Xapian's ESet::Internal::expand keeps them: a bounded
  // heap, a term no better than the weakest kept left out (so of equal weights the one earlier
  // in byte order stays), the weakest popped first.
  struct Weighted {
    double weight;
    uint32_t term;
  };
  auto better = [](const Weighted& a, const Weighted& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.term > b.term;
  };
  const auto wanted = static_cast<size_t>(std::max(0, settings_.feedback_terms));
  if (wanted == 0) return {};
  std::vector<Weighted> kept;
  bool is_heap = false;
  double weakest = 0;
  constexpr double k = 1.0;  // Xapian's default for the "trad" expansion scheme
  const double rsize = static_cast<double>(relevant.size());
  std::vector<size_t> at(relevant.size(), 0);
  auto excluded_at = excluded.begin();
  for (;;) {
    uint32_t term = UINT32_MAX;
    for (size_t r = 0; r < relevant.size(); ++r) {
      const auto& list = x.postings[relevant[r]];
      if (at[r] < list.size()) term = std::min(term, list[at[r]].first);
    }
    if (term == UINT32_MAX) break;
    uint32_t holding = 0;
    double multiplier = 0;
    for (size_t r = 0; r < relevant.size(); ++r) {
      const auto& list = x.postings[relevant[r]];
      if (at[r] == list.size() || list[at[r]].first != term) continue;
      const double wdf = std::max<uint32_t>(1, list[at[r]].second);
      ++holding;
      multiplier += (k + 1) * wdf / (k * x.length[relevant[r]] / x.average_length + wdf);
      ++at[r];
    }
    while (excluded_at != excluded.end() && *excluded_at < term) ++excluded_at;
    if (excluded_at != excluded.end() && *excluded_at == term) continue;
    // TradEWeight: the Robertson/Sparck Jones relevance weight times the summed multiplier.
    const double frequency = x.term_frequency[term];
    const double without = rsize - holding;
    const double indexed = static_cast<double>(x.length.size());  // every passage
    const double numerator = (holding + 0.5) * (indexed - frequency - without + 0.5);
    const double denominator = (frequency - holding + 0.5) * (without + 0.5);
    const double weight = multiplier * std::log(numerator / denominator);
    if (weight <= weakest) continue;
    kept.push_back({weight, term});
    if (kept.size() > wanted) {
      if (!is_heap) {
        is_heap = true;
        std::make_heap(kept.begin(), kept.end(), better);
      } else {
        std::push_heap(kept.begin(), kept.end(), better);
      }
      std::pop_heap(kept.begin(), kept.end(), better);
      kept.pop_back();
      weakest = kept.front().weight;
    }
  }
  if (is_heap) {
    std::sort_heap(kept.begin(), kept.end(), better);
  } else {
    std::sort(kept.begin(), kept.end(), better);
  }
  std::vector<std::string> out;
  out.reserve(kept.size());
  for (const auto& w : kept) out.push_back(x.terms[w.term]);
  return out;
}

std::vector<std::string> Retriever::FeedbackTermsFromXapian(
    const AnalyzedQuery& query, std::span<const uint32_t> passages) const {
  auto lease = searchers_->Take();
  auto& enquire = lease.searcher->enquire;
  enquire.set_query(ConceptsQuery(query.concepts, settings_));  // whose terms it leaves out
  Xapian::RSet relevant;
  for (auto passage : passages) relevant.add_document(searchers_->docid_of_passage[passage]);
  std::set<std::string> query_terms;
  for (const auto& stem : query.stems) query_terms.insert(kBodyPrefix + stem);
  FeedbackTermDecider decider(std::move(query_terms));
  auto eset = enquire.get_eset(static_cast<Xapian::termcount>(settings_.feedback_terms), relevant,
                               &decider);
  std::vector<std::string> out;
  for (auto it = eset.begin(); it != eset.end(); ++it) out.push_back(*it);
  return out;
}

double Retriever::Similarity(uint32_t a, uint32_t b) const {
  const auto& x = vectors_[a];
  const auto& y = vectors_[b];
  double dot = 0;
  size_t i = 0, j = 0;
  while (i < x.size() && j < y.size()) {
    if (x[i].first == y[j].first) {
      dot += double(x[i++].second) * y[j++].second;
    } else if (x[i].first < y[j].first) {
      ++i;
    } else {
      ++j;
    }
  }
  return dot;
}

namespace {
// SimilarityFrom's array, per thread: all zero except the spread passage's terms.
thread_local std::vector<float> spread_weights;
}  // namespace

Retriever::SimilarityFrom::~SimilarityFrom() {
  if (spread_ == UINT32_MAX) return;
  for (const auto& [term, w] : retriever_.vectors_[spread_]) spread_weights[term] = 0.f;
}

double Retriever::SimilarityFrom::operator()(uint32_t from, uint32_t to) {
  const auto& vectors = retriever_.vectors_;
  if (from != spread_) {
    if (spread_weights.size() < retriever_.vocabulary_) {
      spread_weights.resize(retriever_.vocabulary_, 0.f);
    }
    if (spread_ != UINT32_MAX) {
      for (const auto& [term, w] : vectors[spread_]) spread_weights[term] = 0.f;
    }
    for (const auto& [term, w] : vectors[from]) spread_weights[term] = w;
    spread_ = from;
  }
  // Terms `from` lacks add zero products, which leave the sum as the merge in Similarity has it.
  double dot = 0;
  for (const auto& [term, w] : vectors[to]) dot += double(spread_weights[term]) * w;
  return dot;
}

std::vector<Candidate> FuseReciprocalRank(std::span<const std::vector<Candidate>> lists,
                                          std::span<const double> weights, int k) {
  struct Fused {
    double score = 0;
    size_t best_rank = SIZE_MAX;
  };
  std::unordered_map<uint32_t, Fused> by_passage;
  double best_possible = 0;
  for (size_t l = 0; l < lists.size(); ++l) {
    double w = l < weights.size() ? weights[l] : 1.0;
    best_possible += w / (k + 1);
    std::set<uint32_t> seen;
    size_t rank = 0;
    for (const auto& c : lists[l]) {
      if (!seen.insert(c.passage).second) continue;
      ++rank;
      auto& f = by_passage[c.passage];
      f.score += w / static_cast<double>(k + rank);
      f.best_rank = std::min(f.best_rank, rank);
    }
  }
  std::vector<std::pair<uint32_t, Fused>> ordered(by_passage.begin(), by_passage.end());
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (a.second.score != b.second.score) return a.second.score > b.second.score;
    if (a.second.best_rank != b.second.best_rank) return a.second.best_rank < b.second.best_rank;
    return a.first < b.first;
  });
  std::vector<Candidate> out;
  out.reserve(ordered.size());
  for (const auto& [passage, f] : ordered) {
    out.push_back({passage, best_possible > 0 ? f.score / best_possible : 0});
  }
  return out;
}

}  // namespace vf::rag
