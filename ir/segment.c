/* ir/segment.c: see segment.h. */
#include "segment.h"

bool ir_expr_uses_slot(const IrExpr *e, int slot)
{
    if (!e) return false;
    if (e->op == IR_IVAR) return e->u.slot == slot;
    for (int k = 0; k < e->nargs; k++) if (ir_expr_uses_slot(e->args[k], slot)) return true;
    if (e->op == IR_REDUCE)
        for (int k = 0; k < e->u.red->nvars; k++)
            if (ir_expr_uses_slot(e->u.red->lo[k], slot) || ir_expr_uses_slot(e->u.red->hi[k], slot)) return true;
    return false;
}

static const IrExpr *strip_int_casts(const IrExpr *e)
{
    while (e->op == IR_CAST && ty_is_int(e->ty) && ty_is_int(e->args[0]->ty) && ir_types[e->ty].size >= ir_types[e->args[0]->ty].size)
        e = e->args[0];
    return e;
}

/* key(n) == g, either way round */
static const IrExpr *match_eq(const IrExpr *e, int gslot)
{
    if (e->op != IR_EQ || !ty_is_int(e->args[0]->ty)) return NULL;
    for (int side = 0; side < 2; side++) {
        const IrExpr *g = strip_int_casts(e->args[side]), *k = e->args[1 - side];
        if (g->op == IR_IVAR && g->u.slot == gslot && !ir_expr_uses_slot(k, gslot)) return k;
    }
    return NULL;
}

bool ir_match_segment(const IrTensor *t, IrSegment *out)
{
    if (t->rank != 1 || t->scan_axis >= 0 || t->bounds.n || !t->def || t->def->axis_slot[0] < 0) return false;
    return ir_match_segment_expr(t->def->body, t->def->axis_slot[0], t->ty, out);
}

bool ir_match_segment_expr(const IrExpr *e, int g, IrType out_ty, IrSegment *out)
{
    if (e->op == IR_CAST) e = e->args[0];
    if (e->op != IR_REDUCE || e->u.red->nvars != 1 || !e->args[1]) return false;
    const IrReduce *r = e->u.red;
    switch (r->kind) {
    case RED_ARGMIN: case RED_ARGMAX: case RED_LOGSUMEXP: return false;
    default: break;
    }
    if (ir_expr_uses_slot(r->lo[0], g) || ir_expr_uses_slot(r->hi[0], g) || ir_expr_uses_slot(e->args[0], g)) return false;
    const IrExpr *m = e->args[1], *key = match_eq(m, g), *rest = NULL;
    if (!key && m->op == IR_AND) {
        for (int side = 0; side < 2 && !key; side++)
            if ((key = match_eq(m->args[side], g))) rest = m->args[1 - side];
        if (rest && ir_expr_uses_slot(rest, g)) return false;
    }
    if (!key) return false;
    out->reduce = e;
    out->key = key;
    out->rest = rest;
    out->out_ty = out_ty;
    out->var_slot = r->slots[0];
    return true;
}
