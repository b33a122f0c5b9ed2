#include "rag/dense_leg.hpp"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/digest.hpp"

namespace vf::rag {

using nlohmann::json;
namespace fs = std::filesystem;

EmbeddingClient::EmbeddingClient(std::string base_url, std::string api_key, std::string model,
                                 std::chrono::milliseconds timeout)
    : url_(std::move(base_url)), model_(std::move(model)), http_(std::move(api_key), timeout) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  url_ += "/embeddings";
}

std::vector<std::vector<float>> EmbeddingClient::EmbedTexts(
    const std::vector<std::string>& inputs, std::optional<std::chrono::milliseconds> timeout) {
  auto reply = http_.Post(url_, json{{"model", model_}, {"input", inputs}}.dump(), timeout);
  auto body = json::parse(reply.body, nullptr, false);
  if (reply.status != 200 || !body.is_object() || !body.contains("data") ||
      !body["data"].is_array() || body["data"].size() != inputs.size()) {
    throw HttpError("embeddings: HTTP " + std::to_string(reply.status) + ": " +
                    reply.body.substr(0, 200));
  }
  std::vector<std::vector<float>> out(inputs.size());
  for (const auto& item : body["data"]) {
    size_t index = item.value("index", size_t{0});
    if (index >= out.size() || !item.contains("embedding") || !item["embedding"].is_array()) {
      throw HttpError("embeddings: malformed item");
    }
    auto& v = out[index];
    v = item["embedding"].get<std::vector<float>>();
    double norm = 0;
    for (float x : v) norm += double(x) * x;
    norm = std::sqrt(norm);
    if (norm == 0) throw HttpError("embeddings: a zero vector");
    for (float& x : v) x = static_cast<float>(x / norm);  // cosine by inner product
  }
  for (const auto& v : out) {
    if (v.empty() || v.size() != out[0].size()) throw HttpError("embeddings: uneven dimensions");
  }
  return out;
}

// hnswlib's exhaustive index: at a knowledge base's size (tens of passages a namespace) a scan
// is exact and faster than walking a graph, which would visit nearly every node anyway. It keeps
// each vector's 8-byte label right after its floats, so vectors are stored padded with a zero to
// an even length (451 topics -> 452): the label is then aligned, and inner products unchanged.
struct DenseLeg::Shelf {
  static size_t PaddedLength(size_t dimensions) { return dimensions + dimensions % 2; }
  static std::vector<float> Padded(std::vector<float> v) {
    v.resize(PaddedLength(v.size()), 0.0f);
    return v;
  }
  Shelf(size_t dimensions, size_t capacity)
      : space(PaddedLength(dimensions)), index(&space, std::max<size_t>(capacity, 1)) {}
  hnswlib::InnerProductSpace space;
  hnswlib::BruteforceSearch<float> index;
};

// Unit vectors from one model agree to rounding; a hosted model's may drift in the last digits.
static bool SameEmbedding(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) return false;
  double dot = 0;
  for (size_t i = 0; i < a.size(); ++i) dot += double(a[i]) * b[i];
  return dot >= 0.999;
}

std::string DenseLeg::PassageInput(const knowledge::Passage& p) {
  return p.title + "\n\n" + p.body;
}

DenseLeg::DenseLeg(const knowledge::KnowledgeBase& kb, TextEmbedder& client,
                   const fs::path& index_dir)
    : kb_(kb), client_(client) {
  // Saved vectors: a JSON header line, then float32 values passage by passage. The header keeps
  // the vector of a fixed probe text: a model retrained or replaced under the same name embeds
  // it differently, and then every passage is embedded again.
  fs::path saved;
  if (!index_dir.empty()) {
    saved = index_dir / ("dense-" + Sha256Hex(client.model()).substr(0, 12) + ".bin");
  }
  std::vector<std::vector<float>> vectors;
  std::vector<float> probe;
  bool probe_unavailable = false;
  if (!saved.empty()) {
    try {
      // One short text: the deadline a question gets, so a hung endpoint delays start-up little.
      probe = client.Embed({std::string(kProbeText)}).at(0);
    } catch (const HttpError&) {
      // The endpoint is down: saved vectors still serve once it is back (queries fall back to
      // the lexical legs until then), unverified; without them there is nothing to search.
      probe_unavailable = true;
    }
  }
  if (!saved.empty() && fs::exists(saved)) {
    std::ifstream in(saved, std::ios::binary);
    std::string header_line;
    std::getline(in, header_line);
    auto header = json::parse(header_line, nullptr, false);
    if (header.is_object() && header.value("kb_version", "") == kb.version &&
        header.value("count", size_t{0}) == kb.passages.size() &&
        (probe_unavailable || SameEmbedding(header.value("probe", std::vector<float>{}), probe))) {
      size_t dims = header.value("dimensions", size_t{0});
      vectors.assign(kb.passages.size(), std::vector<float>(dims));
      for (auto& v : vectors) in.read(reinterpret_cast<char*>(v.data()), std::streamsize(dims * 4));
      if (in) {
        loaded_from_disk_ = true;
      } else {
        vectors.clear();
      }
    }
  }
  if (vectors.empty()) {
    constexpr size_t kBatch = 64;
    for (size_t start = 0; start < kb.passages.size(); start += kBatch) {
      std::vector<std::string> inputs;
      for (size_t i = start; i < std::min(start + kBatch, kb.passages.size()); ++i) {
        inputs.push_back(PassageInput(kb.passages[i]));
      }
      for (auto& v : client.Embed(inputs, kStartupBatchTimeout)) vectors.push_back(std::move(v));
    }
    if (!saved.empty()) {
      std::ofstream out(saved, std::ios::binary | std::ios::trunc);
      out << json{{"kb_version", kb.version},
                  {"model", client.model()},
                  {"dimensions", vectors[0].size()},
                  {"count", vectors.size()},
                  {"probe", probe}}
                 .dump()
          << "\n";
      for (const auto& v : vectors) {
        out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * 4));
      }
    }
  }
  dimensions_ = vectors.at(0).size();
  std::map<std::string, size_t> sizes;
  for (const auto& p : kb.passages) ++sizes[p.name_space];
  for (const auto& [ns, size] : sizes) shelves_[ns] = std::make_unique<Shelf>(dimensions_, size);
  for (size_t i = 0; i < kb.passages.size(); ++i) {
    if (vectors[i].size() != dimensions_) throw HttpError("embeddings: uneven dimensions");
    shelves_[kb.passages[i].name_space]->index.addPoint(Shelf::Padded(vectors[i]).data(), i);
  }
}

DenseLeg::~DenseLeg() = default;

namespace {
// A running server's model does not change (a new one means a restart, and the probe).
constexpr auto kQuestionKept = std::chrono::hours(24);

std::string AsBytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}
}  // namespace

void DenseLeg::Prepare(std::span<const std::string> texts) {
  std::vector<std::string> missing;
  for (const auto& text : texts) {
    if (std::find(missing.begin(), missing.end(), text) == missing.end() && !questions_.Get(text)) {
      missing.push_back(text);
    }
  }
  if (missing.empty()) return;
  auto vectors = client_.Embed(missing);
  for (size_t i = 0; i < missing.size(); ++i) {
    questions_.Set(missing[i], AsBytes(vectors[i]), kQuestionKept);
  }
}

void DenseLeg::ForgetQuestions() { questions_.Clear(); }

std::vector<float> DenseLeg::QuestionVector(const std::string& text) {
  if (auto kept = questions_.Get(text)) {
    std::vector<float> v(kept->size() / sizeof(float));
    std::memcpy(v.data(), kept->data(), v.size() * sizeof(float));
    return v;
  }
  auto v = client_.Embed({text}).at(0);
  questions_.Set(text, AsBytes(v), kQuestionKept);
  return v;
}

std::vector<std::string> DenseLeg::Rank(const std::string& text,
                                        std::span<const std::string> namespaces, size_t k) {
  auto query = QuestionVector(text);
  if (query.size() != dimensions_) throw HttpError("embeddings: query of another dimension");
  query = Shelf::Padded(std::move(query));
  std::vector<std::pair<float, size_t>> hits;  // distance (1 - cosine), passage
  auto search = [&](const Shelf& shelf) {
    // The count is capped: this hnswlib version's scan reads k points whatever it holds.
    auto found = shelf.index.searchKnn(query.data(), std::min(k, shelf.index.cur_element_count));
    while (!found.empty()) {
      hits.emplace_back(found.top().first, found.top().second);
      found.pop();
    }
  };
  if (namespaces.empty()) {
    for (const auto& [ns, shelf] : shelves_) search(*shelf);
  } else {
    for (const auto& ns : namespaces) {
      if (auto it = shelves_.find(ns); it != shelves_.end()) search(*it->second);
    }
  }
  std::sort(hits.begin(), hits.end());
  std::vector<std::string> ids;
  for (size_t i = 0; i < std::min(k, hits.size()); ++i)
    ids.push_back(kb_.passages[hits[i].second].id);
  return ids;
}

}  // namespace vf::rag
