// Costs on the request path that every route pays: routing, token verification, request-body
// validation and the access-log line.
#include <benchmark/benchmark.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "api/request_body.hpp"
#include "auth/jwt.hpp"
#include "core/json_schema.hpp"
#include "http/middleware.hpp"
#include "http/router.hpp"

namespace vf {
namespace {

http::Router MakeRouter() {
  http::Router router;
  for (const char* path : {"/api/monitoring/health", "/api/profile", "/api/workouts", "/api/runs",
                           "/api/injuries", "/api/injury/log", "/api/me", "/openapi.json",
                           "/api/coach/ask", "/api/chat/classify", "/api/voice/log"}) {
    router.Add({.method = "GET", .path = path, .handler = [](http::RequestContext&) {
                  return http::Response{};
                }});
  }
  router.Add({.method = "GET", .path = "/api/workouts/{id}", .handler = [](http::RequestContext&) {
                return http::Response{};
              }});
  return router;
}

void BM_RouterStaticPath(benchmark::State& state) {
  auto router = MakeRouter();
  for (auto _ : state) benchmark::DoNotOptimize(router.Find("GET", "/api/profile"));
}
BENCHMARK(BM_RouterStaticPath);

void BM_RouterTemplatePath(benchmark::State& state) {
  auto router = MakeRouter();
  for (auto _ : state) benchmark::DoNotOptimize(router.Find("GET", "/api/workouts/01a2-77"));
}
BENCHMARK(BM_RouterTemplatePath);

std::string Hs256Token(const std::string& secret, int64_t now) {
  std::string header = auth::Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  nlohmann::json claims{{"sub", "bench-user"},
                        {"aud", "authenticated"},
                        {"role", "authenticated"},
                        {"exp", now + 3600},
                        {"iat", now},
                        {"app_metadata", {{"provider", "email"}, {"tier", "premium"}}},
                        {"user_metadata", nlohmann::json::object()}};
  std::string input = header + "." + auth::Base64UrlEncode(claims.dump());
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + auth::Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len));
}

void BM_VerifyHs256(benchmark::State& state) {
  const std::string secret = "bench-secret-at-least-32-bytes-long!!";
  auth::JwtVerifier verifier({.hs256_secret = secret});
  const int64_t now = 1'800'000'000;
  std::string token = Hs256Token(secret, now);
  for (auto _ : state) {
    auto r = verifier.Verify(token, now);
    if (!r.ok()) state.SkipWithError("token refused");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_VerifyHs256);

void BM_ValidateWorkoutBody(benchmark::State& state) {
  nlohmann::json set{{"type", "object"},
                     {"additionalProperties", false},
                     {"required", {"exercise"}},
                     {"properties",
                      {{"exercise", api::StringSchema(100)},
                       {"reps", api::IntegerSchema(0, 1000)},
                       {"weight_kg", api::NumberSchema(0, 1000)},
                       {"rpe", api::NumberSchema(1, 10)}}}};
  nlohmann::json schema{{"type", "object"},
                        {"required", {"sets"}},
                        {"properties", {{"sets", {{"type", "array"}, {"items", set}}}}}};
  nlohmann::json body = nlohmann::json::parse(
      R"({"sets":[{"exercise":"bench","reps":8,"weight_kg":80,"rpe":8},
                  {"exercise":"bench","reps":8,"weight_kg":80,"rpe":8.5},
                  {"exercise":"bench","reps":7,"weight_kg":80,"rpe":9}]})");
  for (auto _ : state) benchmark::DoNotOptimize(ValidateJson(body, schema));
}
BENCHMARK(BM_ValidateWorkoutBody);

void BM_AccessLogLine(benchmark::State& state) {
  std::string line;
  for (auto _ : state) {
    line.clear();
    http::AppendJsonString(line, "/api/workouts");
    http::AppendJsonString(line, "01a21688-f545-7fcb-91d8-91452a7988f3");
    benchmark::DoNotOptimize(line);
  }
}
BENCHMARK(BM_AccessLogLine);

}  // namespace
}  // namespace vf
