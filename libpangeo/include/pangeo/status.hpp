// Errors as values: every fallible library call returns a Status or a Result<T>.
// No exception crosses the library API; the library never prints and never exits.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pangeo {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // bad user input: options, selections, metadata values
  kNotFound,         // a file, key, variable or dimension that does not exist
  kAlreadyExists,    // an output that exists and may not be overwritten
  kCorrupt,          // data that cannot be decoded: truncated files, bad chunks
  kUnsupported,      // valid input that this library does not handle (e.g. unknown codec)
  kIo,               // operating-system or library I/O failure
  kCancelled,        // interrupted by a signal or a stop request
  kResourceExhausted,// the memory budget cannot fit the operation
  kBrokenPipe,       // the reader of our output went away (e.g. `| head`)
  kInternal,         // a bug
};

const char* error_code_name(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns this status with "context: " put in front of the message (ok stays ok).
  Status with_context(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, std::string(context) + ": " + message_);
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename... Args>
Status make_error(ErrorCode code, fmt::format_string<Args...> f, Args&&... args) {
  return Status(code, fmt::format(f, std::forward<Args>(args)...));
}
#define PG_DEFINE_ERROR(fn, code)                                       \
  template <typename... Args>                                          \
  Status fn(fmt::format_string<Args...> f, Args&&... args) {           \
    return Status(ErrorCode::code, fmt::format(f, std::forward<Args>(args)...)); \
  }
PG_DEFINE_ERROR(invalid_argument, kInvalidArgument)
PG_DEFINE_ERROR(not_found, kNotFound)
PG_DEFINE_ERROR(already_exists, kAlreadyExists)
PG_DEFINE_ERROR(corrupt, kCorrupt)
PG_DEFINE_ERROR(unsupported, kUnsupported)
PG_DEFINE_ERROR(io_error, kIo)
PG_DEFINE_ERROR(cancelled, kCancelled)
PG_DEFINE_ERROR(resource_exhausted, kResourceExhausted)
PG_DEFINE_ERROR(internal_error, kInternal)
PG_DEFINE_ERROR(broken_pipe, kBrokenPipe)
#undef PG_DEFINE_ERROR

// A value or the Status saying why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}    // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pangeo

#define PG_CONCAT_INNER(a, b) a##b
#define PG_CONCAT(a, b) PG_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when it is not ok.
#define PG_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::pangeo::Status pg_status_ = (expr);        \
    if (!pg_status_.ok()) return pg_status_;     \
  } while (0)

// Evaluates a Result; on error returns its Status, else moves the value into `lhs`.
#define PG_ASSIGN_OR_RETURN(lhs, expr) PG_ASSIGN_OR_RETURN_IMPL(PG_CONCAT(pg_result_, __LINE__), lhs, expr)
#define PG_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
