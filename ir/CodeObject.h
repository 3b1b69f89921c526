//===- ir/CodeObject.h - A CPython code object, without libpython ---------===//
//
// CodeObject mirrors every field that a 3.8-3.15 code object carries in
// marshal data, as the file stores it, so that reading and writing back is
// exact. What a version derives instead of storing is offered through
// accessors (co_varnames etc. of 3.11+ come from localsplus; co_nlocals too).
//
// Version-specific storage:
//   3.8-3.10  nlocals, varNames, cellVars, freeVars; lineTable is co_lnotab
//             (3.8, 3.9) or the PEP 626 co_linetable (3.10).
//   3.11+     localsPlus (name + kind per frame slot), qualName,
//             exceptionTable; lineTable is the PEP 657 location table.
//             3.14 and 3.15 store the same fields in the same order; their
//             kinds also mark the arguments (CO_FAST_ARG_*), and co_flags
//             has CO_HAS_DOCSTRING and CO_METHOD.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_CODEOBJECT_H
#define BCC_IR_CODEOBJECT_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/Constant.h"
#include "ir/PythonVersion.h"

namespace bcc {

/// co_flags bits.
enum CodeFlags : uint32_t {
  CO_OPTIMIZED = 0x1,
  CO_NEWLOCALS = 0x2,
  CO_VARARGS = 0x4,
  CO_VARKEYWORDS = 0x8,
  CO_NESTED = 0x10,
  CO_GENERATOR = 0x20,
  CO_NOFREE = 0x40,
  CO_COROUTINE = 0x80,
  CO_ITERABLE_COROUTINE = 0x100,
  CO_ASYNC_GENERATOR = 0x200,
  CO_HAS_DOCSTRING = 0x4000000, // 3.14+: co_consts[0] is the docstring
  CO_METHOD = 0x8000000,        // 3.14+: a function defined in a class body
};

/// Kind bits of a localsplus slot (3.11+).
enum LocalKind : uint8_t {
  CO_FAST_ARG_POS = 0x02, // 3.14+: a positional parameter (also *args)
  CO_FAST_ARG_KW = 0x04,  // 3.14+: a keyword parameter (also **kwargs)
  CO_FAST_ARG_VAR = 0x08, // 3.14+: *args or **kwargs
  CO_FAST_HIDDEN = 0x10,  // 3.12+
  CO_FAST_LOCAL = 0x20,
  CO_FAST_CELL = 0x40,
  CO_FAST_FREE = 0x80,
};

struct LocalsPlusSlot {
  PyString name;
  uint8_t kind = 0;
  bool operator==(const LocalsPlusSlot &o) const {
    return name.utf8 == o.name.utf8 && kind == o.kind;
  }
};

class CodeObject {
public:
  PythonVersion version;

  int32_t argCount = 0;
  int32_t posOnlyArgCount = 0;
  int32_t kwOnlyArgCount = 0;
  int32_t stackSize = 0;
  uint32_t flags = 0;
  int32_t firstLineNo = 0;

  std::string code; // co_code: wordcode, caches zeroed
  std::vector<ConstantRef> consts;
  std::vector<PyString> names;

  PyString fileName;
  PyString name;
  PyString qualName; // 3.11+

  std::string lineTable;      // co_lnotab (<=3.9) or co_linetable (3.10+)
  std::string exceptionTable; // 3.11+

  // 3.8-3.10 storage.
  int32_t nlocalsStored = 0;
  std::vector<PyString> varNamesStored;
  std::vector<PyString> cellVarsStored;
  std::vector<PyString> freeVarsStored;

  // 3.11+ storage.
  std::vector<LocalsPlusSlot> localsPlus;

  // Views that hold for every version.
  std::vector<PyString> varNames() const;
  std::vector<PyString> cellVars() const;
  std::vector<PyString> freeVars() const;
  int32_t nlocals() const;

  /// The number of 2-byte code units in `code`.
  size_t codeUnits() const { return code.size() / 2; }

  /// Field-by-field equality, nested code objects included.
  bool equals(const CodeObject &other) const;
};

} // namespace bcc

#endif // BCC_IR_CODEOBJECT_H
