//===- backend/MarshalWriter.cpp - Marshal data and .pyc files out --------===//
//
// Writes the Constant/CodeObject model as marshal data of the version's
// marshal version (4 up to 3.13; 5, with slices, for 3.14; 6, with
// frozendicts, for 3.15), in the compact forms CPython itself uses: `)` for tuples
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
//  * frozendicts never take a reference: one reached twice is written in
//    full twice, because 3.15.0rc1's reader cannot load a reference to a
//    frozendict (CPython gh-155315, fixed after rc1).
// Reference indices are given out in the order the flagged type bytes are
// written, which is the pre-order in which any reader reserves them.
//
//===----------------------------------------------------------------------===//

#include "backend/MarshalWriter.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

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

/// Eight bytes at a time: most strings are names, and all of them are
/// checked.
bool isAscii(llvm::StringRef s) {
  const char *p = s.data();
  size_t n = s.size();
  uint64_t bits = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    bits |= word;
  }
  for (; n; ++p, --n)
    bits |= uint8_t(*p);
  return !(bits & 0x8080808080808080ull);
}

/// The fields of a code object that CPython's compiler merges by value.
enum SharedField : uint8_t {
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

/// Whether two co_consts entries count as the same for merging: the same
/// singleton, equal strings with the same interned flag, or the same node.
bool sameConstEntry(const Constant &a, const Constant &b) {
  if (isSingleton(a.kind()) || isSingleton(b.kind()))
    return a.kind() == b.kind();
  if (a.is(ConstantKind::String) || b.is(ConstantKind::String))
    return a.is(ConstantKind::String) && b.is(ConstantKind::String) &&
           a.asString().interned == b.asString().interned &&
           a.asString().utf8 == b.asString().utf8;
  return identity(a) == identity(b);
}

bool sameNames(const std::vector<PyString> &a,
               const std::vector<PyString> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].utf8 != b[i].utf8)
      return false;
  return true;
}

/// Mixes `value` into `hash` (one multiply; the tables compare keys in
/// full, so the hash only has to spread them).
uint64_t mix(uint64_t hash, uint64_t value) {
  hash = (hash ^ value) * 0x9E3779B97F4A7C15ull;
  return hash ^ (hash >> 32);
}

/// A hash of a string that reads at most its first and last 8 bytes, for
/// the string table: names and other strings worth a reference that are
/// equally long and agree at both ends are rare, and the table compares
/// the whole text anyway.
uint64_t endsHash(llvm::StringRef text) {
  size_t n = text.size();
  uint64_t head = 0, tail = 0;
  std::memcpy(&head, text.data(), std::min<size_t>(n, 8));
  if (n > 8)
    std::memcpy(&tail, text.data() + n - 8, 8);
  return mix(mix(n, head), tail);
}

struct StringTableInfo : llvm::DenseMapInfo<llvm::StringRef> {
  static unsigned getHashValue(llvm::StringRef text) {
    return unsigned(endsHash(text));
  }
};

size_t hashNames(const std::vector<PyString> &names) {
  uint64_t hash = names.size();
  for (const PyString &name : names)
    hash = mix(hash, endsHash(name.utf8));
  return size_t(hash);
}

/// Whether field `field` of `a` and of `b` hold equal values.
bool sameField(const CodeObject &a, const CodeObject &b, SharedField field) {
  switch (field) {
  case CodeBytes:
    return a.code == b.code;
  case Consts:
    if (a.consts.size() != b.consts.size())
      return false;
    for (size_t i = 0; i < a.consts.size(); ++i)
      if (!sameConstEntry(*a.consts[i], *b.consts[i]))
        return false;
    return true;
  case Names:
    return sameNames(a.names, b.names);
  case VarNames:
    return sameNames(a.varNamesStored, b.varNamesStored);
  case FreeVars:
    return sameNames(a.freeVarsStored, b.freeVarsStored);
  case CellVars:
    return sameNames(a.cellVarsStored, b.cellVarsStored);
  case LineTable:
    return a.lineTable == b.lineTable;
  case ExceptionTable:
    return a.exceptionTable == b.exceptionTable;
  case NumSharedFields:
    break;
  }
  bcc_unreachable("unknown shared field");
}

/// One merged field of one code object as a hash-table key: equal when the
/// fields hold equal values (sameField), so that equal fields of different
/// code objects find the same entry without being serialized first.
struct FieldKey {
  const CodeObject *code;
  SharedField field;
  unsigned hash;
};

struct FieldKeyInfo {
  static FieldKey getEmptyKey() {
    return {llvm::DenseMapInfo<const CodeObject *>::getEmptyKey(),
            NumSharedFields, 0};
  }
  static FieldKey getTombstoneKey() {
    return {llvm::DenseMapInfo<const CodeObject *>::getTombstoneKey(),
            NumSharedFields, 0};
  }
  static unsigned getHashValue(const FieldKey &key) { return key.hash; }
  static bool isEqual(const FieldKey &a, const FieldKey &b) {
    if (a.field == NumSharedFields || b.field == NumSharedFields)
      return a.code == b.code && a.field == b.field;
    return a.field == b.field && a.hash == b.hash &&
           (a.code == b.code || sameField(*a.code, *b.code, a.field));
  }
};

class Writer : marshal::FirstError {
public:
  /// Appends to `prefix` (the .pyc header, or nothing).
  Writer(PythonVersion version, std::string prefix = {})
      : version_(version) {
    out_.reserve(prefix.size() + 4096);
    bytes(prefix);
    // Typical of a module: skips the first few doublings.
    strings_[true].reserve(256);
  }

  Expected<std::string> run(const Constant &value) {
    countUses(value, 0);
    out_.reserve(out_.size() + sizeHint_);
    if (!writeObject(value, 0))
      return take();
    return std::string(out_.data(), out_.size());
  }

private:
  /// The equal-value class of each merged field of a code object, or
  /// kNoClass where the field is not merged in this version or is empty (an
  /// empty tuple or bytes object is a singleton anyway).
  static constexpr uint32_t kNoClass = UINT32_MAX;
  using SharedFieldClasses = std::array<uint32_t, NumSharedFields>;
  /// A class of equal merged fields: how many code objects have it, and
  /// the reference index once written (kNoClass before).
  struct FieldClass {
    uint32_t uses = 0;
    uint32_t ref = kNoClass;
  };

  const PythonVersion version_;
  /// The output so far. A SmallVector rather than a std::string: its
  /// append is inline, and the writer appends a few bytes at a time.
  llvm::SmallVector<char, 0> out_;
  /// How often each shareable node is reached (counted once per parent
  /// visit; the children of a node are counted only on its first visit).
  llvm::DenseMap<const void *, uint32_t> uses_;
  /// Reference index of each shared node already written.
  llvm::DenseMap<const void *, uint32_t> written_;
  /// Reference index of each string already written, by interned flag. The
  /// keys point into the model, which outlives the writer.
  llvm::DenseMap<llvm::StringRef, uint32_t, StringTableInfo> strings_[2];
  /// The classes of each code object's merged fields, made while counting.
  llvm::DenseMap<const CodeObject *, SharedFieldClasses> fieldClassesOf_;
  llvm::DenseMap<FieldKey, uint32_t, FieldKeyInfo> fieldClassIndex_;
  std::vector<FieldClass> fieldClasses_;
  uint32_t nextRef_ = 0;
  /// About how many bytes the code objects will take, from countUses: the
  /// output buffer is reserved once rather than grown by doubling.
  size_t sizeHint_ = 0;

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
  void bytes(llvm::StringRef data) { out_.append(data.begin(), data.end()); }
  void int32(int32_t v) {
    uint32_t u = uint32_t(v);
    char b[4] = {char(u), char(u >> 8), char(u >> 16), char(u >> 24)};
    out_.append(b, b + 4);
  }
  void uint64(uint64_t v) {
    char b[8];
    for (unsigned i = 0; i < 8; ++i)
      b[i] = char(v >> (8 * i));
    out_.append(b, b + 8);
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

  /// The class of each field of `co` that CPython merges by value
  /// (counting this use of it).
  SharedFieldClasses sharedFieldClasses(const CodeObject &co);
  /// Counts a use of field `field` of `co`, whose value hashes to `hash`;
  /// returns its class.
  uint32_t fieldClass(const CodeObject &co, SharedField field, size_t hash);
  /// Before writing a merged field: a reference if an equal one was
  /// written (returns true with `referenced` set), else the flag byte to
  /// write it with.
  uint8_t sharedFieldFlag(uint32_t fieldClass, bool &referenced);
  /// A field that equal fields of other code objects share: checks the
  /// depth, then writes a back-reference when an equal field came first,
  /// else calls body(flag), flag being FLAG_REF when one will follow.
  template <typename Body>
  bool writeSharedField(unsigned depth, uint32_t fieldClass, Body body) {
    if (!checkDepth(depth))
      return false;
    bool referenced;
    uint8_t flag = sharedFieldFlag(fieldClass, referenced);
    return referenced || body(flag);
  }

  void countUses(const Constant &c, unsigned depth);
  bool writeObject(const Constant &c, unsigned depth);
  bool writeString(const PyString &s, bool interned, unsigned depth);
  /// `what` is new in marshal version `needed` (Python `since`), which
  /// this version's marshal is not. Out of line, as failHost: writeObject's
  /// frame stays small (it recurses 2000 levels deep).
  [[gnu::noinline, gnu::cold]] bool
  failMarshalVersion(int needed, const char *what, const char *since) {
    return fail(std::nullopt,
                "%s cannot be marshalled for Python %d.%d (marshal version "
                "%d, Python %s+, is needed)",
                what, version_.major, version_.minor, needed, since);
  }
  /// A dict's or frozendict's items after `typeByte`, then the NULL.
  /// Always inlined: it recurses through writeObject, and a frame of its
  /// own per level overflowed the stack at 2000 levels under AddressSanitizer
  /// (MarshalBad.DeepestNestingOfEveryKindRoundTrips).
  [[gnu::always_inline]] inline bool
  writeDictItems(const Constant &c, uint8_t typeByte, unsigned depth);
  bool writeInt(const PyInt &value, uint8_t flag);
  bool writeBytes(const std::string &data, unsigned depth,
                  uint32_t fieldClass = kNoClass);
  bool writeTupleHeader(size_t n, uint8_t flag);
  bool writeNames(const std::vector<PyString> &names, unsigned depth,
                  uint32_t fieldClass = kNoClass);
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
  case ConstantKind::FrozenDict:
    for (const auto &[key, value] : c.dictItems()) {
      countUses(*key, depth + 1);
      countUses(*value, depth + 1);
    }
    break;
  case ConstantKind::Code:
    fieldClassesOf_[c.asCode().get()] = sharedFieldClasses(*c.asCode());
    sizeHint_ += c.asCode()->code.size() + c.asCode()->lineTable.size() +
                 c.asCode()->exceptionTable.size() + 64 +
                 8 * (c.asCode()->consts.size() + c.asCode()->names.size() +
                      c.asCode()->localsPlus.size());
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

inline bool Writer::writeDictItems(const Constant &c, uint8_t typeByte,
                                   unsigned depth) {
  byte(typeByte);
  for (const auto &[key, value] : c.dictItems())
    if (!writeObject(*key, depth + 1) || !writeObject(*value, depth + 1))
      return false;
  byte(TYPE_NULL); // the end of the items
  return true;
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
    if (marshalVersion(version_) < 5)
      return failMarshalVersion(5, "slices", "3.14");
    break;
  case ConstantKind::FrozenDict:
    if (marshalVersion(version_) < 6)
      return failMarshalVersion(6, "frozendicts", "3.15");
    return writeDictItems(c, TYPE_FROZENDICT, depth);
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
    bytes(c.asBytes());
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
    return writeDictItems(c, TYPE_DICT | flag, depth);
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
    auto [it, inserted] =
        strings_[interned].try_emplace(llvm::StringRef(text), nextRef_);
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
  bytes(text);
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

uint32_t Writer::fieldClass(const CodeObject &co, SharedField field,
                            size_t hash) {
  auto [it, inserted] = fieldClassIndex_.try_emplace(
      FieldKey{&co, field, unsigned(hash)}, uint32_t(fieldClasses_.size()));
  if (inserted)
    fieldClasses_.emplace_back();
  ++fieldClasses_[it->second].uses;
  return it->second;
}

Writer::SharedFieldClasses Writer::sharedFieldClasses(const CodeObject &co) {
  SharedFieldClasses classes;
  classes.fill(kNoClass);
  auto bytesClass = [&](SharedField field, const std::string &data) {
    if (!data.empty())
      classes[field] =
          fieldClass(co, field, llvm::hash_value(llvm::StringRef(data)));
  };
  auto namesClass = [&](SharedField field,
                        const std::vector<PyString> &names) {
    if (!names.empty())
      classes[field] = fieldClass(co, field, hashNames(names));
  };
  const bool v310 = version_.atLeast(3, 10);
  if (v310 && !version_.atLeast(3, 11))
    bytesClass(CodeBytes, co.code);
  if (!co.consts.empty()) {
    uint64_t hash = co.consts.size();
    for (const ConstantRef &c : co.consts) {
      if (isSingleton(c->kind()))
        hash = mix(hash, uint8_t(c->kind()));
      else if (c->is(ConstantKind::String))
        hash = mix(hash, endsHash(c->asString().utf8) + c->asString().interned);
      else
        hash = mix(hash, uint64_t(uintptr_t(identity(*c))));
    }
    classes[Consts] = fieldClass(co, Consts, size_t(hash));
  }
  namesClass(Names, co.names);
  if (!version_.atLeast(3, 11)) {
    namesClass(VarNames, co.varNamesStored);
    namesClass(FreeVars, co.freeVarsStored);
    namesClass(CellVars, co.cellVarsStored);
  }
  if (v310)
    bytesClass(LineTable, co.lineTable);
  if (version_.atLeast(3, 11))
    bytesClass(ExceptionTable, co.exceptionTable);
  return classes;
}

uint8_t Writer::sharedFieldFlag(uint32_t fieldClass, bool &referenced) {
  referenced = false;
  if (fieldClass == kNoClass)
    return 0;
  FieldClass &shared = fieldClasses_[fieldClass];
  if (shared.uses < 2)
    return 0;
  if (shared.ref != kNoClass) {
    ref(shared.ref);
    referenced = true;
    return 0;
  }
  shared.ref = nextRef_++;
  return kFlagRef;
}

bool Writer::writeBytes(const std::string &data, unsigned depth,
                        uint32_t fieldClass) {
  return writeSharedField(depth, fieldClass, [&](uint8_t flag) {
    byte(TYPE_STRING | flag);
    if (!size32(data.size(), "a bytes object"))
      return false;
    bytes(data);
    return true;
  });
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
                        uint32_t fieldClass) {
  return writeSharedField(depth, fieldClass, [&](uint8_t flag) {
    if (!writeTupleHeader(names.size(), flag))
      return false;
    for (const PyString &name : names)
      if (!writeString(name, /*interned=*/true, depth + 1))
        return false;
    return true;
  });
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
  // Code objects deeper than countUses goes have no classes: written
  // unshared.
  SharedFieldClasses keys;
  keys.fill(kNoClass);
  auto known = fieldClassesOf_.find(&co);
  if (known != fieldClassesOf_.end())
    keys = known->second;
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

  bool constsWritten =
      writeSharedField(field, keys[Consts], [&](uint8_t flag) {
        if (!writeTupleHeader(co.consts.size(), flag))
          return false;
        for (const ConstantRef &c : co.consts)
          if (!writeObject(*c, field + 1))
            return false;
        return true;
      });
  if (!constsWritten)
    return false;

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
  if (version.major != 3 || version.minor < 8 || version.minor > 15)
    return Error("cannot write marshal data for Python " + version.str() +
                 " (3.8-3.15 only)");
  return Writer(version).run(value);
}

Expected<std::string> writePyc(const PycFile &file) {
  const PycHeader &header = file.header;
  if (!file.code)
    return Error("the .pyc has no code object to write");
  if (!header.version.isSupported())
    return Error("cannot write a .pyc for Python " + header.version.str() +
                 " (3.8-3.15 only)");
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
