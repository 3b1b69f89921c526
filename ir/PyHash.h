//===- ir/PyHash.h - Python's hash() of a Constant and set order ----------===//
//
// hash() of a Constant as a given CPython version computes it with
// PYTHONHASHSEED=0, and the order in which that version iterates a set,
// which is a property of its hash table.
//
// Sets and frozensets are printed (ir/PyRepr.h) in the order CPython
// iterates them, not in the stored order:
//   3.8-3.10  marshal wrote the elements in the compiler's iteration order:
//             that order is printed as stored.
//   3.11+     marshal sorts the elements (for reproducible .pyc files), so
//             the order is recomputed: the table CPython builds when it
//             loads the set (adding the stored elements one by one) is
//             simulated with CPython's own hashes under PYTHONHASHSEED=0.
//             That is what `dis` prints for the code object loaded from the
//             .pyc. It can differ from what `dis` prints for the freshly
//             compiled code when elements collide in the table, because the
//             compiler's insertion order is not in the file; and when an
//             element's hash is its address (None before 3.12, Ellipsis,
//             NaN) the stored order is printed.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_PYHASH_H
#define BCC_IR_PYHASH_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ir/Constant.h"
#include "ir/PythonVersion.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// hash(c) as CPython `version` computes it with PYTHONHASHSEED=0 (string
/// and bytes hashes use SipHash-2-4 up to 3.10, SipHash-1-3 from 3.11, with
/// a zero key). nullopt when the hash is the object's address (None before
/// 3.12, Ellipsis, NaN from 3.10, the StopIteration type, code objects) or
/// the value is not hashable.
std::optional<int64_t> pyHash(const Constant &c, PythonVersion version);

/// The order in which CPython iterates a set built by adding `elements` one
/// by one to an empty set, as marshal loads one: indices into `elements`.
/// nullopt if some element's hash is unknown (see pyHash).
std::optional<std::vector<size_t>>
setIterationOrder(const std::vector<ConstantRef> &elements,
                  PythonVersion version);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_IR_PYHASH_H
