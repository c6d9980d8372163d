#include "api/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "api/async_jobs.h"
#include "api/dispatcher.h"
#include "api/job_runner.h"
#include "api/key_store.h"
#include "api/status.h"
#include "core/error.h"

namespace usaged::api {
namespace {

constexpr size_t kMaxBodyBytes = 1 << 20;

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

Params ToParams(const httplib::Request& req) {
  Params params;
  for (const auto& [k, v] : req.params) params.emplace_back(k, v);
  return params;
}

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
    if (!options.tls_cert.empty() || !options.tls_key.empty()) {
      auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(),
                                                      options.tls_key.c_str());
      if (!ssl->is_valid()) {
        throw InputError(fmt::format("cannot use the TLS certificate '{}' and key '{}'",
                                     options.tls_cert, options.tls_key));
      }
      http = std::move(ssl);
    } else {
      http = std::make_unique<httplib::Server>();
    }
    Route();
  }

  void Route();
  void Api(const httplib::Request& req, httplib::Response& res);
  void Metrics(httplib::Response& res);
  void Health(httplib::Response& res);

  ServerOptions options;
  ConnectionPool pool;
  AsyncJobs jobs;
  std::unique_ptr<JobRunner> runner;
  Services services;
  Dispatcher dispatcher;
  const Clock& clock;
  std::unique_ptr<httplib::Server> http;
  int port = 0;
  std::thread thread;
  std::atomic<bool> serve_returned{false};  // the accept loop of `thread` ended
};

void ApiServer::Impl::Route() {
  int threads = std::max(1, options.threads);
  http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http->set_payload_max_length(kMaxBodyBytes);
  http->set_read_timeout(10, 0);
  http->set_write_timeout(30, 0);
  auto api = [this](const httplib::Request& req, httplib::Response& res) { Api(req, res); };
  http->Get("/client/api", api);
  http->Post("/client/api", api);
  http->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { Metrics(res); });
  http->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) { Health(res); });
  // Requests refused by the HTTP layer (too long, malformed, unknown path)
  // still get a CloudStack-style error body.
  httplib::Server::HandlerWithResponse on_error = [](const httplib::Request&,
                                                     httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    ApiError e(res.status, cs_error_code::kServerApi,
               fmt::format("the request was refused with HTTP status {}", res.status));
    res.set_content(Serialize(ErrorResponse("", e), ResponseFormat::kJson), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  };
  http->set_error_handler(on_error);
  http->set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                 std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"errorresponse":{"uuidList":[],"errorcode":530,"cserrorcode":9999,)"
                    R"("errortext":"Internal error"}})",
                    "application/json");
  });
}

void ApiServer::Impl::Api(const httplib::Request& req, httplib::Response& res) {
  Params params = ToParams(req);
  std::unique_ptr<store::Connection> conn;
  HttpReply reply;
  try {
    conn = pool.Take();
    reply = dispatcher.Handle(*conn, params, req.get_header_value("Accept"), req.remote_addr);
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
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
}

void ApiServer::Impl::Metrics(httplib::Response& res) {
  try {
    auto conn = pool.Take();
    std::string text = PrometheusText(ReadStatus(*conn, clock.Now(), options.max_lag_seconds));
    pool.Give(std::move(conn));
    res.set_content(text + "# HELP usaged_up Whether the database answered.\n# TYPE usaged_up "
                           "gauge\nusaged_up 1\n",
                    "text/plain; version=0.0.4; charset=utf-8");
  } catch (const std::exception& e) {
    spdlog::error("/metrics: {}", e.what());
    res.set_content("# HELP usaged_up Whether the database answered.\n# TYPE usaged_up gauge\n"
                    "usaged_up 0\n",
                    "text/plain; version=0.0.4; charset=utf-8");
  }
}

void ApiServer::Impl::Health(httplib::Response& res) {
  nlohmann::ordered_json body;
  try {
    auto conn = pool.Take();
    ServerStatus s = ReadStatus(*conn, clock.Now(), options.max_lag_seconds);
    pool.Give(std::move(conn));
    bool lag_ok = s.lag_seconds <= s.max_lag_seconds;
    body = {{"status", lag_ok ? "ok" : "lagging"},
            {"database", "reachable"},
            {"lagseconds", s.lag_seconds},
            {"maxlagseconds", s.max_lag_seconds}};
    res.status = lag_ok ? 200 : 503;
  } catch (const std::exception& e) {
    spdlog::error("/healthz: {}", e.what());
    body = {{"status", "down"}, {"database", "unreachable"}};
    res.status = 503;
  }
  res.set_content(body.dump(), "application/json");
}

ApiServer::ApiServer(store::Store& store, const Clock& clock, const SecretBox* box,
                     ServerOptions options)
    : impl_(std::make_unique<Impl>(store, clock, box, std::move(options))) {}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Bind() {
  auto& o = impl_->options;
  if (o.port == 0) {
    impl_->port = impl_->http->bind_to_any_port(o.host.c_str());
  } else if (impl_->http->bind_to_port(o.host.c_str(), o.port)) {
    impl_->port = o.port;
  } else {
    impl_->port = -1;
  }
  if (impl_->port <= 0) {
    throw InputError(fmt::format("cannot listen on {}:{}", o.host, o.port));
  }
  spdlog::info("API listening on {}://{}:{}", o.tls_cert.empty() ? "http" : "https", o.host,
               impl_->port);
}

int ApiServer::port() const { return impl_->port; }

void ApiServer::Serve() { impl_->http->listen_after_bind(); }

void ApiServer::Start() {
  // The socket listens since Bind, so requests queue until the loop starts.
  impl_->thread = std::thread([this] {
    Serve();
    impl_->serve_returned = true;
  });
}

void ApiServer::Stop() {
  if (!impl_) return;
  if (impl_->thread.joinable()) {
    // httplib's stop() does nothing before the accept loop runs, and the loop
    // would then run forever: a Stop right after Start waits for it first.
    while (!impl_->http->is_running() && !impl_->serve_returned) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    impl_->http->stop();
    impl_->thread.join();
  } else {
    impl_->http->stop();
  }
}

}  // namespace usaged::api
