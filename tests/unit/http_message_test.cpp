// Plain request/response values, the middleware pipeline and the server's own middleware.

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/problem.hpp"
#include "http/message.hpp"
#include "http/middleware.hpp"
#include "http/pipeline.hpp"

namespace vf::http {
namespace {

using nlohmann::json;

// The value of a response header, or nullopt when the response lacks it.
std::optional<std::string> FindHeader(const Response& res, std::string_view name) {
  for (const auto& h : res.headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return std::nullopt;
}

Request WithQuery(std::string query) {
  Request r;
  r.query = std::move(query);
  return r;
}

// ---- SplitTarget / PercentDecode -------------------------------------------------------------

TEST(SplitTarget, DecodesPathAndKeepsQueryRaw) {
  std::string path, query;
  ASSERT_TRUE(SplitTarget("/api/my%20workouts?since=2026-01-01&q=a%20b", path, query));
  EXPECT_EQ(path, "/api/my workouts");
  EXPECT_EQ(query, "since=2026-01-01&q=a%20b");
}

TEST(SplitTarget, PathWithoutQueryHasEmptyQuery) {
  std::string path = "stale", query = "stale";
  ASSERT_TRUE(SplitTarget("/health", path, query));
  EXPECT_EQ(path, "/health");
  EXPECT_EQ(query, "");
}

TEST(SplitTarget, PlusInPathIsNotASpace) {
  // '+' means space only in query strings.
  std::string path, query;
  ASSERT_TRUE(SplitTarget("/a+b", path, query));
  EXPECT_EQ(path, "/a+b");
}

TEST(SplitTarget, RejectsBadPercentEncoding) {
  std::string path, query;
  EXPECT_FALSE(SplitTarget("/a%zz", path, query));
  EXPECT_FALSE(SplitTarget("/a%2", path, query));
  EXPECT_FALSE(SplitTarget("/a%", path, query));
}

TEST(SplitTarget, RejectsEncodedNul) {
  std::string path, query;
  EXPECT_FALSE(SplitTarget("/a%00b", path, query));
}

TEST(SplitTarget, RejectsTargetsNotStartingWithSlash) {
  std::string path, query;
  EXPECT_FALSE(SplitTarget("", path, query));
  EXPECT_FALSE(SplitTarget("api/profile", path, query));
  EXPECT_FALSE(SplitTarget("http://host/api/profile", path, query));
  EXPECT_FALSE(SplitTarget("*", path, query));
}

TEST(PercentDecode, DecodesMultibyteSequences) {
  EXPECT_EQ(PercentDecode("S%C3%A3o", false), "S\xC3\xA3o");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("%2b%2B", true), "++");  // hex digits in either case
}

// ---- Request ---------------------------------------------------------------------------------

TEST(QueryParam, DecodesPlusAndPercentEscapes) {
  Request r = WithQuery("name=John+Smith&city=S%C3%A3o%20Paulo&x=%2B1");
  EXPECT_EQ(r.QueryParam("name"), "John Smith");
  EXPECT_EQ(r.QueryParam("city"), "S\xC3\xA3o Paulo");
  EXPECT_EQ(r.QueryParam("x"), "+1");
}

TEST(QueryParam, BareKeyAndEmptyValueGiveEmptyString) {
  Request r = WithQuery("active_only&since=");
  EXPECT_EQ(r.QueryParam("active_only"), std::string());
  EXPECT_EQ(r.QueryParam("since"), std::string());
}

TEST(QueryParam, AbsentKeyGivesNullopt) {
  EXPECT_EQ(WithQuery("a=1&b=2").QueryParam("c"), std::nullopt);
  EXPECT_EQ(WithQuery("").QueryParam("a"), std::nullopt);
  // A key that merely starts with the name is a different key.
  EXPECT_EQ(WithQuery("limit2=5").QueryParam("limit"), std::nullopt);
}

TEST(QueryParam, FirstOccurrenceWins) { EXPECT_EQ(WithQuery("a=1&a=2").QueryParam("a"), "1"); }

TEST(QueryParam, EncodedKeyMatchesDecodedName) {
  EXPECT_EQ(WithQuery("my%20key=v").QueryParam("my key"), "v");
}

TEST(HeaderValue, LooksUpNamesCaseInsensitively) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Request-Id", "abc"}};
  EXPECT_EQ(r.HeaderValue("content-type"), "application/json");
  EXPECT_EQ(r.HeaderValue("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.HeaderValue("x-request-id"), "abc");
  EXPECT_TRUE(r.HasHeader("x-REQUEST-id"));
}

TEST(HeaderValue, AbsentHeaderIsEmpty) {
  Request r;
  r.headers = {{"Accept", "*/*"}};
  EXPECT_TRUE(r.HeaderValue("Authorization").empty());
  EXPECT_FALSE(r.HasHeader("Authorization"));
}

TEST(EqualsIgnoreCase, ComparesLengthsToo) {
  EXPECT_TRUE(EqualsIgnoreCase("Allow", "aLLOW"));
  EXPECT_FALSE(EqualsIgnoreCase("Allow", "Allows"));
  EXPECT_FALSE(EqualsIgnoreCase("Allow", "Alloy"));
}

// ---- Response --------------------------------------------------------------------------------

TEST(ResponseSetHeader, ReplacesExistingHeaderCaseInsensitively) {
  Response res;
  res.SetHeader("X-Request-Id", "first");
  res.SetHeader("x-request-id", "second");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].value, "second");
}

TEST(ResponseSetHeader, AddsDistinctHeaders) {
  Response res;
  res.SetHeader("Allow", "GET");
  res.SetHeader("Retry-After", "1");
  EXPECT_EQ(res.headers.size(), 2u);
  EXPECT_EQ(FindHeader(res, "allow"), "GET");
}

TEST(ResponseJson, SetsStatusBodyAndJsonType) {
  Response res = Response::Json(201, R"({"id":"x"})");
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, R"({"id":"x"})");
  EXPECT_EQ(res.content_type, "application/json");
}

// ---- Pipeline --------------------------------------------------------------------------------

// Records "in:<name>" and "out:<name>" calls; can answer early or throw on the way in.
class Recorder final : public Middleware {
 public:
  Recorder(std::string name, std::vector<std::string>& calls)
      : name_(std::move(name)), calls_(calls) {}

  Recorder& AnswerWith(Response res) {
    answer_ = std::move(res);
    return *this;
  }
  Recorder& MarkBlocking() {
    is_blocking_ = true;
    return *this;
  }
  Recorder& ThrowOnRequest(ApiError error) {
    error_ = std::move(error);
    return *this;
  }

  std::optional<Response> OnRequest(RequestContext&) override {
    calls_.push_back("in:" + name_);
    if (error_) throw *error_;
    return answer_;
  }
  void OnResponse(RequestContext&, Response&) override { calls_.push_back("out:" + name_); }
  bool blocking(const RequestContext&) const override { return is_blocking_; }

 private:
  std::string name_;
  std::vector<std::string>& calls_;
  std::optional<Response> answer_;
  std::optional<ApiError> error_;
  bool is_blocking_ = false;
};

class PipelineTest : public ::testing::Test {
 protected:
  Recorder& AddStage(const std::string& name) {
    auto stage = std::make_unique<Recorder>(name, calls_);
    Recorder& ref = *stage;
    pipeline_.Add(std::move(stage));
    return ref;
  }

  // Points the context at a route with this handler.
  void RouteTo(Handler handler, bool is_blocking = true) {
    route_.method = "GET";
    route_.path = "/api/thing";
    route_.blocking = is_blocking;
    route_.handler = std::move(handler);
    ctx_.route = &route_;
  }
  // A route whose handler records its call and answers 200.
  void RouteToRecorder() {
    RouteTo([this](RequestContext&) {
      calls_.push_back("handler");
      return Response::Json(200, "{}");
    });
  }

  std::vector<std::string> calls_;
  Pipeline pipeline_;
  Route route_;
  RequestContext ctx_ = [] {
    RequestContext ctx;
    ctx.request.method = "GET";
    ctx.request.target = "/api/thing";
    ctx.request.path = "/api/thing";
    return ctx;
  }();
};

TEST_F(PipelineTest, StagesRunInOrderInAndReverseOut) {
  AddStage("a");
  AddStage("b");
  AddStage("c");
  RouteToRecorder();
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "in:b", "in:c", "handler", "out:c", "out:b",
                                              "out:a"}));
}

TEST_F(PipelineTest, EarlyAnswerSkipsLaterStagesAndHandlerButUnwindsStagesThatRan) {
  AddStage("a");
  AddStage("b").AnswerWith(Response::Json(429, R"({"slow":"down"})"));
  AddStage("c");
  RouteToRecorder();
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 429);
  EXPECT_EQ(res.body, R"({"slow":"down"})");
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "in:b", "out:b", "out:a"}));
}

TEST_F(PipelineTest, EarlyAnswerFromBlockingStageAlsoUnwinds) {
  AddStage("a");
  AddStage("b").MarkBlocking().AnswerWith(Response::Json(401, "{}"));
  AddStage("c");
  RouteToRecorder();
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "in:b", "out:b", "out:a"}));
}

TEST_F(PipelineTest, ApiErrorFromStageBecomesProblemAndUnwinds) {
  AddStage("a");
  AddStage("b").ThrowOnRequest(ApiError::Unauthorized("token expired"));
  AddStage("c");
  RouteToRecorder();
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(res.content_type, kProblemContentType);
  EXPECT_EQ(FindHeader(res, "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "in:b", "out:b", "out:a"}));
}

TEST_F(PipelineTest, ApiErrorFromHandlerBecomesProblemJson) {
  AddStage("a");
  RouteTo([](RequestContext&) -> Response { throw ApiError::NotFound("no workout w-1"); });
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.content_type, kProblemContentType);
  json body = json::parse(res.body);
  EXPECT_EQ(body.at("status"), 404);
  EXPECT_EQ(body.at("type"), std::string(kProblemTypeBase) + "not-found");
  EXPECT_EQ(body.at("detail"), "no workout w-1");
  EXPECT_EQ(body.at("instance"), "/api/thing");
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "out:a"}));
}

TEST_F(PipelineTest, ValidationErrorFromHandlerKeeps422AndFieldErrors) {
  RouteTo([](RequestContext&) -> Response {
    throw ApiError::Validation({{"age", "must be at least 13"}});
  });
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 422);
  json body = json::parse(res.body);
  ASSERT_EQ(body.at("errors").size(), 1u);
  EXPECT_EQ(body["errors"][0].at("field"), "age");
}

TEST_F(PipelineTest, OtherExceptionBecomes500WithoutItsMessage) {
  // Internal messages may carry hostnames, SQL or secrets; the client must never see them.
  const std::string internal = "connection to db-primary:5432 failed, password=hunter2";
  RouteTo([&internal](RequestContext&) -> Response { throw std::runtime_error(internal); });
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.content_type, kProblemContentType);
  EXPECT_EQ(res.body.find("hunter2"), std::string::npos) << res.body;
  EXPECT_EQ(res.body.find("db-primary"), std::string::npos) << res.body;
  json body = json::parse(res.body);
  EXPECT_EQ(body.at("status"), 500);
}

TEST_F(PipelineTest, NonStandardExceptionBecomes500) {
  RouteTo([](RequestContext&) -> Response { throw 42; });
  EXPECT_EQ(pipeline_.Handle(ctx_).status, 500);
}

TEST_F(PipelineTest, NoRouteWithAllowGives405WithAllowHeader) {
  AddStage("a");
  ctx_.request.method = "DELETE";
  ctx_.route = nullptr;
  ctx_.allow = "GET, PUT";
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.content_type, kProblemContentType);
  EXPECT_EQ(FindHeader(res, "Allow"), "GET, PUT");
  EXPECT_EQ(json::parse(res.body).at("status"), 405);
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "out:a"}));
}

TEST_F(PipelineTest, NoRouteAndNoAllowGives404) {
  ctx_.route = nullptr;
  Response res = pipeline_.Handle(ctx_);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.content_type, kProblemContentType);
  EXPECT_FALSE(FindHeader(res, "Allow").has_value());
}

TEST_F(PipelineTest, RunInlineStopsBeforeBlockingStage) {
  AddStage("a");
  AddStage("b");
  AddStage("store").MarkBlocking();
  AddStage("d");
  RouteToRecorder();
  Pipeline::Cursor cursor;
  EXPECT_FALSE(pipeline_.RunInline(ctx_, cursor).has_value());
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "in:b"}));
  EXPECT_EQ(cursor.next, 2u);
  EXPECT_TRUE(pipeline_.NeedsWorker(ctx_, cursor));

  // The rest (on a worker in the server) continues where RunInline stopped.
  Response res = pipeline_.RunRest(ctx_, cursor);
  pipeline_.Finish(ctx_, res, cursor);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(calls_, (std::vector<std::string>{"in:a", "in:b", "in:store", "in:d", "handler",
                                              "out:d", "out:store", "out:b", "out:a"}));
}

TEST_F(PipelineTest, NeedsWorkerFollowsTheRouteOnceStagesAreDone) {
  AddStage("a");
  RouteToRecorder();
  route_.blocking = false;
  Pipeline::Cursor cursor;
  EXPECT_FALSE(pipeline_.RunInline(ctx_, cursor).has_value());
  EXPECT_FALSE(pipeline_.NeedsWorker(ctx_, cursor));
  route_.blocking = true;
  EXPECT_TRUE(pipeline_.NeedsWorker(ctx_, cursor));
  ctx_.route = nullptr;  // 404/405 answers are cheap
  EXPECT_FALSE(pipeline_.NeedsWorker(ctx_, cursor));
}

TEST_F(PipelineTest, EmptyPipelineRunsHandler) {
  RouteToRecorder();
  EXPECT_EQ(pipeline_.Handle(ctx_).status, 200);
  EXPECT_EQ(calls_, (std::vector<std::string>{"handler"}));
}

// ---- RequestIdMiddleware ---------------------------------------------------------------------

std::string RequestIdFor(const std::string& sent) {
  RequestIdMiddleware middleware;
  RequestContext ctx;
  ctx.request.headers = {{"x-request-id", sent}};
  EXPECT_FALSE(middleware.OnRequest(ctx).has_value());
  return ctx.request_id;
}

TEST(RequestIdMiddleware, KeepsSaneClientId) {
  EXPECT_EQ(RequestIdFor("abc-123_XYZ.9"), "abc-123_XYZ.9");
  const std::string longest(128, 'r');
  EXPECT_EQ(RequestIdFor(longest), longest);
}

TEST(RequestIdMiddleware, ReplacesIdWithSpaces) {
  std::string id = RequestIdFor("abc 123");
  EXPECT_NE(id, "abc 123");
  EXPECT_EQ(id.size(), 16u);
}

TEST(RequestIdMiddleware, ReplacesOverlongId) {
  const std::string too_long(129, 'r');
  std::string id = RequestIdFor(too_long);
  EXPECT_NE(id, too_long);
  EXPECT_EQ(id.size(), 16u);
}

TEST(RequestIdMiddleware, ReplacesIdWithControlOrNonAsciiBytes) {
  EXPECT_EQ(RequestIdFor("abc\n123").size(), 16u);
  EXPECT_EQ(RequestIdFor("caf\xC3\xA9").size(), 16u);
}

TEST(RequestIdMiddleware, MakesIdWhenNoneSentAndEchoesIt) {
  RequestIdMiddleware middleware;
  RequestContext ctx;
  middleware.OnRequest(ctx);
  EXPECT_EQ(ctx.request_id.size(), 16u);
  Response res;
  middleware.OnResponse(ctx, res);
  EXPECT_EQ(FindHeader(res, "X-Request-Id"), ctx.request_id);
}

// ---- AppendJsonString ------------------------------------------------------------------------

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

TEST(AppendJsonString, EscapesQuotesBackslashAndControlCharacters) {
  const std::string text = std::string("say \"hi\" \\ to\n\r\t\x01\x1f\x7f end") + '\0' + "z";
  std::string out = Quoted(text);
  json parsed;
  ASSERT_NO_THROW(parsed = json::parse(out)) << out;
  EXPECT_EQ(parsed.get<std::string>(), text);
  for (char c : out) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << out;
}

TEST(AppendJsonString, PlainTextIsOnlyQuoted) {
  EXPECT_EQ(Quoted("GET /api/profile"), "\"GET /api/profile\"");
  EXPECT_EQ(Quoted(""), "\"\"");
}

TEST(AppendJsonString, AppendsToExistingText) {
  std::string out = "{\"k\":";
  AppendJsonString(out, "v");
  out += '}';
  EXPECT_EQ(json::parse(out), (json{{"k", "v"}}));
}

TEST(AppendJsonString, NonAsciiBytesAreEscapedSoTheLineStaysValidJson) {
  // Both valid UTF-8 and stray bytes: the access log must never emit an unparsable line.
  const std::string text = "caf\xC3\xA9 \xFF\xFE \x80";
  std::string out = Quoted(text);
  for (char c : out) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << out;
  json parsed;
  ASSERT_NO_THROW(parsed = json::parse(out)) << out;
  EXPECT_EQ(parsed.get<std::string>().substr(0, 3), "caf");
}

}  // namespace
}  // namespace vf::http
