//===- ir/PycFile.h - A .pyc file: header and module code ------------------===//
//
// The 16-byte PEP 552 header and the module code object that follows it.
// frontend/MarshalReader.h reads it; backend/MarshalWriter.h writes it.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_PYCFILE_H
#define BCC_IR_PYCFILE_H

#include <array>
#include <cstdint>
#include <memory>

#include "ir/CodeObject.h"
#include "ir/PythonVersion.h"

namespace bcc {

/// How a .pyc says its source is checked (PEP 552).
enum class PycInvalidation : uint8_t {
  Timestamp,     // flags 0: source mtime + size
  CheckedHash,   // flags 3
  UncheckedHash, // flags 1
};

struct PycHeader {
  PythonVersion version;
  PycInvalidation invalidation = PycInvalidation::Timestamp;
  uint32_t sourceMtime = 0;              // Timestamp only
  uint32_t sourceSize = 0;               // Timestamp only
  std::array<uint8_t, 8> sourceHash{};   // hash-based only
};

struct PycFile {
  PycHeader header;
  std::shared_ptr<const CodeObject> code; // the module's code object
};

} // namespace bcc

#endif // BCC_IR_PYCFILE_H
