#include "api/request_body.hpp"

#include <charconv>

#include "core/json_schema.hpp"
#include "core/problem.hpp"

namespace vf::api {

using nlohmann::json;

namespace {

bool IsJsonMediaType(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  std::string_view media = content_type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower;
  for (char c : media) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json" || (lower.rfind("application/", 0) == 0 && lower.size() > 5 &&
                                         lower.compare(lower.size() - 5, 5, "+json") == 0);
}

}  // namespace

json ParseJsonBody(const http::RequestContext& ctx) {
  const auto& req = ctx.request;
  if (!IsJsonMediaType(req.HeaderValue("Content-Type"))) {
    throw ApiError::UnsupportedMediaType("send the body as application/json");
  }
  if (req.body.empty()) throw ApiError::BadRequest("the request body is empty; send a JSON object");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) throw ApiError::BadRequest("the request body is not valid JSON");
  if (ctx.route != nullptr && !ctx.route->doc.request_schema.is_null()) {
    auto errors = ValidateJson(body, ctx.route->doc.request_schema);
    if (!errors.empty()) throw ApiError::Validation(std::move(errors));
  }
  return body;
}

http::Response JsonResponse(int status, const json& body) {
  return http::Response::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::optional<EpochMs> QueryTime(const http::RequestContext& ctx, const std::string& name,
                                 std::vector<FieldError>& errors) {
  auto raw = ctx.request.QueryParam(name);
  if (!raw || raw->empty()) return std::nullopt;
  auto t = ParseRfc3339(*raw);
  if (!t) errors.push_back({name, "must be an RFC 3339 date or date-time"});
  return t;
}

std::optional<int> QueryInt(const http::RequestContext& ctx, const std::string& name, int min,
                            int max, std::vector<FieldError>& errors) {
  auto raw = ctx.request.QueryParam(name);
  if (!raw || raw->empty()) return std::nullopt;
  int v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc{} || ptr != raw->data() + raw->size() || v < min || v > max) {
    errors.push_back(
        {name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max)});
    return std::nullopt;
  }
  return v;
}

store::TimeRange QueryTimeRange(const http::RequestContext& ctx) {
  std::vector<FieldError> errors;
  store::TimeRange range;
  range.since = QueryTime(ctx, "since", errors);
  range.until = QueryTime(ctx, "until", errors);
  range.limit = QueryInt(ctx, "limit", 1, 200, errors).value_or(50);
  if (!errors.empty()) throw ApiError::Validation(std::move(errors));
  return range;
}

std::vector<http::QueryParamDoc> TimeRangeQueryDocs(const std::string& records) {
  return {{"since", DateTimeSchema(), "only " + records + " at or after this time"},
          {"until", DateTimeSchema(), "only " + records + " before this time"},
          {"limit", IntegerSchema(1, 200), "at most this many (default 50)"}};
}

json NumberSchema(double min, double max, const std::string& description) {
  json s{{"type", "number"}, {"minimum", min}, {"maximum", max}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json IntegerSchema(int min, int max, const std::string& description) {
  json s{{"type", "integer"}, {"minimum", min}, {"maximum", max}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json StringSchema(int max_length, const std::string& description) {
  json s{{"type", "string"}, {"minLength", 1}, {"maxLength", max_length}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json EnumSchema(const std::vector<std::string>& values, const std::string& description) {
  json s{{"type", "string"}, {"enum", values}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json DateTimeSchema(const std::string& description) {
  json s{{"type", "string"}, {"format", "date-time"}};
  if (!description.empty()) s["description"] = description;
  return s;
}

}  // namespace vf::api
