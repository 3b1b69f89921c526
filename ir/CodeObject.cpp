//===- ir/CodeObject.cpp --------------------------------------------------===//

#include "ir/CodeObject.h"

#include <algorithm>

namespace bcc {

namespace {
std::vector<PyString> slotsWith(const std::vector<LocalsPlusSlot> &slots,
                                uint8_t kindBit) {
  std::vector<PyString> out;
  for (const LocalsPlusSlot &slot : slots)
    if (slot.kind & kindBit)
      out.push_back(slot.name);
  return out;
}

bool sameStrings(const std::vector<PyString> &a,
                 const std::vector<PyString> &b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(),
                    [](const PyString &x, const PyString &y) {
                      return x.utf8 == y.utf8;
                    });
}
} // namespace

std::vector<PyString> CodeObject::varNames() const {
  return version.atLeast(3, 11) ? slotsWith(localsPlus, CO_FAST_LOCAL)
                                : varNamesStored;
}

std::vector<PyString> CodeObject::cellVars() const {
  return version.atLeast(3, 11) ? slotsWith(localsPlus, CO_FAST_CELL)
                                : cellVarsStored;
}

std::vector<PyString> CodeObject::freeVars() const {
  return version.atLeast(3, 11) ? slotsWith(localsPlus, CO_FAST_FREE)
                                : freeVarsStored;
}

int32_t CodeObject::nlocals() const {
  if (!version.atLeast(3, 11))
    return nlocalsStored;
  return (int32_t)std::count_if(
      localsPlus.begin(), localsPlus.end(),
      [](const LocalsPlusSlot &s) { return s.kind & CO_FAST_LOCAL; });
}

bool CodeObject::equals(const CodeObject &o) const {
  if (version != o.version || argCount != o.argCount ||
      posOnlyArgCount != o.posOnlyArgCount ||
      kwOnlyArgCount != o.kwOnlyArgCount || stackSize != o.stackSize ||
      flags != o.flags || firstLineNo != o.firstLineNo || code != o.code ||
      lineTable != o.lineTable || exceptionTable != o.exceptionTable ||
      fileName.utf8 != o.fileName.utf8 || name.utf8 != o.name.utf8 ||
      qualName.utf8 != o.qualName.utf8 || nlocalsStored != o.nlocalsStored ||
      !sameStrings(names, o.names) ||
      !sameStrings(varNamesStored, o.varNamesStored) ||
      !sameStrings(cellVarsStored, o.cellVarsStored) ||
      !sameStrings(freeVarsStored, o.freeVarsStored) ||
      localsPlus != o.localsPlus || consts.size() != o.consts.size())
    return false;
  for (size_t i = 0; i < consts.size(); ++i)
    if (!consts[i]->equals(*o.consts[i]))
      return false;
  return true;
}

} // namespace bcc
