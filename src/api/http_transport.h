#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace usaged::api {

// One HTTP request as the API's handlers see it.
struct HttpRequest {
  std::string method;  // "GET", "POST", "HEAD", …
  std::string path;    // percent-decoded, without the query
  // Query parameters, then those of an application/x-www-form-urlencoded
  // body, decoded ('+' is a space), ordered by name (equal names keep their
  // order): what the dispatcher has always been given.
  std::vector<std::pair<std::string, std::string>> params;
  std::string accept;  // the Accept header
  std::string remote_addr;  // the client's address (for logs)
};

struct HttpAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
};

// Limits that keep slow or numerous clients from holding the server.
struct TransportLimits {
  // From a connection's accept (or from the first byte of a later request on
  // it) to the end of the request's headers and body, TLS handshake
  // included. Not extended by activity: a client trickling bytes is cut at it.
  std::chrono::milliseconds request_timeout{10'000};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{5'000};
  // To write an answer.
  std::chrono::milliseconds write_timeout{30'000};
  // Open connections, in all and from one client address. A connection over
  // either gets a 503 and is closed. max_connections is lowered to what the
  // process's open-file limit allows.
  int max_connections = 4096;
  int max_connections_per_client = 256;
  int backlog = 4096;  // the kernel caps it at net.core.somaxconn
  size_t max_body_bytes = 1 << 20;  // else 413
  size_t max_target_bytes = 8192;  // request line path and query: else 414
  size_t max_header_bytes = 64 << 10;  // request line and headers: else 431
};

struct TransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string tls_cert;  // PEM files; both set: HTTPS
  std::string tls_key;
  int workers = 8;  // threads that run the handler
  TransportLimits limits;
};

// An event-driven HTTP/1.1 server (Boost.Beast on one Asio I/O thread):
// connections cost no thread, whatever they do. Complete requests go to a
// fixed pool of worker threads that run `handler` (which may block, e.g. on
// the database); the answer is written back by the I/O thread. Requests the
// transport refuses itself (limits, malformed input) are answered with
// `refusal(status)`.
class HttpTransport {
 public:
  using Handler = std::function<HttpAnswer(const HttpRequest&)>;
  using Refusal = std::function<HttpAnswer(int status)>;

  // Throws InputError if TLS is asked for and the certificate or key is unusable.
  HttpTransport(TransportOptions options, Handler handler, Refusal refusal);
  ~HttpTransport();  // stops
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Binds and listens; throws InputError with the operating system's reason
  // (e.g. "Address already in use") if it cannot. The port is never shared
  // with another process.
  void Bind();
  int port() const;
  // Serves on background threads until Stop; connections queue from Bind on.
  void Start();
  // Stops accepting, closes idle and half-read connections, lets requests in
  // progress finish and be answered (up to the write timeout), then returns.
  // Safe to call more than once, and without Start.
  void Stop();

  // Opaque; declared public only so that the connection classes of the
  // implementation can name it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace usaged::api
