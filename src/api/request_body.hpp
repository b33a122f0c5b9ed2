#pragma once
// Shared edge helpers for route handlers: JSON in (content type, syntax, schema), JSON out, and
// typed query parameters. Every check throws ApiError before anything is stored.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/problem.hpp"
#include "core/time.hpp"
#include "http/route.hpp"
#include "store/models.hpp"

namespace vf::api {

// 415 unless Content-Type is application/json (or +json); 400 if the body is empty or not JSON;
// 422 with per-field errors if it does not match the route's request schema.
nlohmann::json ParseJsonBody(const http::RequestContext& ctx);

http::Response JsonResponse(int status, const nlohmann::json& body);

// Query parameters, validated; problems are collected into `errors` (reported together as 422).
std::optional<EpochMs> QueryTime(const http::RequestContext& ctx, const std::string& name,
                                 std::vector<FieldError>& errors);
std::optional<int> QueryInt(const http::RequestContext& ctx, const std::string& name, int min,
                            int max, std::vector<FieldError>& errors);

// ?since=&until=&limit= of the history routes (limit 1-200, default 50). Throws ApiError 422.
store::TimeRange QueryTimeRange(const http::RequestContext& ctx);
std::vector<http::QueryParamDoc> TimeRangeQueryDocs(const std::string& records);

// A member of an already-validated body, or nullopt when absent.
template <class T>
std::optional<T> OptionalMember(const nlohmann::json& body, const char* key) {
  if (!body.contains(key)) return std::nullopt;
  return body[key].get<T>();
}

// How far in the future a client-given time may lie: phones' clocks and time zones drift.
inline constexpr EpochMs kFutureSlackMs = 24LL * 3600 * 1000;

inline constexpr double kKgPerLb = 0.45359237;  // exact, by the 1959 international agreement

// Schema fragments used by several routes.
nlohmann::json NumberSchema(double min, double max, const std::string& description = "");
nlohmann::json IntegerSchema(int min, int max, const std::string& description = "");
nlohmann::json StringSchema(int max_length, const std::string& description = "");
nlohmann::json EnumSchema(const std::vector<std::string>& values,
                          const std::string& description = "");
nlohmann::json DateTimeSchema(const std::string& description = "");

// Optional members as JSON (absent -> not written).
template <class T>
void PutIf(nlohmann::json& out, const char* key, const std::optional<T>& value) {
  if (value) out[key] = *value;
}

}  // namespace vf::api
