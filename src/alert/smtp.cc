#include "alert/smtp.h"

#include <curl/curl.h>
#include <date/date.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "core/crypto.h"

namespace usaged::alert {
namespace {

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::string EncodedSubject(const std::string& subject) {
  if (IsAscii(subject)) return subject;
  return "=?UTF-8?B?" + crypto::Base64Encode(subject) + "?=";
}

// Body lines end in CRLF, whatever the content used.
std::string CrlfLines(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

std::string JoinRecipients(const std::vector<std::string>& recipients) {
  std::string out;
  for (const auto& r : recipients) out += (out.empty() ? "" : ", ") + r;
  return out;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->data.size() - up->offset);
  std::memcpy(buffer, up->data.data() + up->offset, n);
  up->offset += n;
  return n;
}

long CurlTlsVersion(const std::string& v) {
  if (v == "1.0") return CURL_SSLVERSION_TLSv1_0;
  if (v == "1.1") return CURL_SSLVERSION_TLSv1_1;
  if (v == "1.2") return CURL_SSLVERSION_TLSv1_2;
  return CURL_SSLVERSION_TLSv1_3;
}

long CurlMaxTlsVersion(const std::string& v) {
  if (v == "1.0") return CURL_SSLVERSION_MAX_TLSv1_0;
  if (v == "1.1") return CURL_SSLVERSION_MAX_TLSv1_1;
  if (v == "1.2") return CURL_SSLVERSION_MAX_TLSv1_2;
  return CURL_SSLVERSION_MAX_TLSv1_3;
}

std::string ServerUrl(const AlertSettings& s) {
  std::string host = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  return fmt::format("{}://{}:{}", s.security == SmtpSecurity::kSsl ? "smtps" : "smtp", host,
                     s.port);
}

using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using CurlList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

}  // namespace

std::string FormatMail(const MailMessage& m) {
  std::string out;
  out += "Date: " + date::format("%a, %d %b %Y %H:%M:%S +0000",
                                 std::chrono::floor<std::chrono::seconds>(m.date)) + "\r\n";
  out += "From: " + m.sender + "\r\n";
  out += "To: " + JoinRecipients(m.recipients) + "\r\n";
  out += "Subject: " + EncodedSubject(OneLine(m.subject)) + "\r\n";
  out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  out += CrlfLines(m.body);
  return out;
}

void SendMail(const AlertSettings& s, const MailMessage& message) {
  InitCurlOnce();
  CurlHandle curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw MailError("cannot initialise libcurl");
  CURL* c = curl.get();
  const std::string url = ServerUrl(s);
  curl_slist* raw_list = nullptr;
  for (const auto& r : message.recipients) raw_list = curl_slist_append(raw_list, ("<" + r + ">").c_str());
  CurlList recipients(raw_list, &curl_slist_free_all);
  Upload upload{FormatMail(message)};
  const std::string from = "<" + message.sender + ">";
  char error[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE, static_cast<long>(upload.data.size()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(s.connect_timeout_ms) + s.io_timeout_ms);
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   s.security == SmtpSecurity::kStartTls ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  if (!s.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.ca_file.c_str());
  if (!s.min_tls.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLVERSION,
                     CurlTlsVersion(s.min_tls) | CurlMaxTlsVersion(s.max_tls));
  }
  if (s.use_auth) {
    curl_easy_setopt(c, CURLOPT_USERNAME, s.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    std::string why = error[0] ? error : curl_easy_strerror(rc);
    throw MailError(fmt::format("sending to {} failed: {}{}", url, why,
                                reply ? fmt::format(" (last SMTP reply {})", reply) : ""));
  }
}

}  // namespace usaged::alert
