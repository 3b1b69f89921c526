//===- frontend/Disassembler.cpp - `dis` output ---------------------------===//
//
// Mirrors Lib/dis.py of each version. The versions differ in decoding
// (frontend/BytecodeDecoder.h) and in:
//
//   lines      <= 3.12 mark the first instruction of each new line (never
//              "no line"); 3.13 marks every change, "no line" printed `--`.
//   targets    <= 3.12 print `>>` before jump targets (3.11/3.12 also
//              before exception handlers) and "to OFFSET"; 3.13 numbers
//              every target and exception-table boundary as labels `L1:`
//              and prints "to L1"; absolute jumps print nothing on
//              3.8/3.9.
//   arguments  the argrepr rules of each version (LOAD_GLOBAL's NULL,
//              COMPARE_OP's shifted index, BINARY_OP, intrinsics, ...;
//              3.14 names LOAD_COMMON_CONSTANT's and LOAD_SPECIAL's
//              argument, spells out IS_OP and CONTAINS_OP, and says
//              "from L1" for END_ASYNC_FOR; 3.15 keeps IMPORT_NAME's name
//              in arg >> 2 and marks lazy and eager imports).
//   layout     3.13 drops the offset column (unless showOffsets) and lets
//              long opnames eat into the argument column; 3.14 and 3.15
//              print the same layout.
//
//===----------------------------------------------------------------------===//

#include "frontend/Disassembler.h"

#include <algorithm>
#include <map>
#include <set>

#include "frontend/BytecodeDecoder.h"
#include "frontend/ExceptionTable.h"
#include "frontend/LineTable.h"
#include "ir/PyRepr.h"

namespace bcc {

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

namespace {

std::string padLeft(const std::string &s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
std::string padRight(const std::string &s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string badIndex(const char *what, int64_t index) {
  return "<bad " + std::string(what) + " index " + std::to_string(index) + ">";
}

/// The opcodes whose arguments dis prints specially, by name, for one
/// version (absent where the version lacks them).
struct SpecialOpcodes {
  std::optional<uint8_t> loadConst, loadGlobal, loadAttr, loadSuperAttr,
      formatValue, makeFunction, setFunctionAttribute, binaryOp, callIntrinsic1,
      callIntrinsic2, convertValue, loadFastLoadFast, storeFastLoadFast,
      storeFastStoreFast, loadFastBorrowLoadFastBorrow, loadCommonConstant,
      loadSpecial, isOp, containsOp, endAsyncFor, importName;

  explicit SpecialOpcodes(const OpcodeTable &t)
      : loadConst(t.lookup("LOAD_CONST")), loadGlobal(t.lookup("LOAD_GLOBAL")),
        loadAttr(t.lookup("LOAD_ATTR")),
        loadSuperAttr(t.lookup("LOAD_SUPER_ATTR")),
        formatValue(t.lookup("FORMAT_VALUE")),
        makeFunction(t.lookup("MAKE_FUNCTION")),
        setFunctionAttribute(t.lookup("SET_FUNCTION_ATTRIBUTE")),
        binaryOp(t.lookup("BINARY_OP")),
        callIntrinsic1(t.lookup("CALL_INTRINSIC_1")),
        callIntrinsic2(t.lookup("CALL_INTRINSIC_2")),
        convertValue(t.lookup("CONVERT_VALUE")),
        loadFastLoadFast(t.lookup("LOAD_FAST_LOAD_FAST")),
        storeFastLoadFast(t.lookup("STORE_FAST_LOAD_FAST")),
        storeFastStoreFast(t.lookup("STORE_FAST_STORE_FAST")),
        loadFastBorrowLoadFastBorrow(
            t.lookup("LOAD_FAST_BORROW_LOAD_FAST_BORROW")),
        loadCommonConstant(t.lookup("LOAD_COMMON_CONSTANT")),
        loadSpecial(t.lookup("LOAD_SPECIAL")), isOp(t.lookup("IS_OP")),
        containsOp(t.lookup("CONTAINS_OP")),
        endAsyncFor(t.lookup("END_ASYNC_FOR")),
        importName(t.lookup("IMPORT_NAME")) {}
};

/// Made-up addresses for code object reprs: one per code object, in the
/// order they are first printed, so output is deterministic.
class CodeAddresses {
public:
  uint64_t of(const CodeObject &code) {
    auto [it, inserted] = ids.emplace(&code, ids.size());
    return kDefaultCodeAddress + 0x100 * (it->second + 1);
  }

private:
  std::map<const CodeObject *, uint64_t> ids;
};

/// Prints one code object (without the nested ones) as the version's
/// dis.disassemble() does.
class CodePrinter {
public:
  CodePrinter(const CodeObject &co, const OpcodeTable &table,
              const DisOptions &opts, CodeAddresses &addresses,
              std::string &out)
      : co(co), table(table), v(co.version), opts(opts), ops(table), out(out) {
    reprOpts.version = v;
    reprOpts.codeAddress = [&addresses](const CodeObject &c) {
      return addresses.of(c);
    };
  }

  Status print() {
    auto decoded = decodeInstructions(co);
    if (!decoded)
      return decoded.takeError();
    instructions = std::move(*decoded);
    if (Status s = readLineStarts(); !s)
      return s;
    if (v.atLeast(3, 11)) {
      auto entries = decodeExceptionTable(co.exceptionTable);
      if (!entries)
        return tableError("co_exceptiontable", entries.error());
      exceptionEntries = std::move(*entries);
    }
    collectLabels();
    if (v.atLeast(3, 11)) {
      localNames = co.localsPlus.size();
    } else {
      varNames = co.varNames();
      cellAndFreeNames = co.cellVars();
      for (const PyString &s : co.freeVars())
        cellAndFreeNames.push_back(s);
    }

    if (v.atLeast(3, 13))
      print313();
    else
      printClassic();
    return Status::ok();
  }

private:
  /// A table error, placed in its code object (the offset is in the table,
  /// not in the file, so it goes into the message).
  Error tableError(const char *table, const Error &e) const {
    std::string where;
    if (e.offset)
      where = " (byte " + std::to_string(*e.offset) + " of " + table + ")";
    return Error("code object '" + co.name.utf8 + "' at line " +
                 std::to_string(co.firstLineNo) + ": " + e.message + where);
  }

  //===--- Line starts (dis.findlinestarts) ------------------------------===//

  Status readLineStarts() {
    auto lines = LineTable::decode(co);
    if (!lines)
      return tableError(v.atLeast(3, 10) ? "co_linetable" : "co_lnotab",
                        lines.error());
    bool first = true;
    std::optional<int32_t> last;
    for (const LineRange &r : lines->ranges()) {
      if (v.atLeast(3, 13)) {
        // Every change counts, "no line" included. (3.13 compares with
        // `is not`; co_lines() never yields two adjacent ranges with the
        // same line, so that is `!=`.)
        if (first || r.line != last)
          lineStarts[r.start] = r.line;
      } else if (r.line && r.line != last) {
        lineStarts[r.start] = r.line;
      }
      if (v.atLeast(3, 13) || r.line)
        last = r.line;
      first = false;
    }
    return Status::ok();
  }

  //===--- Jump targets and labels ---------------------------------------===//

  void collectLabels() {
    std::set<int64_t> targets;
    for (const DecodedInstruction &ins : instructions)
      if (ins.jumpTarget)
        targets.insert(*ins.jumpTarget);
    for (const ExceptionTableEntry &e : exceptionEntries) {
      if (v.atLeast(3, 13)) {
        targets.insert(e.start);
        targets.insert(e.end);
        targets.insert(e.target);
      } else if (e.start < e.end) {
        targets.insert(e.target);
      }
    }
    int label = 0;
    for (int64_t t : targets) // sorted: 3.13 numbers them in order
      labels[t] = ++label;
  }

  //===--- Arguments -----------------------------------------------------===//

  std::string constRepr(int64_t index) const {
    if (index < 0 || size_t(index) >= co.consts.size())
      return badIndex("const", index);
    return pyRepr(*co.consts[size_t(index)], reprOpts);
  }
  std::string name(int64_t index) const {
    if (index < 0 || size_t(index) >= co.names.size())
      return badIndex("name", index);
    return co.names[size_t(index)].utf8;
  }
  /// haslocal/hasfree: 3.11+ index the localsplus slots; before, locals
  /// index co_varnames and cells co_cellvars + co_freevars.
  std::string localName(int64_t index, bool isFree) const {
    if (v.atLeast(3, 11)) {
      if (index < 0 || size_t(index) >= localNames)
        return badIndex("local", index);
      return co.localsPlus[size_t(index)].name.utf8;
    }
    const std::vector<PyString> &list = isFree ? cellAndFreeNames : varNames;
    if (index < 0 || size_t(index) >= list.size())
      return badIndex(isFree ? "cell" : "local", index);
    return list[size_t(index)].utf8;
  }
  static std::string fromTable(llvm::ArrayRef<const char *> names,
                               int64_t index, const char *what) {
    if (index < 0 || size_t(index) >= names.size())
      return badIndex(what, index);
    return names[size_t(index)];
  }
  std::string flagList(int64_t arg) const {
    std::string s;
    llvm::ArrayRef<const char *> flags = table.makeFunctionFlags();
    for (size_t i = 0; i < flags.size(); ++i)
      if (arg & (int64_t(1) << i)) {
        if (!s.empty())
          s += ", ";
        s += flags[i];
      }
    return s;
  }
  std::string jumpRepr(const DecodedInstruction &ins) const {
    // 3.14's END_ASYNC_FOR never jumps: its "target" is the SEND of the
    // loop, for monitoring, and dis says where it comes from.
    if (v.atLeast(3, 14) && ins.baseOpcode == ops.endAsyncFor)
      return "from L" + std::to_string(labels.at(*ins.jumpTarget));
    if (v.atLeast(3, 13))
      return "to L" + std::to_string(labels.at(*ins.jumpTarget));
    return "to " + std::to_string(*ins.jumpTarget);
  }
  /// "x" with the NULL/self marker of LOAD_GLOBAL & co. when bit 0 is set.
  std::string withNull(const std::string &n, int64_t arg,
                       const char *marker) const {
    if (!(arg & 1) || n.empty())
      return n;
    if (v.atLeast(3, 13))
      return n + " + " + marker;
    return std::string(marker) + " + " + n;
  }

  std::string argRepr(const DecodedInstruction &ins) const {
    if (!ins.arg || !ins.info)
      return "";
    const OpcodeInfo &info = *ins.info;
    const int64_t arg = *ins.arg;
    const uint8_t op = ins.baseOpcode;
    if (info.hasConst) {
      // 3.11 resolves LOAD_CONST only (not KW_NAMES).
      if (v == PythonVersion(3, 11) && op != ops.loadConst)
        return "";
      return constRepr(arg);
    }
    if (info.hasName) {
      if (v.atLeast(3, 11) && op == ops.loadGlobal)
        return withNull(name(arg >> 1), arg, "NULL");
      if (v.atLeast(3, 12) && op == ops.loadAttr)
        return withNull(name(arg >> 1), arg, "NULL|self");
      if (v.atLeast(3, 12) && op == ops.loadSuperAttr)
        return withNull(name(arg >> 2), arg, "NULL|self");
      if (v.atLeast(3, 15) && op == ops.importName) {
        // PEP 810: bit 0 is `lazy import`, bit 1 an eager import in a
        // module that makes imports lazy by default. `from . import x`
        // imports the name '', which gets no marker (nor parentheses).
        std::string n = name(arg >> 2);
        if (n.empty())
          return n;
        if (arg & 1)
          return n + " + lazy";
        if (arg & 2)
          return n + " + eager";
        return n;
      }
      return name(arg);
    }
    if (info.jump == JumpKind::Absolute)
      return v.atLeast(3, 10) ? jumpRepr(ins) : ""; // 3.8/3.9 show nothing
    if (info.isJump())
      return jumpRepr(ins);
    if (op == ops.loadFastLoadFast || op == ops.storeFastLoadFast ||
        op == ops.storeFastStoreFast || op == ops.loadFastBorrowLoadFastBorrow)
      return localName(arg >> 4, false) + ", " + localName(arg & 15, false);
    if (info.hasLocal || info.hasFree)
      return localName(arg, info.hasFree);
    if (info.hasCompare) {
      if (v.atLeast(3, 13)) {
        std::string cmp = fromTable(table.compareOps(), arg >> 5, "compare");
        return arg & 16 ? "bool(" + cmp + ")" : cmp;
      }
      return fromTable(table.compareOps(), v.atLeast(3, 12) ? arg >> 4 : arg,
                       "compare");
    }
    if (op == ops.formatValue) {
      std::string s =
          fromTable(table.formatValueConverters(), arg & 3, "converter");
      if (arg & 4)
        s += s.empty() ? "with format" : ", with format";
      return s;
    }
    if (op == ops.convertValue)
      return fromTable(table.formatValueConverters(), arg, "converter");
    if (op == ops.makeFunction || op == ops.setFunctionAttribute)
      return flagList(arg);
    if (op == ops.binaryOp)
      return fromTable(table.binaryOps(), arg, "binary op");
    if (op == ops.callIntrinsic1)
      return fromTable(table.intrinsic1(), arg, "intrinsic");
    if (op == ops.callIntrinsic2)
      return fromTable(table.intrinsic2(), arg, "intrinsic");
    if (op == ops.loadCommonConstant)
      return fromTable(table.commonConstants(), arg, "common constant");
    if (op == ops.loadSpecial)
      return fromTable(table.specialMethodNames(), arg, "special method");
    if (v.atLeast(3, 14) && op == ops.isOp)
      return arg ? "is not" : "is";
    if (v.atLeast(3, 14) && op == ops.containsOp)
      return arg ? "not in" : "in";
    return "";
  }

  std::string opname(const DecodedInstruction &ins) const {
    if (const OpcodeInfo *info = table.info(ins.opcode))
      return info->name;
    for (const AdaptiveOpcode &a : table.adaptiveOpcodes())
      if (a.number == ins.opcode)
        return a.name;
    return "<" + std::to_string(ins.opcode) + ">";
  }

  //===--- 3.8 - 3.12 ----------------------------------------------------===//

  void printClassic() {
    // _disassemble_bytes: the line column is 3 wide unless a line needs
    // more; 3.8/3.9 always show it.
    size_t linenoWidth = 0;
    if (!lineStarts.empty() || !v.atLeast(3, 10)) {
      int64_t maxLine = INT64_MIN;
      for (const auto &[offset, line] : lineStarts)
        maxLine = std::max<int64_t>(maxLine, *line);
      linenoWidth = lineStarts.empty() || maxLine < 1000
                        ? 3
                        : std::to_string(maxLine).size();
    }
    size_t maxOffset = co.code.size() >= 2 ? co.code.size() - 2 : 0;
    size_t offsetWidth =
        maxOffset >= 10000 ? std::to_string(maxOffset).size() : 4;

    for (const DecodedInstruction &ins : instructions) {
      auto start = lineStarts.find(ins.offset);
      bool startsLine = start != lineStarts.end();
      if (linenoWidth && startsLine && ins.offset > 0)
        out += '\n';
      std::vector<std::string> fields;
      if (linenoWidth)
        fields.push_back(
            startsLine ? padLeft(std::to_string(*start->second), linenoWidth)
                       : std::string(linenoWidth, ' '));
      fields.push_back("   ");
      fields.push_back(labels.count(ins.offset) ? ">>" : "  ");
      fields.push_back(padLeft(std::to_string(ins.offset), offsetWidth));
      fields.push_back(padRight(opname(ins), 20));
      if (ins.arg) {
        fields.push_back(padLeft(std::to_string(*ins.arg), 5));
        std::string repr = argRepr(ins);
        if (!repr.empty())
          fields.push_back("(" + repr + ")");
      }
      emitLine(fields);
    }
    if (!exceptionEntries.empty()) {
      out += "ExceptionTable:\n";
      for (const ExceptionTableEntry &e : exceptionEntries)
        out += "  " + std::to_string(e.start) + " to " +
               std::to_string(int64_t(e.end) - 2) + " -> " +
               std::to_string(e.target) + " [" + std::to_string(e.depth) + "]" +
               (e.lasti ? " lasti" : "") + "\n";
    }
  }

  //===--- 3.13 ----------------------------------------------------------===//

  void print313() {
    // _get_lineno_width: lines 0 and None do not count toward the width,
    // but a "no line" mark needs 4 columns.
    int64_t maxLine = -1;
    bool anyNoLine = false;
    for (const auto &[offset, line] : lineStarts) {
      if (!line)
        anyNoLine = true;
      else if (*line != 0)
        maxLine = maxLine == -1 ? *line : std::max<int64_t>(maxLine, *line);
    }
    size_t linenoWidth = 0;
    if (maxLine != -1) {
      linenoWidth = std::max<size_t>(3, std::to_string(maxLine).size());
      if (linenoWidth < 4 && anyNoLine)
        linenoWidth = 4;
    }
    size_t labelWidth = 4 + std::to_string(labels.size()).size();
    size_t offsetWidth = 0;
    if (opts.showOffsets)
      offsetWidth =
          std::to_string(std::max<int64_t>(int64_t(co.code.size()) - 2, 9999))
              .size();

    std::optional<int32_t> lineNumber;
    for (const DecodedInstruction &ins : instructions) {
      auto start = lineStarts.find(ins.offset);
      bool startsLine = start != lineStarts.end();
      if (startsLine)
        lineNumber = start->second;
      if (linenoWidth && startsLine && ins.offset > 0)
        out += '\n';
      std::vector<std::string> fields;
      if (linenoWidth) {
        if (!startsLine)
          fields.push_back(std::string(linenoWidth, ' '));
        else
          fields.push_back(padLeft(
              lineNumber ? std::to_string(*lineNumber) : "  --", linenoWidth));
      }
      auto label = labels.find(ins.offset);
      fields.push_back(
          label != labels.end()
              ? padLeft("L" + std::to_string(label->second) + ":", labelWidth)
              : std::string(labelWidth, ' '));
      if (offsetWidth)
        fields.push_back(padLeft(std::to_string(ins.offset), offsetWidth) +
                         "  ");
      fields.push_back("   ");
      std::string name = opname(ins);
      fields.push_back(padRight(name, 20));
      if (ins.arg) {
        size_t excess = name.size() > 20 ? name.size() - 20 : 0;
        fields.push_back(
            padLeft(std::to_string(*ins.arg), excess >= 5 ? 0 : 5 - excess));
        std::string repr = argRepr(ins);
        if (!repr.empty())
          fields.push_back("(" + repr + ")");
      }
      emitLine(fields);
    }
    if (!exceptionEntries.empty()) {
      out += "ExceptionTable:\n";
      for (const ExceptionTableEntry &e : exceptionEntries)
        out += "  L" + std::to_string(labels.at(e.start)) + " to L" +
               std::to_string(labels.at(e.end)) + " -> L" +
               std::to_string(labels.at(e.target)) + " [" +
               std::to_string(e.depth) + "]" + (e.lasti ? " lasti" : "") + "\n";
    }
  }

  /// ' '.join(fields).rstrip() and a newline.
  void emitLine(const std::vector<std::string> &fields) {
    std::string line;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i)
        line += ' ';
      line += fields[i];
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line;
    out += '\n';
  }

  const CodeObject &co;
  const OpcodeTable &table;
  const PythonVersion v;
  const DisOptions &opts;
  const SpecialOpcodes ops;
  ReprOptions reprOpts;
  std::string &out;

  std::vector<DecodedInstruction> instructions;
  std::vector<ExceptionTableEntry> exceptionEntries;
  std::map<uint32_t, std::optional<int32_t>> lineStarts; // offset -> line
  std::map<int64_t, int> labels;          // target offset -> 3.13 label number
  size_t localNames = 0;                  // 3.11+
  std::vector<PyString> varNames;         // <= 3.10
  std::vector<PyString> cellAndFreeNames; // <= 3.10
};

/// _disassemble_recursive: the code, then each code object in co_consts.
Status disassembleRecursive(const CodeObject &co, const DisOptions &opts,
                            CodeAddresses &addresses, std::string &out,
                            unsigned depth) {
  // Marshal data nests at most a few hundred levels; this guards the stack
  // against a hand-made pathological tree.
  if (depth > 1000)
    return Error("code objects nested too deeply");
  const OpcodeTable *table = OpcodeTable::forVersion(co.version);
  if (!table)
    return Error("unsupported Python version " + co.version.str());
  if (Status s = CodePrinter(co, *table, opts, addresses, out).print(); !s)
    return s;
  if (!opts.recursive)
    return Status::ok();
  for (const ConstantRef &c : co.consts) {
    if (!c->is(ConstantKind::Code))
      continue;
    const CodeObject &inner = *c->asCode();
    out += "\nDisassembly of " + reprCode(inner, addresses.of(inner)) + ":\n";
    if (Status s = disassembleRecursive(inner, opts, addresses, out, depth + 1);
        !s)
      return s;
  }
  return Status::ok();
}

} // namespace

Expected<std::string> disassemble(const CodeObject &module,
                                  const DisOptions &opts) {
  std::string out;
  CodeAddresses addresses;
  if (Status s = disassembleRecursive(module, opts, addresses, out, 0); !s)
    return s.error();
  return out;
}

} // namespace bcc
