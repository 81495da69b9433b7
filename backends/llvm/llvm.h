/* backends/llvm/llvm.h: the CPU backend's entry points.
 *   llvm_jit_compile   scheduled pipeline -> native code in this process
 *                      (ORC LLJIT), with its runtime plan and an entry
 *                      function rlf_<name>(DLTensor *..., params, stream, err)
 *   llvm_emit_ir       the optimised LLVM IR as text (rlfc emit --llvm)
 *   llvm_build_aot     object file, shared library and C header (rlfc build)
 * Tests: tests/run/ on cpu, tests/aot/. */
#ifndef RLF_LLVM_H
#define RLF_LLVM_H
#include <stdio.h>
#include "../plan.h"

typedef struct LlvmJit LlvmJit;

LlvmJit *llvm_jit_compile(Arena *a, const KirPipeline *kp, int opt, DiagCtx *d);
void *llvm_jit_entry(LlvmJit *j);          /* int (*)(DLTensor*..., const void *params, void *stream, rlf_error *err) */
const BePlan *llvm_jit_plan(LlvmJit *j);
void llvm_jit_free(LlvmJit *j);

bool llvm_emit_ir(Arena *a, const KirPipeline *kp, int opt, FILE *out, DiagCtx *d);

typedef struct {
    const char *out_dir;
    const char *runtime_include;   /* runtime headers (rlf.h, rt_plan.h, ...) */
    const char *runtime_lib;       /* librlf_runtime.a */
    const char *cc;                /* C compiler driver for glue and linking */
    int opt;
} LlvmAotOptions;

bool llvm_build_aot(Arena *a, KirPipeline *const *kps, int n, const char *lib_name, const LlvmAotOptions *o, DiagCtx *d);

#endif
