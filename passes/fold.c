/* passes/fold.c: constant folding. An op whose operands are all constants
 * becomes the constant the interpreter would compute, through the scalar
 * semantics of ir/opsem.c (never re-implemented here, so a folded program
 * gives bit-identical results); a select with a constant condition becomes
 * its taken side, and `and` / `or` with a constant left operand
 * short-circuit exactly as they do at run time. Leaves (reads, index
 * variables, dims, params) and reductions are never folded themselves, but
 * everything inside them is. Nothing is reassociated or re-rounded.
 * Runs first among the IR passes, before simplify (not at -O0); simplify
 * also folds, through pass_fold_node, what its own rewrites make constant.
 * Tests: tests/passes/fold/; tests/passes/test_passes_exact.c checks that
 * results stay bit-identical. */
#include "pass.h"
#include "memo.h"
#include "../ir/opsem.h"

/* ---- folding one node whose operands are already folded ----------------- */

static RtVal value_of(const IrExpr *c)
{
    RtVal v;
    if (ty_is_float(c->ty)) v.f = c->u.f; else v.i = c->u.i;
    return v;
}

static IrExpr *make_const(Arena *a, IrType ty, RtVal v, Span sp)
{
    IrExpr *c = ir_expr(a, IR_CONST, ty, sp, 0);
    if (ty_is_float(ty)) c->u.f = v.f; else c->u.i = v.i;
    return c;
}

/* folds one node whose operands are already folded; returns e when nothing
 * applies. Also used by simplify for the constants its rules create. */
IrExpr *pass_fold_node(Arena *a, IrExpr *e)
{
    const IrOpInfo *oi = &ir_ops[e->op];
    IrExpr **x = e->args;
    switch (oi->cls) {
    case OC_LEAF: case OC_REDUCE: return e;
    case OC_SELECT:
        /* only the taken side is ever evaluated, so dropping the other one
         * (and its possibly out-of-range reads) changes nothing */
        if (x[0]->op == IR_CONST) return x[0]->u.i ? x[1] : x[2];
        return e;
    case OC_LOGIC:
        /* false and b == false, true and b == b, true or b == true,
         * false or b == b: the short circuit of ir.h, with b unevaluated */
        if (e->nargs == 2 && x[0]->op == IR_CONST) {
            bool l = x[0]->u.i != 0;
            if (e->op == IR_AND) return l ? x[1] : x[0];
            return l ? x[0] : x[1];
        }
        break;
    default: break;
    }
    RtVal v[3];
    if (e->nargs < 1 || e->nargs > 3) return e;
    for (int k = 0; k < e->nargs; k++) {
        if (x[k]->op != IR_CONST) return e;
        v[k] = value_of(x[k]);
    }
    /* the same calls, with the same operand types, as ir/interp.c's ev() */
    RtVal r;
    if (oi->cls == OC_CAST) r = opsem_cast(x[0]->ty, e->ty, v[0]);
    else if (e->op == IR_CLAMP) r = opsem_clamp(e->ty, v[0], v[1], v[2]);
    else if (e->nargs == 1) r = opsem_unary(e->op, e->ty, v[0]);
    else if (e->nargs == 2) r = opsem_binary(e->op, oi->cls == OC_CMP ? x[0]->ty : e->ty, v[0], v[1]);
    else return e;
    return make_const(a, e->ty, r, e->span);
}

static IrExpr *fold(IrMemo *m, IrExpr *e)
{
    if (!e) return NULL;
    bool found;
    IrExpr *done = ir_memo_get(m, e, &found);
    if (found) return done;
    for (int k = 0; k < e->nargs; k++) e->args[k] = fold(m, e->args[k]);
    if (e->op == IR_REDUCE)
        for (int k = 0; k < e->u.red->nvars; k++) {
            e->u.red->lo[k] = fold(m, e->u.red->lo[k]);
            e->u.red->hi[k] = fold(m, e->u.red->hi[k]);
        }
    IrExpr *r = pass_fold_node(m->a, e);
    ir_memo_put(m, e, r);
    return r;
}

bool pass_fold(PassCtx *c)
{
    IrMemo m = { c->a, NULL, 0, 0 };
    for (int i = 0; i < c->m->pipelines.n; i++) {
        IrPipeline *p = c->m->pipelines.v[i];
        for (int k = 0; k < p->tensors.n; k++) {
            IrTensor *t = p->tensors.v[k];
            if (t->def) t->def->body = fold(&m, t->def->body);
            for (int b = 0; b < t->bounds.n; b++) t->bounds.v[b]->body = fold(&m, t->bounds.v[b]->body);
        }
    }
    return true;
}
