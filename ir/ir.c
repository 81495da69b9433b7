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
