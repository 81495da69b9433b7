/* backends/llvm/llvm_jit.c: in-process compilation with ORC LLJIT.
 * One JIT instance per compiled pipeline; its memory lives until
 * llvm_jit_free. The module is built in a thread-safe context, optimised,
 * then handed to the JIT (which owns it from then on). Kernel addresses go
 * into the in-memory plan; the entry function packs its DLTensor arguments
 * and calls rt_plan_run on that plan. Tests: tests/run/ on cpu. */
#include "llvm.h"
#include "llvm_cg.h"
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct LlvmJit {
    LLVMOrcLLJITRef jit;
    BePlan *bp;
    void *entry;
};

static void jit_error(DiagCtx *d, const char *what, LLVMErrorRef e)
{
    char *m = LLVMGetErrorMessage(e);
    diag_error(d, SPAN_NONE, "LLVM JIT: %s: %s", what, m);
    LLVMDisposeErrorMessage(m);
}

/* i32 rlf_<name>(i8* t0, ..., i8* params, i8* stream, i8* err) */
static void emit_entry(LLVMContextRef ctx, LLVMModuleRef mod, const BePlan *bp, const char *name)
{
    LLVMTypeRef i8 = LLVMInt8TypeInContext(ctx), p8 = LLVMPointerType(i8, 0), i32 = LLVMInt32TypeInContext(ctx),
                i64 = LLVMInt64TypeInContext(ctx);
    int na = bp->plan.nargs;
    LLVMTypeRef *at = calloc((size_t)na + 3, sizeof *at);
    for (int i = 0; i < na + 3; i++) at[i] = p8;
    LLVMValueRef fn = LLVMAddFunction(mod, name, LLVMFunctionType(i32, at, (unsigned)na + 3, 0));
    free(at);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "entry"));
    LLVMTypeRef arrt = LLVMArrayType(p8, (unsigned)(na ? na : 1));
    LLVMValueRef arr = LLVMBuildAlloca(b, arrt, "args");
    LLVMValueRef arr0 = LLVMBuildBitCast(b, arr, LLVMPointerType(p8, 0), "");
    for (int i = 0; i < na; i++) {
        LLVMValueRef ii = LLVMConstInt(i64, (unsigned long long)i, 0);
        LLVMBuildStore(b, LLVMGetParam(fn, (unsigned)i), LLVMBuildGEP2(b, p8, arr0, &ii, 1, ""));
    }
    /* the plan and the defaults live in host memory: their addresses are constants */
    LLVMValueRef plan = LLVMConstIntToPtr(LLVMConstInt(i64, (unsigned long long)(uintptr_t)&bp->plan, 0), p8);
    LLVMValueRef defs = LLVMConstIntToPtr(LLVMConstInt(i64, (unsigned long long)(uintptr_t)bp->defaults, 0), p8);
    LLVMValueRef params = LLVMGetParam(fn, (unsigned)na);
    LLVMValueRef isnull = LLVMBuildICmp(b, LLVMIntEQ, params, LLVMConstNull(p8), "");
    params = LLVMBuildSelect(b, isnull, defs, params, "");
    LLVMTypeRef rt_args[4] = { p8, LLVMPointerType(p8, 0), p8, p8 };
    LLVMTypeRef rt_ty = LLVMFunctionType(i32, rt_args, 4, 0);
    LLVMValueRef rt = LLVMConstIntToPtr(LLVMConstInt(i64, (unsigned long long)(uintptr_t)&rt_plan_run, 0), LLVMPointerType(rt_ty, 0));
    LLVMValueRef cargs[4] = { plan, arr0, params, LLVMGetParam(fn, (unsigned)na + 2) };
    LLVMBuildRet(b, LLVMBuildCall2(b, rt_ty, rt, cargs, 4, ""));
    LLVMDisposeBuilder(b);
}

static LLVMModuleRef build_module(LLVMContextRef ctx, Arena *a, const BePlan *bp, int opt, bool with_entry, DiagCtx *d)
{
    const char *prefix = arena_printf(a, "rlf_%s", bp->kp->p->name);
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext(prefix, ctx);
    if (!llvm_emit_kernels(ctx, mod, a, bp, prefix)) { LLVMDisposeModule(mod); return NULL; }
    if (with_entry) emit_entry(ctx, mod, bp, prefix);
    char err[1024];
    LLVMTargetMachineRef tm = llvm_host_machine(err, sizeof err);
    if (!tm) { diag_error(d, SPAN_NONE, "%s", err); LLVMDisposeModule(mod); return NULL; }
    bool ok = llvm_optimize(mod, tm, opt, err, sizeof err);
    LLVMDisposeTargetMachine(tm);
    if (!ok) { diag_error(d, SPAN_NONE, "%s", err); LLVMDisposeModule(mod); return NULL; }
    return mod;
}

bool llvm_emit_ir(Arena *a, const KirPipeline *kp, int opt, FILE *out, DiagCtx *d)
{
    BePlan *bp = be_plan_build(a, kp, d);
    if (!bp) return false;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = build_module(ctx, a, bp, opt, false, d);
    if (mod) {
        char *s = LLVMPrintModuleToString(mod);
        fputs(s, out);
        LLVMDisposeMessage(s);
        LLVMDisposeModule(mod);
    }
    LLVMContextDispose(ctx);
    return mod != NULL;
}

LlvmJit *llvm_jit_compile(Arena *a, const KirPipeline *kp, int opt, DiagCtx *d)
{
    BePlan *bp = be_plan_build(a, kp, d);
    if (!bp) return NULL;
    char err[256];
    LLVMTargetMachineRef probe = llvm_host_machine(err, sizeof err);   /* initialises the native target */
    if (!probe) { diag_error(d, SPAN_NONE, "%s", err); return NULL; }
    LLVMDisposeTargetMachine(probe);
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMModuleRef mod = build_module(LLVMOrcThreadSafeContextGetContext(tsc), a, bp, opt, true, d);
    if (!mod) { LLVMOrcDisposeThreadSafeContext(tsc); return NULL; }
    LlvmJit *j = calloc(1, sizeof *j);
    j->bp = bp;
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, LLVMOrcCreateLLJITBuilder());
    if (e) { jit_error(d, "cannot create the JIT", e); LLVMDisposeModule(mod); LLVMOrcDisposeThreadSafeContext(tsc); free(j); return NULL; }
    /* libm and the runtime resolve from this process */
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
    if (e) { jit_error(d, "cannot search this process for symbols", e); LLVMDisposeModule(mod); LLVMOrcDisposeThreadSafeContext(tsc); llvm_jit_free(j); return NULL; }
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->jit), gen);
    /* ownership: the thread-safe module takes the module; the JIT takes the
     * thread-safe module; our reference to the context can go */
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(mod, tsc);
    LLVMOrcDisposeThreadSafeContext(tsc);
    e = LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm);
    if (e) { jit_error(d, "cannot add the module", e); LLVMOrcDisposeThreadSafeModule(tsm); llvm_jit_free(j); return NULL; }
    const char *prefix = arena_printf(a, "rlf_%s", kp->p->name);
    for (int k = 0; k < kp->kernels.n; k++)
        for (int v = 0; v < LV_COUNT; v++) {
            if (!llvm_kernel_has_variant(kp, kp->kernels.v[k], v)) continue;
            LLVMOrcExecutorAddress addr = 0;
            e = LLVMOrcLLJITLookup(j->jit, &addr, llvm_kernel_symbol(a, prefix, kp->kernels.v[k], v));
            if (e) { jit_error(d, "cannot find a kernel", e); llvm_jit_free(j); return NULL; }
            RtKernelFn fn = (RtKernelFn)(uintptr_t)addr;
            if (kp->kernels.v[k]->host >= 0) bp->kernels[k].host = (RtHostFn)(uintptr_t)addr;
            else if (v == LV_CONTIG) bp->kernels[k].contig = fn;
            else if (v == LV_STRIDED) bp->kernels[k].strided = fn;
            else bp->kernels[k].scan_inner = fn;
        }
    LLVMOrcExecutorAddress addr = 0;
    e = LLVMOrcLLJITLookup(j->jit, &addr, prefix);
    if (e) { jit_error(d, "cannot find the entry function", e); llvm_jit_free(j); return NULL; }
    j->entry = (void *)(uintptr_t)addr;
    return j;
}

void *llvm_jit_entry(LlvmJit *j) { return j->entry; }
const BePlan *llvm_jit_plan(LlvmJit *j) { return j->bp; }

void llvm_jit_free(LlvmJit *j)
{
    if (!j) return;
    if (j->jit) LLVMOrcDisposeLLJIT(j->jit);
    free(j);
}
