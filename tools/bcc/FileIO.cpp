//===- tools/bcc/FileIO.cpp -----------------------------------------------===//

#include "tools/bcc/FileIO.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bcc {

Expected<std::string> readWholeFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error(std::string("cannot open: ") + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return Error(std::string("cannot read: ") + std::strerror(err));
  }
  std::string data;
  if (st.st_size > 0)
    data.reserve((size_t)st.st_size);
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int err = errno;
      ::close(fd);
      return Error(std::string("cannot read: ") + std::strerror(err));
    }
    if (n == 0)
      break;
    data.append(buffer, (size_t)n);
  }
  ::close(fd);
  return data;
}

/// Writes all of `data` to `fd`; errno on failure.
static int writeAll(int fd, const std::string &data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    done += (size_t)n;
  }
  return 0;
}

Status writeFileAtomically(const std::string &path, const std::string &data) {
  // A device, FIFO or socket (-o /dev/null, -o /dev/stdout) is written to
  // as it is: a rename would put a plain file in its place.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode))
      return Error(std::string("cannot write: ") + std::strerror(EISDIR));
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      return Error(std::string("cannot open: ") + std::strerror(errno));
    int err = writeAll(fd, data);
    if (::close(fd) != 0 && !err)
      err = errno;
    if (err)
      return Error(std::string("cannot write: ") + std::strerror(err));
    return Status::ok();
  }
  std::string tmp = path + ".bcc-tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error(std::string("cannot create: ") + std::strerror(errno));
  if (int err = writeAll(fd, data)) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return Error(std::string("cannot write: ") + std::strerror(err));
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Error(std::string("cannot write: ") + std::strerror(err));
  }
  return Status::ok();
}

} // namespace bcc
