/* tests/concurrent/test_concurrent_jit.c: the JIT through the library API,
 * used from several threads: stdlib/advantages.rlf is compiled once
 * (rlf_compile_file, the passes, llvm_jit_compile for gae and whiten), then
 * concurrent_calls.h calls both from 4 threads at once on three layouts, so
 * the lazily compiled strided and inner variants (RtPlan.resolve) are first
 * asked for by several threads together. Run by ctest (label concurrent),
 * under ThreadSanitizer in the tsan preset.
 * usage: test_concurrent_jit SRC_DIR */
#include "concurrent_calls.h"
#include "compile.h"
#include "llvm.h"
#include "pass.h"

static void *gae_entry, *whiten_entry;

typedef int (*GaeEntry)(const DLTensor *, const DLTensor *, const DLTensor *, const DLTensor *, const DLTensor *,
                        DLTensor *, DLTensor *, const void *params, void *stream, rlf_error *err);
typedef int (*WhitenEntry)(const DLTensor *, const DLTensor *, DLTensor *, const void *params, void *stream,
                           rlf_error *err);

static int jit_gae(const DLTensor *r, const DLTensor *v, const DLTensor *vn, const DLTensor *term,
                   const DLTensor *done, DLTensor *adv, DLTensor *ret, rlf_error *err)
{
    return ((GaeEntry)gae_entry)(r, v, vn, term, done, adv, ret, NULL, NULL, err);
}

static int jit_whiten(const DLTensor *x, const DLTensor *mask, DLTensor *y, rlf_error *err)
{
    return ((WhitenEntry)whiten_entry)(x, mask, y, NULL, NULL, err);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: %s SRC_DIR\n", argv[0]); return 2; }
    char path[4096], stdlib_dir[4096];
    snprintf(path, sizeof path, "%s/stdlib/advantages.rlf", argv[1]);
    snprintf(stdlib_dir, sizeof stdlib_dir, "%s/stdlib", argv[1]);
    RlfCompileOptions opts = { stdlib_dir };
    RlfCompilation *c = rlf_compile_file(path, &opts);
    PassCtx pc = { c ? c->module : NULL, c ? c->arena : NULL, c ? &c->diag : NULL, NULL, 0 };
    PassOptions po = { 2, NULL, NULL, false };
    if (!c || !c->module || !pass_run_all(&pc, &po)) {
        if (c) diag_print(&c->diag, stderr);
        fprintf(stderr, "FAIL: cannot compile %s\n", path);
        return 1;
    }
    LlvmJit *gae = NULL, *whiten = NULL;
    for (int i = 0; i < c->module->pipelines.n; i++) {
        const char *name = c->module->pipelines.v[i]->name;
        if (!strcmp(name, "gae")) gae = llvm_jit_compile(c->arena, pc.kir[i], 2, &c->diag);
        if (!strcmp(name, "whiten")) whiten = llvm_jit_compile(c->arena, pc.kir[i], 2, &c->diag);
    }
    if (!gae || !whiten) {
        diag_print(&c->diag, stderr);
        fprintf(stderr, "FAIL: cannot JIT-compile gae and whiten\n");
        return 1;
    }
    gae_entry = llvm_jit_entry(gae);
    whiten_entry = llvm_jit_entry(whiten);
    int rc = cc_run("test_concurrent_jit", jit_gae, jit_whiten);
    llvm_jit_free(gae);
    llvm_jit_free(whiten);
    rlf_compilation_free(c);
    return rc;
}
