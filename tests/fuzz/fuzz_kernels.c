/* tests/fuzz/fuzz_kernels.c: the libFuzzer target for the whole compile path
 * up to LLVM IR: each input is one .rlf source, compiled in-process (front
 * end as in fuzz_compile.c), then what `rlfc emit --kernels` does: the pass
 * pipeline at -O2 (fold, simplify, cse, dce, classify, fuse, schedule; the IR
 * verifier after the IR passes) and the kernels printed; then, per pipeline,
 * the runtime plan (backends/plan.c) and the LLVM IR of every kernel variant
 * (backends/llvm, not optimised or compiled: that is LLVM's own code, and
 * slow), which must pass LLVM's verifier. Diagnostics are collected, never
 * printed. A crash, a sanitizer report, a leak, a timeout or an
 * out-of-memory is a finding, and so are an internal error (the compiler
 * aborts on those itself, RLF_ICE) and LLVM IR that does not verify (the
 * target prints it and aborts).
 * Built and run by tests/fuzz/CMakeLists.txt (test fuzz.kernels). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <llvm-c/Analysis.h>
#include "compile.h"
#include "llvm_cg.h"
#include "pass.h"

#ifndef RLF_FUZZ_STDLIB_DIR
#error "build with -DRLF_FUZZ_STDLIB_DIR=\"<source>/stdlib\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void emit_llvm(Arena *a, const BePlan *bp)
{
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("fuzz", ctx);
    const char *prefix = arena_printf(a, "rlf_%s", bp->kp->p->name);
    if (!llvm_emit_kernels(ctx, mod, a, bp, prefix, LV_ALL)) {
        fprintf(stderr, "fuzz_kernels: llvm_emit_kernels failed for '%s'\n", bp->kp->p->name);
        abort();
    }
    char *msg = NULL;
    if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {
        fprintf(stderr, "fuzz_kernels: the LLVM IR of '%s' does not verify: %s\n", bp->kp->p->name, msg ? msg : "");
        abort();
    }
    LLVMDisposeMessage(msg);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
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
            for (int i = 0; i < c->module->pipelines.n; i++) {
                BePlan *bp = be_plan_build(c->arena, pc.kir[i], &c->diag);
                if (!bp) break;
                emit_llvm(c->arena, bp);
            }
    }
    rlf_compilation_free(c);
    return 0;
}
