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

}  // namespace usaged::alert
