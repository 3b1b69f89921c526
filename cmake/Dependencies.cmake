# Third-party dependencies, all from Debian packages (see scripts/install-deps.sh).

# LLVM ADT and Support. Only the headers we use and the Support library they
# need are linked; nothing else of LLVM.
find_package(LLVM REQUIRED CONFIG
             HINTS /usr/lib/llvm-14/lib/cmake/llvm /usr/lib/cmake/llvm-14)
message(STATUS "LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")
add_library(bcc_llvm INTERFACE)
target_include_directories(bcc_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
target_compile_definitions(bcc_llvm INTERFACE ${LLVM_DEFINITIONS})
target_link_libraries(bcc_llvm INTERFACE LLVMSupport)

# Boost.Graph is header-only for what we use (dominators, loops).
find_package(Boost 1.74 REQUIRED)
add_library(bcc_boost INTERFACE)
target_link_libraries(bcc_boost INTERFACE Boost::headers)

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
