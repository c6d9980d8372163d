#include "store/mariadb/mariadb_statement.h"

#include <date/date.h>
#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "store/mariadb/mariadb_connection.h"

namespace usaged::store {

MYSQL_TIME ToMysqlTime(Instant t) {
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto day = std::chrono::floor<date::days>(secs);
  date::year_month_day ymd(day);
  date::hh_mm_ss<std::chrono::seconds> hms(secs - day);
  MYSQL_TIME m{};
  m.year = static_cast<unsigned>(static_cast<int>(ymd.year()));
  m.month = static_cast<unsigned>(ymd.month());
  m.day = static_cast<unsigned>(ymd.day());
  m.hour = static_cast<unsigned>(hms.hours().count());
  m.minute = static_cast<unsigned>(hms.minutes().count());
  m.second = static_cast<unsigned>(hms.seconds().count());
  m.time_type = MYSQL_TIMESTAMP_DATETIME;
  return m;
}

Instant FromMysqlTime(const MYSQL_TIME& m) {
  date::year_month_day ymd{date::year(static_cast<int>(m.year)), date::month(m.month),
                           date::day(m.day)};
  return Instant(date::sys_days(ymd).time_since_epoch() + std::chrono::hours(m.hour) +
                 std::chrono::minutes(m.minute) + std::chrono::seconds(m.second) +
                 std::chrono::duration_cast<Millis>(std::chrono::microseconds(m.second_part)));
}

MariaDbStatement::MariaDbStatement(MariaDbConnection& conn, std::string sql)
    : conn_(conn), sql_(std::move(sql)) {
  EnsurePrepared();
}

MariaDbStatement::~MariaDbStatement() {
  if (stmt_) mysql_stmt_close(stmt_);
}

std::string MariaDbStatement::Context() const { return fmt::format("\"{}\"", sql_.substr(0, 160)); }

void MariaDbStatement::EnsurePrepared() {
  MYSQL* m = conn_.Handle();
  if (stmt_ && generation_ == conn_.generation()) return;
  if (stmt_) {
    // The old handle belongs to a closed connection: free it, prepare anew.
    mysql_stmt_close(stmt_);
    stmt_ = nullptr;
  }
  stmt_ = mysql_stmt_init(m);
  if (!stmt_) conn_.Fail(mysql_errno(m), mysql_error(m), Context());
  if (mysql_stmt_prepare(stmt_, sql_.data(), sql_.size()) != 0) {
    unsigned error = mysql_stmt_errno(stmt_);
    std::string message = mysql_stmt_error(stmt_);
    mysql_stmt_close(stmt_);
    stmt_ = nullptr;
    conn_.Fail(error, message, Context());
  }
  my_bool update_max = 1;
  mysql_stmt_attr_set(stmt_, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
  generation_ = conn_.generation();
  params_.assign(mysql_stmt_param_count(stmt_), Param{});
}

void MariaDbStatement::Reset() {
  // Only the client-side result is freed: COM_STMT_RESET would cost a round
  // trip per use and is needed only for cursors and long data, unused here.
  if (stmt_ && executed_ && generation_ == conn_.generation()) mysql_stmt_free_result(stmt_);
  for (auto& p : params_) p = Param{};
  executed_ = has_row_ = done_ = false;
}

MariaDbStatement::Param& MariaDbStatement::ParamAt(int index) {
  if (index < 1 || static_cast<size_t>(index) > params_.size()) {
    throw DbError(fmt::format("parameter {} out of range in {}", index, Context()), 0, false);
  }
  return params_[index - 1];
}

void MariaDbStatement::BindNull(int i) { ParamAt(i).type = MYSQL_TYPE_NULL; }
void MariaDbStatement::BindInt(int i, int64_t v) {
  Param& p = ParamAt(i);
  p.type = MYSQL_TYPE_LONGLONG;
  p.i = v;
}
void MariaDbStatement::BindDouble(int i, double v) {
  Param& p = ParamAt(i);
  p.type = MYSQL_TYPE_DOUBLE;
  p.d = v;
}
void MariaDbStatement::BindText(int i, std::string_view v) {
  Param& p = ParamAt(i);
  p.type = MYSQL_TYPE_STRING;
  p.s.assign(v);
}
void MariaDbStatement::BindTime(int i, Instant v) {
  Param& p = ParamAt(i);
  p.type = MYSQL_TYPE_DATETIME;
  p.t = ToMysqlTime(v);
}

void MariaDbStatement::Execute() {
  EnsurePrepared();
  std::vector<MYSQL_BIND> binds(params_.size());
  for (size_t i = 0; i < params_.size(); ++i) {
    Param& p = params_[i];
    MYSQL_BIND& b = binds[i];
    std::memset(&b, 0, sizeof b);
    b.buffer_type = p.type;
    switch (p.type) {
      case MYSQL_TYPE_LONGLONG: b.buffer = &p.i; break;
      case MYSQL_TYPE_DOUBLE: b.buffer = &p.d; break;
      case MYSQL_TYPE_DATETIME: b.buffer = &p.t; break;
      case MYSQL_TYPE_STRING:
        b.buffer = p.s.data();
        b.buffer_length = p.s.size();
        break;
      default: break;
    }
  }
  if (!binds.empty() && mysql_stmt_bind_param(stmt_, binds.data()) != 0) {
    conn_.Fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_), Context());
  }
  if (mysql_stmt_execute(stmt_) != 0) {
    conn_.Fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_), Context());
  }
  executed_ = true;
  conn_.set_last_insert_id(static_cast<int64_t>(mysql_stmt_insert_id(stmt_)));
}

void MariaDbStatement::FailReadingRows() {
  // An error while rows stream in (a deadlock or lock wait timeout of a
  // locking read) leaves the statement mid-result: reset it on the server
  // too, or its next execution waits for rows that never come.
  unsigned error = mysql_stmt_errno(stmt_);
  std::string message = mysql_stmt_error(stmt_);
  mysql_stmt_reset(stmt_);
  executed_ = false;
  done_ = true;
  conn_.Fail(error, message, Context());
}

void MariaDbStatement::BindResult() {
  if (mysql_stmt_field_count(stmt_) == 0) {
    done_ = true;
    return;
  }
  // Store first: only then do the fields carry max_length for sizing buffers.
  if (mysql_stmt_store_result(stmt_) != 0) FailReadingRows();
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
  if (!meta) conn_.Fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_), Context());
  unsigned n = mysql_num_fields(meta);
  MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  columns_.assign(n, Column{});
  result_binds_.assign(n, MYSQL_BIND{});
  for (unsigned i = 0; i < n; ++i) {
    Column& c = columns_[i];
    MYSQL_BIND& b = result_binds_[i];
    std::memset(&b, 0, sizeof b);
    switch (fields[i].type) {
      case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_INT24: case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR:
        c.bound_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &c.i;
        break;
      case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE:
        c.bound_type = MYSQL_TYPE_DOUBLE;
        b.buffer = &c.d;
        break;
      case MYSQL_TYPE_DATETIME: case MYSQL_TYPE_TIMESTAMP: case MYSQL_TYPE_DATE:
        c.bound_type = MYSQL_TYPE_DATETIME;
        b.buffer = &c.t;
        break;
      default:
        c.bound_type = MYSQL_TYPE_STRING;
        c.buffer.resize(fields[i].max_length + 1);
        b.buffer = c.buffer.data();
        b.buffer_length = c.buffer.size();
        break;
    }
    b.buffer_type = c.bound_type;
    b.length = &c.length;
    b.is_null = &c.is_null;
    b.error = &c.error;
  }
  mysql_free_result(meta);
  if (mysql_stmt_bind_result(stmt_, result_binds_.data()) != 0) {
    conn_.Fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_), Context());
  }
}

bool MariaDbStatement::Next() {
  if (done_) return false;
  if (!executed_) {
    Execute();
    BindResult();
    if (done_) return false;
  }
  int rc = mysql_stmt_fetch(stmt_);
  if (rc == MYSQL_NO_DATA) {
    done_ = true;
    has_row_ = false;
    return false;
  }
  if (rc == 1) FailReadingRows();
  has_row_ = true;
  return true;
}

int64_t MariaDbStatement::Run() {
  Execute();
  int64_t affected = static_cast<int64_t>(mysql_stmt_affected_rows(stmt_));
  mysql_stmt_free_result(stmt_);
  executed_ = false;
  return affected;
}

const MariaDbStatement::Column& MariaDbStatement::At(int column) {
  if (!has_row_ || column < 0 || static_cast<size_t>(column) >= columns_.size()) {
    throw DbError(fmt::format("no column {} in the current row of {}", column, Context()), 0,
                  false);
  }
  return columns_[column];
}

bool MariaDbStatement::IsNull(int c) { return At(c).is_null; }

int64_t MariaDbStatement::Int(int c) {
  const Column& col = At(c);
  if (col.is_null) return 0;
  switch (col.bound_type) {
    case MYSQL_TYPE_LONGLONG: return col.i;
    case MYSQL_TYPE_DOUBLE: return static_cast<int64_t>(col.d);
    default: return std::strtoll(std::string(col.buffer.data(), col.length).c_str(), nullptr, 10);
  }
}

double MariaDbStatement::Double(int c) {
  const Column& col = At(c);
  if (col.is_null) return 0;
  switch (col.bound_type) {
    case MYSQL_TYPE_LONGLONG: return static_cast<double>(col.i);
    case MYSQL_TYPE_DOUBLE: return col.d;
    default: return std::strtod(std::string(col.buffer.data(), col.length).c_str(), nullptr);
  }
}

std::string MariaDbStatement::Text(int c) {
  const Column& col = At(c);
  if (col.is_null) return "";
  switch (col.bound_type) {
    case MYSQL_TYPE_LONGLONG: return std::to_string(col.i);
    case MYSQL_TYPE_DOUBLE: return fmt::format("{}", col.d);
    case MYSQL_TYPE_DATETIME: return FormatUtc(FromMysqlTime(col.t));
    default: return std::string(col.buffer.data(), col.length);
  }
}

Instant MariaDbStatement::Time(int c) {
  const Column& col = At(c);
  if (col.bound_type == MYSQL_TYPE_DATETIME) return FromMysqlTime(col.t);
  std::string s = Text(c);
  auto t = TryParseUtc(std::string_view(s).substr(0, 19));
  if (!t) {
    throw DbError(fmt::format("column {} holds '{}', not a DATETIME, in {}", c, s, Context()), 0,
                  false);
  }
  return *t;
}

}  // namespace usaged::store
