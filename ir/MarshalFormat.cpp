//===- ir/MarshalFormat.cpp - Errors of the marshal reader and writer -----===//

#include "ir/MarshalFormat.h"

#include <cstdarg>
#include <cstdio>

namespace bcc::marshal {

bool FirstError::fail(std::optional<uint64_t> offset, const char *format, ...) {
  if (error_)
    return false;
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  error_ = Error(buf, offset);
  return false;
}

} // namespace bcc::marshal
