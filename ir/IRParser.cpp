//===- ir/IRParser.cpp - Read modules and functions from text -------------===//
//
// A recursive-descent parser over a TextReader, one grammar rule per method,
// in the order of docs/ir.md. Lines matter: a block header, an instruction
// and each pool are one line each.
//
// Forward references: a value used before its definition gets a detached
// placeholder (a BlockParam of no block) that is replaced by the real value
// when the definition comes; a block used before its label gets created
// then and moved into place when its label comes; `@N` code constants are
// resolved once every function of the module has been read.
//
//===----------------------------------------------------------------------===//

#include "ir/IRParser.h"

#include <cctype>
#include <map>

#include "ir/ConstantLiteral.h"
#include "ir/IRBuilder.h"
#include "ir/IRPrinter.h"
#include "ir/TextReader.h"
#include "llvm/ADT/StringMap.h"

namespace bcc {

namespace {

/// A `@N` entry of a consts pool, resolved at the end of the module.
struct PendingCodeRef {
  Function *function;
  unsigned constIndex;
  uint64_t id;
  TextPosition position;
};

/// Value names: %3, %x, %x.1.
bool isValueNameChar(char c) {
  return TextReader::isIdentifierChar(c) || c == '.';
}

//===----------------------------------------------------------------------===//
// FunctionParser: one `function ... { ... }`
//===----------------------------------------------------------------------===//

class FunctionParser {
public:
  FunctionParser(TextReader &reader, Function &function,
                 std::vector<PendingCodeRef> &codeRefs)
      : r(reader), f(function), builder(function), codeRefs(codeRefs) {}
  ~FunctionParser();

  /// Everything after the header's `{`: pools, blocks, `}`.
  Status parseBody();

private:
  // Pools.
  Status parseLocalsPool();
  Status parseConstsPool();
  Status parseNamesPool();
  Expected<std::string> parseNameToken();
  Expected<uint8_t> parseLocalKind();

  // Blocks and instructions.
  Status parseBlockHeader();
  Status parseInstruction();
  Expected<uint32_t> parseImmediate(Op op, uint8_t &pyOpcode);
  Expected<uint32_t> parsePoolRef(const llvm::StringMap<unsigned> &byText,
                                  const char *what, bool isConst);
  Expected<SourceLocation> parseLocation();
  Status parseValueList(llvm::SmallVectorImpl<Value *> &values);

  // Values and blocks by name.
  Expected<llvm::StringRef> parseValueName();
  Expected<Value *> parseValueUse();
  Status defineValue(llvm::StringRef name, Value *value,
                     const TextPosition &pos);
  Expected<Block *> parseBlockRef();
  Status finish();

  struct ValueSlot {
    Value *value = nullptr;
    std::unique_ptr<BlockParam> placeholder;
    TextPosition firstUse;
  };
  struct BlockSlot {
    Block *block = nullptr;
    bool defined = false;
    TextPosition firstUse;
  };

  TextReader &r;
  Function &f;
  IRBuilder builder;
  std::vector<PendingCodeRef> &codeRefs;
  Block *current = nullptr;
  llvm::StringMap<ValueSlot> values;
  llvm::StringMap<BlockSlot> blocks;
  std::vector<std::string> blockLabels; ///< in order of first mention
  llvm::StringMap<unsigned> constByText, nameByText, localByText;
};

FunctionParser::~FunctionParser() {
  // After an error some uses may still point at placeholders; point them
  // at nothing before the placeholders go away.
  for (auto &entry : values)
    if (entry.second.placeholder)
      entry.second.placeholder->replaceAllUsesWith(nullptr);
}

Status FunctionParser::parseBody() {
  r.skipBlankLines();
  if (r.peekIdentifier() == "locals") {
    if (Status s = parseLocalsPool(); !s)
      return s;
    r.skipBlankLines();
  }
  if (r.peekIdentifier() == "consts") {
    if (Status s = parseConstsPool(); !s)
      return s;
    r.skipBlankLines();
  }
  if (r.peekIdentifier() == "names") {
    if (Status s = parseNamesPool(); !s)
      return s;
    r.skipBlankLines();
  }

  for (;;) {
    r.skipBlankLines();
    if (r.atEnd())
      return r.error("expected '}' at the end of the function");
    if (r.consume("}"))
      break;
    // A label is a word followed by '(', ':' or 'handler'; an instruction
    // starts with a value or an operation name followed by anything else
    // (`store_fast handler %1` stores into a local named "handler").
    TextPosition start = r.position();
    llvm::StringRef word = r.identifier();
    bool isLabel = !word.empty() && (r.peek() == '(' || r.peek() == ':' ||
                                     (r.peekIdentifier() == "handler" &&
                                      !lookupOp(word)));
    r.restore(start);
    Status s = isLabel ? parseBlockHeader() : parseInstruction();
    if (!s)
      return s;
  }
  if (!r.consumeLineEnd())
    return r.error("expected the end of the line after '}'");
  return finish();
}

Status FunctionParser::finish() {
  for (const std::string &label : blockLabels) {
    const BlockSlot &slot = blocks[label];
    if (!slot.defined)
      return r.errorAt(slot.firstUse,
                       "block ^" + label + " is used but never defined");
  }
  // Report the undefined value used first in the text.
  const ValueSlot *firstUndefined = nullptr;
  llvm::StringRef firstName;
  for (auto &entry : values) {
    const ValueSlot &slot = entry.second;
    if (slot.value || !slot.placeholder)
      continue;
    if (!firstUndefined ||
        slot.firstUse.offset < firstUndefined->firstUse.offset) {
      firstUndefined = &slot;
      firstName = entry.first();
    }
  }
  if (firstUndefined)
    return r.errorAt(firstUndefined->firstUse,
                     "use of undefined value %" + firstName);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

/// An identifier, or a quoted string for any other name.
Expected<std::string> FunctionParser::parseNameToken() {
  r.skipBlanks();
  if (r.peek() == '\'' || r.peek() == '"')
    return parseStringLiteral(r);
  llvm::StringRef word = r.identifier();
  if (word.empty())
    return r.error("expected a name");
  return word.str();
}

/// local, cell, free, hidden or a hex number, joined by '+'.
Expected<uint8_t> FunctionParser::parseLocalKind() {
  unsigned kind = 0;
  do {
    r.skipBlanks();
    TextPosition pos = r.position();
    llvm::StringRef word;
    if (r.rest().startswith("0x")) {
      size_t n = 2;
      while (std::isxdigit((unsigned char)r.peek(n)))
        ++n;
      word = r.rest().take_front(n);
      r.advance(n);
    } else {
      word = r.identifier();
    }
    if (word == "local")
      kind |= CO_FAST_LOCAL;
    else if (word == "cell")
      kind |= CO_FAST_CELL;
    else if (word == "free")
      kind |= CO_FAST_FREE;
    else if (word == "hidden")
      kind |= CO_FAST_HIDDEN;
    else if (word.size() > 2 && word.startswith("0x")) {
      unsigned bits = 0;
      if (word.drop_front(2).getAsInteger(16, bits) || bits > 0xFF)
        return r.errorAt(pos, "bad local kind bits '" + word + "'");
      kind |= bits;
    } else {
      return r.errorAt(pos, "expected a local kind (local, cell, free, "
                            "hidden or hex bits)");
    }
  } while (r.consume("+"));
  return uint8_t(kind);
}

Status FunctionParser::parseLocalsPool() {
  r.identifier(); // locals
  if (!r.consume(":"))
    return r.error("expected ':' after 'locals'");
  while (!r.atLineEnd()) {
    if (!f.localsPlus.empty() && !r.consume(","))
      return r.error("expected ',' between locals");
    Expected<std::string> name = parseNameToken();
    if (!name)
      return name.takeError();
    uint8_t kind = CO_FAST_LOCAL;
    if (r.consume(":")) {
      Expected<uint8_t> k = parseLocalKind();
      if (!k)
        return k.takeError();
      kind = *k;
    }
    localByText.try_emplace(*name, unsigned(f.localsPlus.size()));
    LocalsPlusSlot slot;
    slot.name.utf8 = std::move(*name);
    slot.name.interned = true; // CPython interns every localsplus name
    slot.kind = kind;
    f.localsPlus.push_back(std::move(slot));
  }
  r.consumeLineEnd();
  return Status::ok();
}

Status FunctionParser::parseConstsPool() {
  r.identifier(); // consts
  if (!r.consume(":"))
    return r.error("expected ':' after 'consts'");
  while (!r.atLineEnd()) {
    if (!f.consts.empty() && !r.consume(","))
      return r.error("expected ',' between constants");
    r.skipBlanks();
    unsigned index = unsigned(f.consts.size());
    if (r.peek() == '@') {
      TextPosition pos = r.position();
      r.advance();
      std::optional<uint64_t> id = r.unsignedInteger();
      if (!id)
        return r.error("expected a function number after '@'");
      codeRefs.push_back({&f, index, *id, pos});
      // A stand-in until the module's functions are all known.
      f.consts.push_back(PoolConstant::value(Constant::none()));
      constByText.try_emplace("@" + std::to_string(*id), index);
      continue;
    }
    Expected<ConstantRef> c = parseConstantLiteral(r);
    if (!c)
      return c.takeError();
    constByText.try_emplace(printConstantLiteral(**c, f.version()), index);
    f.consts.push_back(PoolConstant::value(std::move(*c)));
  }
  r.consumeLineEnd();
  return Status::ok();
}

Status FunctionParser::parseNamesPool() {
  r.identifier(); // names
  if (!r.consume(":"))
    return r.error("expected ':' after 'names'");
  while (!r.atLineEnd()) {
    if (!f.names.empty() && !r.consume(","))
      return r.error("expected ',' between names");
    Expected<std::string> name = parseNameToken();
    if (!name)
      return name.takeError();
    nameByText.try_emplace(*name, unsigned(f.names.size()));
    PyString s;
    s.utf8 = std::move(*name);
    s.interned = true; // CPython interns every co_names entry
    f.names.push_back(std::move(s));
  }
  r.consumeLineEnd();
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Values and blocks
//===----------------------------------------------------------------------===//

Expected<llvm::StringRef> FunctionParser::parseValueName() {
  r.skipBlanks();
  if (r.peek() != '%')
    return r.error("expected a value such as %3");
  r.advance();
  size_t n = 0;
  while (isValueNameChar(r.peek(n)))
    ++n;
  if (n == 0)
    return r.error("expected a value name after '%'");
  llvm::StringRef name = r.rest().take_front(n);
  r.advance(n);
  return name;
}

Expected<Value *> FunctionParser::parseValueUse() {
  r.skipBlanks();
  TextPosition pos = r.position();
  Expected<llvm::StringRef> name = parseValueName();
  if (!name)
    return name.takeError();
  ValueSlot &slot = values[*name];
  if (slot.value)
    return slot.value;
  if (!slot.placeholder) {
    slot.placeholder = std::make_unique<BlockParam>(nullptr, 0);
    slot.firstUse = pos;
  }
  return static_cast<Value *>(slot.placeholder.get());
}

Status FunctionParser::defineValue(llvm::StringRef name, Value *value,
                                   const TextPosition &pos) {
  ValueSlot &slot = values[name];
  if (slot.value)
    return r.errorAt(pos, "value %" + name + " is defined twice");
  slot.value = value;
  if (slot.placeholder) {
    slot.placeholder->replaceAllUsesWith(value);
    slot.placeholder.reset();
  }
  return Status::ok();
}

Expected<Block *> FunctionParser::parseBlockRef() {
  r.skipBlanks();
  TextPosition pos = r.position();
  if (!r.consume("^"))
    return r.error("expected a block such as ^bb1");
  size_t n = 0;
  while (TextReader::isIdentifierChar(r.peek(n)))
    ++n;
  if (n == 0)
    return r.error("expected a block label after '^'");
  llvm::StringRef label = r.rest().take_front(n);
  r.advance(n);
  BlockSlot &slot = blocks[label];
  if (!slot.block) {
    slot.block = f.createBlock();
    slot.firstUse = pos;
    blockLabels.push_back(label.str());
  }
  return slot.block;
}

/// `(%a, %b)` after a block reference or label; nothing if no '('.
Status FunctionParser::parseValueList(llvm::SmallVectorImpl<Value *> &out) {
  if (r.peek() != '(')
    return Status::ok();
  r.advance();
  if (r.consume(")"))
    return Status::ok();
  do {
    Expected<Value *> v = parseValueUse();
    if (!v)
      return v.takeError();
    out.push_back(*v);
  } while (r.consume(","));
  if (!r.consume(")"))
    return r.error("expected ',' or ')'");
  return Status::ok();
}

/// LABEL ['(' values ')'] ['handler' ^LABEL ['(' values ')'] 'depth' N
/// ['lasti']] ':'
Status FunctionParser::parseBlockHeader() {
  TextPosition pos = r.position();
  std::string label = r.identifier().str();

  BlockSlot &slot = blocks[label];
  if (slot.defined)
    return r.errorAt(pos, "block ^" + label + " is defined twice");
  if (!slot.block) {
    slot.block = f.createBlock();
    blockLabels.push_back(label);
  } else {
    slot.block->moveToEnd();
  }
  slot.defined = true;
  current = slot.block;
  builder.setInsertPoint(current);

  if (r.peek() == '(') {
    r.advance();
    if (!r.consume(")")) {
      do {
        r.skipBlanks();
        TextPosition paramPos = r.position();
        Expected<llvm::StringRef> name = parseValueName();
        if (!name)
          return name.takeError();
        if (Status s = defineValue(*name, current->addParam(), paramPos); !s)
          return s;
      } while (r.consume(","));
      if (!r.consume(")"))
        return r.error("expected ',' or ')' after a block parameter");
    }
  }

  if (r.consumeKeyword("handler")) {
    Expected<Block *> handler = parseBlockRef();
    if (!handler)
      return handler.takeError();
    llvm::SmallVector<Value *, 4> args;
    if (Status s = parseValueList(args); !s)
      return s;
    if (!r.consumeKeyword("depth"))
      return r.error("expected 'depth' in the handler edge");
    std::optional<uint64_t> depth = r.unsignedInteger();
    if (!depth || *depth > UINT32_MAX)
      return r.error("expected the handler's stack depth");
    bool lasti = r.consumeKeyword("lasti");
    current->setHandler(*handler, unsigned(*depth), lasti, args);
  }
  if (!r.consume(":"))
    return r.error("expected ':' at the end of the block header");
  if (!r.consumeLineEnd())
    return r.error("expected the end of the line after the block header");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

/// `$N`, or the entry's text: a name, or a constant literal or `@N`.
Expected<uint32_t>
FunctionParser::parsePoolRef(const llvm::StringMap<unsigned> &byText,
                             const char *what, bool isConst) {
  r.skipBlanks();
  TextPosition pos = r.position();
  if (r.consume("$")) {
    std::optional<uint64_t> index = r.unsignedInteger();
    if (!index || *index > UINT32_MAX)
      return r.error("expected an index after '$'");
    return uint32_t(*index);
  }
  std::string text;
  if (isConst && r.peek() == '@') {
    r.advance();
    std::optional<uint64_t> id = r.unsignedInteger();
    if (!id)
      return r.error("expected a function number after '@'");
    text = "@" + std::to_string(*id);
  } else if (isConst) {
    Expected<ConstantRef> c = parseConstantLiteral(r);
    if (!c)
      return c.takeError();
    text = printConstantLiteral(**c, f.version());
  } else {
    Expected<std::string> name = parseNameToken();
    if (!name)
      return name.takeError();
    text = std::move(*name);
  }
  auto it = byText.find(text);
  if (it == byText.end())
    return r.errorAt(pos, llvm::Twine(what) + " " + text +
                              " is not in the function's pool");
  return it->second;
}

Expected<uint32_t> FunctionParser::parseImmediate(Op op, uint8_t &pyOpcode) {
  switch (opInfo(op).immediate) {
  case ImmediateKind::None:
    return 0;
  case ImmediateKind::Const:
    return parsePoolRef(constByText, "constant", /*isConst=*/true);
  case ImmediateKind::Name:
    return parsePoolRef(nameByText, "name", /*isConst=*/false);
  case ImmediateKind::Local:
    return parsePoolRef(localByText, "local", /*isConst=*/false);
  case ImmediateKind::Count: {
    std::optional<uint64_t> n = r.unsignedInteger();
    if (!n || *n > UINT32_MAX)
      return r.error("expected a count");
    return uint32_t(*n);
  }
  case ImmediateKind::Test: {
    r.skipBlanks();
    TextPosition pos = r.position();
    std::optional<BranchTest> test = lookupBranchTest(r.identifier());
    if (!test)
      return r.errorAt(pos, "expected a branch test (if_true, if_false, "
                            "if_none, if_not_none)");
    return uint32_t(*test);
  }
  case ImmediateKind::PyOpcode: {
    r.skipBlanks();
    TextPosition pos = r.position();
    llvm::StringRef opname = r.identifier();
    if (opname.empty())
      return r.error("expected a CPython opname after 'py'");
    const OpcodeTable *table = OpcodeTable::forVersion(f.version());
    std::optional<uint8_t> opcode =
        table ? table->lookup(opname) : std::nullopt;
    if (!opcode)
      return r.errorAt(pos, "CPython " + f.version().str() + " has no opcode " +
                                opname);
    pyOpcode = *opcode;
    r.skipBlanks();
    if (!TextReader::isDigit(r.peek()))
      return 0;
    std::optional<uint64_t> oparg = r.unsignedInteger();
    if (!oparg || *oparg > UINT32_MAX)
      return r.error("oparg does not fit in 32 bits");
    return uint32_t(*oparg);
  }
  }
  bcc_unreachable("unknown immediate kind");
}

namespace {
/// One field of a location: '?' or a possibly negative number.
std::optional<int32_t> parseLocationField(TextReader &r, bool &ok) {
  ok = true;
  if (r.peek() == '?') {
    r.advance();
    return std::nullopt;
  }
  bool negative = r.peek() == '-';
  if (negative)
    r.advance();
  if (!TextReader::isDigit(r.peek())) {
    ok = false;
    return std::nullopt;
  }
  int64_t v = 0;
  while (TextReader::isDigit(r.peek())) {
    v = v * 10 + (r.peek() - '0');
    if (v > INT32_MAX) {
      ok = false;
      return std::nullopt;
    }
    r.advance();
  }
  return int32_t(negative ? -v : v);
}
} // namespace

/// '@' LINE [':' COL] ['-' ENDLINE [':' ENDCOL]], each '?' if absent.
Expected<SourceLocation> FunctionParser::parseLocation() {
  TextPosition pos = r.position();
  r.advance(); // @
  bool ok = true;
  std::optional<int32_t> line, column, endLine, endColumn;
  line = parseLocationField(r, ok);
  if (ok && r.peek() == ':') {
    r.advance();
    column = parseLocationField(r, ok);
  }
  if (ok && r.peek() == '-') {
    r.advance();
    endLine = parseLocationField(r, ok);
    if (ok && r.peek() == ':') {
      r.advance();
      endColumn = parseLocationField(r, ok);
    }
  }
  if (!ok)
    return r.errorAt(pos, "bad source location; expected "
                          "@LINE[:COL][-ENDLINE[:ENDCOL]] with '?' for an "
                          "absent field");
  SourceLocation loc =
      SourceLocation::fromOptionals(line, endLine, column, endColumn);
  if (loc.isNone())
    return r.errorAt(pos, "a location with no field is written by leaving "
                          "the location out");
  return loc;
}

/// [results '='] OPNAME [immediate] [operand {',' operand}] [location]
/// ['moves' location] ['strong'] ['#' offset]
Status FunctionParser::parseInstruction() {
  r.skipBlanks();
  TextPosition start = r.position();
  if (!current)
    return r.error("instruction outside a block; expected a label such as "
                   "'bb0:'");

  struct ResultName {
    llvm::StringRef name;
    TextPosition pos;
  };
  llvm::SmallVector<ResultName, 2> results;
  if (r.peek() == '%') {
    do {
      r.skipBlanks();
      TextPosition pos = r.position();
      Expected<llvm::StringRef> name = parseValueName();
      if (!name)
        return name.takeError();
      results.push_back({*name, pos});
    } while (r.consume(","));
    if (!r.consume("="))
      return r.error("expected '=' after the results");
  }

  r.skipBlanks();
  TextPosition opPos = r.position();
  llvm::StringRef mnemonic = r.identifier();
  if (mnemonic.empty())
    return r.errorAt(start, "expected an instruction or a block label");
  std::optional<Op> op = lookupOp(mnemonic);
  if (!op)
    return r.errorAt(opPos, "unknown operation '" + mnemonic + "'");
  const OpInfo &info = opInfo(*op);

  uint8_t pyOpcode = 0;
  Expected<uint32_t> imm = parseImmediate(*op, pyOpcode);
  if (!imm)
    return imm.takeError();

  // Operands, then successors, separated by commas.
  llvm::SmallVector<StackOperand, 8> operands;
  llvm::SmallVector<llvm::SmallVector<Value *, 4>, 2> succArgs;
  llvm::SmallVector<Block *, 2> succBlocks;
  bool hasOptional = false;
  r.skipBlanks();
  // An identifier here starts `peek %v` or `kwnames %v`, unless it is the
  // `moves` of a move location (the instruction has no operands then).
  bool more = r.peek() == '%' || r.peek() == '^' ||
              (TextReader::isIdentifierStart(r.peek()) &&
               r.peekIdentifier() != "moves" &&
               r.peekIdentifier() != "strong");
  while (more) {
    r.skipBlanks();
    TextPosition itemPos = r.position();
    if (r.peek() == '^') {
      Expected<Block *> target = parseBlockRef();
      if (!target)
        return target.takeError();
      succBlocks.push_back(*target);
      succArgs.emplace_back();
      if (Status s = parseValueList(succArgs.back()); !s)
        return s;
    } else {
      if (!succBlocks.empty())
        return r.errorAt(itemPos, "operands must come before successors");
      if (hasOptional)
        return r.errorAt(itemPos, llvm::Twine("the ") + info.optionalOperand +
                                      " operand must come last");
      bool peeked = false;
      if (info.optionalOperand && r.consumeKeyword(info.optionalOperand)) {
        hasOptional = true;
      } else if (r.consumeKeyword("peek")) {
        if (*op != Op::Py)
          return r.errorAt(itemPos, "only py operands can be peeked");
        peeked = true;
      }
      Expected<Value *> v = parseValueUse();
      if (!v)
        return v.takeError();
      operands.push_back({*v, peeked});
    }
    more = r.consume(",");
  }

  SourceLocation location;
  r.skipBlanks();
  if (r.peek() == '@') {
    Expected<SourceLocation> loc = parseLocation();
    if (!loc)
      return loc.takeError();
    location = *loc;
  }
  SourceLocation moveLocation;
  if (r.consumeKeyword("moves")) {
    r.skipBlanks();
    if (r.peek() != '@')
      return r.error("expected a source location after 'moves'");
    Expected<SourceLocation> loc = parseLocation();
    if (!loc)
      return loc.takeError();
    moveLocation = *loc;
  }
  bool strong = false;
  r.skipBlanks();
  TextPosition strongPos = r.position();
  if (r.consumeKeyword("strong")) {
    if (*op != Op::LoadFast)
      return r.errorAt(strongPos, "only load_fast can be marked 'strong'");
    strong = true;
  }
  uint32_t offset = Instruction::kNoOffset;
  if (r.consume("#")) {
    std::optional<uint64_t> off = r.unsignedInteger();
    if (!off || *off >= Instruction::kNoOffset)
      return r.error("expected a byte offset after '#'");
    offset = uint32_t(*off);
  }
  if (!r.consumeLineEnd())
    return r.error("expected the end of the instruction");

  llvm::SmallVector<BranchTarget, 2> successors;
  for (size_t i = 0; i < succBlocks.size(); ++i)
    successors.push_back({succBlocks[i], succArgs[i]});
  builder.setOrigin(location, offset);
  Instruction *inst;
  if (*op == Op::Py) {
    inst = builder.createPy(pyOpcode, *imm, operands, unsigned(results.size()),
                            successors);
  } else {
    llvm::SmallVector<Value *, 8> values;
    for (const StackOperand &o : operands)
      values.push_back(o.value);
    inst = builder.create(*op, *imm, values, unsigned(results.size()),
                          successors, hasOptional);
  }
  inst->setMoveLocation(moveLocation);
  inst->setStrongLoad(strong);
  for (unsigned i = 0; i < results.size(); ++i)
    if (Status s =
            defineValue(results[i].name, inst->result(i), results[i].pos);
        !s)
      return s;
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// ModuleParser
//===----------------------------------------------------------------------===//

class ModuleParser {
public:
  explicit ModuleParser(llvm::StringRef text) : r(text) {}
  Expected<std::unique_ptr<Module>> run();

private:
  Status parseFunction();
  Status parseFunctionHeader(Function &f);
  Expected<int64_t> parseSignedInteger();

  TextReader r;
  std::unique_ptr<Module> module;
  std::map<uint64_t, Function *> functionsById;
  std::vector<PendingCodeRef> codeRefs;
};

Expected<std::unique_ptr<Module>> ModuleParser::run() {
  r.skipBlankLines();
  if (!r.consumeKeyword("module") || !r.consumeKeyword("python"))
    return r.error("expected 'module python 3.X'");
  r.skipBlanks();
  TextPosition pos = r.position();
  size_t n = 0;
  while (TextReader::isDigit(r.peek(n)) || r.peek(n) == '.')
    ++n;
  std::optional<PythonVersion> version =
      PythonVersion::parse(r.rest().take_front(n));
  if (!version)
    return r.errorAt(pos, "expected a supported Python version such as 3.12");
  if (!version->hasIR())
    return r.errorAt(pos, "bcc's IR models CPython 3.11 to 3.14, not " +
                              version->str());
  r.advance(n);
  if (!r.consumeLineEnd())
    return r.error("expected the end of the line after the version");
  module = std::make_unique<Module>(*version);

  for (;;) {
    r.skipBlankLines();
    if (r.atEnd())
      break;
    if (Status s = parseFunction(); !s)
      return s.error();
  }

  for (const PendingCodeRef &ref : codeRefs) {
    auto it = functionsById.find(ref.id);
    if (it == functionsById.end())
      return r.errorAt(ref.position,
                       "unknown function @" + std::to_string(ref.id));
    ref.function->consts[ref.constIndex] = PoolConstant::code(it->second);
  }
  return std::move(module);
}

Expected<int64_t> ModuleParser::parseSignedInteger() {
  bool negative = r.consume("-");
  r.skipBlanks();
  if (r.rest().startswith("0x")) {
    r.advance(2);
    size_t n = 0;
    while (std::isxdigit((unsigned char)r.peek(n)))
      ++n;
    uint64_t v = 0;
    if (n == 0 || r.rest().take_front(n).getAsInteger(16, v) || v > UINT32_MAX)
      return r.error("expected a hexadecimal number");
    r.advance(n);
    return negative ? -int64_t(v) : int64_t(v);
  }
  std::optional<uint64_t> v = r.unsignedInteger();
  if (!v || *v > INT32_MAX)
    return r.error("expected a number");
  return negative ? -int64_t(*v) : int64_t(*v);
}

/// 'function' '@'N NAME {attribute value} '{'
Status ModuleParser::parseFunctionHeader(Function &f) {
  if (!r.consume("@"))
    return r.error("expected '@N' after 'function'");
  TextPosition idPos = r.position();
  std::optional<uint64_t> id = r.unsignedInteger();
  if (!id)
    return r.error("expected a function number after '@'");
  if (!functionsById.emplace(*id, &f).second)
    return r.errorAt(idPos,
                     "function @" + std::to_string(*id) + " is defined twice");
  Expected<std::string> name = parseStringLiteral(r);
  if (!name)
    return name.takeError();
  f.name.utf8 = std::move(*name);
  f.name.interned = true;
  f.qualName = f.name;

  while (!r.consume("{")) {
    r.skipBlanks();
    TextPosition pos = r.position();
    llvm::StringRef key = r.identifier();
    if (key == "qualname" || key == "file") {
      Expected<std::string> s = parseStringLiteral(r);
      if (!s)
        return s.takeError();
      PyString &field = key == "qualname" ? f.qualName : f.fileName;
      field.utf8 = std::move(*s);
      continue;
    }
    int32_t *field = key == "firstline" ? &f.firstLineNo
                     : key == "args"    ? &f.argCount
                     : key == "posonly" ? &f.posOnlyArgCount
                     : key == "kwonly"  ? &f.kwOnlyArgCount
                     : key == "minstack" ? &f.minStackSize
                                        : nullptr;
    if (!field && key != "flags") {
      if (key.empty())
        return r.error("expected a function attribute or '{'");
      return r.errorAt(pos, "unknown function attribute '" + key + "'");
    }
    Expected<int64_t> v = parseSignedInteger();
    if (!v)
      return v.takeError();
    if (field)
      *field = int32_t(*v);
    else
      f.flags = uint32_t(*v);
  }
  if (!r.consumeLineEnd())
    return r.error("expected the end of the line after '{'");
  return Status::ok();
}

Status ModuleParser::parseFunction() {
  if (!r.consumeKeyword("function"))
    return r.error("expected 'function'");
  Function *f = module->createFunction();
  if (Status s = parseFunctionHeader(*f); !s)
    return s;
  FunctionParser body(r, *f, codeRefs);
  return body.parseBody();
}

} // namespace

Expected<std::unique_ptr<Module>> parseModule(llvm::StringRef text) {
  return ModuleParser(text).run();
}

} // namespace bcc
