#pragma once
// The server's own middleware. The chain, in order (app/app.cpp assembles it):
//   1. RequestId   - first, so every later stage and every log line can name the request.
//   2. AccessLog   - wraps everything after it, so it sees the final status, including 401/429.
//   3. Metrics     - (slot for the monitoring layer) same reason as 2; records by route template,
//                    never by raw path or user id.
//   4. AddressLimit - (ratelimit/) requests without a valid token, per client address: before
//                    auth, so an address flooding bad tokens is refused before any signature
//                    check; it records only the 401s that auth answers.
//   5. Auth        - (auth/) token -> Principal; public routes pass through.
//   6. RateLimit   - (ratelimit/) needs the Principal's tier, so after auth; its headers go on
//                    every limited response, the handler's and its own 429 alike.
//   then the route's handler.

#include "http/pipeline.hpp"

namespace vf::http {

// Uses the client's X-Request-Id when it is a sane token (1-128 visible ASCII characters),
// otherwise makes one; echoes it on every response.
class RequestIdMiddleware final : public Middleware {
 public:
  std::optional<Response> OnRequest(RequestContext& ctx) override;
  void OnResponse(RequestContext& ctx, Response& res) override;
};

// One JSON line per request: request id, method, route template, path, status, duration, bytes,
// remote address, user id. Never bodies, never the Authorization header or query values.
class AccessLogMiddleware final : public Middleware {
 public:
  std::optional<Response> OnRequest(RequestContext&) override { return std::nullopt; }
  void OnResponse(RequestContext& ctx, Response& res) override;
};

// Appends a JSON string literal (with quotes) to out: the access log's allocation-light writer.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace vf::http
