/* ir/verify.c: structural invariants of the IR, checked after sema and (in
 * debug builds) after every pass: operand counts from ops.def, operand types
 * agree with the node's class, reads name tensors defined by an earlier step
 * (or the tensor itself along its scan axis) with one subscript per axis,
 * index variables are bound, reductions are well formed.
 * Tests: tests/unit/test_verify.c and every compile in the suite. */
#include "ir.h"
#include <stdio.h>

typedef struct { const IrModule *m; const IrPipeline *p; const bool *ready; int self; int nslots; char *why; int len; bool ok; } V;

static void bad(V *v, const char *what, const IrExpr *e)
{
    if (!v->ok) return;
    v->ok = false;
    snprintf(v->why, (size_t)v->len, "pipeline '%s': %s (op %s)", v->p->name, what, e ? ir_ops[e->op].name : "-");
}

static void vexpr(V *v, const IrExpr *e)
{
    if (!e) { bad(v, "missing expression", NULL); return; }
    if (!v->ok) return;
    const IrOpInfo *oi = &ir_ops[e->op];
    if (e->op >= IR_OP_COUNT || e->ty >= TY_COUNT) { bad(v, "bad op or type", NULL); return; }
    if (oi->arity >= 0 && e->nargs != oi->arity) { bad(v, "wrong operand count", e); return; }
    switch (e->op) {
    case IR_IVAR: if (e->u.slot < 0 || e->u.slot >= v->nslots) bad(v, "unbound index variable", e); return;
    case IR_DIM: if (e->u.dim < 0 || e->u.dim >= v->p->dims.n) bad(v, "bad dim", e); return;
    case IR_PARAM: if (e->u.param < 0 || e->u.param >= v->p->params.n) bad(v, "bad param", e); return;
    case IR_CONST: return;
    case IR_READ: {
        if (e->u.tensor < 0 || e->u.tensor >= v->p->tensors.n) { bad(v, "read of an unknown tensor", e); return; }
        const IrTensor *t = v->p->tensors.v[e->u.tensor];
        if (!v->ready[e->u.tensor] && e->u.tensor != v->self) { bad(v, "read of a tensor before its step", e); return; }
        if (e->nargs != t->rank) { bad(v, "subscript count differs from rank", e); return; }
        if (e->ty != t->ty) { bad(v, "read type differs from tensor type", e); return; }
        for (int k = 0; k < e->nargs; k++) {
            vexpr(v, e->args[k]);
            if (v->ok && e->args[k]->ty != TY_I64) bad(v, "subscript is not i64", e);
        }
        return;
    }
    case IR_REDUCE: {
        const IrReduce *r = e->u.red;
        if (!r || r->nvars < 1) { bad(v, "reduction without variables", e); return; }
        for (int k = 0; k < r->nvars; k++) {
            if (r->slots[k] < 0 || r->slots[k] >= v->nslots) { bad(v, "reduction variable slot out of range", e); return; }
            vexpr(v, r->lo[k]); vexpr(v, r->hi[k]);
        }
        vexpr(v, e->args[0]);
        if (e->args[1]) { vexpr(v, e->args[1]); if (v->ok && e->args[1]->ty != TY_BOOL) bad(v, "mask is not bool", e); }
        return;
    }
    default: break;
    }
    for (int k = 0; k < e->nargs; k++) vexpr(v, e->args[k]);
    if (!v->ok) return;
    switch (oi->cls) {
    case OC_ARITH: case OC_NMATH: case OC_FMATH:
        for (int k = 0; k < e->nargs; k++)
            if (e->args[k]->ty != e->ty) { bad(v, "operand type differs from result type", e); return; }
        if (oi->cls == OC_FMATH && !ty_is_float(e->ty)) bad(v, "float op on a non-float type", e);
        if ((oi->flags & OF_INT) && !ty_is_int(e->ty)) bad(v, "integer op on a non-integer type", e);
        if (ir_types[e->ty].flags & TF_STORAGE) bad(v, "arithmetic in a storage-only type", e);
        break;
    case OC_CMP:
        if (e->ty != TY_BOOL || e->args[0]->ty != e->args[1]->ty) bad(v, "comparison operand types differ", e);
        break;
    case OC_LOGIC:
        for (int k = 0; k < e->nargs; k++) if (e->args[k]->ty != TY_BOOL) bad(v, "logic on non-bool", e);
        break;
    case OC_SELECT:
        if (e->args[0]->ty != TY_BOOL || e->args[1]->ty != e->ty || e->args[2]->ty != e->ty) bad(v, "select types", e);
        break;
    default: break;
    }
}

static void vdef(V *v, const IrTensor *t, const IrDef *d)
{
    if (!d || !d->body) { bad(v, "definition without a body", NULL); return; }
    v->nslots = d->nslots;
    for (int k = 0; k < t->rank; k++)
        if (d->axis_slot[k] >= d->nslots) bad(v, "axis slot out of range", NULL);
    vexpr(v, d->body);
    if (v->ok && d->body->ty != t->ty) bad(v, "definition type differs from tensor type", d->body);
}

bool ir_verify(const IrModule *m, char *why, int len)
{
    for (int i = 0; i < m->pipelines.n; i++) {
        const IrPipeline *p = m->pipelines.v[i];
        bool ready[IR_MAX_TENSORS] = { 0 };
        V v = { m, p, ready, -1, 0, why, len, true };
        if (p->tensors.n > IR_MAX_TENSORS) { snprintf(why, (size_t)len, "too many tensors"); return false; }
        for (int k = 0; k < p->inputs.n; k++) ready[p->inputs.v[k]] = true;
        for (int s = 0; s < p->steps.n && v.ok; s++) {
            const IrStep *st = &p->steps.v[s];
            if (st->kind == STEP_EXTERN) {
                for (int k = 0; k < st->nin; k++) if (!ready[st->in[k]]) bad(&v, "extern reads a tensor before its step", NULL);
                for (int k = 0; k < st->nout; k++) ready[st->out[k]] = true;
                continue;
            }
            const IrTensor *t = p->tensors.v[st->tensor];
            v.self = -1;
            for (int k = 0; k < t->bounds.n; k++) vdef(&v, t, t->bounds.v[k]);
            v.self = t->scan_axis >= 0 ? st->tensor : -1;
            vdef(&v, t, t->def);
            ready[st->tensor] = true;
        }
        for (int k = 0; k < p->outputs.n && v.ok; k++)
            if (p->outputs.v[k] < 0 || !ready[p->outputs.v[k]]) bad(&v, "an output is never computed", NULL);
        if (!v.ok) return false;
    }
    return true;
}
