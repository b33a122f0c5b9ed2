#include "core/problem.hpp"

#include <nlohmann/json.hpp>

namespace vf {

ApiError::ApiError(int status, std::string slug, std::string title, std::string detail,
                   std::vector<FieldError> errors)
    : status_(status),
      slug_(std::move(slug)),
      title_(std::move(title)),
      detail_(std::move(detail)),
      errors_(std::move(errors)) {}

ApiError ApiError::BadRequest(std::string detail) {
  return {400, "malformed-request", "Malformed request", std::move(detail)};
}
ApiError ApiError::Unauthorized(std::string detail) {
  return {401, "unauthorized", "Unauthorized", std::move(detail)};
}
ApiError ApiError::Forbidden(std::string detail) {
  return {403, "forbidden", "Forbidden", std::move(detail)};
}
ApiError ApiError::NotFound(std::string detail) {
  return {404, "not-found", "Not Found", std::move(detail)};
}
ApiError ApiError::UnsupportedMediaType(std::string detail) {
  return {415, "unsupported-media-type", "Unsupported Media Type", std::move(detail)};
}
ApiError ApiError::PayloadTooLarge(std::string detail) {
  return {413, "payload-too-large", "Payload Too Large", std::move(detail)};
}
ApiError ApiError::Validation(std::vector<FieldError> errors) {
  std::string detail = errors.size() == 1 ? errors[0].field + ": " + errors[0].message
                                          : std::to_string(errors.size()) + " fields are invalid";
  return {422, "validation", "Invalid request values", std::move(detail), std::move(errors)};
}
ApiError ApiError::Unavailable(std::string detail) {
  return {503, "unavailable", "Service Unavailable", std::move(detail)};
}

std::string ProblemBody(const ApiError& error, const std::string& instance) {
  nlohmann::json body{{"type", kProblemTypeBase + error.slug()},
                      {"title", error.title()},
                      {"status", error.status()},
                      {"detail", error.detail()}};
  if (!instance.empty()) body["instance"] = instance;
  if (!error.errors().empty()) {
    auto& list = body["errors"] = nlohmann::json::array();
    for (const auto& e : error.errors())
      list.push_back({{"field", e.field}, {"message", e.message}});
  }
  // Replace invalid UTF-8 from echoed input rather than throw while reporting an error.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

const char* StatusTitle(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

}  // namespace vf
