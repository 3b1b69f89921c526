//===- tools/bcc/FileIO.h - Whole-file reads and all-or-nothing writes ----===//
#ifndef BCC_TOOLS_BCC_FILEIO_H
#define BCC_TOOLS_BCC_FILEIO_H

#include <string>

#include "ir/Support.h"

namespace bcc {

/// The whole content of `path`, or an Error saying why it cannot be read.
Expected<std::string> readWholeFile(const std::string &path);

/// Writes `data` to `path` through a temporary file in the same directory
/// and a rename, so that `path` is either untouched or complete. A `path`
/// that is a device, FIFO or socket (/dev/null, /dev/stdout) is written to
/// directly instead, never replaced; a directory is an error.
Status writeFileAtomically(const std::string &path, const std::string &data);

} // namespace bcc

#endif // BCC_TOOLS_BCC_FILEIO_H
