//===- ir/PythonVersion.cpp -----------------------------------------------===//

#include "ir/PythonVersion.h"


namespace bcc {

namespace {
struct MagicEntry {
  uint8_t minor;
  uint16_t magic;
};
// importlib.util.MAGIC_NUMBER of each release; stable across patch releases
// (3.15: of 3.15.0rc1; gen_tables.py writes each version's number into its
// opcode table, and OpcodesTest checks that the two agree).
constexpr MagicEntry kMagics[] = {{8, 3413},  {9, 3425},  {10, 3439},
                                  {11, 3495}, {12, 3531}, {13, 3571},
                                  {14, 3627}, {15, 3666}};
} // namespace

std::string PythonVersion::str() const {
  return std::to_string(major) + "." + std::to_string(minor);
}

std::optional<PythonVersion> PythonVersion::parse(llvm::StringRef text) {
  for (PythonVersion v : kSupportedVersions)
    if (text == v.str())
      return v;
  return std::nullopt;
}

uint16_t PythonVersion::magicNumber() const {
  for (const MagicEntry &e : kMagics)
    if (major == 3 && e.minor == minor)
      return e.magic;
  return 0;
}

std::optional<PythonVersion> PythonVersion::fromMagic(uint16_t magic) {
  for (const MagicEntry &e : kMagics)
    if (e.magic == magic)
      return PythonVersion(3, e.minor);
  return std::nullopt;
}

bool PythonVersion::hasIR() const {
  return major == 3 && minor >= 11 && minor <= 14;
}

} // namespace bcc
