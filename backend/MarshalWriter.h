//===- backend/MarshalWriter.h - Marshal data and .pyc files out ----------===//
//
// Writes the Constant/CodeObject model as marshal version 4 data that the
// code object's CPython version loads, and `.pyc` files on top of it. The
// output is deterministic: the same model always gives the same bytes.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_MARSHALWRITER_H
#define BCC_BACKEND_MARSHALWRITER_H

#include <array>
#include <string>

#include "ir/Constant.h"
#include "ir/PycFile.h"
#include "ir/PythonVersion.h"
#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

/// Marshals `value` (code objects in the layout of `version`). Fails only on
/// what marshal cannot hold (a Host constant, a slice before 3.14, a
/// frozendict before 3.15).
Expected<std::string> writeMarshal(const Constant &value,
                                   PythonVersion version);

/// The 16-byte header followed by the module code object.
Expected<std::string> writePyc(const PycFile &file);

/// importlib.util.source_hash for `version`: SipHash-2-4 (3.8-3.10) or
/// SipHash-1-3 (3.11+) keyed with the magic number.
std::array<uint8_t, 8> sourceHash(llvm::StringRef source, PythonVersion version);

} // namespace bcc

#endif // BCC_BACKEND_MARSHALWRITER_H
