#pragma once
// What a chat message mentions, whatever its intent: an exercise (through the catalog matcher),
// a weight with its unit, sets and reps, a distance, a duration, a body part.

#include <nlohmann/json.hpp>
#include <string_view>

#include "exercises/matcher.hpp"

namespace vf::chat {

// {"exercise": {"id", "name", "confidence"} | null, "weight": {"value", "unit", "kg"} | null,
//  "sets": n | null, "reps": n | null, "distance": {"value", "unit", "m"} | null,
//  "duration_s": n | null, "body_part": "..." | null}
nlohmann::json ExtractEntities(std::string_view message, const exercises::Matcher& matcher,
                               const exercises::NameMatcher& names);

}  // namespace vf::chat
