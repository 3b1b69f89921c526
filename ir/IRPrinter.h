//===- ir/IRPrinter.h - The text form of the IR ---------------------------===//
//
// Prints a Module or Function in the text form that IRParser reads back
// (docs/ir.md has the grammar):
//
//   module python 3.12
//
//   function @1 'fibonacci' qualname 'fibonacci' file 'fib.py' firstline 6
//       flags 0x3 args 1 posonly 0 kwonly 0 {        (one line in the text)
//     locals: n, a, b, _
//     consts: None, 0, 1, 'step'
//     names: range, DEBUG, print
//   bb0:
//     %0 = const 0                                 @7:11-7:12 #4
//     store_fast a %0                              @7:5-7:6 #6
//     ...
//   bb3(%7, %8) handler ^bb9(%7) depth 1 lasti:
//
// Values are numbered %0, %1, ... and blocks bb0, bb1, ... in function
// order, so the output depends only on the IR, never on addresses.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_IRPRINTER_H
#define BCC_IR_IRPRINTER_H

#include <string>
#include <vector>

#include "ir/Function.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

namespace bcc {

std::string printModule(const Module &module);
void printModule(const Module &module, llvm::raw_ostream &os);
std::string printFunction(const Function &function);

/// Names the values and blocks of one function as printFunction() does,
/// so that a diagnostic can quote an instruction exactly as a dump of the
/// function shows it. Robust against broken IR (null operands, values or
/// blocks from elsewhere): what it cannot name prints as `%?` or `^?`.
class FunctionPrinter {
public:
  explicit FunctionPrinter(const Function &function);

  void print(llvm::raw_ostream &os) const;

  /// "%3", or "%?" for a value that is not defined in this function.
  std::string valueName(const Value *value) const;
  /// "bb2", or "?" for a block that is not in this function.
  std::string blockName(const Block *block) const;
  /// One instruction, without indentation, location or newline.
  std::string instruction(const Instruction &inst) const;
  /// One instruction as it appears in a dump: with location and offset.
  std::string instructionLine(const Instruction &inst) const;
  /// "bb3(%7, %8) handler ^bb9(%7) depth 1 lasti:"
  std::string blockHeader(const Block &block) const;

private:
  std::string constRef(unsigned index) const;
  std::string nameRef(unsigned index) const;
  std::string localRef(unsigned index) const;
  std::string immediate(const Instruction &inst) const;
  void printHeader(llvm::raw_ostream &os) const;

  const Function &function_;
  llvm::DenseMap<const Value *, unsigned> valueNumbers_;
  llvm::DenseMap<const Block *, unsigned> blockNumbers_;
  /// Pool entries as printed; a reference prints the entry's text when that
  /// text names it (it is the first entry with that text), else `$N`.
  std::vector<std::string> constTexts_, nameTexts_, localTexts_;
  llvm::StringMap<unsigned> firstConst_, firstName_, firstLocal_;
};

/// The text of a source location: "" when it has none, else
/// `@LINE[:COL][-ENDLINE[:ENDCOL]]` with `?` for an absent field.
std::string printLocation(const SourceLocation &location);

/// A name as the text form writes it: bare if it is an ASCII identifier,
/// else quoted like a str.
std::string printNameToken(llvm::StringRef utf8, PythonVersion version);

/// The kinds of a localsplus slot: "" for a plain local (0x20), else
/// ":" and the kinds joined by '+' (local, cell, free, hidden, or hex for
/// unknown bits), e.g. ":local+cell".
std::string printLocalKind(uint8_t kind);

} // namespace bcc

#endif // BCC_IR_IRPRINTER_H
