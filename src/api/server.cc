#include "api/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <vector>

#include "api/async_jobs.h"
#include "api/dispatcher.h"
#include "api/http_transport.h"
#include "api/job_runner.h"
#include "api/key_store.h"
#include "api/status.h"
#include "core/error.h"

namespace usaged::api {
namespace {

// Connections for request threads: one is taken per request and given back
// afterwards unless the request found it broken.
class ConnectionPool {
 public:
  explicit ConnectionPool(store::Store& store) : store_(store) {}

  std::unique_ptr<store::Connection> Take() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
    }
    return store_.Connect();
  }
  void Give(std::unique_ptr<store::Connection> conn) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(conn));
  }

 private:
  store::Store& store_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<store::Connection>> idle_;
};

}  // namespace

struct ApiServer::Impl {
  Impl(store::Store& store, const Clock& clock, const SecretBox* box, ServerOptions opts)
      : options(std::move(opts)), pool(store), jobs(store, clock),
        runner(MakeUsageJobRunner(store, clock, options.lock_store_for_jobs)),
        dispatcher(services, box), clock(clock) {
    services.store = &store;
    services.clock = &clock;
    services.jobs = &jobs;
    services.runner = runner.get();
    services.max_lag_seconds = options.max_lag_seconds;
    TransportOptions transport_options;
    transport_options.host = options.host;
    transport_options.port = options.port;
    transport_options.tls_cert = options.tls_cert;
    transport_options.tls_key = options.tls_key;
    transport_options.workers = options.threads;
    transport_options.limits = options.limits;
    http = std::make_unique<HttpTransport>(
        std::move(transport_options), [this](const HttpRequest& req) { return Route(req); },
        [](int status) { return Refusal(status); });
  }

  // Runs on the transport's worker threads.
  HttpAnswer Route(const HttpRequest& req);
  HttpAnswer Api(const HttpRequest& req);
  HttpAnswer Metrics();
  HttpAnswer Health();
  // A request refused before it reached a handler (too long, malformed,
  // unknown path, too many connections) still gets a CloudStack-style body.
  static HttpAnswer Refusal(int status);

  ServerOptions options;
  ConnectionPool pool;
  AsyncJobs jobs;
  std::unique_ptr<JobRunner> runner;
  Services services;
  Dispatcher dispatcher;
  const Clock& clock;
  std::unique_ptr<HttpTransport> http;  // last: stopped before what its handlers use
};

HttpAnswer ApiServer::Impl::Route(const HttpRequest& req) {
  bool get = req.method == "GET" || req.method == "HEAD";
  try {
    if (req.path == "/client/api") return get || req.method == "POST" ? Api(req) : Refusal(405);
    if (req.path == "/metrics") return get ? Metrics() : Refusal(405);
    if (req.path == "/healthz") return get ? Health() : Refusal(405);
    return Refusal(404);
  } catch (const std::exception& e) {
    spdlog::error("HTTP request {} {}: {}", req.method, req.path, e.what());
    return HttpAnswer{500, "application/json",
                      R"({"errorresponse":{"uuidList":[],"errorcode":530,"cserrorcode":9999,)"
                      R"("errortext":"Internal error"}})"};
  }
}

HttpAnswer ApiServer::Impl::Refusal(int status) {
  ApiError e(status, cs_error_code::kServerApi,
             fmt::format("the request was refused with HTTP status {}", status));
  return HttpAnswer{status, "application/json",
                    Serialize(ErrorResponse("", e), ResponseFormat::kJson)};
}

HttpAnswer ApiServer::Impl::Api(const HttpRequest& req) {
  const Params& params = req.params;
  std::unique_ptr<store::Connection> conn;
  HttpReply reply;
  try {
    conn = pool.Take();
    reply = dispatcher.Handle(*conn, params, req.accept, req.remote_addr);
  } catch (const std::exception& e) {
    // Only reaching the database can fail here; Handle never throws.
    spdlog::error("API request: {}", e.what());
    ApiError down(error_code::kInternalError, cs_error_code::kServerApi,
                  "The database is not reachable");
    reply = HttpReply{down.code(), "application/json; charset=UTF-8",
                      Serialize(ErrorResponse(FindParamNoCase(params, "command").value_or(""),
                                              down),
                                ResponseFormat::kJson),
                      true};
  }
  if (conn && !reply.discard_connection) pool.Give(std::move(conn));
  return HttpAnswer{reply.status, std::move(reply.content_type), std::move(reply.body)};
}

HttpAnswer ApiServer::Impl::Metrics() {
  const char* type = "text/plain; version=0.0.4; charset=utf-8";
  try {
    auto conn = pool.Take();
    std::string text = PrometheusText(ReadStatus(*conn, clock.Now(), options.max_lag_seconds));
    pool.Give(std::move(conn));
    return HttpAnswer{200, type,
                      text + "# HELP usaged_up Whether the database answered.\n# TYPE usaged_up "
                             "gauge\nusaged_up 1\n"};
  } catch (const std::exception& e) {
    spdlog::error("/metrics: {}", e.what());
    return HttpAnswer{200, type,
                      "# HELP usaged_up Whether the database answered.\n# TYPE usaged_up gauge\n"
                      "usaged_up 0\n"};
  }
}

HttpAnswer ApiServer::Impl::Health() {
  nlohmann::ordered_json body;
  int status = 200;
  try {
    auto conn = pool.Take();
    ServerStatus s = ReadStatus(*conn, clock.Now(), options.max_lag_seconds);
    pool.Give(std::move(conn));
    bool lag_ok = s.lag_seconds <= s.max_lag_seconds;
    body = {{"status", lag_ok ? "ok" : "lagging"},
            {"database", "reachable"},
            {"lagseconds", s.lag_seconds},
            {"maxlagseconds", s.max_lag_seconds}};
    status = lag_ok ? 200 : 503;
  } catch (const std::exception& e) {
    spdlog::error("/healthz: {}", e.what());
    body = {{"status", "down"}, {"database", "unreachable"}};
    status = 503;
  }
  return HttpAnswer{status, "application/json", body.dump()};
}

ApiServer::ApiServer(store::Store& store, const Clock& clock, const SecretBox* box,
                     ServerOptions options)
    : impl_(std::make_unique<Impl>(store, clock, box, std::move(options))) {}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Bind() {
  const auto& o = impl_->options;
  impl_->http->Bind();
  spdlog::info("API listening on {}://{}:{}", o.tls_cert.empty() ? "http" : "https", o.host,
               impl_->http->port());
}

int ApiServer::port() const { return impl_->http->port(); }

void ApiServer::Start() { impl_->http->Start(); }

void ApiServer::Stop() {
  if (impl_) impl_->http->Stop();
}

}  // namespace usaged::api
