#include "http/pipeline.hpp"

#include <future>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/log.hpp"
#include "core/problem.hpp"

namespace vf::http {
namespace {

Response Terminal(RequestContext& ctx) {
  if (ctx.route == nullptr) {
    if (!ctx.allow.empty()) {
      ApiError e(405, "method-not-allowed", "Method Not Allowed",
                 ctx.request.method + " is not allowed on " + ctx.request.path);
      Response r = Response::Json(405, ProblemBody(e, ctx.request.path));
      r.content_type = kProblemContentType;
      r.SetHeader("Allow", ctx.allow);
      return r;
    }
    throw ApiError::NotFound("no route for " + ctx.request.path);
  }
  return ctx.route->handler(ctx);
}

}  // namespace

Response ErrorResponse(const RequestContext& ctx, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    Response r = Response::Json(e.status(), ProblemBody(e, ctx.request.path));
    r.content_type = kProblemContentType;
    if (e.status() == 401) r.SetHeader("WWW-Authenticate", "Bearer");
    if (e.status() == 503) r.SetHeader("Retry-After", "1");
    return r;
  } catch (const std::exception& e) {
    log::Write(log::Level::kError, "unhandled exception",
               {{"request_id", ctx.request_id}, {"error", e.what()}});
  } catch (...) {
    log::Write(log::Level::kError, "unhandled non-standard exception",
               {{"request_id", ctx.request_id}});
  }
  ApiError e(500, "internal", "Internal Server Error",
             "the server failed to handle this request; quote the request id to support");
  Response r = Response::Json(500, ProblemBody(e, ctx.request.path));
  r.content_type = kProblemContentType;
  return r;
}

std::optional<Response> Pipeline::RunInline(RequestContext& ctx, Cursor& cursor) const {
  while (cursor.next < stages_.size() && !stages_[cursor.next]->blocking(ctx) &&
         !stages_[cursor.next]->defers(ctx)) {
    Middleware& stage = *stages_[cursor.next++];
    cursor.ran = cursor.next;
    try {
      if (auto early = stage.OnRequest(ctx)) return early;
    } catch (...) {
      return ErrorResponse(ctx, std::current_exception());
    }
  }
  return std::nullopt;
}

bool Pipeline::Deferred(const RequestContext& ctx, const Cursor& cursor) const {
  return cursor.next < stages_.size() && stages_[cursor.next]->defers(ctx);
}

void Pipeline::StartDeferred(RequestContext& ctx, Cursor& cursor, Middleware::Resume resume) const {
  Middleware& stage = *stages_[cursor.next++];
  cursor.ran = cursor.next;
  // Shared so that a throw after resume was handed on cannot make us call it a second time.
  auto once = std::make_shared<Middleware::Resume>(std::move(resume));
  try {
    stage.Start(ctx, [once](std::optional<Response> r) {
      if (*once) std::exchange(*once, nullptr)(std::move(r));
    });
  } catch (...) {
    if (*once) std::exchange(*once, nullptr)(ErrorResponse(ctx, std::current_exception()));
  }
}

bool Pipeline::NeedsWorker(const RequestContext& ctx, const Cursor& cursor) const {
  if (cursor.next < stages_.size()) return true;  // a blocking stage stopped RunInline
  return ctx.route != nullptr && ctx.route->blocking;
}

Response Pipeline::RunRest(RequestContext& ctx, Cursor& cursor) const {
  try {
    while (cursor.next < stages_.size()) {
      Middleware& stage = *stages_[cursor.next++];
      cursor.ran = cursor.next;
      if (auto early = stage.OnRequest(ctx)) return std::move(*early);
    }
    return Terminal(ctx);
  } catch (...) {
    return ErrorResponse(ctx, std::current_exception());
  }
}

void Pipeline::Finish(RequestContext& ctx, Response& res, const Cursor& cursor) const {
  for (std::size_t i = cursor.ran; i-- > 0;) stages_[i]->OnResponse(ctx, res);
}

Response Pipeline::Handle(RequestContext& ctx) const {
  Cursor cursor;
  Response res;
  for (;;) {
    if (auto early = RunInline(ctx, cursor)) {
      res = std::move(*early);
    } else if (Deferred(ctx, cursor)) {
      std::promise<std::optional<Response>> answer;
      auto resumed = answer.get_future();
      StartDeferred(ctx, cursor,
                    [&answer](std::optional<Response> r) { answer.set_value(std::move(r)); });
      auto early_deferred = resumed.get();
      if (!early_deferred) continue;
      res = std::move(*early_deferred);
    } else {
      res = RunRest(ctx, cursor);
    }
    break;
  }
  Finish(ctx, res, cursor);
  return res;
}

}  // namespace vf::http
