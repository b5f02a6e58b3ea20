// Status and Result<T>: errors as values at every boundary of logdaemon (parsing untrusted bytes, file I/O,
// configuration). A Status is either OK or carries a code and a one-line message that says what was wrong
// and where; it never throws. Result<T> holds a T or a non-OK Status.
//
// Thread-safety: plain values; distinct objects may be used from distinct threads freely.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace logdaemon {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,
    kCorruption,
    kNotSupported,
    kIOError,
    kNotFound,
    kResourceExhausted,
    kUnavailable,
    kAborted,
    kOutOfRange
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string_view msg) { return Status(Code::kInvalidArgument, msg); }
  // Input bytes (a file, a frame) that do not follow their format.
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  // Well-formed input that uses a feature logdaemon does not implement.
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  // A bounded buffer is full (the storage queue: the wire protocol's "overloaded").
  static Status ResourceExhausted(std::string_view msg) { return Status(Code::kResourceExhausted, msg); }
  // The service is closed or shutting down.
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  // Not done, and nothing changed: the caller must do something first (the message says what), then
  // retry.
  static Status Aborted(std::string_view msg) { return Status(Code::kAborted, msg); }
  // A well-formed value outside the range that is accepted (a log's time outside the accepted window).
  static Status OutOfRange(std::string_view msg) { return Status(Code::kOutOfRange, msg); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "<kind>: <message>", or "OK".
  std::string ToString() const {
    switch (code_) {
      case Code::kOk:
        return "OK";
      case Code::kInvalidArgument:
        return "invalid argument: " + message_;
      case Code::kCorruption:
        return "corruption: " + message_;
      case Code::kNotSupported:
        return "not supported: " + message_;
      case Code::kIOError:
        return "I/O error: " + message_;
      case Code::kNotFound:
        return "not found: " + message_;
      case Code::kResourceExhausted:
        return "resource exhausted: " + message_;
      case Code::kUnavailable:
        return "unavailable: " + message_;
      case Code::kAborted:
        return "aborted: " + message_;
      case Code::kOutOfRange:
        return "out of range: " + message_;
    }
    return message_;
  }

  // The same error with `context` in front of its message ("file.parquet: column 'x': <message>").
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    std::string msg(context);
    msg += ": ";
    msg += message_;
    return Status(code_, msg);
  }

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace logdaemon
