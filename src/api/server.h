#pragma once

#include <memory>
#include <string>

#include "api/http_transport.h"
#include "core/clock.h"
#include "store/store.h"

namespace usaged::api {

class SecretBox;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8096;  // 0: any free port (see ApiServer::port)
  int threads = 8;  // workers running requests (each with a database connection)
  std::string tls_cert;  // PEM files; both set: HTTPS
  std::string tls_key;
  int64_t max_lag_seconds = 0;  // 0: twice the aggregation range
  // Take Store::LockJobs for each API-started job (false when this process
  // already holds it, as `usaged run --serve` does).
  bool lock_store_for_jobs = true;
  // Timeouts and connection limits against slow or numerous clients.
  TransportLimits limits;
};

// The HTTP server: /client/api (CloudStack's API), /metrics (Prometheus text)
// and /healthz. Connections are served by an event-driven transport
// (api/http_transport.h), so slow or idle clients hold no thread; complete
// requests run on `threads` workers, each request with a pooled database
// connection of its own.
class ApiServer {
 public:
  // `box` (may be null) opens usaged's own API keys.
  ApiServer(store::Store& store, const Clock& clock, const SecretBox* box, ServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket; throws InputError with the operating
  // system's reason (e.g. "Address already in use") if it cannot.
  void Bind();
  int port() const;
  // Serves on background threads until Stop or destruction.
  void Start();
  // Stops accepting; requests in progress are answered first.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace usaged::api
