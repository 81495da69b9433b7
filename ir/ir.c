/* ir/ir.c: the op, reduction and type tables, and node builders. */
#include "ir.h"
#include <string.h>

const IrOpInfo ir_ops[IR_OP_COUNT] = {
#define OP(name, sp, ar, cl, fl) [IR_##name] = { sp, ar, cl, fl },
#include "ops.def"
#undef OP
};

const IrRedInfo ir_reds[RED_KIND_COUNT] = {
#define RED(name, sp, rr) [RED_##name] = { sp, rr },
#include "ops.def"
#undef RED
};

const IrTypeInfo ir_types[TY_COUNT] = {
#define TY(name, sp, size, fl) [TY_##name] = { sp, size, fl },
#include "types.def"
#undef TY
};

int ty_from_name(const char *name)
{
    for (int i = 0; i < TY_COUNT; i++)
        if (strcmp(ir_types[i].name, name) == 0) return i;
    return -1;
}

int ir_op_by_call_name(const char *name)
{
    for (int i = 0; i < IR_OP_COUNT; i++)
        if ((ir_ops[i].flags & OF_CALL) && strcmp(ir_ops[i].name, name) == 0) return i;
    return -1;
}

int ir_red_by_name(const char *name)
{
    for (int i = 0; i < RED_KIND_COUNT; i++)
        if (strcmp(ir_reds[i].name, name) == 0) return i;
    return -1;
}

IrExpr *ir_expr(Arena *a, IrOp op, IrType ty, Span sp, int nargs)
{
    IrExpr *e = arena_alloc(a, sizeof *e);
    e->op = op; e->ty = ty; e->span = sp; e->nargs = nargs;
    if (nargs > 0) e->args = arena_alloc(a, (size_t)nargs * sizeof *e->args);
    return e;
}

IrExpr *ir_const_i(Arena *a, IrType ty, int64_t v, Span sp)
{
    IrExpr *e = ir_expr(a, IR_CONST, ty, sp, 0);
    if (ty_is_float(ty)) e->u.f = (double)v; else e->u.i = v;
    return e;
}

IrExpr *ir_const_f(Arena *a, IrType ty, double v, Span sp)
{
    IrExpr *e = ir_expr(a, IR_CONST, ty, sp, 0);
    if (ty_is_float(ty)) e->u.f = v; else e->u.i = (int64_t)v;
    return e;
}

IrExpr *ir_cast(Arena *a, IrExpr *e, IrType ty)
{
    if (e->ty == ty) return e;
    IrExpr *c = ir_expr(a, IR_CAST, ty, e->span, 1);
    c->args[0] = e;
    return c;
}

IrPipeline *ir_find_pipeline(const IrModule *m, const char *name)
{
    for (int i = 0; i < m->pipelines.n; i++)
        if (strcmp(m->pipelines.v[i]->name, name) == 0) return m->pipelines.v[i];
    return NULL;
}

int ir_find_tensor(const IrPipeline *p, const char *name)
{
    for (int i = 0; i < p->tensors.n; i++)
        if (strcmp(p->tensors.v[i]->name, name) == 0) return i;
    return -1;
}

const char *ir_dim_namer(void *pipeline, int atom)
{
    const IrPipeline *p = pipeline;
    if (LIN_KIND(atom) == LIN_DIM && LIN_IDX(atom) < p->dims.n) return p->dims.v[LIN_IDX(atom)].name;
    return "?";
}

bool ir_expr_equal(const IrExpr *a, const IrExpr *b)
{
    if (a == b) return true;
    if (!a || !b || a->op != b->op || a->ty != b->ty || a->nargs != b->nargs) return false;
    switch (a->op) {
    case IR_CONST:
        if (ty_is_float(a->ty) ? memcmp(&a->u.f, &b->u.f, sizeof(double)) != 0 : a->u.i != b->u.i) return false;
        break;
    case IR_IVAR: if (a->u.slot != b->u.slot) return false; break;
    case IR_DIM: if (a->u.dim != b->u.dim) return false; break;
    case IR_PARAM: if (a->u.param != b->u.param) return false; break;
    case IR_READ: if (a->u.tensor != b->u.tensor) return false; break;
    case IR_REDUCE: {
        const IrReduce *x = a->u.red, *y = b->u.red;
        if (x->kind != y->kind || x->nvars != y->nvars || x->ddof != y->ddof) return false;
        for (int k = 0; k < x->nvars; k++)
            if (x->slots[k] != y->slots[k] || !ir_expr_equal(x->lo[k], y->lo[k]) || !ir_expr_equal(x->hi[k], y->hi[k])) return false;
        break;
    }
    default: break;
    }
    for (int k = 0; k < a->nargs; k++) if (!ir_expr_equal(a->args[k], b->args[k])) return false;
    return true;
}

int ir_expr_size(const IrExpr *e, int limit)
{
    if (!e || limit <= 0) return 0;
    int n = 1;
    for (int k = 0; k < e->nargs && n < limit; k++) n += ir_expr_size(e->args[k], limit - n);
    if (e->op == IR_REDUCE)
        for (int k = 0; k < e->u.red->nvars && n < limit; k++)
            n += ir_expr_size(e->u.red->lo[k], limit - n) + ir_expr_size(e->u.red->hi[k], limit - n);
    return n;
}

bool ir_expr_reads(const IrExpr *e, int tensor)
{
    if (!e) return false;
    if (e->op == IR_READ && e->u.tensor == tensor) return true;
    for (int k = 0; k < e->nargs; k++) if (ir_expr_reads(e->args[k], tensor)) return true;
    if (e->op == IR_REDUCE)
        for (int k = 0; k < e->u.red->nvars; k++)
            if (ir_expr_reads(e->u.red->lo[k], tensor) || ir_expr_reads(e->u.red->hi[k], tensor)) return true;
    return false;
}

bool ir_expr_has_op(const IrExpr *e, uint64_t ops)
{
    if (!e) return false;
    if (ops & IR_OPS(e->op)) return true;
    for (int k = 0; k < e->nargs; k++) if (ir_expr_has_op(e->args[k], ops)) return true;
    return false;
}

Lin ir_dims_lin(const IrExpr *e)
{
    switch (e->op) {
    case IR_CONST: return ty_is_int(e->ty) ? lin_const(e->u.i) : lin_bad();
    case IR_DIM: return lin_atom(LIN_ATOM(LIN_DIM, e->u.dim));
    case IR_ADD: return lin_add(ir_dims_lin(e->args[0]), ir_dims_lin(e->args[1]));
    case IR_SUB: return lin_sub(ir_dims_lin(e->args[0]), ir_dims_lin(e->args[1]));
    case IR_MUL: {
        Lin a = ir_dims_lin(e->args[0]), b = ir_dims_lin(e->args[1]);
        return lin_is_const(a) ? lin_scale(b, a.c) : lin_is_const(b) ? lin_scale(a, b.c) : lin_bad();
    }
    default: return lin_bad();
    }
}
