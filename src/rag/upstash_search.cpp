#include "rag/upstash_search.hpp"

namespace vf::rag {

using nlohmann::json;

UpstashSearch::UpstashSearch(std::string rest_url, std::string token, std::string index,
                             std::chrono::milliseconds timeout)
    : base_url_(std::move(rest_url)), index_(std::move(index)), http_(std::move(token), timeout) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

json UpstashSearch::Call(const std::string& command, const json& body,
                         std::optional<std::chrono::milliseconds> timeout) {
  auto reply = http_.Post(base_url_ + "/" + command + "/" + index_, body.dump(), timeout);
  auto parsed = json::parse(reply.body, nullptr, false);
  if (reply.status < 200 || reply.status >= 300 || !parsed.is_object() ||
      parsed.contains("error")) {
    std::string error =
        parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()
            ? parsed["error"].get<std::string>()
            : reply.body.substr(0, 200);
    throw HttpError("upstash search " + command + ": HTTP " + std::to_string(reply.status) + ": " +
                    error);
  }
  return parsed["result"];
}

std::string UpstashSearch::NamespaceFilter(std::span<const std::string> namespaces) {
  if (namespaces.empty()) return "@metadata.namespace != '_meta'";
  std::string filter = "@metadata.namespace IN (";
  for (size_t i = 0; i < namespaces.size(); ++i) {
    if (i) filter += ", ";
    filter += '\'';  // namespaces are validated names: no quotes inside
    filter += namespaces[i];
    filter += '\'';
  }
  return filter + ")";
}

size_t UpstashSearch::Sync(const knowledge::KnowledgeBase& kb) {
  auto stored = Call("fetch", {{"ids", {kVersionId}}, {"includeData", true}});
  if (stored.is_array() && !stored.empty() && stored[0].is_object() &&
      stored[0].value("content", json::object()).value("version", "") == kb.version) {
    return 0;
  }
  Call("reset", json::object(), kStartupBatchTimeout);
  constexpr size_t kBatch = 100;
  for (size_t start = 0; start < kb.passages.size(); start += kBatch) {
    json batch = json::array();
    for (size_t i = start; i < std::min(start + kBatch, kb.passages.size()); ++i) {
      const auto& p = kb.passages[i];
      auto joined = [](const std::vector<std::string>& items) {
        std::string out;
        for (const auto& item : items) {
          if (!out.empty()) out += "; ";
          out += item;
        }
        return out;
      };
      batch.push_back({{"id", p.id},
                       {"content",
                        {{"title", p.title},
                         {"text", p.body},
                         {"tags", joined(p.tags)},
                         {"questions", joined(p.questions)}}},
                       {"metadata", {{"namespace", p.name_space}}}});
    }
    Call("upsert-data", batch, kStartupBatchTimeout);
  }
  // Last, so an interrupted upload is redone at the next start.
  Call("upsert-data", json::array({{{"id", kVersionId},
                                    {"content", {{"version", kb.version}}},
                                    {"metadata", {{"namespace", "_meta"}}}}}));
  return kb.passages.size();
}

std::vector<std::string> UpstashSearch::Rank(const std::string& text,
                                             std::span<const std::string> namespaces, size_t k) {
  auto result = Call("search", {{"query", text},
                                {"topK", k},
                                {"includeData", false},
                                {"includeMetadata", true},
                                {"filter", NamespaceFilter(namespaces)},
                                {"reranking", false},
                                {"inputEnrichment", false}});
  std::vector<std::string> ids;
  if (!result.is_array()) throw HttpError("upstash search: result is not a list");
  for (const auto& hit : result) {
    if (hit.is_object() && hit.contains("id") && hit["id"].is_string()) {
      ids.push_back(hit["id"].get<std::string>());
    }
  }
  return ids;
}

}  // namespace vf::rag
