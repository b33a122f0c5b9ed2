#pragma once
// Answers to general coaching questions, shared by every user for 24 hours (SPEC.md §2). A
// question the classifier calls personal never touches this cache, in either direction: it is
// not looked up and its answer is not stored. The key is the normalised question under the
// prompt template's version, so a new template retires every old answer.

#include <functional>
#include <string>

#include "cache/loader.hpp"
#include "cache/question_scope.hpp"

namespace vf::cache {

class AiResponseCache {
 public:
  explicit AiResponseCache(Loader& loader) : loader_(loader) {}

  struct Answer {
    std::string body;
    bool cached = false;
    QuestionScope scope = QuestionScope::kPersonal;
  };
  Answer GetOrAnswer(std::string_view question, const std::function<std::string()>& answer);

 private:
  Loader& loader_;
};

}  // namespace vf::cache
