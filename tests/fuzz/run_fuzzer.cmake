#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
# One bounded libFuzzer run, as CTest runs it:
#   cmake -DFUZZER=<exe> -DCORPUS=<seed dir> -DWORK=<scratch dir> -DARTIFACTS=<dir> -DRUNS=<n>
#         [-DDICT=<file>] -P run_fuzzer.cmake
# libFuzzer writes the inputs it finds into the first corpus directory it is given: that is a
# scratch directory emptied before every run, so the committed seeds stay as they are and
# every run starts from the same place (with -seed=1, the same run).
foreach(var FUZZER CORPUS WORK ARTIFACTS RUNS)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "run_fuzzer.cmake: ${var} is not set")
    endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}" "${ARTIFACTS}")
set(args -runs=${RUNS} -seed=1 -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
         -artifact_prefix=${ARTIFACTS}/)
if(DICT)
    list(APPEND args -dict=${DICT})
endif()
execute_process(COMMAND "${FUZZER}" ${args} "${WORK}" "${CORPUS}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FUZZER} failed (${rc}); the input is in ${ARTIFACTS}")
endif()
