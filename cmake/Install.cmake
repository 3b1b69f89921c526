# `cmake --install BUILD --prefix P`: bcc as a library other projects use
# (docs/embedding.md).
#
#   P/bin/bcc                       the driver
#   P/include/bcc/{ir,frontend,backend,passes}/*.h
#                                   the public headers, so that
#                                   `#include "ir/IR.h"` works with
#                                   P/include/bcc on the include path
#   P/lib/libbcc_*.a                the four libraries
#   P/lib/cmake/bcc/                bccConfig.cmake, its version file, the
#                                   exported targets and bccDependencies.cmake
#
# The targets, after find_package(bcc CONFIG):
#
#   bcc::bcc      every library in link order with LLVM Support and Boost:
#                 what a tool links
#   bcc::headers  the headers and what they need (C++17, LLVM's and Boost's
#                 headers), no library: what a pass plugin links, since it
#                 takes every symbol from the bcc executable that loads it
#   bcc::ir, bcc::frontend, bcc::backend, bcc::passes   the layers alone
#
# Public headers are those a tool or a plugin needs: reading .pyc, lifting,
# the IR and its analyses, the pass manager, registry, options and plugin
# API, lowering and writing .pyc. The rest (the lifter's CFG and decoder,
# the backend's scheduler and encoders, the passes' shared internals and
# the built-in pass factories, marshal's format tables) stays private; no
# installed header includes one of them (the install test compiles them
# all against the installed tree alone).

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BCC_PUBLIC_HEADERS_ir
  Block.h CallProtocol.h CodeObject.h Constant.h ControlFlowGraph.h
  Dominators.h Function.h IR.h IRBuilder.h IRParser.h IRPrinter.h
  Instruction.h Loops.h MaybeNull.h Opcodes.h Ops.def Ops.h PyRepr.h
  PycFile.h PythonVersion.h SourceLocation.h Support.h Value.h Verifier.h)
set(BCC_PUBLIC_HEADERS_frontend Disassembler.h Lifter.h MarshalReader.h)
set(BCC_PUBLIC_HEADERS_backend Lowering.h MarshalWriter.h)
set(BCC_PUBLIC_HEADERS_passes
  Options.h Pass.h PassManager.h PassPlugin.h PassRegistry.h Pipelines.h)

foreach(layer ir frontend backend passes)
  list(TRANSFORM BCC_PUBLIC_HEADERS_${layer} PREPEND ${PROJECT_SOURCE_DIR}/${layer}/
       OUTPUT_VARIABLE files)
  install(FILES ${files} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bcc/${layer})
endforeach()

install(TARGETS bcc_headers bcc_ir bcc_frontend bcc_backend bcc_passes bcc_all
        EXPORT bccTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS bcc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

file(STRINGS ${PROJECT_SOURCE_DIR}/passes/PassPlugin.h version_line
     REGEX "^#define BCC_PLUGIN_API_VERSION [0-9]+$")
string(REGEX REPLACE ".* " "" BCC_PLUGIN_API_VERSION "${version_line}")

set(BCC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/bcc)
install(EXPORT bccTargets NAMESPACE bcc:: DESTINATION ${BCC_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/bccConfig.cmake.in
  ${PROJECT_BINARY_DIR}/bccConfig.cmake
  INSTALL_DESTINATION ${BCC_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same major.minor
# matches.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/bccConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/bccConfig.cmake
              ${PROJECT_BINARY_DIR}/bccConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/bccDependencies.cmake
        DESTINATION ${BCC_CMAKE_DIR})
