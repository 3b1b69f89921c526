//===- ir/MaybeNull.h - values that may be NULL at run time -------*- C++ -*-===//
//
// CPython's stack holds NULLs where the call protocol asks for one
// (push_null, the NULL of a method-style load_global or load_attr), where
// LOAD_FAST_AND_CLEAR saves an unbound local, and in the outputs of a few
// opcodes; a NULL that reaches POP_TOP, a plain use or a borrowed load
// crashes the interpreter. This analysis finds every value that may be
// NULL: those results, and every block or handler parameter that one of
// them reaches along an edge. The backend's NULL-safety rules and the
// passes that move or drop values (stress) both ask it.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_MAYBENULL_H
#define BCC_IR_MAYBENULL_H

#include <vector>

#include "ir/Function.h"
#include "ir/Opcodes.h"

namespace bcc {

/// out[v->number()] is true for every value of `f` that may be NULL. The
/// values must be numbered (Function::renumber) and `out` sized to their
/// count; entries already true count as NULL sources too.
void collectMaybeNull(const Function &f, const OpcodeTable &table,
                      std::vector<bool> &out);

} // namespace bcc

#endif // BCC_IR_MAYBENULL_H
