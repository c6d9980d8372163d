#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "store/store.h"

namespace usaged::api {

class SecretBox;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8096;  // 0: any free port (see ApiServer::port)
  int threads = 8;
  std::string tls_cert;  // PEM files; both set: HTTPS
  std::string tls_key;
  int64_t max_lag_seconds = 0;  // 0: twice the aggregation range
  // Take Store::LockJobs for each API-started job (false when this process
  // already holds it, as `usaged run --serve` does).
  bool lock_store_for_jobs = true;
};

// The HTTP server: /client/api (CloudStack's API), /metrics (Prometheus text)
// and /healthz. Requests are served by a thread pool; each request uses a
// pooled database connection of its own.
class ApiServer {
 public:
  // `box` (may be null) opens usaged's own API keys.
  ApiServer(store::Store& store, const Clock& clock, const SecretBox* box, ServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket; throws InputError if it cannot.
  void Bind();
  int port() const;
  // Serves until Stop (blocking).
  void Serve();
  // Serves on a background thread until Stop or destruction.
  void Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace usaged::api
