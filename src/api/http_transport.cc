#include "api/http_transport.h"

#include <fmt/format.h>
#include <httplib.h>  // only its URL decoding: parameters decode as they always have
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <cctype>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "core/error.h"

namespace usaged::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// A refused connection gets this long to take its 503 (and the TLS
// handshake before it); a closing one to read what the client still sends,
// so that the close does not reset a connection holding an unread answer.
constexpr std::chrono::seconds kRefusalTime{2};
constexpr std::chrono::seconds kLingerTime{2};

// Fewer refused connections than this are answered at once; past it they are
// closed unanswered, so a flood costs no more than this many sockets.
constexpr int kMaxRefusing = 256;

// Files the process keeps open besides connections: database connections,
// logs, the listening socket.
constexpr long kReservedFiles = 128;

// The soft open-file limit raised to the hard one: a busy server needs a
// descriptor per connection, and the usual soft limit (1024) is below the
// connection limit. Returns the limit in force.
long RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? 1L << 20 : static_cast<long>(limit.rlim_cur);
}

// Errors that mean the client sent something that is not HTTP.
bool IsBadRequest(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

class SessionBase;

struct HttpTransport::Impl {
  Impl(TransportOptions o, Handler h, Refusal r)
      : options(std::move(o)), handler(std::move(h)), refusal(std::move(r)) {}

  void Accept();
  void OnAccept(tcp::socket socket);
  // Called by every session's destructor, on whichever thread drops it last.
  void Release(SessionBase* session, const std::string& client, bool admitted);

  TransportOptions options;
  Handler handler;
  Refusal refusal;
  std::unique_ptr<ssl::context> tls;
  int max_connections = 0;
  int port = 0;

  std::mutex mutex;  // guards what follows up to `io`
  std::condition_variable drained;
  int open = 0;
  int refusing = 0;
  std::unordered_map<std::string, int> per_client;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  SteadyClock::time_point last_limit_warning{};

  std::atomic<bool> stopping{false};
  std::mutex stop_mutex;
  bool started = false;
  bool stopped = false;

  // Declared after the state its handlers' sessions release on destruction.
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_retry{io};
  std::unique_ptr<asio::thread_pool> workers;
  std::thread io_thread;
};

// A connection: reads one request at a time, hands it to the workers, writes
// the answer, and either waits for the next request or closes. Everything but
// the handler runs on the I/O thread.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  SessionBase(HttpTransport::Impl& impl, std::string client, bool admitted)
      : impl_(impl), client_(std::move(client)), admitted_(admitted) {}
  virtual ~SessionBase() { impl_.Release(this, client_, admitted_); }
  virtual void Start() = 0;
  // The server stops: idle and half-read connections close now, answers in
  // progress are still written (with Connection: close).
  virtual void OnStop() = 0;

 protected:
  HttpTransport::Impl& impl_;
  const std::string client_;
  const bool admitted_;  // false: over a limit, gets a 503 and is closed
};

namespace {

template <class Stream>
class Session : public SessionBase {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  enum class State { kStarting, kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

 public:
  template <class... StreamArgs>
  Session(HttpTransport::Impl& impl, std::string client, bool admitted,
          StreamArgs&&... stream_args)
      : SessionBase(impl, std::move(client), admitted),
        stream_(std::forward<StreamArgs>(stream_args)...) {}

  void Start() override {
    const auto& limits = impl_.options.limits;
    deadline_ = SteadyClock::now() + (admitted_ ? limits.request_timeout
                                                : std::chrono::milliseconds(kRefusalTime));
    Lowest().expires_at(deadline_);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = Self()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->AfterStart();
                              });
    } else {
      AfterStart();
    }
  }

  void OnStop() override {
    if (state_ == State::kHandling || state_ == State::kWriting) return;
    Close();
  }

 private:
  std::shared_ptr<Session> Self() {
    return std::static_pointer_cast<Session>(shared_from_this());
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void AfterStart() {
    if (!admitted_) return Refuse(503);
    ReadHeader();
  }

  // Between requests of a kept-alive connection: the idle timeout runs until
  // the next request's first bytes, then the request timeout.
  void WaitForRequest() {
    if (impl_.stopping) return LingeringClose();
    if (buffer_.size() > 0) {  // pipelined: already here
      deadline_ = SteadyClock::now() + impl_.options.limits.request_timeout;
      return ReadHeader();
    }
    state_ = State::kIdle;
    Lowest().expires_after(impl_.options.limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = Self()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->deadline_ = SteadyClock::now() +
                                                self->impl_.options.limits.request_timeout;
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    const auto& limits = impl_.options.limits;
    state_ = State::kReading;
    version_ = 11;
    head_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(limits.max_header_bytes));
    parser_->body_limit(limits.max_body_bytes);
    Lowest().expires_at(deadline_);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = Self()](beast::error_code ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    const auto& limits = impl_.options.limits;
    if (ec == http::error::header_limit) return Refuse(431);
    // Beast checks a Content-Length against the body limit with the headers.
    if (ec == http::error::body_limit) return Refuse(413);
    if (ec) return IsBadRequest(ec) ? Refuse(400) : Close();
    const auto& req = parser_->get();
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    if (req.target().size() > limits.max_target_bytes) return Refuse(414);
    bool expect_continue = beast::iequals(req[http::field::expect], "100-continue");
    if (auto length = parser_->content_length(); length && *length > limits.max_body_bytes) {
      // The answer is written while the body still comes; the lingering close
      // then reads it, so the client sees the 413 rather than a reset.
      return Refuse(413);
    }
    if (expect_continue) {
      continue_ = std::make_unique<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *continue_, [self = Self()](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_at(deadline_);
    http::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      if (ec == http::error::body_limit) return self->Refuse(413);
      if (ec) return IsBadRequest(ec) ? self->Refuse(400) : self->Close();
      self->Dispatch();
    });
  }

  void Dispatch() {
    auto req = parser_->release();
    parser_.reset();
    keep_alive_ = req.keep_alive();
    HttpRequest request;
    request.method = std::string(req.method_string());
    std::string target(req.target());
    size_t query = target.find('?');
    request.path = httplib::detail::decode_url(target.substr(0, query), false);
    httplib::Params params;  // a multimap: ordered by name, as handlers always got them
    if (query != std::string::npos) {
      httplib::detail::parse_query_text(target.substr(query + 1), params);
    }
    if (req[http::field::content_type].starts_with("application/x-www-form-urlencoded")) {
      httplib::detail::parse_query_text(req.body(), params);
    }
    request.params.assign(params.begin(), params.end());
    request.accept = std::string(req[http::field::accept]);
    request.remote_addr = client_;

    state_ = State::kHandling;
    Lowest().expires_never();
    asio::post(*impl_.workers, [self = Self(), request = std::move(request)] {
      HttpAnswer answer;
      try {
        answer = self->impl_.handler(request);
      } catch (const std::exception& e) {
        spdlog::error("HTTP handler: {}", e.what());
        answer = self->impl_.refusal(500);
      }
      asio::post(self->impl_.io, [self, answer = std::move(answer)]() mutable {
        self->Write(std::move(answer), self->keep_alive_);
      });
    });
  }

  void Refuse(int status) { Write(impl_.refusal(status), false); }

  void Write(HttpAnswer answer, bool keep_alive) {
    if (state_ == State::kClosed) return;
    state_ = State::kWriting;
    keep_alive = keep_alive && !impl_.stopping;
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(static_cast<unsigned>(answer.status));
    // CloudStack's own codes (530, 531, 536, …) have no standard reason.
    if (res->result() == http::status::unknown) res->reason("Error");
    res->set(http::field::content_type, answer.content_type);
    if (answer.status == 503) res->set(http::field::retry_after, "1");
    res->body() = std::move(answer.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (head_) res->body().clear();  // Content-Length stays that of the GET
    Lowest().expires_after(admitted_ ? impl_.options.limits.write_timeout
                                     : std::chrono::milliseconds(kRefusalTime));
    http::async_write(stream_, *res,
                      [self = Self(), res, keep_alive](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (keep_alive) return self->WaitForRequest();
                        self->LingeringClose();
                      });
  }

  // Ends the connection after an answer: signals the end of what the server
  // sends and reads whatever the client still sends (for a while), then
  // closes, so that an unread request body does not turn the close into a
  // reset that discards the answer.
  void LingeringClose() {
    state_ = State::kClosing;
    if constexpr (!kTls) {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    Lowest().expires_after(kLingerTime);
    Drain();
  }
  void Drain() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16384), [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->Close();
      self->Drain();
    });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::unique_ptr<http::response<http::empty_body>> continue_;
  SteadyClock::time_point deadline_;
  State state_ = State::kStarting;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
};

}  // namespace

void HttpTransport::Impl::Release(SessionBase* session, const std::string& client,
                                  bool admitted) {
  std::lock_guard<std::mutex> lock(mutex);
  sessions.erase(session);
  if (admitted) {
    --open;
    if (auto it = per_client.find(client); it != per_client.end() && --it->second == 0) {
      per_client.erase(it);
    }
  } else {
    --refusing;
  }
  if (sessions.empty()) drained.notify_all();
}

void HttpTransport::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open() || stopping) return;
    if (ec) {
      // Out of descriptors (or another transient failure): pause rather than
      // spin; the connections wait in the backlog meanwhile.
      spdlog::warn("API server: accepting a connection failed: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) Accept();
      });
      return;
    }
    OnAccept(std::move(socket));
    Accept();
  });
}

void HttpTransport::Impl::OnAccept(tcp::socket socket) {
  beast::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  socket.set_option(tcp::no_delay(true), ec);
  std::string client = peer.address().to_string();
  const auto& limits = options.limits;
  bool admitted = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = per_client.find(client);
    int from_client = it == per_client.end() ? 0 : it->second;
    if (open < max_connections && from_client < limits.max_connections_per_client) {
      admitted = true;
      ++open;
      ++per_client[client];
    } else if (refusing < kMaxRefusing) {
      ++refusing;
    } else {
      return;  // closed unanswered
    }
    if (!admitted && SteadyClock::now() - last_limit_warning > std::chrono::minutes(1)) {
      last_limit_warning = SteadyClock::now();
      spdlog::warn("API server: connection limit reached ({} open, {} from {}; limits {} and {} "
                   "per client): answering 503",
                   open, from_client, client, max_connections, limits.max_connections_per_client);
    }
  }
  std::shared_ptr<SessionBase> session;
  if (tls) {
    session =
        std::make_shared<Session<TlsStream>>(*this, client, admitted, std::move(socket), *tls);
  } else {
    session = std::make_shared<Session<PlainStream>>(*this, client, admitted, std::move(socket));
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    sessions.emplace(session.get(), session);
  }
  session->Start();
}

HttpTransport::HttpTransport(TransportOptions options, Handler handler, Refusal refusal)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(refusal))) {
  auto& o = impl_->options;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls->use_certificate_chain_file(o.tls_cert, ec);
    if (!ec) tls->use_private_key_file(o.tls_key, ssl::context::pem, ec);
    if (ec) {
      throw InputError(fmt::format("cannot use the TLS certificate '{}' and key '{}': {}",
                                   o.tls_cert, o.tls_key, ec.message()));
    }
    impl_->tls = std::move(tls);
  }
  impl_->workers = std::make_unique<asio::thread_pool>(std::max(1, o.workers));
}

HttpTransport::~HttpTransport() { Stop(); }

void HttpTransport::Bind() {
  auto& o = impl_->options;
  long files = RaiseOpenFileLimit();
  impl_->max_connections = static_cast<int>(
      std::min<long>(o.limits.max_connections, std::max(16L, files - kReservedFiles)));
  if (impl_->max_connections < o.limits.max_connections) {
    spdlog::warn("API server: at most {} connections (the open-file limit is {})",
                 impl_->max_connections, files);
  }
  // "cannot listen on 127.0.0.1:8096: address already in use"
  auto fail = [&](const beast::error_code& ec) {
    std::string reason = ec ? ec.message() : "no such address";
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
    return InputError(fmt::format("cannot listen on {}:{}: {}", o.host, o.port, reason));
  };
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(o.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(o.port));
  } else {
    tcp::resolver resolver(impl_->io);
    auto found = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || found.empty()) throw fail(ec);
    endpoint = *found.begin();
  }
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) throw fail(ec);
  // SO_REUSEADDR only lets a restarted server bind while old connections
  // linger in TIME_WAIT; unlike SO_REUSEPORT it never lets a second process
  // listen on the same port.
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) throw fail(ec);
  acceptor.listen(o.limits.backlog, ec);
  if (ec) throw fail(ec);
  impl_->port = acceptor.local_endpoint().port();
}

int HttpTransport::port() const { return impl_->port; }

void HttpTransport::Start() {
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  if (impl_->started || impl_->stopped) return;
  impl_->started = true;
  impl_->Accept();
  impl_->io_thread = std::thread([impl = impl_.get()] {
    for (;;) {
      try {
        impl->io.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("API server: {}", e.what());
      }
    }
  });
}

void HttpTransport::Stop() {
  if (!impl_) return;
  std::lock_guard<std::mutex> lock(impl_->stop_mutex);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  Impl& impl = *impl_;
  if (impl.started) {
    asio::post(impl.io, [&impl] {
      beast::error_code ignored;
      impl.acceptor.close(ignored);
      impl.accept_retry.cancel();
      std::vector<std::shared_ptr<SessionBase>> live;
      {
        std::lock_guard<std::mutex> sessions_lock(impl.mutex);
        for (auto& [ptr, weak] : impl.sessions) {
          if (auto s = weak.lock()) live.push_back(std::move(s));
        }
      }
      for (auto& s : live) s->OnStop();
    });
    // Answers in progress get their handler's time plus the write timeout;
    // whatever is left then is cut.
    size_t cut = 0;
    {
      std::unique_lock<std::mutex> sessions_lock(impl.mutex);
      impl.drained.wait_for(sessions_lock, impl.options.limits.write_timeout,
                            [&impl] { return impl.sessions.empty(); });
      cut = impl.sessions.size();
    }
    impl.io.stop();
    impl.io_thread.join();
    impl.workers->join();
    // An operator (or a supervisor) reads from this line that the stop was
    // an orderly one.
    if (cut > 0) {
      spdlog::warn("API server stopped on port {}; {} connections were still being answered",
                   impl.port, cut);
    } else {
      spdlog::info("API server stopped on port {}", impl.port);
    }
  } else {
    impl.workers->join();
  }
  beast::error_code ignored;
  impl.acceptor.close(ignored);
}

}  // namespace usaged::api
