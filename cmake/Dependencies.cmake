# Third-party dependencies, all from Debian packages (see scripts/install-deps.sh).

# LLVM ADT and Support, and Boost.Graph: in a file of their own, which the
# installed CMake package reads too (cmake/Install.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/bccDependencies.cmake)

# mimalloc replaces malloc/free in the bcc driver only (never in a library
# that another program loads, such as the Python module).
set(BCC_USE_MIMALLOC OFF)
if(BCC_MIMALLOC AND NOT BCC_SANITIZE AND NOT BCC_FUZZ)
  find_package(mimalloc CONFIG QUIET)
  if(mimalloc_FOUND)
    set(BCC_USE_MIMALLOC ON)
    message(STATUS "mimalloc ${mimalloc_VERSION}: the bcc driver uses it")
  else()
    message(STATUS "mimalloc not found: the bcc driver uses the C library's malloc")
  endif()
endif()

if(BCC_BUILD_TESTS)
  find_package(GTest REQUIRED CONFIG)
endif()
