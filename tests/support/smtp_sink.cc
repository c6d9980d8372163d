#include "support/smtp_sink.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace usaged::testing {
namespace {

// A socket bound to 127.0.0.1 at a free port.
int BoundSocket(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind a test socket");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

std::string ReceivedMail::Header(const std::string& name) const {
  std::istringstream in(data);
  std::string line, prefix = name + ": ";
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return "";
}

std::string ReceivedMail::Body() const {
  auto end = data.find("\r\n\r\n");
  if (end != std::string::npos) return data.substr(end + 4);
  end = data.find("\n\n");
  return end == std::string::npos ? "" : data.substr(end + 2);
}

SmtpSink::SmtpSink(const Options& o) {
  std::vector<std::string> args = {"/usr/bin/python3",
                                   USAGED_SOURCE_DIR "/tests/support/smtp_sink.py", dir_.path(),
                                   "--mode", o.mode};
  if (!o.cert.empty()) args.insert(args.end(), {"--cert", o.cert, "--key", o.key});
  if (!o.auth.empty()) args.insert(args.end(), {"--auth", o.auth});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = dir_.path() + "/sink.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start the SMTP sink");
  const std::string port_file = dir_.path() + "/port";
  if (!WaitFor([&] { return std::filesystem::exists(port_file); })) {
    throw std::runtime_error("the SMTP sink did not start: " + ReadFile(log));
  }
  port_ = std::stoi(ReadFile(port_file));
}

SmtpSink::~SmtpSink() {
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::vector<ReceivedMail> SmtpSink::Mails() const {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    auto name = entry.path().filename().string();
    if (name.rfind("mail-", 0) == 0) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<ReceivedMail> out;
  for (const auto& f : files) {
    auto j = nlohmann::json::parse(ReadFile(f));
    ReceivedMail m;
    m.mail_from = j["mail_from"].get<std::string>();
    m.rcpt_tos = j["rcpt_tos"].get<std::vector<std::string>>();
    m.data = j["data"].get<std::string>();
    m.tls = j["tls"].get<bool>();
    if (!j["auth_user"].is_null()) m.auth_user = j["auth_user"].get<std::string>();
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ReceivedMail> SmtpSink::WaitForMails(size_t n) const {
  WaitFor([&] { return Mails().size() >= n; });
  return Mails();
}

SilentServer::SilentServer() {
  fd_ = BoundSocket(&port_);
  // Never accepted: connections complete in the backlog and then hear nothing.
  if (listen(fd_, 16) != 0) throw std::runtime_error("listen failed");
}

SilentServer::~SilentServer() { close(fd_); }

RefusingPort::RefusingPort() { fd_ = BoundSocket(&port_); }

RefusingPort::~RefusingPort() { close(fd_); }

void MakeSelfSignedCertificate(const std::string& dir) {
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" + dir + "/key.pem' -out '" +
      dir + "/cert.pem' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl could not make a cert");
}

}  // namespace usaged::testing
