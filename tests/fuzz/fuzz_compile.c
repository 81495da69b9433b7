/* tests/fuzz/fuzz_compile.c: the libFuzzer target for the whole front end.
 * Each input is one .rlf source, compiled in-process the way `rlfc check`
 * does it: scan, parse, resolve imports, sema and bounds proofs, lowering,
 * IR verification. Diagnostics are collected, never printed. A crash, a
 * sanitizer report, a leak, a timeout or an out-of-memory is a finding, and
 * so is an "internal error" diagnostic (the IR failing verification after
 * sema succeeded): that is a compiler bug, not a user error, so the target
 * prints it and aborts.
 *
 * `import std.x` resolves to the source tree's stdlib/ (RLF_FUZZ_STDLIB_DIR,
 * set by tests/fuzz/CMakeLists.txt); any other import is read relative to
 * the current directory, which the ctest run sets to a scratch folder. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"

#ifndef RLF_FUZZ_STDLIB_DIR
#error "build with -DRLF_FUZZ_STDLIB_DIR=\"<source>/stdlib\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RlfCompileOptions opts = { .stdlib_dir = RLF_FUZZ_STDLIB_DIR };
    RlfCompilation *c = rlf_compile_source("fuzz.rlf", (const char *)data, size, &opts);
    if (c) {
        for (int i = 0; i < c->diag.list.n; i++) {
            const char *msg = c->diag.list.v[i].msg;
            if (msg && strncmp(msg, "internal error", 14) == 0) {
                fprintf(stderr, "fuzz_compile: the compiler reported: %s\n", msg);
                abort();
            }
        }
    }
    rlf_compilation_free(c);
    return 0;
}
