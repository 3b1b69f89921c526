//===- bindings/Common.h - What every file of the bindings includes first -===//
//
// bcc's headers come before Python's: Python.h defines CO_OPTIMIZED and
// friends as macros, which would rewrite ir/CodeObject.h's enumerators.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BINDINGS_COMMON_H
#define BCC_BINDINGS_COMMON_H

#include "ir/CodeObject.h"
#include "ir/IR.h"

#include <pybind11/pybind11.h>

#endif // BCC_BINDINGS_COMMON_H
