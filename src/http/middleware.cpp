#include "http/middleware.hpp"

#include <cstdio>

#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

namespace vf::http {

namespace {
bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}
}  // namespace

std::optional<Response> RequestIdMiddleware::OnRequest(RequestContext& ctx) {
  auto sent = ctx.request.HeaderValue("X-Request-Id");
  ctx.request_id = SaneRequestId(sent) ? std::string(sent) : NewRequestId();
  return std::nullopt;
}

void RequestIdMiddleware::OnResponse(RequestContext& ctx, Response& res) {
  res.SetHeader("X-Request-Id", ctx.request_id);
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F || c >= 0x80) {
          // Non-ASCII is escaped byte-wise so a log line is always valid JSON, whatever was sent.
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void AccessLogMiddleware::OnResponse(RequestContext& ctx, Response& res) {
  auto elapsed = std::chrono::steady_clock::now() - ctx.started;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  std::string line;
  line.reserve(256);
  line += "{\"ts\":";
  AppendJsonString(line, FormatRfc3339(NowMs()));
  line += ",\"level\":\"info\",\"msg\":\"request\",\"request_id\":";
  AppendJsonString(line, ctx.request_id);
  line += ",\"method\":";
  AppendJsonString(line, ctx.request.method);
  line += ",\"route\":";
  AppendJsonString(line, ctx.route != nullptr ? std::string_view(ctx.route->path) : "-");
  line += ",\"path\":";
  AppendJsonString(line, ctx.request.path);  // the path only: query values may carry data
  line += ",\"status\":" + std::to_string(res.status);
  line += ",\"duration_us\":" + std::to_string(us);
  line += ",\"bytes\":" + std::to_string(res.body.size());
  line += ",\"remote\":";
  AppendJsonString(line, ctx.request.remote_address);
  if (ctx.principal) {
    line += ",\"user\":";
    AppendJsonString(line, ctx.principal->user_id);
  }
  line += '}';
  log::WriteLine(line);
}

}  // namespace vf::http
