# Warnings for our own targets: bcc_set_warnings(target)
function(bcc_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()
