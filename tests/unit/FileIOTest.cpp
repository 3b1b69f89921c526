//===- tests/unit/FileIOTest.cpp - the driver's all-or-nothing writes -----===//
//
// writeFileAtomically replaces a plain file through a rename, but writes
// into a FIFO (standing for /dev/null or /dev/stdout, which a test must not
// risk) in place: `bcc opt -o /dev/null` once put a plain file where the
// device was.
//
//===----------------------------------------------------------------------===//

#include "tools/bcc/FileIO.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace bcc {
namespace {

class FileIOTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "bcc-fileio-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const char *name : {"/out", "/fifo"})
      ::unlink((dir_ + name).c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(FileIOTest, PlainFileIsReplacedWhole) {
  std::string path = dir_ + "/out";
  ASSERT_TRUE(writeFileAtomically(path, "first, longer"));
  ASSERT_TRUE(writeFileAtomically(path, "second"));
  Expected<std::string> back = readWholeFile(path);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "second");
}

TEST_F(FileIOTest, FifoIsWrittenIntoNotReplaced) {
  std::string path = dir_ + "/fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  // Opened read-write by the test itself, so that the writer's open does
  // not wait for a reader and what it writes stays in the pipe's buffer.
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  Status written = writeFileAtomically(path, "through the fifo");
  EXPECT_TRUE(written) << (written ? "" : written.error().message);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced by a file";
  char buffer[64] = {};
  ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  EXPECT_EQ(std::string(buffer, n > 0 ? size_t(n) : 0), "through the fifo");
}

TEST_F(FileIOTest, DirectoryIsAnError) {
  Status written = writeFileAtomically(dir_, "x");
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("Is a directory"), std::string::npos)
      << written.error().message;
}

} // namespace
} // namespace bcc
