//===- bindings/LiveCode.cpp - Live code objects to the IR's and back -----===//

#include "bindings/LiveCode.h"

#include "backend/MarshalWriter.h"

namespace bcc::python {

PythonVersion hostVersion() {
  return PythonVersion(PY_MAJOR_VERSION, PY_MINOR_VERSION);
}

PyHostObject::~PyHostObject() = default;

std::string PyHostObject::repr() const {
  try {
    return py::repr(object_).cast<std::string>();
  } catch (const py::error_already_set &) {
    return "<object>";
  }
}

bool PyHostObject::equals(const HostObject &other) const {
  auto *o = dynamic_cast<const PyHostObject *>(&other);
  return o && o->object_.is(object_);
}

py::object hostObjectOf(const Constant &constant) {
  if (!constant.is(ConstantKind::Host))
    return py::object();
  auto *host = dynamic_cast<const PyHostObject *>(&constant.asHost());
  return host ? host->object() : py::object();
}

namespace {

PyString stringOf(py::handle text) {
  PyString s;
  PyObject *bytes =
      PyUnicode_AsEncodedString(text.ptr(), "utf-8", "surrogatepass");
  if (!bytes)
    throw py::error_already_set();
  s.utf8.assign(PyBytes_AS_STRING(bytes), size_t(PyBytes_GET_SIZE(bytes)));
  Py_DECREF(bytes);
  s.interned = PyUnicode_CHECK_INTERNED(text.ptr()) != 0;
  return s;
}

std::string bytesOf(py::handle b) {
  return std::string(PyBytes_AS_STRING(b.ptr()), size_t(PyBytes_GET_SIZE(b.ptr())));
}

ConstantRef intFromPython(py::handle object) {
  int overflow = 0;
  long long value = PyLong_AsLongLongAndOverflow(object.ptr(), &overflow);
  if (!overflow) {
    if (value == -1 && PyErr_Occurred())
      throw py::error_already_set();
    return Constant::integer(int64_t(value));
  }
  // Base 2^15 digits of the magnitude, least significant first.
  py::int_ number = py::reinterpret_borrow<py::int_>(object);
  bool negative = overflow < 0;
  py::object magnitude = negative ? py::object(-number) : py::object(number);
  size_t bits = magnitude.attr("bit_length")().cast<size_t>();
  std::string bytes =
      magnitude.attr("to_bytes")((bits + 7) / 8, "little").cast<std::string>();
  std::vector<uint16_t> digits;
  uint32_t accumulator = 0;
  unsigned filled = 0;
  for (unsigned char byte : bytes) {
    accumulator |= uint32_t(byte) << filled;
    filled += 8;
    while (filled >= 15) {
      digits.push_back(uint16_t(accumulator & 0x7fff));
      accumulator >>= 15;
      filled -= 15;
    }
  }
  if (filled)
    digits.push_back(uint16_t(accumulator));
  while (!digits.empty() && digits.back() == 0)
    digits.pop_back();
  return Constant::integer(PyInt::fromDigits(negative, std::move(digits)));
}

/// `object` as a literal Constant, or null if it is not one. `containers`:
/// tuples and frozensets of literals count (a code object's constants);
/// without it they stay objects (a global's value keeps its identity).
ConstantRef literalFromPython(py::handle object, bool containers) {
  PyObject *o = object.ptr();
  if (o == Py_None)
    return Constant::none();
  if (o == Py_True || o == Py_False)
    return Constant::boolean(o == Py_True);
  if (o == Py_Ellipsis)
    return Constant::ellipsis();
  if (PyLong_CheckExact(o))
    return intFromPython(object);
  if (PyFloat_CheckExact(o))
    return Constant::floating(PyFloat_AS_DOUBLE(o));
  if (PyComplex_CheckExact(o))
    return Constant::complex(PyComplex_RealAsDouble(o),
                             PyComplex_ImagAsDouble(o));
  if (PyUnicode_CheckExact(o)) {
    PyString s = stringOf(object);
    return Constant::string(std::move(s.utf8), s.interned);
  }
  if (PyBytes_CheckExact(o))
    return Constant::bytes(bytesOf(object));
  if (PyCode_Check(o))
    return Constant::code(codeFromPython(object));
  if (!containers)
    return nullptr;
  if (PyTuple_CheckExact(o) || PyFrozenSet_CheckExact(o)) {
    Constant::Elements elements;
    for (py::handle item : object) {
      ConstantRef c = literalFromPython(item, true);
      if (!c)
        return nullptr;
      elements.push_back(std::move(c));
    }
    return PyTuple_CheckExact(o) ? Constant::tuple(std::move(elements))
                                 : Constant::frozenSet(std::move(elements));
  }
  return nullptr;
}

ConstantRef constantOfCode(py::handle object) {
  if (ConstantRef c = literalFromPython(object, true))
    return c;
  return Constant::host(std::make_shared<PyHostObject>(
      py::reinterpret_borrow<py::object>(object)));
}

} // namespace

ConstantRef constantFromPython(py::handle object) {
  if (ConstantRef c = literalFromPython(object, false))
    return c;
  return Constant::host(std::make_shared<PyHostObject>(
      py::reinterpret_borrow<py::object>(object)));
}

std::shared_ptr<CodeObject> codeFromPython(py::handle handle) {
  if (!PyCode_Check(handle.ptr()))
    throw py::type_error("expected a code object, got " +
                         py::str(py::type::handle_of(handle)).cast<std::string>());
  auto *co = reinterpret_cast<PyCodeObject *>(handle.ptr());
  auto code = std::make_shared<CodeObject>();
  code->version = hostVersion();
  code->argCount = co->co_argcount;
  code->posOnlyArgCount = co->co_posonlyargcount;
  code->kwOnlyArgCount = co->co_kwonlyargcount;
  code->stackSize = co->co_stacksize;
  code->flags = uint32_t(co->co_flags);
  code->firstLineNo = co->co_firstlineno;
  // co_code is the bytecode without the interpreter's specializations,
  // caches zeroed: what marshal would write.
  code->code = bytesOf(handle.attr("co_code"));
  for (py::handle c : py::reinterpret_borrow<py::tuple>(co->co_consts))
    code->consts.push_back(constantOfCode(c));
  for (py::handle n : py::reinterpret_borrow<py::tuple>(co->co_names))
    code->names.push_back(stringOf(n));
  code->fileName = stringOf(co->co_filename);
  code->name = stringOf(co->co_name);
  code->qualName = stringOf(co->co_qualname);
  code->lineTable = bytesOf(co->co_linetable);
  code->exceptionTable = bytesOf(co->co_exceptiontable);
  py::tuple names = py::reinterpret_borrow<py::tuple>(co->co_localsplusnames);
  std::string kinds = bytesOf(co->co_localspluskinds);
  for (size_t i = 0; i < names.size(); ++i) {
    LocalsPlusSlot slot;
    slot.name = stringOf(names[i]);
    slot.kind = uint8_t(kinds.at(i));
    code->localsPlus.push_back(std::move(slot));
  }
  return code;
}

namespace {

/// `c` with its Host constants replaced; the same node when it has none.
ConstantRef withPlaceholders(const ConstantRef &c, const std::string &prefix,
                             std::vector<py::object> &hosts);

std::shared_ptr<const CodeObject>
codeWithPlaceholders(const std::shared_ptr<const CodeObject> &code,
                     const std::string &prefix,
                     std::vector<py::object> &hosts) {
  std::vector<ConstantRef> consts;
  bool changed = false;
  for (const ConstantRef &c : code->consts) {
    consts.push_back(withPlaceholders(c, prefix, hosts));
    changed |= consts.back() != c;
  }
  if (!changed)
    return code;
  auto copy = std::make_shared<CodeObject>(*code);
  copy->consts = std::move(consts);
  return copy;
}

ConstantRef withPlaceholders(const ConstantRef &c, const std::string &prefix,
                             std::vector<py::object> &hosts) {
  switch (c->kind()) {
  case ConstantKind::Host: {
    py::object object = hostObjectOf(*c);
    if (!object)
      throw std::runtime_error("a constant of another embedding: " +
                               c->asHost().repr());
    hosts.push_back(object);
    return Constant::string(prefix + std::to_string(hosts.size() - 1));
  }
  case ConstantKind::Code: {
    auto code = codeWithPlaceholders(c->asCode(), prefix, hosts);
    return code == c->asCode() ? c : Constant::code(code);
  }
  case ConstantKind::Tuple:
  case ConstantKind::FrozenSet: {
    Constant::Elements elements;
    bool changed = false;
    for (const ConstantRef &e : c->elements()) {
      elements.push_back(withPlaceholders(e, prefix, hosts));
      changed |= elements.back() != e;
    }
    if (!changed)
      return c;
    return c->is(ConstantKind::Tuple) ? Constant::tuple(std::move(elements))
                                      : Constant::frozenSet(std::move(elements));
  }
  default:
    return c;
  }
}

} // namespace

std::string marshalWithPlaceholders(const CodeObject &code,
                                    const std::string &prefix,
                                    std::vector<py::object> &hosts) {
  auto root = codeWithPlaceholders(
      std::shared_ptr<const CodeObject>(std::shared_ptr<const CodeObject>(),
                                        &code),
      prefix, hosts);
  Expected<std::string> bytes = writeMarshal(*Constant::code(root), code.version);
  if (!bytes)
    throw std::runtime_error(bytes.error().message);
  return std::move(*bytes);
}

} // namespace bcc::python
