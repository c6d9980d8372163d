// Record inserts for MariaDB: bulk array binding (one execute per batch of
// rows, column-wise arrays) when the server supports it, a multi-row INSERT
// otherwise.
#include <fmt/format.h>
#include <mysql.h>

#include <cstring>

#include "core/error.h"
#include "store/mariadb/mariadb_connection.h"
#include "store/mariadb/mariadb_statement.h"
#include "store/sql_text.h"

namespace usaged::store {
namespace {

constexpr size_t kBatch = 1000;
constexpr int kColumns = 25;

// Column-wise arrays for one batch. Strings and DATETIMEs are arrays of
// pointers (Connector/C's rule for variable-size types); numbers are
// contiguous arrays.
class BulkColumns {
 public:
  explicit BulkColumns(size_t rows) : rows_(rows) {}

  void Int(std::vector<long long> values, std::vector<char> nulls) {
    MYSQL_BIND b = Base(MYSQL_TYPE_LONGLONG, std::move(nulls));
    ints_.push_back(std::move(values));
    b.buffer = ints_.back().data();
    binds_.push_back(b);
  }
  void Double(std::vector<double> values) {
    MYSQL_BIND b = Base(MYSQL_TYPE_DOUBLE, std::vector<char>(rows_, STMT_INDICATOR_NONE));
    doubles_.push_back(std::move(values));
    b.buffer = doubles_.back().data();
    binds_.push_back(b);
  }
  void Text(const std::vector<const std::string*>& values) {
    std::vector<char> nulls(rows_);
    std::vector<char*> ptrs(rows_);
    std::vector<unsigned long> lengths(rows_);
    for (size_t r = 0; r < rows_; ++r) {
      nulls[r] = values[r] ? STMT_INDICATOR_NONE : STMT_INDICATOR_NULL;
      ptrs[r] = values[r] ? const_cast<char*>(values[r]->data()) : nullptr;
      lengths[r] = values[r] ? values[r]->size() : 0;
    }
    MYSQL_BIND b = Base(MYSQL_TYPE_STRING, std::move(nulls));
    pointers_.push_back(std::move(ptrs));
    lengths_.push_back(std::move(lengths));
    b.buffer = pointers_.back().data();
    b.length = lengths_.back().data();
    binds_.push_back(b);
  }
  void Time(const std::vector<Instant>& values) {
    std::vector<MYSQL_TIME> times(rows_);
    std::vector<char*> ptrs(rows_);
    times_.push_back(std::move(times));
    for (size_t r = 0; r < rows_; ++r) {
      times_.back()[r] = ToMysqlTime(values[r]);
      ptrs[r] = reinterpret_cast<char*>(&times_.back()[r]);
    }
    MYSQL_BIND b = Base(MYSQL_TYPE_DATETIME, std::vector<char>(rows_, STMT_INDICATOR_NONE));
    pointers_.push_back(std::move(ptrs));
    b.buffer = pointers_.back().data();
    binds_.push_back(b);
  }
  std::vector<MYSQL_BIND>& binds() { return binds_; }

 private:
  MYSQL_BIND Base(enum_field_types type, std::vector<char> nulls) {
    MYSQL_BIND b;
    std::memset(&b, 0, sizeof b);
    b.buffer_type = type;
    indicators_.push_back(std::move(nulls));
    b.u.indicator = indicators_.back().data();
    return b;
  }

  size_t rows_;
  std::vector<MYSQL_BIND> binds_;
  // std::list-like stability: reserve so pointers into the vectors stay valid.
  std::vector<std::vector<long long>> ints_ = Reserved<long long>();
  std::vector<std::vector<double>> doubles_ = Reserved<double>();
  std::vector<std::vector<char*>> pointers_ = Reserved<char*>();
  std::vector<std::vector<unsigned long>> lengths_ = Reserved<unsigned long>();
  std::vector<std::vector<MYSQL_TIME>> times_ = Reserved<MYSQL_TIME>();
  std::vector<std::vector<char>> indicators_ = Reserved<char>();

  template <class T>
  static std::vector<std::vector<T>> Reserved() {
    std::vector<std::vector<T>> v;
    v.reserve(kColumns);
    return v;
  }
};

template <class T, class F>
void OptInts(BulkColumns& cols, const UsageRecord* rows, size_t n, F get) {
  std::vector<long long> values(n);
  std::vector<char> nulls(n);
  for (size_t r = 0; r < n; ++r) {
    std::optional<T> v = get(rows[r]);
    values[r] = v ? static_cast<long long>(*v) : 0;
    nulls[r] = v ? STMT_INDICATOR_NONE : STMT_INDICATOR_NULL;
  }
  cols.Int(std::move(values), std::move(nulls));
}

void BindBatch(BulkColumns& cols, const UsageRecord* rows, size_t n) {
  auto ints = [&](auto get) { OptInts<int64_t>(cols, rows, n, get); };
  auto texts = [&](auto get) {
    std::vector<const std::string*> v(n);
    for (size_t r = 0; r < n; ++r) v[r] = get(rows[r]);
    cols.Text(v);
  };
  auto opt_text = [](const std::optional<std::string>& s) { return s ? &*s : nullptr; };
  ints([](const UsageRecord& r) { return std::optional<int64_t>(r.zone_id); });
  ints([](const UsageRecord& r) { return std::optional<int64_t>(r.account_id); });
  ints([](const UsageRecord& r) { return std::optional<int64_t>(r.domain_id); });
  texts([](const UsageRecord& r) { return &r.description; });
  texts([](const UsageRecord& r) { return &r.usage_display; });
  ints([](const UsageRecord& r) { return std::optional<int64_t>(r.usage_type); });
  std::vector<double> raw(n);
  for (size_t r = 0; r < n; ++r) raw[r] = rows[r].raw_usage;
  cols.Double(std::move(raw));
  ints([](const UsageRecord& r) { return r.vm_instance_id; });
  texts([&](const UsageRecord& r) { return opt_text(r.vm_name); });
  ints([](const UsageRecord& r) { return r.offering_id; });
  ints([](const UsageRecord& r) { return r.template_id; });
  ints([](const UsageRecord& r) { return r.usage_id; });
  texts([&](const UsageRecord& r) { return opt_text(r.type); });
  ints([](const UsageRecord& r) { return r.size; });
  ints([](const UsageRecord& r) { return r.network_id; });
  std::vector<Instant> starts(n), ends(n);
  for (size_t r = 0; r < n; ++r) {
    starts[r] = rows[r].start_date;
    ends[r] = rows[r].end_date;
  }
  cols.Time(starts);
  cols.Time(ends);
  ints([](const UsageRecord& r) { return r.virtual_size; });
  ints([](const UsageRecord& r) { return r.cpu_speed; });
  ints([](const UsageRecord& r) { return r.cpu_cores; });
  ints([](const UsageRecord& r) { return r.memory; });
  ints([](const UsageRecord& r) { return std::optional<int64_t>(r.quota_calculated); });
  ints([](const UsageRecord& r) { return std::optional<int64_t>(r.is_hidden ? 1 : 0); });
  texts([&](const UsageRecord& r) { return opt_text(r.state); });
  texts([](const UsageRecord& r) { return &r.usage_key; });
}

void BindValue(Statement& st, int i, int64_t v) { st.BindInt(i, v); }
void BindValue(Statement& st, int i, double v) { st.BindDouble(i, v); }
void BindValue(Statement& st, int i, const std::string& v) { st.BindText(i, v); }
void BindValue(Statement& st, int i, Instant v) { st.BindTime(i, v); }
template <class T>
void BindValue(Statement& st, int i, const std::optional<T>& v) {
  if (v) {
    BindValue(st, i, *v);
  } else {
    st.BindNull(i);
  }
}

std::string MultiRowInsertSql(size_t rows) {
  std::string sql(kInsertUsageRecordSql.substr(0, kInsertUsageRecordSql.find("VALUES") + 7));
  std::string one = "(?";
  for (int c = 1; c < kColumns; ++c) one += ",?";
  one += ")";
  for (size_t r = 0; r < rows; ++r) sql += (r ? "," : "") + one;
  return sql;
}

}  // namespace

void MariaDbConnection::InsertUsageRecords(const std::vector<UsageRecord>& records) {
  if (records.empty()) return;
  if (!bulk_supported_) {
    for (size_t from = 0; from < records.size(); from += kBatch) {
      size_t n = std::min(kBatch, records.size() - from);
      Statement& st = Prepare(MultiRowInsertSql(n));
      st.Reset();
      int p = 1;
      for (size_t i = from; i < from + n; ++i) {
        const UsageRecord& r = records[i];
        // Bind one row's 25 values at parameters p .. p+24.
        auto bind = [&](auto&&... v) { (BindValue(st, p++, v), ...); };
        bind(r.zone_id, r.account_id, r.domain_id, r.description, r.usage_display,
             int64_t{r.usage_type}, r.raw_usage, r.vm_instance_id, r.vm_name, r.offering_id,
             r.template_id, r.usage_id, r.type, r.size, r.network_id, r.start_date, r.end_date,
             r.virtual_size, r.cpu_speed, r.cpu_cores, r.memory, int64_t{r.quota_calculated},
             int64_t{r.is_hidden ? 1 : 0}, r.state, r.usage_key);
      }
      st.Run();
    }
    return;
  }
  MYSQL* m = Handle();
  MYSQL_STMT* stmt = mysql_stmt_init(m);
  if (!stmt) Fail(mysql_errno(m), mysql_error(m), "bulk insert");
  std::string sql = Expand(kInsertUsageRecordSql);
  struct Closer {
    MYSQL_STMT* s;
    ~Closer() { mysql_stmt_close(s); }
  } closer{stmt};
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), "bulk insert prepare");
  }
  for (size_t from = 0; from < records.size(); from += kBatch) {
    size_t n = std::min(kBatch, records.size() - from);
    BulkColumns cols(n);
    BindBatch(cols, records.data() + from, n);
    unsigned int array_size = static_cast<unsigned int>(n);
    size_t row_size = 0;  // column-wise binding
    mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &array_size);
    mysql_stmt_attr_set(stmt, STMT_ATTR_ROW_SIZE, &row_size);
    if (mysql_stmt_bind_param(stmt, cols.binds().data()) != 0 || mysql_stmt_execute(stmt) != 0) {
      Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), "bulk insert into cloud_usage");
    }
  }
}

}  // namespace usaged::store
