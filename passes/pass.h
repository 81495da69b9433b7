/* passes/pass.h: the optimisation pipeline. IR passes rewrite the IR module
 * in place; `fuse` turns each pipeline into kernels (ir/kir.h) and
 * `schedule` decides how each kernel's loops run. The list of passes, in
 * order, is in passes/pipeline.c. Tests: tests/passes/, tests/run/ on cpu. */
#ifndef RLF_PASS_H
#define RLF_PASS_H
#include <stdio.h>
#include "../ir/kir.h"

typedef struct {
    IrModule *m;
    Arena *a;
    DiagCtx *d;
    KirPipeline **kir;            /* per pipeline, after fuse */
    int opt_level;                /* 0: no IR optimisation (fuse still runs) */
} PassCtx;

typedef bool (*PassFn)(PassCtx *c);

typedef struct {
    const char *name;
    PassFn run;
    bool is_ir;                   /* prints as IR (else as kernels) */
    bool at_O0;                   /* runs at -O0 too */
} PassInfo;

extern const PassInfo pass_list[];
extern const int pass_count;

bool pass_fold(PassCtx *c);
/* folds one node whose operands are constants (fold.c; simplify uses it too) */
IrExpr *pass_fold_node(Arena *a, IrExpr *e);
bool pass_simplify(PassCtx *c);
bool pass_cse(PassCtx *c);
bool pass_dce(PassCtx *c);
bool pass_classify(PassCtx *c);
bool pass_fuse(PassCtx *c);
bool pass_schedule(PassCtx *c);

typedef struct {
    int opt_level;
    const char *stop_after;       /* print after this pass and stop */
    FILE *print_to;
    bool time_passes;
} PassOptions;

/* runs the pipeline; false when a pass reports an error (in c->d). IR that
 * fails verification after a pass is a compiler bug: it aborts (RLF_ICE). */
bool pass_run_all(PassCtx *c, const PassOptions *o);

#endif
