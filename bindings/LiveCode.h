//===- bindings/LiveCode.h - Live code objects to the IR's and back -------===//
//
// The bindings read a code object of the running interpreter field by field
// (not through marshal): its localsplus kinds come from the code object's
// own struct, its constants are converted to bcc's Constant where they are
// literals and wrapped as Host constants otherwise (PyHostObject), so that
// a code object that already holds a non-marshalable constant (a folded
// module, a function) can be lifted again.
//
// The way back goes through marshal, since marshal alone can make a 3.12
// code object with hidden locals: every Host constant is first replaced by
// a placeholder string, and the Python side (bcc/_live.py) puts the objects
// back with code.replace(co_consts=...) after marshal.loads.
//
// Everything here runs with the GIL held.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BINDINGS_LIVECODE_H
#define BCC_BINDINGS_LIVECODE_H

#include <memory>
#include <string>
#include <vector>

#include "bindings/Common.h"

#include "ir/CodeObject.h"
#include "ir/Constant.h"

namespace bcc::python {

namespace py = pybind11;

/// The running interpreter's version.
PythonVersion hostVersion();

/// An object of the running interpreter, held by a Host constant.
class PyHostObject final : public HostObject {
public:
  explicit PyHostObject(py::object object) : object_(std::move(object)) {}
  ~PyHostObject() override;
  std::string repr() const override;
  bool equals(const HostObject &other) const override;
  const py::object &object() const { return object_; }

private:
  py::object object_;
};

/// The Python object a Host constant holds (null for other kinds).
py::object hostObjectOf(const Constant &constant);

/// `object` as a Constant: the literal kinds (None, bool, int, float,
/// complex, str, bytes, Ellipsis, and tuples and frozensets of literals,
/// exact types only) as themselves, code objects converted, anything else
/// (a module, a function, a list, a subclass of int) as a Host constant.
ConstantRef constantFromPython(py::handle object);

/// A live code object (3.11-3.13, the running interpreter's own version).
std::shared_ptr<CodeObject> codeFromPython(py::handle code);

/// The marshal bytes of `code`, with every Host constant (also inside a
/// tuple or frozenset constant) replaced by a placeholder string `prefix`
/// + its index in `hosts`.
std::string marshalWithPlaceholders(const CodeObject &code,
                                    const std::string &prefix,
                                    std::vector<py::object> &hosts);

} // namespace bcc::python

#endif // BCC_BINDINGS_LIVECODE_H
