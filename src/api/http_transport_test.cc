// The transport's defences against slow and numerous clients, over real
// loopback sockets with small limits so that each case takes about a second.
#include "api/http_transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/test_env.h"

namespace usaged::api {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A blocking TCP client socket to 127.0.0.1 from `from` (127.0.0.X).
class Client {
 public:
  explicit Client(int port, const char* from = "127.0.0.1", bool wait = true) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (wait ? 0 : SOCK_NONBLOCK), 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, from, &src.sin_addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<uint16_t>(port));
    int rc = connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to);
    connected_ = rc == 0;
    if (rc != 0 && errno != EINPROGRESS) ADD_FAILURE() << "connect: " << strerror(errno);
  }
  ~Client() {
    if (fd_ >= 0) close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool Send(const std::string& text) {
    return send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // Reads until `marker` arrives, the server closes, or `timeout` passes;
  // returns what was read.
  std::string ReadUntil(const std::string& marker, milliseconds timeout = milliseconds(5000)) {
    std::string got;
    auto end = Clock::now() + timeout;
    while (got.find(marker) == std::string::npos) {
      if (!WaitReadable(end)) break;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  // One request and its whole answer (headers and body).
  std::string Request(const std::string& path) {
    Send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string got = ReadUntil("\r\n\r\n");
    auto at = got.find("Content-Length: ");
    if (at == std::string::npos) return got;
    size_t whole = got.find("\r\n\r\n") + 4 + std::stoul(got.substr(at + 16));
    auto end = Clock::now() + milliseconds(5000);
    while (got.size() < whole && WaitReadable(end)) {
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }
  // Waits for the server to close the connection (reading and dropping what
  // it sends); the time that took, or nullopt if it did not within `timeout`.
  std::optional<milliseconds> TimeToClose(milliseconds timeout) {
    auto start = Clock::now();
    auto end = start + timeout;
    while (WaitReadable(end)) {
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    }
    return std::nullopt;
  }
  // Whether the connection is established (for a non-waiting connect).
  bool Established() {
    if (connected_) return true;
    pollfd p{fd_, POLLOUT, 0};
    if (poll(&p, 1, 0) != 1) return false;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    connected_ = err == 0;
    return connected_;
  }
  bool closed() const { return closed_; }

 private:
  bool WaitReadable(Clock::time_point end) {
    auto left = std::chrono::duration_cast<milliseconds>(end - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(left)) == 1;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
};

class HttpTransportTest : public ::testing::Test {
 protected:
  void Serve(TransportLimits limits, bool start = true, std::string tls_cert = "",
             std::string tls_key = "") {
    TransportOptions options;
    options.limits = limits;
    options.tls_cert = std::move(tls_cert);
    options.tls_key = std::move(tls_key);
    options.workers = 2;
    transport_ = std::make_unique<HttpTransport>(
        options,
        [](const HttpRequest& req) { return HttpAnswer{200, "text/plain", "hello " + req.path}; },
        [](int status) { return HttpAnswer{status, "text/plain", "refused"}; });
    transport_->Bind();
    if (start) transport_->Start();
  }
  int port() const { return transport_->port(); }

  std::unique_ptr<HttpTransport> transport_;
};

TransportLimits ShortLimits() {
  TransportLimits limits;
  limits.request_timeout = milliseconds(1000);
  limits.idle_timeout = milliseconds(500);
  return limits;
}

TEST_F(HttpTransportTest, AnswersAndKeepsTheConnectionAlive) {
  Serve(ShortLimits());
  Client c(port());
  EXPECT_NE(c.Request("/a").find("hello /a"), std::string::npos);
  EXPECT_NE(c.Request("/b").find("hello /b"), std::string::npos);
  EXPECT_FALSE(c.closed());
}

TEST_F(HttpTransportTest, CutsAHeaderTrickleAtTheRequestDeadline) {
  Serve(ShortLimits());
  Client c(port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nX-Padding: "));
  // One byte every 100 ms would keep a per-read timeout from ever firing.
  auto start = Clock::now();
  bool cut = false;
  while (Clock::now() - start < std::chrono::seconds(5)) {
    if (!c.Send("a")) {
      cut = true;
      break;
    }
    if (auto closed = c.TimeToClose(milliseconds(100))) {
      cut = true;
      break;
    }
  }
  auto lived = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_TRUE(cut);
  EXPECT_GE(lived.count(), 900);
  EXPECT_LE(lived.count(), 1600);
}

TEST_F(HttpTransportTest, CutsABodyTrickleAtTheRequestDeadline) {
  Serve(ShortLimits());
  Client c(port());
  ASSERT_TRUE(c.Send("POST /client/api HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n\r\n"));
  auto start = Clock::now();
  bool cut = false;
  while (Clock::now() - start < std::chrono::seconds(5)) {
    if (!c.Send("a") || c.TimeToClose(milliseconds(100))) {
      cut = true;
      break;
    }
  }
  auto lived = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_TRUE(cut);
  EXPECT_LE(lived.count(), 1600);
}

TEST_F(HttpTransportTest, ClosesASilentConnectionAtTheRequestDeadline) {
  Serve(ShortLimits());
  Client c(port());
  auto closed = c.TimeToClose(milliseconds(5000));
  ASSERT_TRUE(closed);
  EXPECT_GE(closed->count(), 900);
  EXPECT_LE(closed->count(), 1600);
}

TEST_F(HttpTransportTest, CutsAStalledTlsHandshakeAtTheRequestDeadline) {
  testing::TempDir dir;
  std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  std::string make = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
                     "-keyout '" + key + "' -out '" + cert + "' 2>/dev/null";
  ASSERT_EQ(std::system(make.c_str()), 0) << "openssl could not make a test certificate";
  Serve(ShortLimits(), true, cert, key);
  Client c(port());
  ASSERT_TRUE(c.Send(std::string("\x16\x03\x01", 3)));  // a TLS record begins, and stalls
  auto closed = c.TimeToClose(milliseconds(5000));
  ASSERT_TRUE(closed);
  EXPECT_GE(closed->count(), 900);
  EXPECT_LE(closed->count(), 1600);
}

TEST_F(HttpTransportTest, ClosesAnIdleKeptAliveConnectionAtTheIdleTimeout) {
  Serve(ShortLimits());
  Client c(port());
  ASSERT_NE(c.Request("/a").find("hello /a"), std::string::npos);
  auto closed = c.TimeToClose(milliseconds(5000));
  ASSERT_TRUE(closed);
  EXPECT_GE(closed->count(), 400);
  EXPECT_LE(closed->count(), 900);  // the idle timeout, not the request deadline
}

TEST_F(HttpTransportTest, AnswersOverTheConnectionLimitWith503) {
  TransportLimits limits = ShortLimits();
  limits.request_timeout = milliseconds(10'000);
  limits.idle_timeout = milliseconds(10'000);
  limits.max_connections = 3;
  Serve(limits);
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>(port()));
    ASSERT_NE(held.back()->Request("/held").find("200 OK"), std::string::npos);
  }
  // Refused at once rather than queued behind the held ones.
  auto start = Clock::now();
  Client over(port());
  std::string answer = over.Request("/over");
  EXPECT_LE(Clock::now() - start, milliseconds(500));
  EXPECT_NE(answer.find("HTTP/1.1 503"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_TRUE(over.TimeToClose(milliseconds(3000)));

  // A closed connection frees its place.
  held.pop_back();
  EXPECT_TRUE(testing::WaitFor(
      [&] { return Client(port()).Request("/next").find("200 OK") != std::string::npos; },
      std::chrono::seconds(5)));
}

TEST_F(HttpTransportTest, AnswersOverTheLimitOfOneClientAddressWith503) {
  TransportLimits limits = ShortLimits();
  limits.request_timeout = milliseconds(10'000);
  limits.idle_timeout = milliseconds(10'000);
  limits.max_connections_per_client = 2;
  Serve(limits);
  Client a(port(), "127.0.0.1"), b(port(), "127.0.0.1");
  ASSERT_NE(a.Request("/a").find("200 OK"), std::string::npos);
  ASSERT_NE(b.Request("/b").find("200 OK"), std::string::npos);
  Client third(port(), "127.0.0.1");
  EXPECT_NE(third.Request("/c").find("HTTP/1.1 503"), std::string::npos);
  Client other(port(), "127.0.0.2");  // another address is not held back
  EXPECT_NE(other.Request("/d").find("200 OK"), std::string::npos);
}

TEST_F(HttpTransportTest, ListenBacklogHoldsABurstUntilAccepted) {
  TransportLimits limits = ShortLimits();
  limits.max_connections_per_client = 1000;
  Serve(limits, /*start=*/false);
  // Not accepting yet: every connection of the burst must wait in the
  // kernel's backlog (a backlog of 5 would leave all but about 6 unanswered).
  constexpr int kBurst = 500;
  std::vector<std::unique_ptr<Client>> burst;
  for (int i = 0; i < kBurst; ++i) {
    burst.push_back(std::make_unique<Client>(port(), "127.0.0.1", /*wait=*/false));
  }
  int established = 0;
  testing::WaitFor(
      [&] {
        established = 0;
        for (auto& c : burst) established += c->Established() ? 1 : 0;
        return established == kBurst;
      },
      std::chrono::seconds(3));
  EXPECT_EQ(established, kBurst);
  transport_->Start();
  // The queued connections are then served.
  EXPECT_NE(burst.front()->Request("/first").find("200 OK"), std::string::npos);
  EXPECT_NE(burst.back()->Request("/last").find("200 OK"), std::string::npos);
}

TEST_F(HttpTransportTest, ASecondServerOnTheSamePortFailsWithTheSystemsReason) {
  Serve(ShortLimits());
  TransportOptions options;
  options.port = port();
  HttpTransport second(
      options, [](const HttpRequest&) { return HttpAnswer{}; },
      [](int status) { return HttpAnswer{status, "text/plain", ""}; });
  try {
    second.Bind();
    FAIL() << "the second bind succeeded";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("address already in use"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace usaged::api
