#include "http/server.hpp"

// Asio 1.18's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <csignal>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>

#include "core/log.hpp"
#include "core/problem.hpp"

namespace vf::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

// Concrete executor types throughout: each connection stays on one io_context, and the
// type-erased any_io_executor showed up in profiles as a per-operation cost.
using Executor = net::io_context::executor_type;
template <class T = void>
using Task = net::awaitable<T, Executor>;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Stream = beast::basic_stream<tcp, Executor>;
using Timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                        net::wait_traits<std::chrono::steady_clock>, Executor>;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;
constexpr net::use_awaitable_t<Executor> kAwait;

// RFC 9110 Date, formatted once per second per thread.
const std::string& CachedDate() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    text.assign(buf, n);
  }
  return text;
}

Response Problem(int status, std::string slug, std::string detail) {
  ApiError e(status, std::move(slug), StatusTitle(status), std::move(detail));
  Response r = Response::Json(status, ProblemBody(e, ""));
  r.content_type = kProblemContentType;
  return r;
}

bool IsFdExhaustion(const error_code& ec) {
  // What accept(2) reports when the process or the system is out of descriptors or buffers.
  const int v = ec.value();
  return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
}

// Runs `job` on the worker pool and resumes the awaiting coroutine on `ex` (its thread) with the
// result; nullopt when the pool refused the job. Deliberately not a coroutine itself: GCC 12
// destroys non-trivial temporaries of a co_await expression twice, so the initiation object is
// built here, outside any co_await.
struct WorkerInitiation {
  WorkerPool* pool;
  Executor ex;

  template <class Handler, class Job>
  void operator()(Handler handler, Job job) const {
    auto shared = std::make_shared<Handler>(std::move(handler));
    bool queued = pool->TrySubmit([shared, target = ex, job = std::move(job)]() mutable {
      std::optional<Response> result = job();
      net::post(target, [shared, r = std::move(result)]() mutable { (*shared)(std::move(r)); });
    });
    if (!queued) net::post(ex, [shared]() mutable { (*shared)(std::optional<Response>{}); });
  }
};

template <class Job>
Task<std::optional<Response>> OnWorkers(const WorkerInitiation& initiation, Job job) {
  return net::async_initiate<const net::use_awaitable_t<Executor>, void(std::optional<Response>)>(
      initiation, kAwait, std::move(job));
}

// Starts a deferring stage and resumes the awaiting coroutine on `ex` (its thread) with the
// stage's answer. Not a coroutine, for the same GCC 12 reason as above.
struct DeferredInitiation {
  Executor ex;

  template <class Handler, class Start>
  void operator()(Handler handler, Start start) const {
    auto shared = std::make_shared<Handler>(std::move(handler));
    start([shared, target = ex](std::optional<Response> r) mutable {
      net::post(target, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
    });
  }
};

template <class Start>
Task<std::optional<Response>> OnDeferred(const DeferredInitiation& initiation, Start start) {
  return net::async_initiate<const net::use_awaitable_t<Executor>, void(std::optional<Response>)>(
      initiation, kAwait, std::move(start));
}

// What the shutdown sequence needs to see of a connection. Touched only on its own thread.
struct Connection {
  Executor executor;
  Stream* stream = nullptr;
  bool idle = false;  // waiting for the first byte of a request
};

}  // namespace

struct Server::Impl {
  Impl(const ServerConfig& c, const Router& r, const Pipeline& p, WorkerPool& w)
      : config(c), router(r), pipeline(p), workers(w) {
    // One io_context per network thread, each run by exactly that thread: a connection lives on
    // one thread from accept to close, so it needs no strand and no cross-thread wake-ups.
    for (unsigned i = 0; i < std::max(1u, config.io_threads); ++i) {
      contexts.push_back(std::make_unique<net::io_context>(1));
      guards.emplace_back(contexts.back()->get_executor());
    }
    acceptor.emplace(contexts[0]->get_executor());
    signals.emplace(contexts[0]->get_executor());
    for (const auto& route : router.routes()) {
      max_body_limit = std::max(max_body_limit, route->body_limit);
    }
  }

  const ServerConfig& config;
  const Router& router;
  const Pipeline& pipeline;
  WorkerPool& workers;
  std::size_t max_body_limit = config.body_limit_bytes;

  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::size_t next_context = 0;
  std::optional<Acceptor> acceptor;  // on contexts[0], like signals and the drain
  std::optional<net::basic_signal_set<Executor>> signals;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> open{0};
  std::mutex connections_mu;
  std::unordered_set<std::shared_ptr<Connection>> connections;

  Task<> Accept();
  Task<> Session(Socket socket);
  Task<> Drain();
  Task<> WriteResponse(Stream& stream, Response res, unsigned version, bool keep_alive,
                       error_code& ec);
  Task<> RefuseAndClose(Stream& stream, Response res, unsigned version);
  void BeginShutdown();
  void StopAll();
};

Server::Server(const ServerConfig& config, const Router& router, const Pipeline& pipeline,
               WorkerPool& workers)
    : impl_(std::make_unique<Impl>(config, router, pipeline, workers)) {}

Server::~Server() = default;

uint16_t Server::Listen() {
  auto& a = *impl_->acceptor;
  tcp::endpoint endpoint(net::ip::make_address(impl_->config.host), impl_->config.port);
  a.open(endpoint.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(endpoint);
  a.listen(net::socket_base::max_listen_connections);
  return a.local_endpoint().port();
}

void Server::Shutdown() {
  net::post(*impl_->contexts[0], [impl = impl_.get()] { impl->BeginShutdown(); });
}

void Server::Run() {
  Impl& s = *impl_;
  s.signals->add(SIGINT);
  s.signals->add(SIGTERM);
  s.signals->async_wait([&s](const error_code& ec, int) {
    if (!ec) s.BeginShutdown();
  });
  net::co_spawn(s.contexts[0]->get_executor(), s.Accept(), net::detached);
  auto run = [](net::io_context& ioc) {
    // An exception escaping a handler must not end this thread's loop (nor the process).
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        log::Write(log::Level::kError, "exception escaped the I/O loop", {{"error", e.what()}});
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.contexts.size(); ++i) {
    threads.emplace_back(run, std::ref(*s.contexts[i]));
  }
  run(*s.contexts[0]);
  for (auto& t : threads) t.join();
}

void Server::Impl::BeginShutdown() {
  if (draining.exchange(true)) {
    log::Warn("second shutdown signal: stopping now");
    StopAll();
    return;
  }
  log::Write(log::Level::kInfo, "shutdown: draining",
             {{"open_connections", open.load()}, {"grace_ms", config.shutdown_grace.count()}});
  error_code ignored;
  acceptor->close(ignored);
  // Re-arm: a second signal skips the grace period.
  signals->async_wait([this](const error_code& ec, int) {
    if (!ec) BeginShutdown();
  });
  {
    std::lock_guard lock(connections_mu);
    for (const auto& conn : connections) {
      net::post(conn->executor, [conn] {
        if (conn->idle && conn->stream != nullptr) conn->stream->socket().cancel();
      });
    }
  }
  net::co_spawn(contexts[0]->get_executor(), Drain(), net::detached);
}

Task<> Server::Impl::Drain() {
  auto deadline = std::chrono::steady_clock::now() + config.shutdown_grace;
  Timer timer(contexts[0]->get_executor());
  while (open.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(kAwait);
  }
  std::size_t left = open.load();
  if (left > 0) {
    log::Write(log::Level::kWarn, "shutdown: grace period over, closing connections",
               {{"open_connections", left}});
    {
      // Never hold the lock across a co_await: sessions on this thread take it as they end.
      std::lock_guard lock(connections_mu);
      for (const auto& conn : connections) {
        net::post(conn->executor, [conn] {
          if (conn->stream != nullptr) conn->stream->socket().close();
        });
      }
    }
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(kAwait);
  }
  log::Info("shutdown: done");
  StopAll();
}

void Server::Impl::StopAll() {
  error_code ignored;
  signals->cancel(ignored);
  for (auto& guard : guards) guard.reset();
  for (auto& ioc : contexts) ioc->stop();
}

Task<> Server::Impl::Accept() {
  auto backoff = std::chrono::milliseconds(5);
  Timer timer(contexts[0]->get_executor());
  while (!draining.load()) {
    error_code ec;
    // Round-robin: the new socket belongs to the next network thread's io_context.
    auto& target = *contexts[next_context++ % contexts.size()];
    Socket socket = co_await acceptor->async_accept(target, net::redirect_error(kAwait, ec));
    if (ec) {
      if (draining.load() || ec == net::error::operation_aborted) co_return;
      if (IsFdExhaustion(ec)) {
        // Out of descriptors: pause instead of spinning; connections will close and free some.
        log::Write(log::Level::kWarn, "accept: out of file descriptors, backing off",
                   {{"backoff_ms", backoff.count()}});
        timer.expires_after(backoff);
        co_await timer.async_wait(net::redirect_error(kAwait, ec));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
      }
      continue;
    }
    backoff = std::chrono::milliseconds(5);
    if (open.load() >= config.max_connections) {
      socket.close(ec);  // over the cap: shed at once rather than queue
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    ++open;
    auto executor = socket.get_executor();
    net::co_spawn(executor, Session(std::move(socket)), [this](std::exception_ptr e) {
      --open;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::Write(log::Level::kError, "session ended by exception", {{"error", ex.what()}});
      }
    });
  }
}

// The response head is written by hand into one buffer with the body: every response here is a
// small, complete string, and Beast's general serializer was the largest user-space cost in
// profiles of the cheapest routes.
static std::string SerializeResponse(const Response& res, unsigned version, bool keep_alive) {
  std::string out;
  out.reserve(160 + res.body.size());
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(res.status);
  out += ' ';
  out += bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
  out += "\r\n";
  auto header = [&out](std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    for (char c : value) out += (c == '\r' || c == '\n') ? ' ' : c;  // no header injection
    out += "\r\n";
  };
  const bool has_body = res.status != 204 && res.status != 304 && res.status >= 200;
  if (has_body) header("Content-Type", res.content_type);
  for (const auto& h : res.headers) header(h.name, h.value);
  header("Date", CachedDate());
  if (!keep_alive) {
    header("Connection", "close");
  } else if (version == 10) {
    header("Connection", "keep-alive");
  }
  if (has_body) header("Content-Length", std::to_string(res.body.size()));
  out += "\r\n";
  if (has_body) out += res.body;
  return out;
}

Task<> Server::Impl::WriteResponse(Stream& stream, Response res, unsigned version, bool keep_alive,
                                   error_code& ec) {
  std::string wire = SerializeResponse(res, version, keep_alive);
  stream.expires_after(config.write_timeout);
  co_await net::async_write(stream, net::buffer(wire), net::redirect_error(kAwait, ec));
}

Task<> Server::Impl::RefuseAndClose(Stream& stream, Response res, unsigned version) {
  error_code ec;
  co_await WriteResponse(stream, std::move(res), version, false, ec);
  if (ec) co_return;
  // Lingering close: stop sending, then read and discard what the client is still sending for a
  // moment, so it reads our status instead of a connection reset.
  stream.socket().shutdown(Socket::shutdown_send, ec);
  stream.expires_after(std::chrono::milliseconds(500));
  std::array<char, 16384> sink{};
  std::size_t discarded = 0;
  while (!ec && discarded < (8u << 20)) {
    discarded +=
        co_await stream.async_read_some(net::buffer(sink), net::redirect_error(kAwait, ec));
  }
}

Task<> Server::Impl::Session(Socket socket) {
  Stream stream(std::move(socket));
  auto conn = std::make_shared<Connection>(Connection{stream.get_executor(), &stream, false});
  {
    std::lock_guard lock(connections_mu);
    connections.insert(conn);
  }
  struct Unregister {
    Impl* impl;
    std::shared_ptr<Connection> conn;
    ~Unregister() {
      conn->stream = nullptr;
      std::lock_guard lock(impl->connections_mu);
      impl->connections.erase(conn);
    }
  } unregister{this, conn};

  error_code ec;
  std::string remote;
  if (auto ep = stream.socket().remote_endpoint(ec); !ec) remote = ep.address().to_string();
  beast::flat_buffer buffer;
  const WorkerInitiation to_workers{&workers, stream.get_executor()};
  const DeferredInitiation to_deferred{stream.get_executor()};
  // Responses written before closing are built into `refusal` first: see WorkerInitiation on why
  // no non-trivial temporary may appear inside a co_await expression.
  Response refusal;

  for (;;) {
    if (buffer.size() == 0) {
      // Between requests: the idle (keep-alive) budget applies until the first byte arrives.
      if (draining.load()) break;
      conn->idle = true;
      stream.expires_after(config.idle_timeout);
      std::size_t n =
          co_await stream.async_read_some(buffer.prepare(4096), net::redirect_error(kAwait, ec));
      conn->idle = false;
      if (ec) break;
      buffer.commit(n);
    }

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config.header_limit_bytes));
    parser.body_limit(max_body_limit);
    stream.expires_after(config.header_timeout);
    co_await bhttp::async_read_header(stream, buffer, parser, net::redirect_error(kAwait, ec));
    if (ec == bhttp::error::header_limit) {
      refusal =
          Problem(431, "header-too-large",
                  "request headers exceed " + std::to_string(config.header_limit_bytes) + " bytes");
      co_await RefuseAndClose(stream, std::move(refusal), 11);
      break;
    }
    if (ec == bhttp::error::body_limit) {
      refusal = Problem(413, "payload-too-large", "request body exceeds the limit");
      co_await RefuseAndClose(stream, std::move(refusal), 11);
      break;
    }
    if (ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      break;  // slow, vanished or cancelled client: nothing useful to say
    }
    if (ec) {
      refusal = Problem(400, "malformed-request", "malformed HTTP request");
      co_await RefuseAndClose(stream, std::move(refusal), 11);
      break;
    }

    auto& header = parser.get();
    const unsigned version = header.version();
    RequestContext ctx;
    ctx.started = std::chrono::steady_clock::now();
    ctx.request.method = std::string(header.method_string());
    ctx.request.target = std::string(header.target());
    ctx.request.remote_address = remote;
    if (!SplitTarget(ctx.request.target, ctx.request.path, ctx.request.query)) {
      refusal = Problem(400, "malformed-request", "malformed request target");
      co_await RefuseAndClose(stream, std::move(refusal), version);
      break;
    }
    auto match = router.Find(ctx.request.method, ctx.request.path);
    ctx.route = match.route;
    ctx.path_params = std::move(match.params);
    ctx.allow = std::move(match.allow);

    std::size_t limit = config.body_limit_bytes;
    if (ctx.route != nullptr && ctx.route->body_limit != 0) limit = ctx.route->body_limit;
    if (auto length = parser.content_length(); length && *length > limit) {
      refusal = Problem(413, "payload-too-large",
                        "request body exceeds " + std::to_string(limit) + " bytes");
      co_await RefuseAndClose(stream, std::move(refusal), version);
      break;
    }
    if (!parser.is_done()) {
      parser.body_limit(limit);  // also bounds chunked bodies, which carry no length up front
      if (beast::iequals(header[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        stream.expires_after(config.write_timeout);
        co_await bhttp::async_write(stream, cont, net::redirect_error(kAwait, ec));
        if (ec) break;
      }
      stream.expires_after(config.body_timeout);
      co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(kAwait, ec));
      if (ec == bhttp::error::body_limit) {
        refusal = Problem(413, "payload-too-large",
                          "request body exceeds " + std::to_string(limit) + " bytes");
        co_await RefuseAndClose(stream, std::move(refusal), version);
        break;
      }
      if (ec) break;
    }

    auto message = parser.release();
    bool keep_alive = message.keep_alive();
    ctx.request.headers.reserve(8);
    for (const auto& field : message) {
      ctx.request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    ctx.request.body = std::move(message.body());

    Pipeline::Cursor cursor;
    Response res;
    std::optional<Response> early = pipeline.RunInline(ctx, cursor);
    while (!early && pipeline.Deferred(ctx, cursor)) {
      // The starter captures only references: trivially destructible, safe in a co_await.
      early = co_await OnDeferred(to_deferred, [this, &ctx, &cursor](Middleware::Resume resume) {
        pipeline.StartDeferred(ctx, cursor, std::move(resume));
      });
      if (!early) early = pipeline.RunInline(ctx, cursor);
    }
    if (early) {
      res = std::move(*early);
    } else if (pipeline.NeedsWorker(ctx, cursor)) {
      // The job captures only references: trivially destructible, safe in a co_await.
      auto done =
          co_await OnWorkers(to_workers, [this, &ctx, &cursor]() -> std::optional<Response> {
            return pipeline.RunRest(ctx, cursor);
          });
      if (done) {
        res = std::move(*done);
      } else {
        res = Problem(503, "overloaded", "the server is busy; retry shortly");
        res.SetHeader("Retry-After", "1");
      }
    } else {
      res = pipeline.RunRest(ctx, cursor);
    }
    pipeline.Finish(ctx, res, cursor);

    if (draining.load()) keep_alive = false;
    co_await WriteResponse(stream, std::move(res), version, keep_alive, ec);
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(Socket::shutdown_send, ec);
}

}  // namespace vf::http
