#pragma once
// Whether a coaching question is general ("how much protein do lifters need?") or personal
// ("how much protein do I need?", "is my squat stalling?"). Only general questions may be
// answered from the AI-response cache that every user shares; when in doubt a question counts
// as personal, since a wrong "personal" costs one model call and a wrong "general" could show
// one athlete an answer about another.

#include <string>
#include <string_view>

namespace vf::cache {

enum class QuestionScope { kGeneral, kPersonal };

struct QuestionVerdict {
  QuestionScope scope = QuestionScope::kPersonal;
  std::string reason;  // what made it personal (for logs and tests); empty when general
};

QuestionVerdict ClassifyQuestion(std::string_view question);

// The shared cache key of a general question: its words lowercased, punctuation and repeated
// spaces dropped, hashed (SHA-256, hex), so "What is RPE?" and "what is  RPE" share an answer.
std::string NormalizedQuestionKey(std::string_view question);

}  // namespace vf::cache
