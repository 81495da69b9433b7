/* tests/fuzz/fuzz_compile.c: the libFuzzer target for the whole front end.
 * Each input is one .rlf source, compiled in-process the way `rlfc check`
 * does it: scan, parse, resolve imports, sema and bounds proofs, lowering,
 * IR verification. Diagnostics are collected, never printed. A crash, a
 * sanitizer report, a leak, a timeout or an out-of-memory is a finding, and
 * so is an internal error (the IR failing verification after sema, an
 * assertion): the compiler aborts on those itself (RLF_ICE).
 *
 * `import std.x` resolves to the source tree's stdlib/ (RLF_FUZZ_STDLIB_DIR,
 * set by tests/fuzz/CMakeLists.txt); any other import is read relative to
 * the current directory, which the ctest run sets to a scratch folder. */
#include <stddef.h>
#include <stdint.h>
#include "compile.h"

#ifndef RLF_FUZZ_STDLIB_DIR
#error "build with -DRLF_FUZZ_STDLIB_DIR=\"<source>/stdlib\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RlfCompileOptions opts = { .stdlib_dir = RLF_FUZZ_STDLIB_DIR };
    rlf_compilation_free(rlf_compile_source("fuzz.rlf", (const char *)data, size, &opts));
    return 0;
}
