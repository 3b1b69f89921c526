//===- ir/PythonVersion.h - The CPython versions bcc understands ----------===//
//
// bcc reads and writes bytecode for one CPython minor version at a time. The
// version comes from the `.pyc` magic number (or from the host interpreter in
// the bindings) and every later decision is keyed on it.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_PYTHONVERSION_H
#define BCC_IR_PYTHONVERSION_H

#include <cstdint>
#include <optional>
#include <string>

#include "llvm/ADT/StringRef.h"

namespace bcc {

struct PythonVersion {
  uint8_t major = 3;
  uint8_t minor = 0;

  constexpr PythonVersion() = default;
  constexpr PythonVersion(uint8_t maj, uint8_t min) : major(maj), minor(min) {}

  /// "3.12"
  std::string str() const;
  /// Parses "3.12"; nullopt for anything else or an unsupported version.
  static std::optional<PythonVersion> parse(llvm::StringRef text);

  /// The 16-bit magic number of this version's `.pyc` files.
  uint16_t magicNumber() const;
  /// The version whose `.pyc` files start with `magic`, if we support it.
  static std::optional<PythonVersion> fromMagic(uint16_t magic);

  /// A version whose .pyc and marshal data bcc reads and writes, and whose
  /// opcode tables it has (3.8-3.15, kSupportedVersions).
  bool isSupported() const { return magicNumber() != 0; }
  /// The versions bcc's SSA IR models (the lifter, the IR text, the
  /// passes and the lowering): 3.11-3.14. 3.8-3.10 are past their end of
  /// life; 3.15 waits for its final release.
  bool hasIR() const;
  /// 3.11+ code objects: localsplus, exception table, location table.
  bool hasExceptionTable() const { return atLeast(3, 11); }

  constexpr bool atLeast(uint8_t maj, uint8_t min) const {
    return major > maj || (major == maj && minor >= min);
  }
  constexpr bool operator==(PythonVersion o) const {
    return major == o.major && minor == o.minor;
  }
  constexpr bool operator!=(PythonVersion o) const { return !(*this == o); }
  constexpr bool operator<(PythonVersion o) const {
    return major < o.major || (major == o.major && minor < o.minor);
  }
};

/// Every version bcc reads and writes, oldest first. 3.15 is its release
/// candidate (magic number 3666); lifting is for 3.11-3.14 only
/// (frontend/Lifter.h).
inline constexpr PythonVersion kSupportedVersions[] = {
    {3, 8}, {3, 9}, {3, 10}, {3, 11}, {3, 12}, {3, 13}, {3, 14}, {3, 15}};

} // namespace bcc

#endif // BCC_IR_PYTHONVERSION_H
