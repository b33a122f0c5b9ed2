#pragma once
// The middleware chain. Each stage sees the request on the way in (and may answer early) and the
// response on the way out, in reverse order. Stages that block (I/O) are marked so, and the
// server runs the chain on the network thread up to the first blocking stage, then hops to the
// worker pool for the rest; the way out always runs on the network thread. A stage that waits
// on the network without a thread (a pipelined Redis call) defers instead: the server suspends
// the request, and resumes it on its network thread when the stage calls back.

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "http/route.hpp"

namespace vf::http {

class Middleware {
 public:
  virtual ~Middleware() = default;
  // Return a response to answer now (later stages and the handler are skipped). May throw
  // ApiError, which becomes problem+json.
  virtual std::optional<Response> OnRequest(RequestContext& ctx) = 0;
  // Called for every stage whose OnRequest ran, innermost first. Must not throw.
  virtual void OnResponse(RequestContext& /*ctx*/, Response& /*res*/) {}
  // Whether OnRequest would block for this request (earlier stages have run).
  virtual bool blocking(const RequestContext& /*ctx*/) const { return false; }

  // Deferring stages: Start() begins the work and calls `resume` exactly once, from any thread,
  // with an early answer or nullopt to go on. The request is untouched until then.
  using Resume = std::function<void(std::optional<Response>)>;
  virtual bool defers(const RequestContext& /*ctx*/) const { return false; }
  virtual void Start(RequestContext& ctx, Resume resume) { resume(OnRequest(ctx)); }
};

// Turns any exception into the response it stands for: ApiError -> problem+json; anything else
// -> 500 with no internals (the internal message is logged with the request id).
Response ErrorResponse(const RequestContext& ctx, std::exception_ptr error);

class Pipeline {
 public:
  void Add(std::unique_ptr<Middleware> stage) { stages_.push_back(std::move(stage)); }

  // Progress of one request through the chain.
  struct Cursor {
    std::size_t next = 0;  // next stage to run
    std::size_t ran = 0;   // stages whose OnRequest ran
  };

  // Runs non-blocking stages from cursor.next. Returns a response if one answered early.
  std::optional<Response> RunInline(RequestContext& ctx, Cursor& cursor) const;
  // Whether RunInline stopped at a deferring stage; StartDeferred runs it (never throws: an
  // exception becomes the early answer).
  bool Deferred(const RequestContext& ctx, const Cursor& cursor) const;
  void StartDeferred(RequestContext& ctx, Cursor& cursor, Middleware::Resume resume) const;
  // Whether what remains (stages and handler) must leave the network thread.
  bool NeedsWorker(const RequestContext& ctx, const Cursor& cursor) const;
  // Runs the remaining stages and the handler (or the 404/405 answer). Never throws.
  Response RunRest(RequestContext& ctx, Cursor& cursor) const;
  // The way out: OnResponse for each stage that ran, innermost first.
  void Finish(RequestContext& ctx, Response& res, const Cursor& cursor) const;

  // Everything in one go, on the calling thread (tests and benchmarks).
  Response Handle(RequestContext& ctx) const;

 private:
  std::vector<std::unique_ptr<Middleware>> stages_;
};

}  // namespace vf::http
