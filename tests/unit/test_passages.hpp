#pragma once
// A passage for the small knowledge bases unit tests write, with what the content rules need.

#include <string>
#include <utility>
#include <vector>

#include "knowledge/knowledge_base.hpp"

namespace vf::testing {

inline knowledge::Passage TestPassage(std::string id, std::string name_space, std::string title,
                                      std::string body, std::vector<std::string> tags = {}) {
  knowledge::Passage p;
  p.id = std::move(id);
  p.name_space = std::move(name_space);
  p.title = std::move(title);
  p.body = std::move(body);
  p.tags = std::move(tags);
  p.cite = "test";
  return p;
}

}  // namespace vf::testing
