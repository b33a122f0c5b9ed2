#include "rag/sentence_encoder.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/text.hpp"
#include "rag/matrix_library.hpp"

namespace vf::rag {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string ReadOrThrow(const fs::path& path) {
  auto contents = ReadFile(path);
  if (!contents) throw std::runtime_error("cannot read " + path.string());
  return std::move(*contents);
}

std::u32string ToCodePoints(const icu::UnicodeString& text) {
  std::u32string out;
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) out += text.char32At(i);
  return out;
}

constexpr char32_t kWordBoundary = U'\u2581';  // SentencePiece's mark for a space
constexpr int kReservedPieces = 6;             // unknown, <s>, </s> and three spare ids
constexpr int kUnknown = 0;

}  // namespace

PieceTokenizer::PieceTokenizer(const fs::path& vocabulary) {
  auto entries = json::parse(ReadOrThrow(vocabulary));
  if (!entries.is_array() || entries.size() <= kReservedPieces) {
    throw std::runtime_error(vocabulary.string() + ": not a vocabulary");
  }
  for (const auto& entry : entries) {
    auto text = icu::UnicodeString::fromUTF8(entry.at(0).get<std::string>());
    pieces_.push_back(ToCodePoints(text));
    utf16_lengths_.push_back(static_cast<size_t>(text.length()));
  }
  for (size_t id = kReservedPieces; id < pieces_.size(); ++id) {
    // A few pieces (those with ':') have a null score, which the reference adds as 0.
    const auto& score = entries[id].at(1);
    const auto& text = pieces_[id];
    auto& entry = by_text_[text];
    if (entry.piece.id < 0) {  // the first of a repeated piece wins, as in the reference
      entry.piece = {score.is_number() ? score.get<double>() : 0.0, static_cast<int>(id)};
    }
    for (size_t length = 1; length < text.size(); ++length) {
      by_text_[text.substr(0, length)].longer = true;
    }
    longest_ = std::max(longest_, text.size());
  }
}

std::vector<int> PieceTokenizer::Encode(std::string_view utf8) const {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: no NFKC normalizer");
  auto normalized = nfkc->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), int32_t(utf8.size()))), status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: cannot normalize");
  std::u32string symbols = ToCodePoints(normalized);
  if (symbols.empty()) return {};
  for (auto& c : symbols) {
    if (c == U' ') c = kWordBoundary;
  }
  symbols.insert(symbols.begin(), kWordBoundary);

  // best[end]: the highest score of a segmentation of symbols[0, end); 0 means none yet, as in
  // the reference (scores are log probabilities, so below 0). Ties go to the later start. In
  // double precision, as the reference adds them.
  const size_t n = symbols.size();
  std::vector<double> best(n + 1, 0.0);
  std::vector<int> last_piece(n + 1, kUnknown);
  std::vector<std::vector<std::pair<size_t, Piece>>> ending(n + 1);  // by end: (start, piece)
  for (size_t start = 0; start < n; ++start) {
    bool matched = false;
    std::u32string candidate;
    for (size_t length = 1; length <= longest_ && start + length <= n; ++length) {
      candidate.push_back(symbols[start + length - 1]);
      auto it = by_text_.find(candidate);
      if (it == by_text_.end()) break;  // no piece starts so
      if (it->second.piece.id >= 0) {
        ending[start + length].emplace_back(start, it->second.piece);
        matched = true;
      }
      if (!it->second.longer) break;
    }
    if (!matched) ending[start + 1].emplace_back(start, Piece{0.0, kUnknown});
  }
  for (size_t end = 0; end <= n; ++end) {
    // Starts come in increasing order (appended so above), as the reference visits them.
    for (const auto& [start, piece] : ending[end]) {
      double score = piece.score + best[start];
      if (best[end] == 0 || score >= best[end]) {
        best[end] = score;
        last_piece[end] = piece.id;
      }
    }
  }
  std::vector<int> ids;
  for (size_t at = n; at > 0;) {
    int id = last_piece[at];
    ids.push_back(id);
    size_t step = utf16_lengths_[static_cast<size_t>(id)];
    at = step >= at ? 0 : at - step;
  }
  std::vector<int> merged;  // runs of unknown pieces count once
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == kUnknown && i > 0 && ids[i - 1] == kUnknown) continue;
    merged.push_back(ids[i]);
  }
  return {merged.rbegin(), merged.rend()};
}

namespace {

// The weights of a TensorFlow.js graph model: model.json's manifest names each weight, its shape
// and type; the values follow one another through the shards. Read into one buffer and copied
// once into the encoder's matrices, so loading leaves no second copy behind in the heap.
class WeightFile {
 public:
  explicit WeightFile(const fs::path& dir) {
    auto model = json::parse(ReadOrThrow(dir / "model.json"));
    for (const auto& group : model.at("weightsManifest")) {
      size_t total = bytes_.size();
      for (const auto& shard : group.at("paths")) {
        total += fs::file_size(dir / shard.get<std::string>());
      }
      bytes_.reserve(total);
      for (const auto& shard : group.at("paths"))
        bytes_ += ReadOrThrow(dir / shard.get<std::string>());
      for (const auto& w : group.at("weights")) {
        size_t count = 1;
        for (const auto& d : w.at("shape")) count *= d.get<size_t>();
        if (w.contains("quantization")) throw std::runtime_error("quantized weights: unsupported");
        size_t size = count * 4;  // float32 and int32 alike
        if (offset_ + size > bytes_.size()) {
          throw std::runtime_error("model.json: shards too short");
        }
        if (w.at("dtype") == "float32")
          weights_[w.at("name").get<std::string>()] = {offset_, count};
        offset_ += size;
      }
    }
  }

  // A weight as rows x columns (row-major): its last dimension is the columns.
  SentenceEncoder::Matrix Matrix(const std::string& name, Eigen::Index rows,
                                 Eigen::Index cols) const {
    SentenceEncoder::Matrix m(rows, cols);
    Copy(name, m.data(), rows * cols);
    return m;
  }
  Eigen::RowVectorXf Vector(const std::string& name, Eigen::Index size) const {
    Eigen::RowVectorXf v(size);
    Copy(name, v.data(), size);
    return v;
  }
  float Scalar(const std::string& name) const {
    float value = 0;
    Copy(name, &value, 1);
    return value;
  }
  Eigen::Index Count(const std::string& name) const {
    auto it = weights_.find(name);
    return it == weights_.end() ? 0 : Eigen::Index(it->second.second);
  }

 private:
  void Copy(const std::string& name, float* out, Eigen::Index count) const {
    auto it = weights_.find(name);
    if (it == weights_.end()) throw std::runtime_error("model.json: no weight " + name);
    if (Eigen::Index(it->second.second) != count) {
      throw std::runtime_error("model.json: " + name + " has another shape");
    }
    std::memcpy(out, bytes_.data() + it->second.first, size_t(count) * sizeof(float));
  }
  std::string bytes_;
  size_t offset_ = 0;
  std::map<std::string, std::pair<size_t, size_t>> weights_;  // name: byte offset, values
};

}  // namespace

namespace {
const std::string kEncode = "module_apply_default/Encoder_en/KonaTransformer/Encode/";
const std::string kStack = kEncode + "TransformerStack/";
const std::string kVariables = "module/Encoder_en/KonaTransformer/Encode/";
}  // namespace

namespace {
constexpr Eigen::Index kInput = 256, kOutput = 512;

// What both encoders read from the published model: the piece embeddings and the timing signal.
struct Inputs {
  SentenceEncoder::Matrix embeddings;
  Eigen::RowVectorXf inverse_timescales;
};
Inputs ReadInputs(const WeightFile& w, size_t vocabulary) {
  Inputs in{w.Matrix("module/Embeddings_en", w.Count("module/Embeddings_en") / kInput, kInput),
            w.Vector(kStack + "Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", kInput / 2)};
  if (in.embeddings.rows() < Eigen::Index(vocabulary)) {
    throw std::runtime_error("model.json: fewer embeddings than vocabulary pieces");
  }
  return in;
}
}  // namespace

SentenceEncoder::SentenceEncoder(const fs::path& dir) : tokenizer_(dir / "vocab.json") {
  WeightFile w(dir);
  constexpr Eigen::Index kWidth = kOutput, kHidden = 1536;
  auto inputs = ReadInputs(w, tokenizer_.size());
  embeddings_ = std::move(inputs.embeddings);
  inverse_timescales_ = std::move(inputs.inverse_timescales);
  layers_.resize(2);
  for (int i = 0; i < 2; ++i) {
    const std::string name = "Layer_" + std::to_string(i) + "/TransformerLayer/";
    const std::string at = kEncode + name, attention = name + "MultiheadAttention/";
    const Eigen::Index in = i == 0 ? kInput : kWidth;
    Layer& layer = layers_[i];
    layer.query_scale = w.Scalar(kStack + attention + "mul/y");
    auto norm = [&](const std::string& prefix, Eigen::Index size) {
      return Norm{w.Vector(at + prefix +
                               "layer_prepostprocess/layer_norm/layer_norm_scale/"
                               "ConcatPartitions/concat",
                           size),
                  w.Vector(at + prefix +
                               "layer_prepostprocess/layer_norm/layer_norm_bias/"
                               "ConcatPartitions/concat",
                           size)};
    };
    layer.attention_norm = norm("", in);
    layer.ffn_norm = norm("FFN/", kWidth);
    layer.qkv = w.Matrix(kVariables + attention + "qkv_transform_single/kernel/part_0", in, 3 * in);
    layer.qkv_bias =
        w.Vector(kEncode + attention + "qkv_transform_single/bias/ConcatPartitions/concat", 3 * in);
    layer.output =
        w.Matrix(kVariables + attention + "output_transform_single/kernel/part_0", in, kWidth);
    layer.output_bias = w.Vector(
        kEncode + attention + "output_transform_single/bias/ConcatPartitions/concat", kWidth);
    layer.ffn_in = w.Matrix(kStack + name + "FFN/conv1/Tensordot/Reshape_1", kWidth, kHidden);
    layer.ffn_in_bias = w.Vector(at + "FFN/conv1/bias/ConcatPartitions/concat", kHidden);
    layer.ffn_out = w.Matrix(kStack + name + "FFN/conv2/Tensordot/Reshape_1", kHidden, kWidth);
    layer.ffn_out_bias = w.Vector(at + "FFN/conv2/bias/ConcatPartitions/concat", kWidth);
    if (in != kWidth) {
      layer.residual = w.Matrix(at + "dense/kernel/ConcatPartitions/concat", in, kWidth);
      layer.residual_bias = w.Vector(at + "dense/bias/ConcatPartitions/concat", kWidth);
    }
  }
  pooled_weights_ =
      w.Matrix("module/Encoder_en/hidden_layers/tanh_layer_0/weights", kWidth, kWidth);
  pooled_bias_ = w.Vector("module/Encoder_en/hidden_layers/tanh_layer_0/bias", kWidth);
}

SentenceEncoder::SentenceEncoder(const fs::path& dir, const fs::path& distilled)
    : tokenizer_(dir / "vocab.json") {
  auto inputs = ReadInputs(WeightFile(dir), tokenizer_.size());
  embeddings_ = std::move(inputs.embeddings);
  inverse_timescales_ = std::move(inputs.inverse_timescales);
  WeightFile w(distilled);
  auto model = json::parse(ReadOrThrow(distilled / "model.json"));
  const auto count = model.at("layers").get<int>();
  const auto width = model.at("width").get<Eigen::Index>();
  const auto heads = model.at("heads").get<int>();
  const auto epsilon = model.at("layer_norm_epsilon").get<float>();
  if (width != kInput || count < 1 || heads < 1 || width % heads != 0) {
    throw std::runtime_error(distilled.string() + ": a shape this encoder cannot run");
  }
  auto norm = [&](const std::string& prefix) {
    return Norm{w.Vector(prefix + "/scale", width), w.Vector(prefix + "/bias", width), epsilon};
  };
  const Eigen::Index hidden = w.Count("layer_0/ffn_in/bias");
  for (int i = 0; i < count; ++i) {
    const std::string at = "layer_" + std::to_string(i) + "/";
    Layer layer;
    layer.heads = heads;
    layer.query_scale = 1.0f / std::sqrt(float(width / heads));  // as PyTorch's attention scales
    layer.attention_norm = norm(at + "attention_norm");
    layer.ffn_norm = norm(at + "ffn_norm");
    layer.qkv = w.Matrix(at + "qkv/kernel", width, 3 * width);
    layer.qkv_bias = w.Vector(at + "qkv/bias", 3 * width);
    layer.output = w.Matrix(at + "output/kernel", width, width);
    layer.output_bias = w.Vector(at + "output/bias", width);
    layer.ffn_in = w.Matrix(at + "ffn_in/kernel", width, hidden);
    layer.ffn_in_bias = w.Vector(at + "ffn_in/bias", hidden);
    layer.ffn_out = w.Matrix(at + "ffn_out/kernel", hidden, width);
    layer.ffn_out_bias = w.Vector(at + "ffn_out/bias", width);
    layers_.push_back(std::move(layer));
  }
  final_norm_ = norm("final_norm");
  pooled_weights_ = w.Matrix("pooled/kernel", width, kOutput);
  pooled_bias_ = w.Vector("pooled/bias", kOutput);
}

SentenceEncoder::Matrix SentenceEncoder::Normalize(const Matrix& x, const Norm& norm) {
  Matrix out(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    float mean = x.row(r).mean();
    Vector centred = x.row(r).array() - mean;
    float variance = centred.squaredNorm() / float(x.cols());
    out.row(r) =
        (centred / std::sqrt(variance + norm.epsilon)).cwiseProduct(norm.scale) + norm.bias;
  }
  return out;
}

SentenceEncoder::Matrix SentenceEncoder::Attention(const Matrix& x, const Layer& layer) {
  const Eigen::Index tokens = x.rows(), width = x.cols(), head = width / layer.heads;
  Matrix qkv = (x * layer.qkv).rowwise() + layer.qkv_bias;
  Matrix combined(tokens, width);
  for (int h = 0; h < layer.heads; ++h) {
    Matrix q = qkv.middleCols(h * head, head) * layer.query_scale;
    auto k = qkv.middleCols(width + h * head, head);
    auto v = qkv.middleCols(2 * width + h * head, head);
    Matrix weights = q * k.transpose();
    for (Eigen::Index r = 0; r < tokens; ++r) {
      auto row = weights.row(r);
      row = (row.array() - row.maxCoeff()).exp();
      row /= row.sum();
    }
    combined.middleCols(h * head, head) = weights * v;
  }
  return (combined * layer.output).rowwise() + layer.output_bias;
}

// One pre-norm Transformer layer: x + attention(norm(x)), then + ffn(norm(.)).
SentenceEncoder::Matrix SentenceEncoder::Forward(const Matrix& x, const Layer& layer) {
  Matrix residual =
      layer.residual.size() ? Matrix((x * layer.residual).rowwise() + layer.residual_bias) : x;
  Matrix h = residual + Attention(Normalize(x, layer.attention_norm), layer);
  Matrix hidden =
      ((Normalize(h, layer.ffn_norm) * layer.ffn_in).rowwise() + layer.ffn_in_bias).cwiseMax(0.0f);
  return h + ((hidden * layer.ffn_out).rowwise() + layer.ffn_out_bias);
}

std::vector<float> SentenceEncoder::Encode(std::string_view utf8) const {
  auto exclusive = ExclusiveMatrixProducts();
  auto ids = tokenizer_.Encode(utf8);
  if (ids.size() > kMaxTokens) ids.resize(kMaxTokens);
  const auto tokens = Eigen::Index(ids.size());
  Vector pooled = Vector::Zero(pooled_weights_.rows());
  if (tokens > 0) {
    // The graph adds each token's embedding twice: once alone, once with the timing signal.
    const Eigen::Index half = inverse_timescales_.size();
    Matrix x(tokens, 2 * half);
    for (Eigen::Index t = 0; t < tokens; ++t) {
      x.row(t) = 2.0f * embeddings_.row(ids[size_t(t)]);
      for (Eigen::Index j = 0; j < half; ++j) {
        float angle = float(t) * inverse_timescales_[j];
        x(t, j) += std::sin(angle);
        x(t, half + j) += std::cos(angle);
      }
    }
    for (const auto& layer : layers_) x = Forward(x, layer);
    if (final_norm_) x = Normalize(x, *final_norm_);
    pooled = x.colwise().mean();
  }
  Vector out = ((pooled * pooled_weights_) + pooled_bias_).array().tanh();
  out /= std::sqrt(std::max(out.squaredNorm(), 1e-12f));
  return {out.data(), out.data() + out.size()};
}

}  // namespace vf::rag
