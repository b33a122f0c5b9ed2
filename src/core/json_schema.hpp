#pragma once
// Validates request bodies against the same JSON Schema (2020-12 subset) that /openapi.json
// publishes, so the contract and the checks cannot drift apart.
//
// Supported keywords: type (string or list), properties, required, additionalProperties (bool),
// items, minItems, maxItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
// maxLength, enum, format "date-time"/"date" (RFC 3339). Unknown keywords are ignored, as the
// specification asks.

#include <nlohmann/json.hpp>
#include <vector>

#include "core/problem.hpp"

namespace vf {

// Returns every violation found (empty means valid). Paths read like "sets[2].reps".
std::vector<FieldError> ValidateJson(const nlohmann::json& value, const nlohmann::json& schema);

}  // namespace vf
