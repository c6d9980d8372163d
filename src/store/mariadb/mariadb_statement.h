#pragma once

#include <mysql.h>

#include <string>
#include <vector>

#include "store/connection.h"

namespace usaged::store {

class MariaDbConnection;

// A server-side prepared statement. It keeps its SQL and re-prepares itself
// after the connection was re-established, so references handed out by
// Connection::Prepare stay valid.
class MariaDbStatement final : public Statement {
 public:
  MariaDbStatement(MariaDbConnection& conn, std::string sql);
  ~MariaDbStatement() override;

  void Reset() override;
  void BindNull(int index) override;
  void BindInt(int index, int64_t value) override;
  void BindDouble(int index, double value) override;
  void BindText(int index, std::string_view value) override;
  void BindTime(int index, Instant value) override;
  bool Next() override;
  int64_t Run() override;
  bool IsNull(int column) override;
  int64_t Int(int column) override;
  double Double(int column) override;
  std::string Text(int column) override;
  Instant Time(int column) override;

 private:
  struct Param {
    enum_field_types type = MYSQL_TYPE_NULL;
    long long i = 0;
    double d = 0;
    std::string s;
    MYSQL_TIME t{};
  };
  struct Column {
    enum_field_types bound_type = MYSQL_TYPE_STRING;
    long long i = 0;
    double d = 0;
    MYSQL_TIME t{};
    std::vector<char> buffer;
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool error = 0;
  };

  void EnsurePrepared();
  Param& ParamAt(int index);
  void Execute();
  [[noreturn]] void FailReadingRows();
  void BindResult();
  const Column& At(int column);
  std::string Context() const;

  MariaDbConnection& conn_;
  std::string sql_;
  MYSQL_STMT* stmt_ = nullptr;
  uint64_t generation_ = 0;
  std::vector<Param> params_;
  std::vector<Column> columns_;
  std::vector<MYSQL_BIND> result_binds_;
  bool executed_ = false;
  bool has_row_ = false;
  bool done_ = false;
};

// Converts between Instant and MYSQL_TIME (DATETIME, whole seconds).
MYSQL_TIME ToMysqlTime(Instant t);
Instant FromMysqlTime(const MYSQL_TIME& t);

}  // namespace usaged::store
