# tests/fuzz/run_fuzz.cmake: the ctest driver of the fuzzers (fuzz.* tests).
#   cmake -DFUZZER=<exe> -DWORK=<dir> -DDICT=<file> -DSEEDS=<dir|...>
#         -DGLOBS=<pattern|...> -DTIME=<s> -P run_fuzz.cmake
# Starts from a fresh copy of the seeds (every file in SEEDS, every file
# matching GLOBS) in WORK/corpus, runs the fuzzer there for TIME seconds and
# fails on any finding; the input that triggered it is left in WORK/artifacts/.
# A single input may take 30 s: the regression inputs of tests/fuzz/crashes
# that stop at a size limit take seconds under the sanitizers, and CI
# machines are loaded.
foreach(v FUZZER WORK DICT TIME)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_fuzz.cmake: ${v} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK}/corpus ${WORK}/artifacts)
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
set(seeds)
string(REPLACE "|" ";" SEEDS "${SEEDS}")
foreach(d ${SEEDS})
  file(GLOB s LIST_DIRECTORIES false ${d}/*)
  list(APPEND seeds ${s})
endforeach()
string(REPLACE "|" ";" GLOBS "${GLOBS}")
foreach(g ${GLOBS})
  file(GLOB s LIST_DIRECTORIES false ${g})
  list(APPEND seeds ${s})
endforeach()
list(LENGTH seeds nseeds)
if(nseeds EQUAL 0)
  message(FATAL_ERROR "run_fuzz.cmake: no seed inputs found")
endif()
file(COPY ${seeds} DESTINATION ${WORK}/corpus)

execute_process(
  COMMAND ${FUZZER} -max_total_time=${TIME} -timeout=30 -rss_limit_mb=2048
          -dict=${DICT} -artifact_prefix=${WORK}/artifacts/ -print_final_stats=1
          ${WORK}/corpus
  WORKING_DIRECTORY ${WORK}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found ${WORK}/artifacts/*)
  message(FATAL_ERROR "the fuzzer found a problem (exit status ${rc}); the input: ${found}")
endif()
