/* passes/classify.c: marks first-order linear recurrences
 *     x[t] = a[t] * x[t -+ 1] + b[t]     (a, b not reading x)
 * which cover GAE, lambda-returns, V-trace, Retrace and discounted returns.
 * Such scans are associative ((a1, b1) then (a2, b2) is (a1 a2, a2 b1 + b2))
 * and may run as parallel scans on GPUs or blocked on long T; others run
 * sequentially along the scan axis. Runs after dce, before fuse.
 * Tests: tests/passes/classify/. */
#include "pass.h"

/* is e a read of tensor self shifted by exactly one along the scan axis? */
static bool self_step(const IrTensor *t, int self, const IrExpr *e)
{
    if (e->op != IR_READ || e->u.tensor != self) return false;
    const IrExpr *ix = e->args[t->scan_axis];
    if (ix->op != IR_ADD && ix->op != IR_SUB) return false;
    const IrExpr *k = ix->args[1];
    if (ix->args[0]->op != IR_IVAR || k->op != IR_CONST) return false;
    int64_t off = ix->op == IR_ADD ? k->u.i : -k->u.i;
    return off == (t->scan_dir < 0 ? 1 : -1);
}

static bool linear(const IrTensor *t, int self, const IrExpr *e)
{
    while (e->op == IR_CAST && e->args[0]->ty == e->ty) e = e->args[0];
    if (e->op != IR_ADD) return false;
    for (int side = 0; side < 2; side++) {
        const IrExpr *p = e->args[side], *q = e->args[1 - side];
        if (ir_expr_reads(q, self)) continue;
        if (self_step(t, self, p)) return true;
        if (p->op == IR_MUL)
            for (int f = 0; f < 2; f++)
                if (self_step(t, self, p->args[f]) && !ir_expr_reads(p->args[1 - f], self)) return true;
    }
    return false;
}

bool pass_classify(PassCtx *c)
{
    for (int i = 0; i < c->m->pipelines.n; i++) {
        IrPipeline *p = c->m->pipelines.v[i];
        for (int k = 0; k < p->tensors.n; k++) {
            IrTensor *t = p->tensors.v[k];
            t->scan_linear = t->scan_axis >= 0 && t->def && linear(t, k, t->def->body);
        }
    }
    return true;
}
