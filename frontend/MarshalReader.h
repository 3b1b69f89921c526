//===- frontend/MarshalReader.h - Marshal data and .pyc files in ----------===//
//
// Reads CPython's marshal format (version 4 as 3.8-3.13 write it, 5 for
// 3.14, 6 for 3.15) into the Constant/CodeObject model, without libpython,
// and `.pyc` files on top of it. Every problem is an Error with the byte offset where it was found;
// lengths and nesting are bounded by the input, so no input can make the
// reader crash, hang or allocate without bound.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_MARSHALREADER_H
#define BCC_FRONTEND_MARSHALREADER_H

#include <cstdint>
#include <memory>

#include "ir/CodeObject.h"
#include "ir/Constant.h"
#include "ir/PycFile.h"
#include "ir/PythonVersion.h"
#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

/// Reads one marshalled object from the start of `data` (trailing bytes are
/// ignored, as marshal.loads does). Code objects are read in the layout of
/// `version`. `baseOffset` is added to offsets in error messages (the .pyc
/// reader passes 16, the header size).
Expected<ConstantRef> readMarshal(llvm::StringRef data, PythonVersion version,
                                  uint64_t baseOffset = 0);

/// Reads a whole .pyc: 16-byte header, then the module code object.
Expected<PycFile> readPyc(llvm::StringRef data);

} // namespace bcc

#endif // BCC_FRONTEND_MARSHALREADER_H
