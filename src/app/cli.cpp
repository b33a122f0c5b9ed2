#include "app/cli.hpp"

#include <iostream>
#include <string>

#include "app/app.hpp"
#include "core/config.hpp"
#include "store/repositories.hpp"

namespace vf::app {
namespace {

void PrintHelp(std::ostream& out) {
  out << "VoiceFit backend " << kVersion << "\n\n"
      << "usage: voicefit <command>\n\n"
      << "commands:\n"
      << "  serve     run the HTTP server (until SIGTERM/SIGINT)\n"
      << "  migrate   apply pending database migrations and exit\n"
      << "  index     build the knowledge-base search index into KNOWLEDGE_INDEX_DIR and exit\n"
      << "  rag-eval  evaluate retrieval on knowledge/eval: [--split "
         "train|test|fresh|final|holdout|audit|pooled|all] "
         "[--misses]\n"
      << "            (pooled: test, final, holdout and audit, the sets nothing was decided on)\n"
      << "            [--tune] (tuning uses the train split only) [--pools] (for judging)\n"
      << "            [--baseline] (every split's figures, for knowledge/eval/baseline.json)\n"
      << "            [--second-judge QRELS] (agreement of another judgment of the split's\n"
      << "            queries with the set's, and the retrieval scored by each)\n"
      << "            configured optional legs (EMBEDDINGS_BASE_URL or EMBEDDINGS_LOCAL_DIR, "
         "UPSTASH_SEARCH_REST_URL) are fused in\n"
      << "  embed     print the dense leg's vectors for a JSON array of texts on standard input\n"
      << "            (EMBEDDINGS_LOCAL_DIR, or the endpoint of EMBEDDINGS_BASE_URL), one JSON\n"
      << "            array of arrays\n"
      << "  version   print the version\n"
      << "  --help    this text\n\n"
      << "settings (environment variables, or keys of the JSON file named by VOICEFIT_CONFIG):\n";
  for (const auto& [name, help] : Config::Settings()) {
    out << "  " << name << std::string(name.size() < 26 ? 26 - name.size() : 1, ' ') << help
        << "\n";
  }
}

}  // namespace

int RunCli(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "--help" || command == "-h" || command == "help") {
    PrintHelp(std::cout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::cout << "voicefit " << kVersion << "\n";
    return 0;
  }
  if (command != "serve" && command != "migrate" && command != "index" && command != "rag-eval" &&
      command != "embed") {
    std::cerr << (command.empty() ? "missing command" : "unknown command: " + command) << "\n\n";
    PrintHelp(std::cerr);
    return 64;  // EX_USAGE
  }
  try {
    Config config = LoadConfig(EnvironmentLookup());
    if (command == "index") return BuildKnowledgeIndex(config);
    if (command == "embed") return EmbedTexts(config, std::cin, std::cout);
    if (command == "rag-eval") {
      return EvaluateRetrieval(config, std::vector<std::string>(argv + 2, argv + argc));
    }
    return command == "serve" ? Serve(config) : Migrate(config);
  } catch (const ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return 78;  // EX_CONFIG
  } catch (const store::StoreError& e) {
    std::cerr << "store error: " << e.what() << "\n";
    return 74;  // EX_IOERR
  } catch (const std::exception& e) {
    std::cerr << "fatal: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace vf::app
