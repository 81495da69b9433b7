/* tests/fuzz/fuzz_kernels.c: the libFuzzer target for the whole compile path
 * short of LLVM, what `rlfc emit --kernels` does: each input is one .rlf
 * source, compiled in-process (front end as in fuzz_compile.c), then the pass
 * pipeline at -O2 (fold, simplify, cse, dce, classify, fuse, schedule; the IR
 * verifier after the IR passes), the kernels printed, and the runtime plan
 * every backend derives from them built (backends/plan.c). Diagnostics are
 * collected, never printed. A crash, a sanitizer report, a leak, a timeout or
 * an out-of-memory is a finding, and so is an "internal error" diagnostic
 * (a compiler bug, not a user error): the target prints it and aborts.
 * Built and run by tests/fuzz/CMakeLists.txt (test fuzz.kernels). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"
#include "pass.h"
#include "plan.h"

#ifndef RLF_FUZZ_STDLIB_DIR
#error "build with -DRLF_FUZZ_STDLIB_DIR=\"<source>/stdlib\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void abort_on_internal_error(const DiagCtx *d)
{
    for (int i = 0; i < d->list.n; i++) {
        const char *msg = d->list.v[i].msg;
        if (msg && strncmp(msg, "internal error", 14) == 0) {
            fprintf(stderr, "fuzz_kernels: the compiler reported: %s\n", msg);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    RlfCompileOptions opts = { .stdlib_dir = RLF_FUZZ_STDLIB_DIR };
    RlfCompilation *c = rlf_compile_source("fuzz.rlf", (const char *)data, size, &opts);
    if (c && c->module) {
        PassCtx pc = { c->module, c->arena, &c->diag, NULL, 0 };
        PassOptions po = { 2, "schedule", sink, false };
        if (pass_run_all(&pc, &po))
            for (int i = 0; i < c->module->pipelines.n; i++)
                if (!be_plan_build(c->arena, pc.kir[i], &c->diag)) break;
    }
    if (c) abort_on_internal_error(&c->diag);
    rlf_compilation_free(c);
    return 0;
}
