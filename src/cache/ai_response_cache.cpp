#include "cache/ai_response_cache.hpp"

namespace vf::cache {

AiResponseCache::Answer AiResponseCache::GetOrAnswer(std::string_view question,
                                                     const std::function<std::string()>& answer) {
  QuestionVerdict verdict = ClassifyQuestion(question);
  if (verdict.scope == QuestionScope::kPersonal) return {answer(), false, verdict.scope};
  auto loaded = loader_.GetOrCompute(NormalizedQuestionKey(question), answer);
  return {std::move(loaded.value), loaded.cached, verdict.scope};
}

}  // namespace vf::cache
