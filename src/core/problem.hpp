#pragma once
// One error model for the whole server: handlers throw ApiError, the HTTP edge turns it into an
// RFC 9457 problem+json body. Anything else thrown becomes a 500 that reveals nothing.

#include <stdexcept>
#include <string>
#include <vector>

namespace vf {

struct FieldError {
  std::string field;  // e.g. "sets[0].reps"
  std::string message;
};

class ApiError : public std::exception {
 public:
  // `slug` names the problem type (…/problems/<slug>); `detail` is shown to the client.
  ApiError(int status, std::string slug, std::string title, std::string detail,
           std::vector<FieldError> errors = {});

  int status() const { return status_; }
  const std::string& slug() const { return slug_; }
  const std::string& title() const { return title_; }
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& errors() const { return errors_; }
  const char* what() const noexcept override { return detail_.c_str(); }

  static ApiError BadRequest(std::string detail);
  static ApiError Unauthorized(std::string detail);
  static ApiError Forbidden(std::string detail);
  static ApiError NotFound(std::string detail);
  static ApiError UnsupportedMediaType(std::string detail);
  static ApiError PayloadTooLarge(std::string detail);
  static ApiError Validation(std::vector<FieldError> errors);
  static ApiError Unavailable(std::string detail);

 private:
  int status_;
  std::string slug_, title_, detail_;
  std::vector<FieldError> errors_;
};

inline constexpr const char* kProblemContentType = "application/problem+json";
inline constexpr const char* kProblemTypeBase = "https://voicefit.dev/problems/";

// The problem+json body; `instance` is the request path.
std::string ProblemBody(const ApiError& error, const std::string& instance);

// Standard reason phrase for a status code (for titles and the Beast edge).
const char* StatusTitle(int status);

}  // namespace vf
