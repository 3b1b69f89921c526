//===- ir/IRParser.h - Read the text form of the IR -----------------------===//
//
// Reads what IRPrinter writes (docs/ir.md has the grammar), so that
// print(parse(print(m))) == print(m). Values and blocks may be used before
// they are defined (loops, handlers); function references `@N` may point to
// functions defined later in the module.
//
// The parser checks what it needs to build the IR: syntax, names that
// resolve (values, blocks, pool entries, functions, opcodes of the
// module's version), and that nothing is defined twice. Everything else
// (operand counts, block-argument arity, dominance, handler consistency) is
// the verifier's job, so that broken IR can be written as text in tests.
//
// Errors are "LINE:COLUMN: message", counted from 1.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_IRPARSER_H
#define BCC_IR_IRPARSER_H

#include <memory>

#include "ir/Function.h"
#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

Expected<std::unique_ptr<Module>> parseModule(llvm::StringRef text);

} // namespace bcc

#endif // BCC_IR_IRPARSER_H
