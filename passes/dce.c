/* passes/dce.c: drops the steps of tensors that no output depends on (an
 * unused intermediate, or a whole unused branch of a called pipeline). Runs
 * after cse, before classify. Tests: tests/passes/dce/. */
#include "pass.h"

static void mark_expr(const IrExpr *e, bool *live);

static void mark_tensor(const IrPipeline *p, int id, bool *live)
{
    if (live[id]) return;
    live[id] = true;
    const IrTensor *t = p->tensors.v[id];
    if (t->def) mark_expr(t->def->body, live);
    for (int k = 0; k < t->bounds.n; k++) mark_expr(t->bounds.v[k]->body, live);
}

static const IrPipeline *cur;

static void mark_expr(const IrExpr *e, bool *live)
{
    if (!e) return;
    if (e->op == IR_READ) mark_tensor(cur, e->u.tensor, live);
    for (int k = 0; k < e->nargs; k++) mark_expr(e->args[k], live);
    if (e->op == IR_REDUCE)
        for (int k = 0; k < e->u.red->nvars; k++) { mark_expr(e->u.red->lo[k], live); mark_expr(e->u.red->hi[k], live); }
}

bool pass_dce(PassCtx *c)
{
    for (int i = 0; i < c->m->pipelines.n; i++) {
        IrPipeline *p = c->m->pipelines.v[i];
        bool *live = arena_alloc(c->a, (size_t)p->tensors.n + 1);
        cur = p;
        /* walk steps backwards so an extern's inputs are marked once its outputs are */
        for (int k = 0; k < p->outputs.n; k++) if (p->outputs.v[k] >= 0) mark_tensor(p, p->outputs.v[k], live);
        for (int s = p->steps.n - 1; s >= 0; s--) {
            const IrStep *st = &p->steps.v[s];
            if (st->kind != STEP_EXTERN) continue;
            bool used = false;
            for (int k = 0; k < st->nout; k++) used |= live[st->out[k]];
            if (used) for (int k = 0; k < st->nin; k++) mark_tensor(p, st->in[k], live);
        }
        int n = 0;
        for (int s = 0; s < p->steps.n; s++) {
            const IrStep *st = &p->steps.v[s];
            bool keep = st->kind == STEP_DEF ? live[st->tensor] : false;
            if (st->kind == STEP_EXTERN) for (int k = 0; k < st->nout; k++) keep |= live[st->out[k]];
            if (keep) p->steps.v[n++] = *st;
        }
        p->steps.n = n;
        cur = NULL;
    }
    return true;
}
