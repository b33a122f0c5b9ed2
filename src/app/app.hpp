#pragma once
// The composition root: the only place that knows every concrete implementation and chooses
// between them from the configuration.

#include <iosfwd>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace vf::app {

inline constexpr const char* kVersion = "0.1.0";

// Runs the server until SIGTERM/SIGINT and the drain after it. Returns the process exit code.
int Serve(const Config& config);
// Applies pending store migrations and reports them. Returns the process exit code.
int Migrate(const Config& config);
// Builds the knowledge-base index into KNOWLEDGE_INDEX_DIR (which must be set) and reports it.
int BuildKnowledgeIndex(const Config& config);
// `voicefit embed`: the configured dense leg's vectors for a JSON array of texts.
int EmbedTexts(const Config& config, std::istream& in, std::ostream& out);
// Runs the retrieval evaluation (knowledge/eval) and prints its figures; `args` as in --help.
int EvaluateRetrieval(const Config& config, const std::vector<std::string>& args);

}  // namespace vf::app
