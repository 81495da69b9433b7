/* backends/llvm/llvm_jit.c: in-process compilation with ORC LLJIT.
 * One JIT instance per compiled pipeline; its memory lives until
 * llvm_jit_free. Two modules, each in its own thread-safe context: the
 * contiguous kernel variants with the entry function, optimised and handed
 * to the JIT (which owns it from then on) at once; and the strided and
 * inner variants, kept aside until a call needs one (RtPlan.resolve), then
 * optimised and compiled. Kernel addresses go into the in-memory plan; the
 * entry function packs its DLTensor arguments and calls rt_plan_run on that
 * plan. Tests: tests/run/ on cpu (e2e.cpu-fortran for the lazy variants). */
#include "llvm.h"
#include "llvm_cg.h"
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct LlvmJit {
    LLVMOrcLLJITRef jit;
    BePlan *bp;
    void *entry;
    int opt;
    const char *(*lazy_sym)[2];     /* per kernel: its strided and inner variants' symbols, or NULL */
    pthread_mutex_t lock;           /* compiling a variant on first use */
    LLVMModuleRef lay;              /* the strided and inner variants, until then */
    LLVMOrcThreadSafeContextRef lay_ctx;
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

/* the kernel variants in `variants` (and the entry function); optimised
 * here unless opt < 0 (the JIT optimises a module when it compiles it) */
static LLVMModuleRef build_module(LLVMContextRef ctx, Arena *a, const BePlan *bp, int opt, unsigned variants, bool with_entry, DiagCtx *d)
{
    const char *prefix = arena_printf(a, "rlf_%s", bp->kp->p->name);
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext(variants & (1u << LV_CONTIG) ? prefix : arena_printf(a, "%s_layouts", prefix), ctx);
    if (!llvm_emit_kernels(ctx, mod, a, bp, prefix, variants)) { LLVMDisposeModule(mod); return NULL; }
    if (with_entry) emit_entry(ctx, mod, bp, prefix);
    if (opt < 0) return mod;
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
    LLVMModuleRef mod = build_module(ctx, a, bp, opt, LV_ALL, false, d);
    if (mod) {
        char *s = LLVMPrintModuleToString(mod);
        fputs(s, out);
        LLVMDisposeMessage(s);
        LLVMDisposeModule(mod);
    }
    LLVMContextDispose(ctx);
    return mod != NULL;
}

static bool add_module(LlvmJit *j, LLVMModuleRef mod, LLVMOrcThreadSafeContextRef tsc, DiagCtx *d)
{
    /* ownership: the thread-safe module takes the module; the JIT takes the
     * thread-safe module */
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(mod, tsc);
    LLVMErrorRef e = LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm);
    if (e) { jit_error(d, "cannot add a module", e); LLVMOrcDisposeThreadSafeModule(tsm); return false; }
    return true;
}

/* RtPlan.resolve: the strided (1) or inner (2) variant of kernel k, compiled
 * (with every other such variant of the pipeline: one module) on first use.
 * It runs on the callers' threads, so it touches nothing but this JIT (under
 * its lock): not the compilation's arena, which other JITs share. */
static RtKernelFn resolve(void *ctx, int32_t k, int32_t variant)
{
    LlvmJit *j = ctx;
    RtKernelSpec *ks = &j->bp->kernels[k];
    RtKernelFn *slot = variant == 2 ? &ks->scan_inner : &ks->strided;
    pthread_mutex_lock(&j->lock);
    RtKernelFn fn = *slot;
    if (!fn && j->lay) {
        /* optimised and handed to the JIT only now */
        char err[1024];
        LLVMTargetMachineRef tm = llvm_host_machine(err, sizeof err);
        bool ok = tm && llvm_optimize(j->lay, tm, j->opt, err, sizeof err);
        if (tm) LLVMDisposeTargetMachine(tm);
        if (ok) {
            LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(j->lay, j->lay_ctx);
            LLVMErrorRef e = LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm);
            if (e) {
                char *m = LLVMGetErrorMessage(e);
                fprintf(stderr, "rlf: cannot add the layout variants to the JIT: %s\n", m);
                LLVMDisposeErrorMessage(m);
                LLVMOrcDisposeThreadSafeModule(tsm);
            }
        } else {
            fprintf(stderr, "rlf: %s\n", err);
            LLVMDisposeModule(j->lay);
        }
        j->lay = NULL;
        LLVMOrcDisposeThreadSafeContext(j->lay_ctx);
        j->lay_ctx = NULL;
    }
    if (!fn) {
        const char *sym = j->lazy_sym[k][variant == 2];
        LLVMOrcExecutorAddress addr = 0;
        if (sym) {
            LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &addr, sym);
            if (e) { char *m = LLVMGetErrorMessage(e); fprintf(stderr, "rlf: cannot compile %s: %s\n", sym, m); LLVMDisposeErrorMessage(m); addr = 0; }
        }
        fn = (RtKernelFn)(uintptr_t)addr;
        __atomic_store_n(slot, fn, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&j->lock);
    return fn;
}

LlvmJit *llvm_jit_compile(Arena *a, const KirPipeline *kp, int opt, DiagCtx *d)
{
    BePlan *bp = be_plan_build(a, kp, d);
    if (!bp) return NULL;
    char err[256];
    LLVMTargetMachineRef probe = llvm_host_machine(err, sizeof err);   /* initialises the native target */
    if (!probe) { diag_error(d, SPAN_NONE, "%s", err); return NULL; }
    LLVMDisposeTargetMachine(probe);
    /* two modules: the contiguous variants and the entry function, compiled
     * now; the strided and inner variants (in a context of their own),
     * optimised and compiled by the first call that needs one (most
     * programs only ever use one layout) */
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMOrcThreadSafeContextRef lay_ctx = LLVMOrcCreateNewThreadSafeContext();
    LLVMModuleRef mod = build_module(LLVMOrcThreadSafeContextGetContext(tsc), a, bp, opt, 1u << LV_CONTIG, true, d);
    LLVMModuleRef lay = mod ? build_module(LLVMOrcThreadSafeContextGetContext(lay_ctx), a, bp, -1, LV_ALL & ~(1u << LV_CONTIG), false, d) : NULL;
    if (!lay) {
        if (mod) LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        LLVMOrcDisposeThreadSafeContext(lay_ctx);
        return NULL;
    }
    LlvmJit *j = calloc(1, sizeof *j);
    j->bp = bp;
    j->opt = opt;
    const char *prefix = arena_printf(a, "rlf_%s", kp->p->name);
    j->lazy_sym = arena_alloc(a, (size_t)(kp->kernels.n + 1) * sizeof *j->lazy_sym);
    for (int k = 0; k < kp->kernels.n; k++)
        for (int v = 0; v < 2; v++) {
            int lv = v ? LV_SCAN_INNER : LV_STRIDED;
            j->lazy_sym[k][v] = llvm_kernel_has_variant(kp, kp->kernels.v[k], lv) ? llvm_kernel_symbol(a, prefix, kp->kernels.v[k], lv) : NULL;
        }
    pthread_mutex_init(&j->lock, NULL);
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, LLVMOrcCreateLLJITBuilder());
    j->lay = lay;
    j->lay_ctx = lay_ctx;
    if (e) { jit_error(d, "cannot create the JIT", e); LLVMDisposeModule(mod); LLVMOrcDisposeThreadSafeContext(tsc); j->jit = NULL; llvm_jit_free(j); return NULL; }
    /* libm and the runtime resolve from this process */
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
    if (e) { jit_error(d, "cannot search this process for symbols", e); LLVMDisposeModule(mod); LLVMOrcDisposeThreadSafeContext(tsc); llvm_jit_free(j); return NULL; }
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->jit), gen);
    bool ok = add_module(j, mod, tsc, d);
    LLVMOrcDisposeThreadSafeContext(tsc);           /* the module holds the context now */
    if (!ok) { llvm_jit_free(j); return NULL; }
    for (int k = 0; k < kp->kernels.n; k++) {
        if (!llvm_kernel_has_variant(kp, kp->kernels.v[k], LV_CONTIG)) continue;
        LLVMOrcExecutorAddress addr = 0;
        e = LLVMOrcLLJITLookup(j->jit, &addr, llvm_kernel_symbol(a, prefix, kp->kernels.v[k], LV_CONTIG));
        if (e) { jit_error(d, "cannot compile a kernel", e); llvm_jit_free(j); return NULL; }
        if (kp->kernels.v[k]->host >= 0) bp->kernels[k].host = (RtHostFn)(uintptr_t)addr;
        else bp->kernels[k].contig = (RtKernelFn)(uintptr_t)addr;
    }
    bp->plan.resolve = resolve;
    bp->plan.resolve_ctx = j;
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
    if (j->lay) LLVMDisposeModule(j->lay);
    if (j->lay_ctx) LLVMOrcDisposeThreadSafeContext(j->lay_ctx);
    pthread_mutex_destroy(&j->lock);
    free(j);
}
