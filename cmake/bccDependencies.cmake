# The third-party libraries bcc's libraries need, all from Debian packages
# (scripts/install-deps.sh), as imported targets:
#
#   bcc::llvm_headers  LLVM's include directory and definitions (ADT is
#                      header-only), for code that must not link LLVM: a
#                      pass plugin takes LLVMSupport from the executable
#   bcc::llvm          the same, and LLVMSupport
#   Boost::headers     Boost.Graph (header-only for what bcc uses)
#
# Read twice: by bcc's own build (cmake/Dependencies.cmake) and, installed
# beside it, by bccConfig.cmake in a project that uses the installed
# package; there a missing dependency makes find_package(bcc) fail with the
# dependency's name rather than a link error.

if(CMAKE_FIND_PACKAGE_NAME STREQUAL "bcc")
  # LLVM 14's package probes for terminfo by compiling C: a project that
  # enabled only C++ would fail inside find_package(LLVM).
  get_property(bcc_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "C" IN_LIST bcc_languages)
    enable_language(C)
  endif()
  unset(bcc_languages)
  include(CMakeFindDependencyMacro)
  find_dependency(LLVM CONFIG HINTS /usr/lib/llvm-14/lib/cmake/llvm /usr/lib/cmake/llvm-14)
  find_dependency(Boost 1.74)
else()
  find_package(LLVM REQUIRED CONFIG HINTS /usr/lib/llvm-14/lib/cmake/llvm /usr/lib/cmake/llvm-14)
  message(STATUS "LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")
  find_package(Boost 1.74 REQUIRED)
endif()

if(NOT TARGET bcc::llvm_headers)
  add_library(bcc::llvm_headers INTERFACE IMPORTED)
  # Imported include directories are system ones: LLVM's headers are not
  # held to bcc's warning flags.
  target_include_directories(bcc::llvm_headers INTERFACE ${LLVM_INCLUDE_DIRS})
  separate_arguments(bcc_llvm_definitions NATIVE_COMMAND "${LLVM_DEFINITIONS}")
  target_compile_definitions(bcc::llvm_headers INTERFACE ${bcc_llvm_definitions})
  unset(bcc_llvm_definitions)
  add_library(bcc::llvm INTERFACE IMPORTED)
  target_link_libraries(bcc::llvm INTERFACE bcc::llvm_headers LLVMSupport)
endif()
