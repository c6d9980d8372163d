#pragma once

#include <stdexcept>
#include <string>

namespace usaged {

// Base of every error usaged raises on purpose. The message is meant for an
// operator: it names the bad value and, where it helps, the expected form.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input from the command line, the API or a configuration value.
// The CLI exits with status 2 on these.
class InputError : public Error {
 public:
  using Error::Error;
};

// A configuration value in cloud.configuration that cannot be used.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A database failure. `transient` is true when retrying the same transaction
// may succeed (deadlock, lock wait timeout, busy database, lost connection).
class DbError : public Error {
 public:
  DbError(std::string message, int code, bool transient)
      : Error(std::move(message)), code_(code), transient_(transient) {}

  int code() const { return code_; }
  bool transient() const { return transient_; }

 private:
  int code_;
  bool transient_;
};

// A unique constraint refused a row. Raised separately from DbError because the
// pipeline treats it as proof of a logic error, never as something to retry.
class DuplicateKeyError : public DbError {
 public:
  DuplicateKeyError(std::string message, int code) : DbError(std::move(message), code, false) {}
};

}  // namespace usaged
