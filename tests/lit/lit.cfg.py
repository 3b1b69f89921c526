# lit configuration of bcc's pass tests: IR text in, IR text out, checked
# with FileCheck (the LLVM tools from Debian's llvm-14-tools).
#
#   ; RUN: %bcc opt --passes=const-fold -S %s | FileCheck %s
#
# tests/CMakeLists.txt writes lit.site.cfg.py with the paths of the bcc
# binary and FileCheck, and runs these as the CTest `lit`.
import os

import lit.formats

config.name = "bcc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".ir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.bcc_lit_exec_root
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in"]
config.substitutions.append(("%bcc", config.bcc_binary))
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))])
