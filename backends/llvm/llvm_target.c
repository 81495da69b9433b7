/* backends/llvm/llvm_target.c: the host target machine and the optimisation
 * pipeline (the new pass manager's default<O3>, or O0). */
#include "llvm_cg.h"
#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void init_native(void)
{
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
}

/* thread-safe: the JIT's lazy variants ask for it on their callers' threads */
LLVMTargetMachineRef llvm_host_machine(char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_native);
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    char *msg = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &msg)) {
        snprintf(err, errlen, "LLVM has no target for %s: %s", triple, msg ? msg : "");
        LLVMDisposeMessage(msg);
        LLVMDisposeMessage(triple);
        return NULL;
    }
    char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
    LLVMTargetMachineRef tm = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelAggressive,
                                                      LLVMRelocPIC, LLVMCodeModelDefault);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    LLVMDisposeMessage(triple);
    if (!tm) snprintf(err, errlen, "cannot create an LLVM target machine for the host");
    return tm;
}

static bool optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt, char *err, size_t errlen)
{
    char *msg = NULL;
    if (LLVMVerifyModule(mod, LLVMReturnStatusAction, &msg)) {   /* the emitter's bug, not the user's */
        char m[2048];
        snprintf(m, sizeof m, "generated LLVM IR does not verify: %s", msg ? msg : "");
        RLF_ICE(m);
    }
    LLVMDisposeMessage(msg);
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    char *dl = LLVMCopyStringRepOfTargetData(td);
    LLVMSetDataLayout(mod, dl);
    LLVMDisposeMessage(dl);
    LLVMDisposeTargetData(td);
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(mod, triple);
    LLVMDisposeMessage(triple);
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(po, opt > 0);
    LLVMPassBuilderOptionsSetSLPVectorization(po, opt > 0);
    LLVMPassBuilderOptionsSetLoopUnrolling(po, opt > 0);
    LLVMErrorRef e = LLVMRunPasses(mod, opt > 0 ? "default<O3>" : "default<O0>", tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
        char *m = LLVMGetErrorMessage(e);
        snprintf(err, errlen, "LLVM optimisation failed: %s", m);
        LLVMDisposeErrorMessage(m);
        return false;
    }
    return true;
}

/* LLVM's diagnostics during optimisation. Warnings and remarks ("loop not
 * vectorized" where llvm.loop.vectorize.enable asked for it) are hints
 * about code the user did not write: dropped. An error is kept and fails
 * the optimisation with LLVM's text. */
typedef struct { char *err; size_t errlen; bool failed; } Diags;

static void on_diagnostic(LLVMDiagnosticInfoRef di, void *ctx)
{
    Diags *d = ctx;
    if (LLVMGetDiagInfoSeverity(di) != LLVMDSError || d->failed) return;
    char *m = LLVMGetDiagInfoDescription(di);
    snprintf(d->err, d->errlen, "LLVM: %s", m ? m : "error");
    LLVMDisposeMessage(m);
    d->failed = true;
}

bool llvm_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt, char *err, size_t errlen)
{
    LLVMContextRef ctx = LLVMGetModuleContext(mod);
    LLVMDiagnosticHandler prev = LLVMContextGetDiagnosticHandler(ctx);
    void *prev_ctx = LLVMContextGetDiagnosticContext(ctx);
    Diags diags = { err, errlen, false };
    LLVMContextSetDiagnosticHandler(ctx, on_diagnostic, &diags);
    bool ok = optimize(mod, tm, opt, err, errlen);
    LLVMContextSetDiagnosticHandler(ctx, prev, prev_ctx);
    return ok && !diags.failed;
}
