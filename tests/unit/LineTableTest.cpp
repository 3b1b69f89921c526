//===- tests/unit/LineTableTest.cpp - Line and location tables ------------===//
//
// The cases were produced by running this under each interpreter (pyenv
// 3.8.18 ... 3.13.0) on one function with a try/except/finally, a loop, a
// call spanning two lines and a 300-line gap (long line deltas):
//
//   co = f.__code__; table = co.co_lnotab (<3.10) or co.co_linetable
//   print(table.hex(), co.co_firstlineno, len(co.co_code))
//   print(list(dis.findlinestarts(co)))            # 3.8, 3.9
//   print(list(co.co_lines()))                     # 3.10+
//   print(list(co.co_positions()))                 # 3.11+
//   print(co.co_exceptiontable.hex(), dis._parse_exception_table(co))
//
//===----------------------------------------------------------------------===//

#include "frontend/LineTable.h"
#include "frontend/ExceptionTable.h"
#include "ir/ExceptionTableFormat.h"

#include <gtest/gtest.h>
#include <optional>
#include <sstream>

using namespace bcc;

namespace {

constexpr std::optional<int32_t> kNone = std::nullopt;

std::string unhex(const std::string &hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += char(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

struct Case {
  PythonVersion version;
  std::string table;
  int32_t firstLineNo;
  size_t codeBytes;
  std::vector<std::pair<uint32_t, int32_t>> starts; // 3.8, 3.9
  std::vector<LineRange> lines;                     // 3.10+
  std::string positions;                            // 3.11+: "l,el,c,ec ..."
  std::string exceptionTable;                       // 3.11+
  std::vector<ExceptionTableEntry> entries;         // 3.11+
};

// clang-format off
const Case kCases[] = {
    {{3, 8}, "00010402020106fe08031001220206010801060102ff067f007f0030", 1, 102,
     /*starts*/ {{0, 2}, {4, 4}, {6, 5}, {12, 3}, {20, 6}, {36, 7}, {70, 9}, {76, 10}, {84, 11}, {90, 12}, {92, 11}, {98, 313}},
     /*lines*/ {},
     /*positions*/ "",
     /*exception table*/ "", {}},
    {{3, 9}, "00010402020106fe08030e01100204fe0e020c010801060102ff067f007f0030", 1, 106,
     /*starts*/ {{0, 2}, {4, 4}, {6, 5}, {12, 3}, {20, 6}, {34, 7}, {50, 9}, {54, 7}, {68, 9}, {80, 10}, {88, 11}, {94, 12}, {96, 11}, {102, 313}},
     /*lines*/ {},
     /*positions*/ "",
     /*exception table*/ "", {}},
    {{3, 10}, "04010202060108fe0e0310010602088002fd02fd0c0608010601020106ff007f007f0430", 1, 106,
     /*starts*/ {},
     /*lines*/ {{0, 4, 2}, {4, 6, 4}, {6, 12, 5}, {12, 20, 3}, {20, 34, 6}, {34, 50, 7}, {50, 56, 9}, {56, 64, kNone}, {64, 66, 6}, {66, 68, 3}, {68, 80, 9}, {80, 88, 10}, {88, 94, 11}, {94, 96, 12}, {96, 102, 11}, {102, 106, 313}},
     /*positions*/ "",
     /*exception table*/ "", {}},
    {{3, 11}, "8000f002070511e00c0dd80c0d90018945f005020d1388018801f8f506000c16f000010511f000010511f000010511d80f1088088808880888088808e00c1088018801f8f8f8f8f007010511f8f8f8f00700090af00c000d1188018801f8884488018808880888088808d80d0ef00002050ff00002050f8801d808098f038a038841d80c0df10301090ff40001090ff00001090ff00001090ff05c09000c0d8048", 1, 154,
     /*starts*/ {},
     /*lines*/ {{0, 2, 1}, {2, 4, 2}, {4, 6, 4}, {6, 8, 5}, {8, 10, 5}, {10, 14, 5}, {14, 16, 3}, {16, 18, 3}, {18, 20, 3}, {20, 22, kNone}, {22, 34, 6}, {34, 36, 6}, {36, 38, 6}, {38, 40, 6}, {40, 42, 7}, {42, 44, 7}, {44, 46, 7}, {46, 48, 7}, {48, 50, 7}, {50, 52, 7}, {52, 54, 9}, {54, 56, 9}, {56, 58, 9}, {58, 60, kNone}, {60, 62, kNone}, {62, 64, kNone}, {64, 66, kNone}, {66, 68, 6}, {68, 70, kNone}, {70, 72, kNone}, {72, 74, kNone}, {74, 76, 3}, {76, 78, 9}, {78, 80, 9}, {80, 82, 9}, {82, 84, kNone}, {84, 86, 9}, {86, 88, 9}, {88, 90, 9}, {90, 92, 9}, {92, 94, 9}, {94, 96, 9}, {96, 98, 10}, {98, 100, 10}, {100, 102, 10}, {102, 104, 10}, {104, 106, 11}, {106, 122, 11}, {122, 128, 11}, {128, 130, 11}, {130, 132, 12}, {132, 136, 11}, {136, 146, 11}, {146, 148, 11}, {148, 150, 11}, {150, 152, 313}, {152, 154, 313}},
     /*positions*/ "1,1,0,0 2,9,4,16 4,4,12,13 5,5,12,13 5,5,16,17 5,5,12,17 5,5,12,17 3,5,12,18 3,3,8,9 3,3,8,9 _,_,_,_ 6,6,11,21 6,6,11,21 6,6,11,21 6,6,11,21 6,6,11,21 6,6,11,21 6,7,4,16 6,7,4,16 6,7,4,16 7,7,15,16 7,7,8,16 7,7,8,16 7,7,8,16 7,7,8,16 7,7,8,16 9,9,12,16 9,9,8,9 9,9,8,9 _,_,_,_ _,_,_,_ _,_,_,_ _,_,_,_ 6,7,4,16 _,_,_,_ _,_,_,_ _,_,_,_ 3,3,8,9 9,9,12,16 9,9,8,9 9,9,8,9 _,_,_,_ 9,9,12,16 9,9,8,9 9,9,8,16 9,9,8,16 9,9,8,16 9,9,8,16 10,10,13,14 10,12,4,14 10,12,4,14 10,10,8,9 11,11,8,9 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,12,13 12,12,12,13 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 313,313,11,12 313,313,4,12",
     /*exception table*/ "82070a00890129008a0a220394011d0395012203960429009d052203a2032900a9042d03", {{4, 18, 20, 0, false}, {18, 20, 82, 0, false}, {20, 40, 68, 1, true}, {40, 42, 58, 1, true}, {42, 44, 68, 1, true}, {44, 52, 82, 0, false}, {58, 68, 68, 1, true}, {68, 74, 82, 0, false}, {82, 90, 90, 1, true}}},
    {{3, 12}, "8000f002070511e00c0dd80c0d90018945f005020d138901f00c000d118801d80d0ef20002050f8801d808098f0389038841d80c0df50301090ff00302050ff05e09000c0d8048f8f46709000c16f200010511d80f108c08e00c108901fbf007010511fbf006000d118901fa", 1, 144,
     /*starts*/ {},
     /*lines*/ {{0, 2, 1}, {2, 4, 2}, {4, 6, 4}, {6, 14, 5}, {14, 20, 3}, {20, 24, 9}, {24, 34, 10}, {34, 58, 11}, {58, 60, 12}, {60, 72, 11}, {72, 74, 10}, {74, 78, 313}, {78, 80, kNone}, {80, 96, 6}, {96, 108, 7}, {108, 114, 9}, {114, 122, kNone}, {122, 124, 6}, {124, 132, kNone}, {132, 138, 9}, {138, 144, kNone}},
     /*positions*/ "1,1,0,0 2,9,4,16 4,4,12,13 5,5,12,13 5,5,16,17 5,5,12,17 5,5,12,17 3,5,12,18 3,3,8,9 3,3,8,9 9,9,12,16 9,9,8,9 10,10,13,14 10,12,4,14 10,12,4,14 10,12,4,14 10,10,8,9 11,11,8,9 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,12,13 12,12,12,13 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 10,12,4,14 313,313,11,12 313,313,4,12 _,_,_,_ 6,6,11,21 6,6,11,21 6,6,11,21 6,6,11,21 6,6,11,21 6,7,4,16 6,7,4,16 6,7,4,16 7,7,15,16 7,7,8,16 7,7,8,16 7,7,8,16 7,7,8,16 7,7,8,16 9,9,12,16 9,9,8,9 9,9,8,9 _,_,_,_ _,_,_,_ _,_,_,_ _,_,_,_ 6,7,4,16 _,_,_,_ _,_,_,_ _,_,_,_ _,_,_,_ 9,9,12,16 9,9,8,9 9,9,8,9 _,_,_,_ _,_,_,_ _,_,_,_",
     /*exception table*/ "82072700a7093e03b0013903b1013e03b204410100b9053e03be03410100c10104410503", {{4, 18, 78, 0, false}, {78, 96, 124, 1, true}, {96, 98, 114, 1, true}, {98, 100, 124, 1, true}, {100, 108, 130, 0, false}, {114, 124, 124, 1, true}, {124, 130, 130, 0, false}, {130, 138, 138, 1, true}}},
    {{3, 13}, "8000f002070511e00c0dd80c0d90018945f005020d138901f00c000d118801db0d0e8801d808098f0389038841d80c0df60301090ff103000e0ff05e09000c0d8048f8f46709000c16f300010511d80f108c08e00c108901fbf007010511fbf006000d118901fa", 1, 150,
     /*starts*/ {},
     /*lines*/ {{0, 2, 1}, {2, 4, 2}, {4, 6, 4}, {6, 14, 5}, {14, 20, 3}, {20, 24, 9}, {24, 34, 10}, {34, 58, 11}, {58, 60, 12}, {60, 74, 11}, {74, 78, 10}, {78, 82, 313}, {82, 84, kNone}, {84, 102, 6}, {102, 114, 7}, {114, 120, 9}, {120, 128, kNone}, {128, 130, 6}, {130, 138, kNone}, {138, 144, 9}, {144, 150, kNone}},
     /*positions*/ "1,1,0,0 2,9,4,16 4,4,12,13 5,5,12,13 5,5,16,17 5,5,12,17 5,5,12,17 3,5,12,18 3,3,8,9 3,3,8,9 9,9,12,16 9,9,8,9 10,10,13,14 10,10,13,14 10,10,13,14 10,10,13,14 10,10,8,9 11,11,8,9 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,8,11 11,11,12,13 12,12,12,13 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 11,12,8,14 10,10,13,14 10,10,13,14 313,313,11,12 313,313,4,12 _,_,_,_ 6,6,11,21 6,6,11,21 6,6,11,21 6,6,11,21 6,6,11,21 6,7,4,16 6,7,4,16 6,7,4,16 6,7,4,16 7,7,15,16 7,7,8,16 7,7,8,16 7,7,8,16 7,7,8,16 7,7,8,16 9,9,12,16 9,9,8,9 9,9,8,9 _,_,_,_ _,_,_,_ _,_,_,_ _,_,_,_ 6,7,4,16 _,_,_,_ _,_,_,_ _,_,_,_ _,_,_,_ 9,9,12,16 9,9,8,9 9,9,8,9 _,_,_,_ _,_,_,_ _,_,_,_",
     /*exception table*/ "82072900a90a410103b3013c03b401410103b504410400bc05410103c10103410400c10404410803", {{4, 18, 82, 0, false}, {82, 102, 130, 1, true}, {102, 104, 120, 1, true}, {104, 106, 130, 1, true}, {106, 114, 136, 0, false}, {120, 130, 130, 1, true}, {130, 136, 136, 0, false}, {136, 144, 144, 1, true}}},
};
// clang-format on

std::optional<int32_t> field(const std::string &text) {
  if (text == "_")
    return std::nullopt;
  return std::stoi(text);
}

std::vector<SourcePosition> parsePositions(const std::string &text) {
  std::vector<SourcePosition> out;
  std::istringstream in(text);
  std::string item;
  while (in >> item) {
    std::istringstream parts(item);
    std::string a, b, c, d;
    std::getline(parts, a, ',');
    std::getline(parts, b, ',');
    std::getline(parts, c, ',');
    std::getline(parts, d, ',');
    out.push_back({field(a), field(b), field(c), field(d)});
  }
  return out;
}

TEST(LineTable, MatchesTheInterpreters) {
  for (const Case &c : kCases) {
    SCOPED_TRACE("Python " + c.version.str());
    auto table = LineTable::decode(c.version, unhex(c.table), c.firstLineNo,
                                   c.codeBytes);
    ASSERT_TRUE(table) << table.error().message;
    if (!c.version.atLeast(3, 10)) {
      // dis.findlinestarts: each range starts a new line.
      std::vector<std::pair<uint32_t, int32_t>> starts;
      for (const LineRange &r : table->ranges())
        starts.emplace_back(r.start, *r.line);
      EXPECT_EQ(starts, c.starts);
      ASSERT_FALSE(table->ranges().empty());
      EXPECT_EQ(table->ranges().back().end, c.codeBytes);
    } else {
      EXPECT_EQ(table->ranges(), c.lines);
    }
    if (c.version.atLeast(3, 11)) {
      std::vector<SourcePosition> expected = parsePositions(c.positions);
      ASSERT_EQ(table->coveredUnits(), expected.size());
      for (size_t unit = 0; unit < expected.size(); ++unit)
        EXPECT_EQ(table->position(unit), expected[unit]) << "unit " << unit;
      EXPECT_EQ(table->position(expected.size()), SourcePosition());
    }
    // The line of every unit agrees with the ranges.
    for (const LineRange &r : table->ranges())
      for (uint32_t off = r.start; off < r.end; off += 2)
        EXPECT_EQ(table->lineAt(off), r.line) << "offset " << off;
  }
}

TEST(ExceptionTable, MatchesTheInterpreters) {
  for (const Case &c : kCases) {
    if (!c.version.atLeast(3, 11))
      continue;
    SCOPED_TRACE("Python " + c.version.str());
    std::string raw = unhex(c.exceptionTable);
    auto entries = decodeExceptionTable(raw);
    ASSERT_TRUE(entries) << entries.error().message;
    EXPECT_EQ(*entries, c.entries);
    EXPECT_TRUE(validateExceptionTable(*entries, c.codeBytes));
    EXPECT_EQ(encodeExceptionTable(*entries), raw);
  }
}

TEST(ExceptionTable, DocumentedExample) {
  // InternalDocs/exception_handling.md: (20, 28, 100, 3, False) in units.
  auto entries = decodeExceptionTable(unhex("9408412406"));
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0], (ExceptionTableEntry{40, 56, 200, 3, false}));
}

TEST(ExceptionTableFormat, ReadsWhatItWrites) {
  // Values that need one to six chunks, and the depth/lasti packing.
  const ExceptionRange ranges[] = {{0, 1, 0, 0, false},
                                   {63, 64, 64, 31, true},
                                   {4095, 4096, 262143, 1u << 20, false},
                                   {0, UINT32_MAX, UINT32_MAX, 0, true}};
  std::string table;
  for (const ExceptionRange &r : ranges)
    writeExceptionRange(table, r);
  size_t pos = 0;
  for (const ExceptionRange &r : ranges) {
    Expected<ExceptionRange> back = readExceptionRange(table, pos);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->startUnit, r.startUnit);
    EXPECT_EQ(back->endUnit, r.endUnit);
    EXPECT_EQ(back->targetUnit, r.targetUnit);
    EXPECT_EQ(back->depth, r.depth);
    EXPECT_EQ(back->lasti, r.lasti);
  }
  EXPECT_EQ(pos, table.size());
}

TEST(ExceptionTable, RejectsMalformedTables) {
  // Truncated in the middle of an entry.
  auto truncated = decodeExceptionTable(unhex("940841"));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().offset, 3u);
  // No start marker on the first byte.
  EXPECT_FALSE(decodeExceptionTable(unhex("1408412406")));
  // A start marker inside an entry.
  EXPECT_FALSE(decodeExceptionTable(unhex("9488412406")));
  // A varint longer than 32 bits.
  EXPECT_FALSE(decodeExceptionTable(unhex("ff7f7f7f7f7f7f00000000")));
  // Entries that do not fit the code.
  EXPECT_FALSE(validateExceptionTable({{0, 0, 4, 0, false}}, 10));
  EXPECT_FALSE(validateExceptionTable({{0, 12, 4, 0, false}}, 10));
  EXPECT_FALSE(validateExceptionTable({{0, 4, 10, 0, false}}, 10));
  EXPECT_TRUE(decodeExceptionTable(""));
}

TEST(LineTable, RejectsMalformedTables) {
  EXPECT_FALSE(LineTable::decode({3, 8}, unhex("020100"), 1, 10));
  EXPECT_FALSE(LineTable::decode({3, 10}, unhex("02"), 1, 10));
  // 3.11+: an entry without its marker bit, a truncated long entry, an
  // overlong varint.
  EXPECT_FALSE(LineTable::decode({3, 11}, unhex("00"), 1, 2));
  EXPECT_FALSE(LineTable::decode({3, 12}, unhex("f002"), 1, 2));
  EXPECT_FALSE(
      LineTable::decode({3, 13}, unhex("f0ffffffffffff7f000000"), 1, 2));
}

/// decodeLocations() gives what decode() and position() give, or the same
/// error.
void expectLocationsAgree(PythonVersion version, const std::string &table,
                          int32_t firstLineNo, size_t codeBytes) {
  CodeObject code;
  code.version = version;
  code.lineTable = table;
  code.firstLineNo = firstLineNo;
  code.code.assign(codeBytes, '\0');
  auto expected = LineTable::decode(code);
  std::vector<SourceLocation> locations;
  Status got = LineTable::decodeLocations(code, locations);
  ASSERT_EQ(bool(got), bool(expected));
  if (!expected) {
    EXPECT_EQ(got.error().message, expected.error().message);
    return;
  }
  ASSERT_EQ(locations.size(), expected->coveredUnits());
  for (size_t unit = 0; unit < locations.size(); ++unit) {
    SourcePosition p = expected->position(unit);
    EXPECT_EQ(locations[unit], SourceLocation::fromOptionals(
                                   p.line, p.endLine, p.column, p.endColumn))
        << "unit " << unit;
  }
}

TEST(LineTable, DecodeLocationsAgreesWithDecode) {
  for (const Case &c : kCases) {
    SCOPED_TRACE("Python " + c.version.str());
    expectLocationsAgree(c.version, unhex(c.table), c.firstLineNo,
                         c.codeBytes);
  }
  for (const char *bad : {"00", "f002", "f0ffffffffffff7f000000", "d8", "e8",
                          "e880", "80", "8081", "f8", "f00001", "f0000000",
                          "e87f", "f07f02000000"})
    for (PythonVersion version : {PythonVersion{3, 11}, PythonVersion{3, 13}}) {
      SCOPED_TRACE(bad);
      expectLocationsAgree(version, unhex(bad), 1, 4);
    }
  // Line numbers at the edges of a C int, and -1 meaning "none".
  expectLocationsAgree({3, 12}, unhex("f003000000"), -1, 2);
  expectLocationsAgree({3, 12}, unhex("e803"), 0, 2);
  expectLocationsAgree({3, 12}, unhex("e80380"), INT32_MAX, 2);
  expectLocationsAgree({3, 12}, unhex("f001020304"), INT32_MAX, 2);
  expectLocationsAgree({3, 12}, unhex("f0000100"), INT32_MAX, 2);
}

TEST(LineTable, ToleratesWhatCPythonTolerates) {
  // An empty 3.11+ table: no positions at all.
  auto empty = LineTable::decode({3, 12}, "", 5, 8);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->ranges().empty());
  EXPECT_EQ(empty->position(0), SourcePosition());
  // An empty lnotab: everything is on the first line.
  auto lnotab = LineTable::decode({3, 9}, "", 7, 8);
  ASSERT_TRUE(lnotab);
  ASSERT_EQ(lnotab->ranges().size(), 1u);
  EXPECT_EQ(lnotab->ranges()[0], (LineRange{0, 8, 7}));
  // 3.10: a "no line" range, and a zero-length entry that only moves the
  // line.
  auto t310 = LineTable::decode({3, 10}, unhex("0280000a0201"), 3, 6);
  ASSERT_TRUE(t310);
  std::vector<LineRange> expected = {{0, 2, kNone}, {2, 4, 14}};
  EXPECT_EQ(t310->ranges(), expected);
}

} // namespace
