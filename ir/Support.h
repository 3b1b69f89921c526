//===- ir/Support.h - Errors and small utilities shared by every layer ----===//
//
// bcc reports bad input as values, never by throwing and never by crashing:
// a reader returns `Expected<T>`, which holds either the result or an `Error`
// naming what is wrong and the byte offset where it was found. Internal
// invariants of our own are assertions (`bcc_unreachable`).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_SUPPORT_H
#define BCC_IR_SUPPORT_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace bcc {

/// A problem with the input. `offset` is the byte offset in the stream being
/// read, when there is one.
struct Error {
  std::string message;
  std::optional<uint64_t> offset;

  Error() = default;
  explicit Error(std::string msg, std::optional<uint64_t> off = std::nullopt)
      : message(std::move(msg)), offset(off) {}

  /// "FILE: offset N: message" (or "FILE: message" without an offset).
  std::string format(const std::string &file) const {
    std::string out = file;
    out += ": ";
    if (offset) {
      out += "offset ";
      out += std::to_string(*offset);
      out += ": ";
    }
    out += message;
    return out;
  }
};

/// Either a T or an Error. Deliberately small: callers test with `if (!r)`,
/// take the value with `*r` or `r->`, and the error with `r.error()`.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : storage(std::in_place_index<0>, std::move(value)) {}
  Expected(Error err) : storage(std::in_place_index<1>, std::move(err)) {}

  explicit operator bool() const { return storage.index() == 0; }
  T &operator*() { return std::get<0>(storage); }
  const T &operator*() const { return std::get<0>(storage); }
  T *operator->() { return &std::get<0>(storage); }
  const T *operator->() const { return &std::get<0>(storage); }
  const Error &error() const { return std::get<1>(storage); }
  Error takeError() { return std::move(std::get<1>(storage)); }

private:
  std::variant<T, Error> storage;
};

/// Success or an Error.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(Error err) : err(std::move(err)) {}
  static Status ok() { return Status(); }
  explicit operator bool() const { return !err.has_value(); }
  const Error &error() const { return *err; }

private:
  std::optional<Error> err;
};

[[noreturn]] inline void reportFatal(const char *msg, const char *file,
                                     int line) {
  std::fprintf(stderr, "bcc internal error: %s (%s:%d)\n", msg, file, line);
  std::abort();
}

} // namespace bcc

#define bcc_unreachable(msg) ::bcc::reportFatal(msg, __FILE__, __LINE__)

#endif // BCC_IR_SUPPORT_H
