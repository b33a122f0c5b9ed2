#pragma once
// The HTTP/1.1 server. Beast and Asio live only in server.cpp: nothing else includes them.
//
// Per connection: one coroutine on its own strand; an idle timeout while waiting for a request,
// a header timeout, a body timeout and a write timeout; header and body limits answered with
// 431/413 before closing; keep-alive. Blocking work goes to the WorkerPool, and a full queue
// answers 503 with Retry-After. SIGTERM/SIGINT: stop accepting, close idle connections, let
// in-flight requests finish within the grace period, then stop.

#include <cstdint>
#include <memory>

#include "core/config.hpp"
#include "core/worker_pool.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"

namespace vf::http {

class Server {
 public:
  Server(const ServerConfig& config, const Router& router, const Pipeline& pipeline,
         WorkerPool& workers);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port (useful with port 0). Throws on bind failure.
  uint16_t Listen();
  // Serves on the configured number of threads until SIGTERM/SIGINT (or Shutdown()) and the
  // drain that follows are over.
  void Run();
  // Starts a graceful shutdown from any thread.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vf::http
