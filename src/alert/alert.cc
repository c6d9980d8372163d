#include "alert/alert.h"

namespace usaged::alert {

namespace {
// usaged_alert column widths; longer text is cut rather than refused, so an
// alert about a long event is still raised.
constexpr size_t kSubjectMax = 999;
constexpr size_t kContentMax = 5000;
}  // namespace

void RaiseAlert(store::Connection& conn, Instant now, std::string_view type,
                std::string_view subject, std::string_view content) {
  conn.Run("INSERT INTO ${usage}.usaged_alert (type, subject, content, created) "
           "VALUES (?, ?, ?, ?)",
           type, subject.substr(0, kSubjectMax), content.substr(0, kContentMax), now);
}

std::vector<AlertRow> ListAlerts(store::Connection& conn, int limit) {
  auto& q = conn.Prepare(
                    "SELECT id, type, subject, content, created, sent_at, send_attempts, "
                    "last_send_error FROM ${usage}.usaged_alert ORDER BY id DESC LIMIT ?")
                .Bind(limit);
  std::vector<AlertRow> out;
  while (q.Next()) {
    out.push_back({q.Int(0), q.Text(1), q.Text(2), q.OptText(3).value_or(""), q.Time(4),
                   q.OptTime(5), static_cast<int>(q.Int(6)), q.OptText(7)});
  }
  q.Reset();
  return out;
}

}  // namespace usaged::alert
