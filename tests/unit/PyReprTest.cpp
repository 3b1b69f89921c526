//===- tests/unit/PyReprTest.cpp - repr() of constants --------------------===//
//
// Every expectation below was printed by the real interpreters (pyenv builds
// 3.8.18 ... 3.13.0): floats and complex numbers by
//     for f in FLOATS: print('{%s, "%s"},' % (f.hex(), repr(f)))
//     for r, i in PAIRS: print(..., repr(complex(r, i)))
// under 3.8 and 3.13 (identical output), strings by printing
// repr(s.encode('utf-8', 'surrogatepass').decode(...)) under each of 3.8-3.13,
// the rest by repr() of the same values under 3.12. Inputs are written as
// hex float literals and octal UTF-8 bytes so the source stays ASCII.
//
//===----------------------------------------------------------------------===//

#include "ir/PyRepr.h"
#include "ir/CodeObject.h"
#include "ir/Constant.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace bcc;

namespace {

struct FloatCase {
  double value;
  const char *repr;
};

const FloatCase kFloats[] = {
    {0x0.0p+0, "0.0"},
    {-0x0.0p+0, "-0.0"},
    {0x1.0000000000000p+0, "1.0"},
    {-0x1.0000000000000p+0, "-1.0"},
    {0x1.8000000000000p+0, "1.5"},
    {0x1.999999999999ap-4, "0.1"},
    {0x1.3333333333333p-2, "0.3"},
    {0x1.5555555555555p-2, "0.3333333333333333"},
    {0x1.5555555555555p-1, "0.6666666666666666"},
    {0x1.9000000000000p+6, "100.0"},
    {0x1.81cd6c8b43958p+13, "12345.678"},
    {0x1.c6bf526340000p+49, "1000000000000000.0"},
    {0x1.1c37937e08000p+53, "1e+16"},
    {0x1.aa535d3d0c000p+53, "1.5e+16"},
    {0x1.1c37937e07fffp+53, "9999999999999998.0"},
    {0x1.b69b4ba630f35p+56, "1.2345678901234568e+17"},
    {0x1.0f0cf064dd592p+73, "1e+22"},
    {0x1.249ad2594c37dp+332, "1e+100"},
    {0x1.a36e2eb1c432dp-14, "0.0001"},
    {0x1.02c9dedbc309dp-13, "0.0001234"},
    {0x1.4f8b588e368f1p-17, "1e-05"},
    {0x1.f75104d551d69p-17, "1.5e-05"},
    {0x0.0000000000001p-1022, "5e-324"},
    {0x1.0000000000000p-1022, "2.2250738585072014e-308"},
    {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"},
    {0x1.0000000000000p+53, "9007199254740992.0"},
    {0x1.0000000000000p+63, "9.223372036854776e+18"},
    {0x1.0000000000000p-1, "0.5"},
    {0x1.ad7f29abcaf48p-24, "1e-07"},
    {0x1.921f9f01b866ep+1, "3.14159"},
    {INFINITY, "inf"},
    {-INFINITY, "-inf"},
    {0x1.1666666666666p+2, "4.35"},
    {0x1.3333333333334p-2, "0.30000000000000004"},
    {0x0.8d83aff3e96b1p-1022, "1.23e-308"},
};

TEST(PyRepr, Floats) {
  for (const FloatCase &c : kFloats)
    EXPECT_EQ(reprFloat(c.value), c.repr) << c.repr;
  EXPECT_EQ(reprFloat(NAN), "nan");
  EXPECT_EQ(reprFloat(-NAN), "nan"); // the sign of a NaN is not shown
}

struct ComplexCase {
  double real, imag;
  const char *repr;
};

const ComplexCase kComplex[] = {
    {0x0.0p+0, 0x1.0000000000000p+0, "1j"},
    {0x0.0p+0, 0x0.0p+0, "0j"},
    {0x0.0p+0, -0x0.0p+0, "-0j"},
    {-0x0.0p+0, 0x0.0p+0, "(-0+0j)"},
    {-0x0.0p+0, -0x0.0p+0, "(-0-0j)"},
    {0x1.0000000000000p+0, 0x1.0000000000000p+1, "(1+2j)"},
    {-0x0.0p+0, -0x1.0000000000000p+0, "(-0-1j)"},
    {0x1.8000000000000p+0, INFINITY, "(1.5+infj)"},
    {NAN, NAN, "(nan+nanj)"},
    {0x0.0p+0, 0x1.1c37937e08000p+53, "1e+16j"},
    {0x1.4f8b588e368f1p-17, -0x1.4000000000000p+1, "(1e-05-2.5j)"},
    {-INFINITY, 0x0.0p+0, "(-inf+0j)"},
    {0x0.0p+0, -INFINITY, "-infj"},
    {0x1.8000000000000p+1, -0x0.0p+0, "(3-0j)"},
    {0x0.0p+0, NAN, "nanj"},
};

TEST(PyRepr, Complex) {
  for (const ComplexCase &c : kComplex)
    EXPECT_EQ(reprComplex(c.real, c.imag), c.repr) << c.repr;
}

/// A literal with embedded NULs kept.
#define LIT(text) std::string(text, sizeof(text) - 1)

struct StringCase {
  std::string utf8;
  std::string repr;      // in every version unless printableFrom says so
  int printableFrom = 0; // minor version from which repr is 'utf8' as is
};

const StringCase kStrings[] = {
    {LIT(""), LIT("''")},
    {LIT("a"), LIT("'a'")},
    {LIT("it's"), LIT("\"it's\"")},
    {LIT("say \042hi\042"), LIT("'say \"hi\"'")},
    {LIT("both ' and \042"), LIT("'both \\' and \"'")},
    {LIT("back\134slash"), LIT("'back\\\\slash'")},
    {LIT("tab\011nl\012rc\015"), LIT("'tab\\tnl\\nrc\\r'")},
    {LIT("\000\037\177"), LIT("'\\x00\\x1f\\x7f'")},
    // U+0080 U+0085 U+00A0 U+00AD are escaped; U+00E9 U+00FF are not.
    {LIT("\302\200\302\205\302\240\302\255\303\251\303\277"),
     LIT("'\\x80\\x85\\xa0\\xad\303\251\303\277'")},
    {LIT("\304\200\342\200\250\343\200\200\357\273\277\357\277\277"),
     LIT("'\304\200\\u2028\\u3000\\ufeff\\uffff'")},
    // Lone surrogates, as marshal stores them (surrogatepass).
    {LIT("\355\240\200\355\277\277"), LIT("'\\ud800\\udfff'")},
    {LIT("\360\237\230\200\363\240\200\201\364\217\277\277"),
     LIT("'\360\237\230\200\\U000e0001\\U0010ffff'")},
    {LIT("\315\270"), LIT("'\\u0378'")}, // unassigned
    {LIT("caf\303\251 \344\270\255\346\226\207"),
     LIT("'caf\303\251 \344\270\255\346\226\207'")},
    // Assigned by a later Unicode version than some interpreters know.
    {LIT("\360\237\253\220"), LIT("'\\U0001fad0'"), 9},  // Unicode 13.0
    {LIT("\340\241\260"), LIT("'\\u0870'"), 11},         // Unicode 14.0
    {LIT("\360\237\253\250"), LIT("'\\U0001fae8'"), 12}, // Unicode 15.0
    {LIT("\360\261\215\220"), LIT("'\\U00031350'"), 12}, // Unicode 15.0
    {LIT("\360\256\257\260"), LIT("'\\U0002ebf0'"), 13}, // Unicode 15.1
    {LIT("\342\277\274"), LIT("'\\u2ffc'"), 13},         // Unicode 15.1
};

TEST(PyRepr, StringsPerVersion) {
  for (const StringCase &c : kStrings) {
    const std::string &input = c.utf8;
    for (PythonVersion v : kSupportedVersions) {
      std::string expected = c.repr;
      if (c.printableFrom && v.minor >= c.printableFrom)
        expected = "'" + input + "'";
      EXPECT_EQ(reprString(input, v), expected)
          << "Python " << v.str() << ", expected " << expected;
    }
  }
}

TEST(PyRepr, InvalidUtf8IsShownAsSurrogateEscape) {
  EXPECT_EQ(reprString("a\377b", {3, 12}), "'a\\udcffb'");
}

TEST(PyRepr, Bytes) {
  EXPECT_EQ(reprBytes(""), "b''");
  EXPECT_EQ(reprBytes("abc"), "b'abc'");
  EXPECT_EQ(reprBytes("it's"), "b\"it's\"");
  EXPECT_EQ(reprBytes("'\""), "b'\\'\"'");
  EXPECT_EQ(reprBytes(std::string("\000\377\\\t\n\r\177\200", 8)),
            "b'\\x00\\xff\\\\\\t\\n\\r\\x7f\\x80'");
}

ConstantRef str(const char *s) { return Constant::string(s); }
ConstantRef i64(int64_t v) { return Constant::integer(v); }

TEST(PyRepr, Singletons) {
  PythonVersion v{3, 12};
  EXPECT_EQ(pyRepr(*Constant::none(), v), "None");
  EXPECT_EQ(pyRepr(*Constant::boolean(true), v), "True");
  EXPECT_EQ(pyRepr(*Constant::boolean(false), v), "False");
  EXPECT_EQ(pyRepr(*Constant::ellipsis(), v), "Ellipsis");
  EXPECT_EQ(pyRepr(*Constant::stopIteration(), v), "<class 'StopIteration'>");
}

TEST(PyRepr, Ints) {
  PythonVersion v{3, 12};
  EXPECT_EQ(pyRepr(*i64(0), v), "0");
  EXPECT_EQ(pyRepr(*i64(-1), v), "-1");
  EXPECT_EQ(pyRepr(*i64(INT64_MIN), v), "-9223372036854775808");
  // 2**100 and -(10**30), as marshal digits (base 2**15, least first).
  EXPECT_EQ(pyRepr(*Constant::integer(
                       PyInt::fromDigits(false, {0, 0, 0, 0, 0, 0, 1024})),
                   v),
            "1267650600228229401496703205376");
  EXPECT_EQ(pyRepr(*Constant::integer(PyInt::fromDigits(
                       true, {0, 0, 14249, 13223, 19716, 26003, 807})),
                   v),
            "-1000000000000000000000000000000");
}

TEST(PyRepr, Containers) {
  PythonVersion v{3, 12};
  EXPECT_EQ(pyRepr(*Constant::tuple({}), v), "()");
  EXPECT_EQ(pyRepr(*Constant::tuple({i64(1)}), v), "(1,)");
  EXPECT_EQ(pyRepr(*Constant::tuple({i64(1), str("a")}), v), "(1, 'a')");
  EXPECT_EQ(pyRepr(*Constant::tuple({Constant::tuple({})}), v), "((),)");
  EXPECT_EQ(pyRepr(*Constant::list({}), v), "[]");
  EXPECT_EQ(pyRepr(*Constant::list({i64(1), i64(2)}), v), "[1, 2]");
  EXPECT_EQ(pyRepr(*Constant::set({}), v), "set()");
  EXPECT_EQ(pyRepr(*Constant::set({i64(1)}), v), "{1}");
  EXPECT_EQ(pyRepr(*Constant::frozenSet({}), v), "frozenset()");
  // Stored order is printed as is.
  EXPECT_EQ(pyRepr(*Constant::frozenSet({str("b"), i64(2), i64(1)}), v),
            "frozenset({'b', 2, 1})");
  EXPECT_EQ(pyRepr(*Constant::dict({}), v), "{}");
  EXPECT_EQ(pyRepr(*Constant::dict({{str("k"), Constant::none()},
                                    {i64(1), Constant::floating(0.5)}}),
                   v),
            "{'k': None, 1: 0.5}");
  EXPECT_EQ(pyRepr(*Constant::slice(i64(1), Constant::none(), str("x")), v),
            "slice(1, None, 'x')");
  EXPECT_EQ(
      pyRepr(*Constant::tuple({Constant::complex(1, 2),
                               Constant::floating(-0.0), Constant::bytes("b")}),
             v),
      "((1+2j), -0.0, b'b')");
}

TEST(PyRepr, CodeObjects) {
  auto code = std::make_shared<CodeObject>();
  code->version = {3, 12};
  code->name.utf8 = "<lambda>";
  code->fileName.utf8 = "dir/x.py";
  code->firstLineNo = 3;
  ConstantRef c = Constant::code(code);
  EXPECT_EQ(pyRepr(*c, PythonVersion{3, 12}),
            "<code object <lambda> at 0xbcc000000000, file \"dir/x.py\", "
            "line 3>");
  ReprOptions opts;
  opts.codeAddress = [](const CodeObject &) { return uint64_t(0x7f12); };
  EXPECT_EQ(pyRepr(*Constant::tuple({c}), opts),
            "(<code object <lambda> at 0x7f12, file \"dir/x.py\", line 3>,)");
}

} // namespace
