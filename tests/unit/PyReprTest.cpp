//===- tests/unit/PyReprTest.cpp - repr() of constants --------------------===//
//
// Every expectation below was printed by the real interpreters (pyenv builds
// 3.8.18 ... 3.13.0): floats and complex numbers by
//     for f in FLOATS: print('{%s, "%s"},' % (f.hex(), repr(f)))
//     for r, i in PAIRS: print(..., repr(complex(r, i)))
// under 3.8 and 3.13 (identical output), strings by printing
// repr(s.encode('utf-8', 'surrogatepass').decode(...)) under each of 3.8-3.13,
// the rest by repr() of the same values under 3.12, hashes by hash() under
// 3.8 and 3.12 with PYTHONHASHSEED=0, set orders by
//     [elements.index(x) for x in frozenset(elements)]
// under 3.11, 3.12 and 3.13 (identical) with PYTHONHASHSEED=0. Inputs are
// written as hex float literals and octal UTF-8 bytes so the source stays
// ASCII.
//
//===----------------------------------------------------------------------===//

#include "ir/PyRepr.h"
#include "ir/CodeObject.h"
#include "ir/Constant.h"
#include "ir/PyHash.h"

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
    {LIT("\360\237\253\251"), LIT("'\\U0001fae9'"), 14}, // Unicode 16.0
    {LIT("\360\237\253\252"), LIT("'\\U0001faea'"), 15}, // Unicode 17.0
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
  // Up to 3.10 the stored order is printed as is.
  EXPECT_EQ(pyRepr(*Constant::frozenSet({str("b"), i64(2), i64(1)}), {3, 10}),
            "frozenset({'b', 2, 1})");
  EXPECT_EQ(pyRepr(*Constant::dict({}), v), "{}");
  EXPECT_EQ(pyRepr(*Constant::dict({{str("k"), Constant::none()},
                                    {i64(1), Constant::floating(0.5)}}),
                   v),
            "{'k': None, 1: 0.5}");
  EXPECT_EQ(pyRepr(*Constant::slice(i64(1), Constant::none(), str("x")), v),
            "slice(1, None, 'x')");
  // 3.15's frozendict_repr.
  EXPECT_EQ(pyRepr(*Constant::frozenDict({}), v), "frozendict()");
  EXPECT_EQ(pyRepr(*Constant::frozenDict({{str("a"), i64(1)},
                                          {i64(2), Constant::list({})}}),
                   v),
            "frozendict({'a': 1, 2: []})");
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
  // code_repr shows a first line of 0 as -1.
  code->firstLineNo = 0;
  EXPECT_EQ(pyRepr(*c, opts),
            "<code object <lambda> at 0x7f12, file \"dir/x.py\", line -1>");
}

ConstantRef f64(double v) { return Constant::floating(v); }
ConstantRef big(bool negative, std::vector<uint16_t> digits) {
  return Constant::integer(PyInt::fromDigits(negative, std::move(digits)));
}

struct HashCase {
  ConstantRef value;
  int64_t py38;  // SipHash-2-4 for str and bytes
  int64_t py312; // SipHash-1-3
};

TEST(PyHash, MatchesTheInterpreters) {
  const HashCase cases[] = {
      {str(""), 0LL, 0LL},
      {str("a"), -7583489610679606711LL, 4644417185603328019LL},
      {str("abcdefgh"), -1847705707669741165LL, 4574395652268504554LL},
      {str("abcdefghijklmno"), 1433117775615257267LL, 2293029479765367930LL},
      {str("\342\202\254"), -7838577127164893040LL, -5529981157763016009LL},
      {str("\360\237\230\200"), 2694534307785527896LL, -3536540696076613844LL},
      {str("\303\251t\303\251"), 9210628588244507898LL, -1033370291238291217LL},
      {Constant::bytes("a"), -7583489610679606711LL, 4644417185603328019LL},
      {Constant::bytes(""), 0LL, 0LL},
      {i64(0), 0LL, 0LL},
      {i64(-1), -2LL, -2LL},
      {i64(-2), -2LL, -2LL},
      {i64((int64_t(1) << 61) - 1), 0LL, 0LL},
      {i64(int64_t(1) << 61), 1LL, 1LL},
      {big(true, {0, 0, 0, 0, 0, 0, 1024}), -549755813888LL, -549755813888LL},
      {big(false, {0, 0, 14249, 13223, 19716, 26003, 807}),
       465258685558744706LL, 465258685558744706LL},
      {f64(1.5), 1152921504606846977LL, 1152921504606846977LL},
      {f64(-0.5), -1152921504606846976LL, -1152921504606846976LL},
      {f64(0.1), 230584300921369408LL, 230584300921369408LL},
      {f64(1e300), 1224995262755759164LL, 1224995262755759164LL},
      {f64(INFINITY), 314159LL, 314159LL},
      {f64(-2.0), -2LL, -2LL},
      {Constant::complex(0, 1), 1000003LL, 1000003LL},
      {Constant::complex(1.5, -2), 1152921504604846971LL,
       1152921504604846971LL},
      {Constant::tuple({}), 5740354900026072187LL, 5740354900026072187LL},
      {Constant::tuple({i64(1), str("a")}), 1230896556795382389LL,
       3906047847676358913LL},
      {Constant::frozenSet({i64(1), i64(2)}), -1826646154956904602LL,
       -1826646154956904602LL},
      {Constant::boolean(true), 1LL, 1LL},
      {Constant::boolean(false), 0LL, 0LL},
  };
  for (const HashCase &c : cases) {
    std::string what = pyRepr(*c.value, PythonVersion{3, 12});
    EXPECT_EQ(pyHash(*c.value, {3, 8}), c.py38) << what;
    EXPECT_EQ(pyHash(*c.value, {3, 12}), c.py312) << what;
  }
  // ((1,), 2) under 3.8 and ((1,), None) under 3.12.
  EXPECT_EQ(
      pyHash(*Constant::tuple({Constant::tuple({i64(1)}), i64(2)}), {3, 8}),
      1192742280400060608LL);
  EXPECT_EQ(
      pyHash(*Constant::tuple({Constant::tuple({i64(1)}), Constant::none()}),
             {3, 12}),
      3464388823207647117LL);
  // Address-based hashes are unknown.
  EXPECT_FALSE(pyHash(*Constant::none(), {3, 11}));
  EXPECT_FALSE(pyHash(*Constant::ellipsis(), {3, 13}));
  EXPECT_FALSE(pyHash(*f64(NAN), {3, 10}));
  EXPECT_EQ(pyHash(*f64(NAN), {3, 9}), 0);
  EXPECT_FALSE(pyHash(*Constant::list({}), {3, 12}));
}

TEST(PyHash, SetIterationOrder) {
  auto strs = [](std::vector<const char *> items) {
    Constant::Elements out;
    for (const char *s : items)
      out.push_back(str(s));
    return out;
  };
  auto ints = [](int64_t from, int64_t to, int64_t step) {
    Constant::Elements out;
    for (int64_t i = from; i < to; i += step)
      out.push_back(i64(i));
    return out;
  };
  Constant::Elements many;
  for (int i = 0; i < 40; ++i)
    many.push_back(str(("x" + std::to_string(i)).c_str()));
  struct OrderCase {
    Constant::Elements elements;
    std::vector<size_t> order;
  };
  const OrderCase cases[] = {
      {strs({"if", "else", "endif"}), {2, 0, 1}},
      {strs({"else", "endif", "if"}), {1, 0, 2}},
      {strs({"1", "2", "3"}), {1, 0, 2}},
      {strs({"SHA224", "SHA256", "sha224", "sha256"}), {1, 0, 2, 3}},
      {ints(-10, 30, 3), {4, 5, 6, 7, 8, 9, 10, 0, 11, 1, 12, 2, 13, 3}},
      {{str("a"), i64(1), i64(2)}, {1, 2, 0}},
      {{i64(8), i64(16), i64(0), i64(24)}, {0, 1, 2, 3}},
      {ints(0, 200, 8), {0,  16, 1,  17, 2,  18, 3,  19, 4,  20, 5,  21, 6,
                         22, 7,  23, 8,  24, 9,  10, 11, 12, 13, 14, 15}},
      {many, {0,  23, 39, 19, 11, 15, 4,  31, 3,  34, 7,  20, 26, 30,
              35, 28, 33, 12, 25, 22, 21, 32, 37, 18, 13, 29, 38, 27,
              9,  2,  5,  10, 36, 16, 14, 17, 8,  24, 6,  1}},
  };
  for (PythonVersion v :
       {PythonVersion{3, 11}, PythonVersion{3, 12}, PythonVersion{3, 13}})
    for (const OrderCase &c : cases) {
      auto order = setIterationOrder(c.elements, v);
      ASSERT_TRUE(order);
      EXPECT_EQ(*order, c.order)
          << pyRepr(*Constant::tuple(c.elements), v) << " on " << v.str();
    }
  EXPECT_FALSE(setIterationOrder({str("a"), Constant::none()}, {3, 11}));
}

TEST(PyRepr, SetsPrintInIterationOrderFrom311) {
  ConstantRef fs = Constant::frozenSet({str("a"), i64(1), i64(2)});
  EXPECT_EQ(pyRepr(*fs, PythonVersion{3, 10}), "frozenset({'a', 1, 2})");
  EXPECT_EQ(pyRepr(*fs, PythonVersion{3, 12}), "frozenset({1, 2, 'a'})");
  // None's hash is its address before 3.12: stored order.
  ConstantRef withNone = Constant::frozenSet({str("a"), Constant::none()});
  EXPECT_EQ(pyRepr(*withNone, PythonVersion{3, 11}), "frozenset({'a', None})");
}

} // namespace
