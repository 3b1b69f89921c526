//===- backend/MarshalWriter.cpp - Marshal data and .pyc files out --------===//
//
// Writes the Constant/CodeObject model as marshal version 4 data (version 5
// slices for 3.14), in the compact forms CPython itself uses: `)` for tuples
// under 256 items, `z`/`Z` and `a`/`A` for ASCII strings, `u`/`t` for the
// rest, `i` for ints that fit in 32 bits and `l` otherwise, `g` and `y` for
// floats and complex numbers. Names, varnames, cellvars, freevars and
// localsplus names are written as interned strings, as CPython does.
//
// References. CPython sets FLAG_REF on any object whose refcount is above 1,
// which makes its output depend on the whole heap. bcc instead decides from
// the model alone, so the same model always gives the same bytes:
//  * a string of 4 bytes or more is written in full (with FLAG_REF) the
//    first time and as `r index` after that, keyed by its text and interned
//    flag (`r` + int32 is 5 bytes, never longer than the string);
//  * any other non-singleton constant (or code object) that the model
//    reaches more than once through the same pointer is written once with
//    FLAG_REF and then referenced. A model read from marshal data keeps the
//    sharing of its back-references, so this keeps the output linear in the
//    model's size however the input was shaped.
//  * the tuple and bytes fields of code objects that CPython's compiler
//    merges by value across the code objects of one module (co_consts,
//    co_names, in 3.8-3.10 co_varnames, co_freevars and co_cellvars, in 3.10
//    co_code, from 3.10 on co_linetable, from 3.11 on co_exceptiontable)
//    are written once and referenced when another code object has an equal
//    one, so that `f.__code__.co_consts is g.__code__.co_consts` holds after
//    loading whenever it held after compiling (test_compile checks it).
//    Constants in co_consts count as equal when they are the same node (or
//    equal strings, which are written once anyway).
// Reference indices are given out in the order the flagged type bytes are
// written, which is the pre-order in which any reader reserves them.
//
//===----------------------------------------------------------------------===//

#include "backend/MarshalWriter.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include "ir/MarshalFormat.h"
#include "ir/SipHash.h"

namespace bcc {

namespace {

using namespace marshal;
constexpr size_t kMinRefStringSize = 4;

bool isSingleton(ConstantKind kind) {
  switch (kind) {
  case ConstantKind::None:
  case ConstantKind::False:
  case ConstantKind::True:
  case ConstantKind::Ellipsis:
  case ConstantKind::StopIteration:
    return true;
  default:
    return false;
  }
}

/// What makes two occurrences "the same object": the code object for code
/// constants (two wrappers may share one), the node otherwise.
const void *identity(const Constant &c) {
  if (c.is(ConstantKind::Code))
    return c.asCode().get();
  return &c;
}

bool isAscii(const std::string &s) {
  for (char c : s)
    if ((unsigned char)c >= 0x80)
      return false;
  return true;
}

class Writer : marshal::FirstError {
public:
  /// Appends to `prefix` (the .pyc header, or nothing).
  Writer(PythonVersion version, std::string prefix = {})
      : version_(version), out_(std::move(prefix)) {}

  Expected<std::string> run(const Constant &value) {
    countUses(value, 0);
    if (!writeObject(value, 0))
      return take();
    return std::move(out_);
  }

private:
  enum SharedField {
    CodeBytes,
    Consts,
    Names,
    VarNames,
    FreeVars,
    CellVars,
    LineTable,
    ExceptionTable,
    NumSharedFields
  };
  using SharedFieldKeys = std::array<std::string, NumSharedFields>;

  const PythonVersion version_;
  std::string out_;
  /// How often each shareable node is reached (counted once per parent
  /// visit; the children of a node are counted only on its first visit).
  llvm::DenseMap<const void *, uint32_t> uses_;
  /// Reference index of each shared node already written.
  llvm::DenseMap<const void *, uint32_t> written_;
  /// Reference index of each string already written, by interned flag.
  llvm::StringMap<uint32_t> strings_[2];
  /// The keys of each code object's merged fields (sharedFieldKeys), made
  /// while counting; how many code objects have each key, and the
  /// reference index of the fields already written.
  llvm::DenseMap<const CodeObject *, size_t> fieldKeysOf_;
  std::vector<SharedFieldKeys> fieldKeys_;
  llvm::StringMap<uint32_t> fieldUses_;
  llvm::StringMap<uint32_t> fieldsWritten_;
  uint32_t nextRef_ = 0;

  [[gnu::noinline, gnu::cold]] bool failHost(const HostObject &host) {
    return fail(std::nullopt, "a host object (%s) has no marshal form",
                host.repr().c_str());
  }

  bool checkDepth(unsigned depth) {
    if (depth < kMaxDepth)
      return true;
    return fail(std::nullopt,
                "cannot marshal objects nested deeper than %u levels",
                kMaxDepth);
  }

  //===--------------------------------------------------------------------===//
  // Bytes out
  //===--------------------------------------------------------------------===//

  void byte(uint8_t b) { out_.push_back(char(b)); }
  void int32(int32_t v) {
    uint32_t u = uint32_t(v);
    char b[4] = {char(u), char(u >> 8), char(u >> 16), char(u >> 24)};
    out_.append(b, 4);
  }
  void uint64(uint64_t v) {
    char b[8];
    for (unsigned i = 0; i < 8; ++i)
      b[i] = char(v >> (8 * i));
    out_.append(b, 8);
  }
  void float64(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    uint64(bits);
  }
  bool size32(size_t n, const char *what) {
    if (n > size_t(INT32_MAX))
      return fail(std::nullopt, "%s of %zu is too large for marshal", what, n);
    int32(int32_t(n));
    return true;
  }
  void ref(uint32_t index) {
    byte(TYPE_REF);
    int32(int32_t(index));
  }

  //===--------------------------------------------------------------------===//
  // Objects
  //===--------------------------------------------------------------------===//

  /// The fields of `co` that CPython merges by value, each as a key that
  /// is equal for equal values of the same field kind; "" where the field
  /// is not merged in this version or is empty (an empty tuple or bytes
  /// object is a singleton anyway).
  SharedFieldKeys sharedFieldKeys(const CodeObject &co) const;
  /// Before writing a merged field: a reference if an equal one was
  /// written (returns true with `referenced` set), else the flag byte to
  /// write it with.
  uint8_t sharedFieldFlag(const std::string &key, bool &referenced);

  void countUses(const Constant &c, unsigned depth);
  bool writeObject(const Constant &c, unsigned depth);
  bool writeString(const PyString &s, bool interned, unsigned depth);
  bool writeInt(const PyInt &value, uint8_t flag);
  bool writeBytes(const std::string &data, unsigned depth,
                  const std::string &key = {});
  bool writeTupleHeader(size_t n, uint8_t flag);
  bool writeNames(const std::vector<PyString> &names, unsigned depth,
                  const std::string &key = {});
  bool writeCode(const CodeObject &co, uint8_t flag, unsigned depth);
};

void Writer::countUses(const Constant &c, unsigned depth) {
  if (depth >= kMaxDepth || isSingleton(c.kind()) || c.is(ConstantKind::String))
    return;
  if (++uses_[identity(c)] > 1)
    return;
  switch (c.kind()) {
  case ConstantKind::Tuple:
  case ConstantKind::List:
  case ConstantKind::Set:
  case ConstantKind::FrozenSet:
    for (const ConstantRef &e : c.elements())
      countUses(*e, depth + 1);
    break;
  case ConstantKind::Dict:
    for (const auto &[key, value] : c.dictItems()) {
      countUses(*key, depth + 1);
      countUses(*value, depth + 1);
    }
    break;
  case ConstantKind::Code:
    fieldKeysOf_[c.asCode().get()] = fieldKeys_.size();
    fieldKeys_.push_back(sharedFieldKeys(*c.asCode()));
    for (const std::string &key : fieldKeys_.back())
      if (!key.empty())
        ++fieldUses_[key];
    for (const ConstantRef &e : c.asCode()->consts)
      countUses(*e, depth + 2);
    break;
  case ConstantKind::Slice:
    countUses(*c.asSlice().start, depth + 1);
    countUses(*c.asSlice().stop, depth + 1);
    countUses(*c.asSlice().step, depth + 1);
    break;
  default:
    break;
  }
}

bool Writer::writeObject(const Constant &c, unsigned depth) {
  if (!checkDepth(depth))
    return false;
  switch (c.kind()) {
  case ConstantKind::None:
    byte(TYPE_NONE);
    return true;
  case ConstantKind::False:
    byte(TYPE_FALSE);
    return true;
  case ConstantKind::True:
    byte(TYPE_TRUE);
    return true;
  case ConstantKind::Ellipsis:
    byte(TYPE_ELLIPSIS);
    return true;
  case ConstantKind::StopIteration:
    byte(TYPE_STOPITER);
    return true;
  case ConstantKind::String:
    return writeString(c.asString(), c.asString().interned, depth);
  case ConstantKind::Host:
    return failHost(c.asHost());
  case ConstantKind::Slice:
    if (!version_.atLeast(3, 14))
      return fail(std::nullopt,
                  "slices cannot be marshalled for Python %d.%d (marshal "
                  "version 5, Python 3.14+, is needed)",
                  version_.major, version_.minor);
    break;
  default:
    break;
  }

  // Shareable objects: the first write of a shared one takes a reference
  // slot, later ones refer to it.
  uint8_t flag = 0;
  const void *id = identity(c);
  auto uses = uses_.find(id);
  if (uses != uses_.end() && uses->second > 1) {
    auto [it, inserted] = written_.try_emplace(id, nextRef_);
    if (!inserted) {
      ref(it->second);
      return true;
    }
    ++nextRef_;
    flag = kFlagRef;
  }

  switch (c.kind()) {
  case ConstantKind::Int:
    return writeInt(c.asInt(), flag);
  case ConstantKind::Float:
    byte(TYPE_BINARY_FLOAT | flag);
    float64(c.asFloat());
    return true;
  case ConstantKind::Complex:
    byte(TYPE_BINARY_COMPLEX | flag);
    float64(c.asComplex().real);
    float64(c.asComplex().imag);
    return true;
  case ConstantKind::Bytes:
    byte(TYPE_STRING | flag);
    if (!size32(c.asBytes().size(), "a bytes object"))
      return false;
    out_ += c.asBytes();
    return true;
  case ConstantKind::Tuple:
  case ConstantKind::List:
  case ConstantKind::Set:
  case ConstantKind::FrozenSet: {
    const Constant::Elements &elements = c.elements();
    if (c.is(ConstantKind::Tuple)) {
      if (!writeTupleHeader(elements.size(), flag))
        return false;
    } else {
      byte((c.is(ConstantKind::List)  ? TYPE_LIST
            : c.is(ConstantKind::Set) ? TYPE_SET
                                      : TYPE_FROZENSET) |
           flag);
      if (!size32(elements.size(), constantKindName(c.kind())))
        return false;
    }
    for (const ConstantRef &e : elements)
      if (!writeObject(*e, depth + 1))
        return false;
    return true;
  }
  case ConstantKind::Dict:
    byte(TYPE_DICT | flag);
    for (const auto &[key, value] : c.dictItems())
      if (!writeObject(*key, depth + 1) || !writeObject(*value, depth + 1))
        return false;
    byte(TYPE_NULL);
    return true;
  case ConstantKind::Code:
    return writeCode(*c.asCode(), flag, depth);
  case ConstantKind::Slice:
    byte(TYPE_SLICE | flag);
    return writeObject(*c.asSlice().start, depth + 1) &&
           writeObject(*c.asSlice().stop, depth + 1) &&
           writeObject(*c.asSlice().step, depth + 1);
  default:
    bcc_unreachable("constant kind handled above");
  }
}

bool Writer::writeString(const PyString &s, bool interned, unsigned depth) {
  if (!checkDepth(depth))
    return false;
  const std::string &text = s.utf8;
  uint8_t flag = 0;
  if (text.size() >= kMinRefStringSize) {
    auto [it, inserted] = strings_[interned].try_emplace(text, nextRef_);
    if (!inserted) {
      ref(it->second);
      return true;
    }
    ++nextRef_;
    flag = kFlagRef;
  }
  if (isAscii(text)) {
    if (text.size() < 256) {
      byte((interned ? TYPE_SHORT_ASCII_INTERNED : TYPE_SHORT_ASCII) | flag);
      byte(uint8_t(text.size()));
    } else {
      byte((interned ? TYPE_ASCII_INTERNED : TYPE_ASCII) | flag);
      if (!size32(text.size(), "a string"))
        return false;
    }
  } else {
    byte((interned ? TYPE_INTERNED : TYPE_UNICODE) | flag);
    if (!size32(text.size(), "a string"))
      return false;
  }
  out_ += text;
  return true;
}

bool Writer::writeInt(const PyInt &given, uint8_t flag) {
  // A hand-built PyInt may hold a small value (or leading zero digits, which
  // CPython rejects) in the digit form; normalize so that reading back and
  // writing again gives the same bytes.
  const PyInt value =
      given.isSmall ? given : PyInt::fromDigits(given.negative, given.digits);
  if (value.isSmall && value.small >= INT32_MIN && value.small <= INT32_MAX) {
    byte(TYPE_INT | flag);
    int32(int32_t(value.small));
    return true;
  }
  const std::vector<uint16_t> digits = value.magnitudeDigits();
  byte(TYPE_LONG | flag);
  if (digits.size() > size_t(INT32_MAX))
    return fail(std::nullopt, "an int of %zu digits is too large for marshal",
                digits.size());
  int32_t count = int32_t(digits.size());
  int32(value.isNegative() ? -count : count);
  for (uint16_t d : digits) {
    byte(uint8_t(d));
    byte(uint8_t(d >> 8));
  }
  return true;
}

Writer::SharedFieldKeys Writer::sharedFieldKeys(const CodeObject &co) const {
  SharedFieldKeys keys;
  auto bytesKey = [](char kind, const std::string &data) {
    return data.empty() ? std::string() : kind + data;
  };
  // Names: each length-prefixed, so that no two lists share a key.
  auto namesKey = [](char kind, const std::vector<PyString> &names) {
    std::string key;
    if (names.empty())
      return key;
    key.push_back(kind);
    for (const PyString &name : names) {
      uint32_t n = uint32_t(name.utf8.size());
      key.append(reinterpret_cast<const char *>(&n), sizeof n);
      key += name.utf8;
    }
    return key;
  };
  const bool v310 = version_.atLeast(3, 10);
  if (v310 && !version_.atLeast(3, 11))
    keys[CodeBytes] = bytesKey('b', co.code);
  if (!co.consts.empty()) {
    std::string &key = keys[Consts];
    key.push_back('c');
    for (const ConstantRef &c : co.consts) {
      if (isSingleton(c->kind())) {
        key.push_back('k');
        key.push_back(char(c->kind()));
      } else if (c->is(ConstantKind::String)) {
        const PyString &s = c->asString();
        uint32_t n = uint32_t(s.utf8.size());
        key.push_back(s.interned ? 'i' : 's');
        key.append(reinterpret_cast<const char *>(&n), sizeof n);
        key += s.utf8;
      } else {
        const void *id = identity(*c);
        key.push_back('p');
        key.append(reinterpret_cast<const char *>(&id), sizeof id);
      }
    }
  }
  keys[Names] = namesKey('n', co.names);
  if (!version_.atLeast(3, 11)) {
    keys[VarNames] = namesKey('v', co.varNamesStored);
    keys[FreeVars] = namesKey('f', co.freeVarsStored);
    keys[CellVars] = namesKey('e', co.cellVarsStored);
  }
  if (v310)
    keys[LineTable] = bytesKey('l', co.lineTable);
  if (version_.atLeast(3, 11))
    keys[ExceptionTable] = bytesKey('x', co.exceptionTable);
  return keys;
}

uint8_t Writer::sharedFieldFlag(const std::string &key, bool &referenced) {
  referenced = false;
  if (key.empty())
    return 0;
  auto uses = fieldUses_.find(key);
  if (uses == fieldUses_.end() || uses->second < 2)
    return 0;
  auto [it, inserted] = fieldsWritten_.try_emplace(key, nextRef_);
  if (!inserted) {
    ref(it->second);
    referenced = true;
    return 0;
  }
  ++nextRef_;
  return kFlagRef;
}

bool Writer::writeBytes(const std::string &data, unsigned depth,
                        const std::string &key) {
  if (!checkDepth(depth))
    return false;
  bool referenced;
  uint8_t flag = sharedFieldFlag(key, referenced);
  if (referenced)
    return true;
  byte(TYPE_STRING | flag);
  if (!size32(data.size(), "a bytes object"))
    return false;
  out_ += data;
  return true;
}

bool Writer::writeTupleHeader(size_t n, uint8_t flag) {
  if (n < 256) {
    byte(TYPE_SMALL_TUPLE | flag);
    byte(uint8_t(n));
    return true;
  }
  byte(TYPE_TUPLE | flag);
  return size32(n, "a tuple");
}

bool Writer::writeNames(const std::vector<PyString> &names, unsigned depth,
                        const std::string &key) {
  if (!checkDepth(depth))
    return false;
  bool referenced;
  uint8_t flag = sharedFieldFlag(key, referenced);
  if (referenced)
    return true;
  if (!writeTupleHeader(names.size(), flag))
    return false;
  for (const PyString &name : names)
    if (!writeString(name, /*interned=*/true, depth + 1))
      return false;
  return true;
}

bool Writer::writeCode(const CodeObject &co, uint8_t flag, unsigned depth) {
  if (co.version != version_)
    return fail(std::nullopt,
                "a code object of Python %d.%d cannot be written as Python "
                "%d.%d marshal data",
                co.version.major, co.version.minor, version_.major,
                version_.minor);
  const bool localsPlus = version_.atLeast(3, 11);
  const unsigned field = depth + 1;
  // Code objects deeper than countUses goes have no keys: written unshared.
  static const SharedFieldKeys kNoKeys;
  auto known = fieldKeysOf_.find(&co);
  const SharedFieldKeys &keys =
      known == fieldKeysOf_.end() ? kNoKeys : fieldKeys_[known->second];
  byte(TYPE_CODE | flag);
  int32(co.argCount);
  int32(co.posOnlyArgCount);
  int32(co.kwOnlyArgCount);
  if (!localsPlus)
    int32(co.nlocalsStored);
  int32(co.stackSize);
  int32(int32_t(co.flags));
  if (!writeBytes(co.code, field, keys[CodeBytes]))
    return false;

  if (!checkDepth(field))
    return false;
  bool constsReferenced;
  uint8_t constsFlag = sharedFieldFlag(keys[Consts], constsReferenced);
  if (!constsReferenced) {
    if (!writeTupleHeader(co.consts.size(), constsFlag))
      return false;
    for (const ConstantRef &c : co.consts)
      if (!writeObject(*c, field + 1))
        return false;
  }

  if (!writeNames(co.names, field, keys[Names]))
    return false;
  if (localsPlus) {
    if (!checkDepth(field) || !writeTupleHeader(co.localsPlus.size(), 0))
      return false;
    std::string kinds;
    kinds.reserve(co.localsPlus.size());
    for (const LocalsPlusSlot &slot : co.localsPlus) {
      if (!writeString(slot.name, /*interned=*/true, field + 1))
        return false;
      kinds.push_back(char(slot.kind));
    }
    if (!writeBytes(kinds, field))
      return false;
  } else if (!writeNames(co.varNamesStored, field, keys[VarNames]) ||
             !writeNames(co.freeVarsStored, field, keys[FreeVars]) ||
             !writeNames(co.cellVarsStored, field, keys[CellVars])) {
    return false;
  }

  if (!writeString(co.fileName, co.fileName.interned, field) ||
      !writeString(co.name, co.name.interned, field))
    return false;
  if (localsPlus && !writeString(co.qualName, co.qualName.interned, field))
    return false;
  int32(co.firstLineNo);
  if (!writeBytes(co.lineTable, field, keys[LineTable]))
    return false;
  if (localsPlus && !writeBytes(co.exceptionTable, field, keys[ExceptionTable]))
    return false;
  return true;
}

/// The first four bytes of a .pyc: the uint16 magic number, then "\r\n",
/// read as a little-endian integer.
uint32_t pycMagicWord(PythonVersion version) {
  return uint32_t(version.magicNumber()) | (uint32_t('\r') << 16) |
         (uint32_t('\n') << 24);
}

} // namespace

Expected<std::string> writeMarshal(const Constant &value,
                                   PythonVersion version) {
  if (version.major != 3 || version.minor < 8 || version.minor > 14)
    return Error("cannot write marshal data for Python " + version.str() +
                 " (3.8-3.14 only)");
  return Writer(version).run(value);
}

Expected<std::string> writePyc(const PycFile &file) {
  const PycHeader &header = file.header;
  if (!file.code)
    return Error("the .pyc has no code object to write");
  if (!header.version.isSupported())
    return Error("cannot write a .pyc for Python " + header.version.str() +
                 " (3.8-3.13 only)");
  if (file.code->version != header.version)
    return Error("the .pyc header says Python " + header.version.str() +
                 " but its code object is for Python " +
                 file.code->version.str());

  std::string out;
  out.reserve(16 + 2 * file.code->code.size() + 256);
  auto put32 = [&out](uint32_t v) {
    for (unsigned i = 0; i < 4; ++i)
      out.push_back(char(v >> (8 * i)));
  };
  put32(pycMagicWord(header.version));
  switch (header.invalidation) {
  case PycInvalidation::Timestamp:
    put32(0);
    put32(header.sourceMtime);
    put32(header.sourceSize);
    break;
  case PycInvalidation::CheckedHash:
  case PycInvalidation::UncheckedHash:
    put32(header.invalidation == PycInvalidation::CheckedHash ? 3 : 1);
    out.append(reinterpret_cast<const char *>(header.sourceHash.data()), 8);
    break;
  }

  return Writer(header.version, std::move(out)).run(*Constant::code(file.code));
}

std::array<uint8_t, 8> sourceHash(llvm::StringRef source,
                                  PythonVersion version) {
  // PEP 552: k0 is the .pyc's magic word, k1 is 0; the hash is stored as 8
  // little-endian bytes. 3.11 switched CPython's keyed hash to SipHash-1-3.
  const uint64_t k0 = pycMagicWord(version);
  const uint64_t hash = version.atLeast(3, 11) ? sipHash13(k0, 0, source)
                                               : sipHash24(k0, 0, source);
  std::array<uint8_t, 8> out;
  for (unsigned i = 0; i < 8; ++i)
    out[i] = uint8_t(hash >> (8 * i));
  return out;
}

} // namespace bcc
