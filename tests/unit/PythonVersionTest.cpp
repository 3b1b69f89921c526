#include "ir/Constant.h"
#include "ir/PythonVersion.h"

#include <gtest/gtest.h>

using namespace bcc;

TEST(PythonVersion, MagicNumbersRoundTrip) {
  for (PythonVersion v : kSupportedVersions) {
    auto back = PythonVersion::fromMagic(v.magicNumber());
    ASSERT_TRUE(back.has_value()) << v.str();
    EXPECT_EQ(*back, v);
  }
  EXPECT_EQ(PythonVersion(3, 11).magicNumber(), 3495);
  EXPECT_EQ(PythonVersion(3, 14).magicNumber(), 3627);
  EXPECT_EQ(PythonVersion(3, 15).magicNumber(), 3666); // 3.15.0rc1
  EXPECT_EQ(PythonVersion::fromMagic(3627), PythonVersion(3, 14));
  EXPECT_FALSE(PythonVersion(3, 16).isSupported());
  EXPECT_FALSE(PythonVersion::fromMagic(1234).has_value());
}

TEST(PythonVersion, ParseAndCompare) {
  EXPECT_EQ(PythonVersion::parse("3.12"), PythonVersion(3, 12));
  EXPECT_FALSE(PythonVersion::parse("3.7").has_value());
  EXPECT_EQ(PythonVersion::parse("3.15"), PythonVersion(3, 15));
  EXPECT_FALSE(PythonVersion::parse("3.16").has_value());
  EXPECT_FALSE(PythonVersion::parse("3.12x").has_value());
  EXPECT_TRUE(PythonVersion(3, 13).atLeast(3, 11));
  EXPECT_FALSE(PythonVersion(3, 10).atLeast(3, 11));
}

TEST(PyInt, NormalizesAndPrintsBigValues) {
  // 2**63 does not fit in int64 as a positive value, but -2**63 does.
  std::vector<uint16_t> twoTo63 = {0, 0, 0, 0, 8}; // 8 * 2**60
  PyInt pos = PyInt::fromDigits(false, twoTo63);
  EXPECT_FALSE(pos.isSmall);
  EXPECT_EQ(pos.toDecimal(), "9223372036854775808");
  PyInt neg = PyInt::fromDigits(true, twoTo63);
  EXPECT_TRUE(neg.isSmall);
  EXPECT_EQ(neg.small, INT64_MIN);
  // 10**30
  PyInt big = PyInt::fromDigits(false, {});
  EXPECT_TRUE(big.isSmall);
  EXPECT_EQ(big.toDecimal(), "0");
  std::vector<uint16_t> d;
  unsigned __int128 v = 1;
  for (int i = 0; i < 30; ++i) v *= 10;
  while (v) { d.push_back(uint16_t(v & 0x7fff)); v >>= 15; }
  PyInt p = PyInt::fromDigits(true, d);
  EXPECT_EQ(p.toDecimal(), "-1000000000000000000000000000000");
  EXPECT_EQ(p.magnitudeDigits(), d);
}

TEST(Constant, StructuralEquality) {
  auto a = Constant::tuple({Constant::integer(1), Constant::string("x")});
  auto b = Constant::tuple({Constant::integer(1), Constant::string("x", true)});
  auto c = Constant::tuple({Constant::integer(1), Constant::string("y")});
  EXPECT_TRUE(a->equals(*b));
  EXPECT_FALSE(a->equals(*c));
  EXPECT_FALSE(Constant::floating(0.0)->equals(*Constant::floating(-0.0)));
  EXPECT_FALSE(Constant::boolean(true)->equals(*Constant::integer(1)));
}
