// The RFC 9457 problem+json body every error response carries.

#include "core/problem.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace vf {
namespace {

using nlohmann::json;

TEST(ProblemBody, HasExactlyTheStandardFields) {
  ApiError error = ApiError::NotFound("workout w-1 does not exist");
  json body = json::parse(ProblemBody(error, "/api/workouts/w-1"));
  // Whole-object equality: no extra fields (in particular no "errors") may appear.
  json expected{{"type", std::string(kProblemTypeBase) + "not-found"},
                {"title", "Not Found"},
                {"status", 404},
                {"detail", "workout w-1 does not exist"},
                {"instance", "/api/workouts/w-1"}};
  EXPECT_EQ(body, expected);
}

TEST(ProblemBody, TypeIsBaseUrlPlusSlug) {
  ApiError error(409, "conflict-thing", "Conflict", "already there");
  json body = json::parse(ProblemBody(error, "/x"));
  EXPECT_EQ(body.at("type"), "https://voicefit.dev/problems/conflict-thing");
  EXPECT_EQ(body.at("status"), 409);
  EXPECT_TRUE(body.at("status").is_number_integer());
}

TEST(ProblemBody, ListsFieldErrorsInOrder) {
  ApiError error = ApiError::Validation(
      {{"sets[0].reps", "must be at least 1"}, {"performed_at", "must be an RFC 3339 date-time"}});
  json body = json::parse(ProblemBody(error, "/api/workouts"));
  json expected{
      {"type", std::string(kProblemTypeBase) + "validation"},
      {"title", "Invalid request values"},
      {"status", 422},
      {"detail", "2 fields are invalid"},
      {"instance", "/api/workouts"},
      {"errors",
       json::array({{{"field", "sets[0].reps"}, {"message", "must be at least 1"}},
                    {{"field", "performed_at"}, {"message", "must be an RFC 3339 date-time"}}})}};
  EXPECT_EQ(body, expected);
}

TEST(ProblemBody, OmitsErrorsWhenThereAreNone) {
  json body = json::parse(ProblemBody(ApiError::BadRequest("bad JSON"), "/api/profile"));
  EXPECT_FALSE(body.contains("errors"));
}

TEST(ProblemBody, CarriesStatusAndTitleOfEachFactory) {
  struct Case {
    ApiError error;
    int status;
    const char* slug;
  };
  const Case cases[] = {
      {ApiError::BadRequest("d"), 400, "malformed-request"},
      {ApiError::Unauthorized("d"), 401, "unauthorized"},
      {ApiError::Forbidden("d"), 403, "forbidden"},
      {ApiError::NotFound("d"), 404, "not-found"},
      {ApiError::PayloadTooLarge("d"), 413, "payload-too-large"},
      {ApiError::UnsupportedMediaType("d"), 415, "unsupported-media-type"},
      {ApiError::Unavailable("d"), 503, "unavailable"},
  };
  for (const auto& c : cases) {
    json body = json::parse(ProblemBody(c.error, "/p"));
    EXPECT_EQ(body.at("status"), c.status) << c.slug;
    EXPECT_EQ(body.at("type"), std::string(kProblemTypeBase) + c.slug);
    EXPECT_EQ(body.at("title"), c.error.title()) << c.slug;
    EXPECT_EQ(body.at("detail"), "d") << c.slug;
  }
}

TEST(ProblemBody, OmitsInstanceWhenThereIsNoPath) {
  json body = json::parse(ProblemBody(ApiError::BadRequest("bad"), ""));
  EXPECT_FALSE(body.contains("instance"));
  EXPECT_EQ(body.at("detail"), "bad");
}

TEST(ApiErrorValidation, SingleErrorDetailNamesFieldAndMessage) {
  ApiError error = ApiError::Validation({{"age", "must be at least 13"}});
  EXPECT_EQ(error.status(), 422);
  EXPECT_EQ(error.slug(), "validation");
  EXPECT_EQ(error.detail(), "age: must be at least 13");
  EXPECT_STREQ(error.what(), "age: must be at least 13");
  ASSERT_EQ(error.errors().size(), 1u);
  EXPECT_EQ(error.errors()[0].field, "age");
}

TEST(ApiErrorValidation, SeveralErrorsDetailCountsThem) {
  ApiError error = ApiError::Validation({{"a", "x"}, {"b", "y"}, {"c", "z"}});
  EXPECT_EQ(error.detail(), "3 fields are invalid");
  EXPECT_EQ(error.errors().size(), 3u);
}

TEST(ProblemBody, InvalidUtf8InDetailYieldsValidJson) {
  // Details may echo client input; a stray byte must not turn an error report into a crash.
  const std::string detail = "unknown exercise 'squat\xff\xfe' in set 2";
  ApiError error = ApiError::BadRequest(detail);
  std::string text;
  ASSERT_NO_THROW(text = ProblemBody(error, "/api/workouts"));
  json body;
  ASSERT_NO_THROW(body = json::parse(text));
  std::string shown = body.at("detail").get<std::string>();
  EXPECT_NE(shown.find("unknown exercise 'squat"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\xEF\xBF\xBD"), std::string::npos) << "expected U+FFFD replacement";
}

TEST(ProblemBody, InvalidUtf8InFieldErrorsAndInstanceYieldsValidJson) {
  ApiError error = ApiError::Validation({{"na\xc3me", "bad \x80 value"}});
  std::string text;
  ASSERT_NO_THROW(text = ProblemBody(error, "/api/\xff"));
  json body;
  ASSERT_NO_THROW(body = json::parse(text));
  EXPECT_EQ(body.at("errors").size(), 1u);
}

TEST(StatusTitle, NamesTheStatusesTheServerUses) {
  EXPECT_STREQ(StatusTitle(200), "OK");
  EXPECT_STREQ(StatusTitle(201), "Created");
  EXPECT_STREQ(StatusTitle(204), "No Content");
  EXPECT_STREQ(StatusTitle(400), "Bad Request");
  EXPECT_STREQ(StatusTitle(401), "Unauthorized");
  EXPECT_STREQ(StatusTitle(403), "Forbidden");
  EXPECT_STREQ(StatusTitle(404), "Not Found");
  EXPECT_STREQ(StatusTitle(405), "Method Not Allowed");
  EXPECT_STREQ(StatusTitle(408), "Request Timeout");
  EXPECT_STREQ(StatusTitle(413), "Payload Too Large");
  EXPECT_STREQ(StatusTitle(415), "Unsupported Media Type");
  EXPECT_STREQ(StatusTitle(422), "Unprocessable Content");
  EXPECT_STREQ(StatusTitle(429), "Too Many Requests");
  EXPECT_STREQ(StatusTitle(431), "Request Header Fields Too Large");
  EXPECT_STREQ(StatusTitle(500), "Internal Server Error");
  EXPECT_STREQ(StatusTitle(503), "Service Unavailable");
}

TEST(StatusTitle, UnknownStatusGetsGenericTitle) {
  EXPECT_STREQ(StatusTitle(418), "Error");
  EXPECT_STREQ(StatusTitle(0), "Error");
}

}  // namespace
}  // namespace vf
