/* passes/pipeline.c: the pass pipeline as a table of contents. The IR
 * verifier runs after every IR pass in builds with RLF_VERIFY_IR (the debug
 * preset) and always after the last one. */
#include "pass.h"
#include <string.h>
#include <time.h>

const PassInfo pass_list[] = {
    { "fold",     pass_fold,     true,  false },   /* constant folding from ir/opsem.c */
    { "simplify", pass_simplify, true,  false },   /* algebraic identities from ops.def */
    { "cse",      pass_cse,      true,  false },   /* shared subexpressions within a definition */
    { "dce",      pass_dce,      true,  true  },   /* tensors no output depends on */
    { "classify", pass_classify, true,  true  },   /* linear first-order recurrences */
    { "fuse",     pass_fuse,     false, true  },   /* tensors -> kernels */
    { "schedule", pass_schedule, false, true  },   /* loop order, threads, vector axis */
};
const int pass_count = sizeof pass_list / sizeof pass_list[0];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

bool pass_run_all(PassCtx *c, const PassOptions *o)
{
    c->opt_level = o->opt_level;
    for (int i = 0; i < pass_count; i++) {
        const PassInfo *pi = &pass_list[i];
        if (o->opt_level == 0 && !pi->at_O0) continue;
        double t0 = now();
        bool ok = pi->run(c);
        double t1 = now();
        if (o->time_passes) fprintf(stderr, "rlfc: pass %-9s %8.3f ms\n", pi->name, 1e3 * (t1 - t0));
        if (!ok) return false;
        bool verify = pi->is_ir;
#ifndef RLF_VERIFY_IR
        verify = verify && (i + 1 == pass_count || !pass_list[i + 1].is_ir);
#endif
        if (verify) {
            char why[512];
            if (!ir_verify(c->m, why, sizeof why)) {      /* a pass broke the IR: a compiler bug */
                char m[700];
                snprintf(m, sizeof m, "IR verification failed after pass '%s': %s", pi->name, why);
                RLF_ICE(m);
            }
        }
        if (o->stop_after && !strcmp(o->stop_after, pi->name)) {
            if (o->print_to) {
                if (pi->is_ir) ir_print_module(c->m, o->print_to);
                else for (int k = 0; k < c->m->pipelines.n; k++) kir_print(c->kir[k], o->print_to);
            }
            return true;
        }
    }
    return true;
}
