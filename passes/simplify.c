/* passes/simplify.c: algebraic identities that hold exactly, bit for bit, in
 * IEEE arithmetic rounded to the node's type and in wrapping integers, so a
 * simplified program computes what the original computes on every input.
 * Float rules are only those exact for -0.0, infinities and NaN; rules that
 * drop an operand drop a pure expression the original always evaluated (so
 * its reads were proven in range), and no rule moves a read out of the
 * guarded side of a select / and / or. Rules, each with why it is exact:
 *
 *   identity elements  x + 0, x - 0, x * 1, x // 1, min(x, MAX), max(x, MIN),
 *                      b and true, b or false -> x  (integers and bool)
 *                      x + (-0.0), x - (+0.0), x * 1.0, x / 1.0 -> x  (floats:
 *                      x + -0 is x for every x including -0 and NaN; x + +0
 *                      is not, since -0 + +0 == +0, so 0 + x stays for floats)
 *                      On the left too for ops marked OF_COMM in ops.def
 *                      (ops.def has no identity column yet: the elements
 *                      are in identity() and absorbing() below).
 *   absorbing elements x * 0 -> 0, min(x, MIN) -> MIN, max(x, MAX) -> MAX,
 *                      b and false -> false, b or true -> true (integers and
 *                      bool only: 0 * inf is NaN, min(NaN, -inf) is NaN);
 *                      x // 0, 0 // x, x % 0, 0 % x, x % 1, x % -1 -> 0 (the
 *                      floor semantics of ir.h and ir/opsem.c)
 *   equal operands     select(c, a, a) -> a (one side is always evaluated);
 *                      b and b, b or b -> b; integer x - x -> 0, min(x, x),
 *                      max(x, x) -> x, x == x, x <= x, x >= x -> true,
 *                      x != x, x < x, x > x -> false (not for floats: NaN;
 *                      compared when the operand has under 64 nodes)
 *   involutions        -(-x) -> x (wrapping negation is its own inverse; a
 *                      float sign flip too); not not b -> b; abs(abs x) ->
 *                      abs x; abs(-x) -> abs x (signed and float types:
 *                      abs(-MIN) == abs(MIN) == MIN when wrapping)
 *   logic              not (a == b) -> a != b and back (also for floats:
 *                      NaN != NaN is exactly not NaN == NaN); not (a < b) ->
 *                      a >= b etc. for non-float operands only;
 *                      select(not c, a, b) -> select(c, b, a);
 *                      select(c, true, false) -> c, select(c, false, true) -> not c
 *   casts              cast to the operand's own type -> operand (rounding
 *                      an already-rounded value, wrapping a wrapped one);
 *                      cast.T(cast.W(x)) -> cast.T(x) when x -> W is an exact
 *                      widening of the same kind (bool/u8/i32 -> wider
 *                      integer, f32 -> f64): every conversion in ir/opsem.c
 *                      depends only on the value and on the kind (integer
 *                      or float) of its source, both unchanged. From
 *                      f16/bf16 only back to the same type (f16 -> f32 ->
 *                      f16 is h), so storage values still convert only
 *                      through f32, as the front end writes them
 *   reductions         a mask that is the constant true is dropped (it
 *                      keeps every element, as no mask does)
 *   offsets            (x +- c1) +- c2 -> x +- c in u8/i32/i64, where c is
 *                      computed by ir/opsem.c: wrapping addition is
 *                      associative (bool "arithmetic" is not, so not there)
 *
 * Constants the rules create are folded on the spot with fold's
 * pass_fold_node (not (b and false) -> not false -> true).
 * Runs after fold, before cse (not at -O0). Tests: tests/passes/simplify/;
 * tests/passes/test_passes_exact.c checks that results stay bit-identical. */
#include "pass.h"
#include "memo.h"
#include "../ir/opsem.h"

/* passes/fold.c: one node whose operands are final (declared here rather
 * than in pass.h, which lists whole passes) */

/* ---- constants ----------------------------------------------------------- */

static bool is_const(const IrExpr *e) { return e->op == IR_CONST; }

/* bit equality, so -0.0 and +0.0 differ */
static bool const_is(const IrExpr *e, RtVal v)
{
    if (!is_const(e)) return false;
    if (ty_is_float(e->ty)) return memcmp(&e->u.f, &v.f, sizeof v.f) == 0;
    return e->u.i == v.i;
}

static bool const_int(const IrExpr *e, int64_t i) { return is_const(e) && !ty_is_float(e->ty) && e->u.i == i; }

static IrExpr *make_const(Arena *a, IrType ty, RtVal v, Span sp)
{
    IrExpr *c = ir_expr(a, IR_CONST, ty, sp, 0);
    if (ty_is_float(ty)) c->u.f = v.f; else c->u.i = v.i;
    return c;
}

static IrExpr *make_int(Arena *a, IrType ty, int64_t i, Span sp) { return make_const(a, ty, (RtVal){ .i = opsem_wrap(ty, i) }, sp); }

static IrExpr *make1(Arena *a, IrOp op, IrType ty, Span sp, IrExpr *x)
{
    IrExpr *e = ir_expr(a, op, ty, sp, 1);
    e->args[0] = x;
    return e;
}

static IrExpr *make2(Arena *a, IrOp op, IrType ty, Span sp, IrExpr *x, IrExpr *y)
{
    IrExpr *e = ir_expr(a, op, ty, sp, 2);
    e->args[0] = x; e->args[1] = y;
    return e;
}

/* ---- the element tables -------------------------------------------------- */

/* the identity of op in type ty (x op id == x), if it has an exact one */
static bool identity(IrOp op, IrType ty, RtVal *id)
{
    bool fl = ty_is_float(ty);
    switch (op) {
    case IR_ADD: if (fl) id->f = -0.0; else id->i = 0; return true;
    case IR_SUB: if (fl) id->f = 0.0; else id->i = 0; return true;
    case IR_MUL: case IR_DIV: case IR_FLOORDIV: if (fl) id->f = 1.0; else id->i = 1; return true;
    case IR_AND: id->i = 1; return true;
    case IR_OR: id->i = 0; return true;
    /* min(NaN, +inf) is a fresh NaN in ir/opsem.c, not the operand's bits */
    case IR_MIN: if (fl) return false; *id = opsem_type_max(ty); return true;
    case IR_MAX: if (fl) return false; *id = opsem_type_min(ty); return true;
    default: return false;
    }
}

/* the absorbing element of op in type ty (x op z == z for every x) */
static bool absorbing(IrOp op, IrType ty, RtVal *z)
{
    if (ty_is_float(ty)) return false;
    switch (op) {
    case IR_MUL: case IR_AND: z->i = 0; return true;
    case IR_OR: z->i = 1; return true;
    case IR_MIN: *z = opsem_type_min(ty); return true;
    case IR_MAX: *z = opsem_type_max(ty); return true;
    default: return false;
    }
}

/* ---- the rules ----------------------------------------------------------- */

/* x -> x + k for an integer offset: (x + c), (c + x), (x - c) */
static bool offset_form(const IrExpr *e, IrExpr **x, RtVal *k)
{
    if (e->nargs != 2 || !ty_is_int(e->ty)) return false;
    IrExpr *l = e->args[0], *r = e->args[1];
    if (e->op == IR_ADD && is_const(r) && !is_const(l)) { *x = l; k->i = r->u.i; return true; }
    if (e->op == IR_ADD && is_const(l) && !is_const(r)) { *x = r; k->i = l->u.i; return true; }
    if (e->op == IR_SUB && is_const(r) && !is_const(l)) {
        *x = l;
        *k = opsem_unary(IR_NEG, e->ty, (RtVal){ .i = r->u.i });
        return true;
    }
    return false;
}

static IrExpr *merge_offsets(Arena *a, IrExpr *e)
{
    IrExpr *outer_x, *x;
    RtVal k1, k2;
    if (!offset_form(e, &outer_x, &k2) || !offset_form(outer_x, &x, &k1) || outer_x->ty != e->ty) return e;
    RtVal k = opsem_binary(IR_ADD, e->ty, k1, k2);
    if (k.i == 0) return x;
    /* print x - 3 rather than x + -3; the most negative value has no negation */
    RtVal neg = opsem_unary(IR_NEG, e->ty, k);
    if (k.i < 0 && neg.i > 0) return make2(a, IR_SUB, e->ty, e->span, x, make_const(a, e->ty, neg, e->span));
    return make2(a, IR_ADD, e->ty, e->span, x, make_const(a, e->ty, k, e->span));
}

/* structural equality, for operands small enough to compare: bodies are
 * still trees here but sema's fn inlining shares nodes, and comparing two
 * copies of a deeply shared DAG node by node would take exponential time */
static bool same_operand(const IrExpr *a, const IrExpr *b)
{
    enum { SMALL = 64 };
    return a == b || (ir_expr_size(a, SMALL) < SMALL && ir_expr_equal(a, b));
}

static IrOp inverse_cmp(IrOp op, IrType operand_ty)
{
    switch (op) {
    case IR_EQ: return IR_NE;
    case IR_NE: return IR_EQ;
    default: break;
    }
    if (ty_is_float(operand_ty)) return IR_OP_COUNT;      /* not (NaN < 1) is not NaN >= 1 */
    switch (op) {
    case IR_LT: return IR_GE;
    case IR_GE: return IR_LT;
    case IR_LE: return IR_GT;
    case IR_GT: return IR_LE;
    default: return IR_OP_COUNT;
    }
}

/* x -> W is exact and keeps the kind (integer / float) of x's type */
static bool exact_widening(IrType from, IrType to)
{
    if (ty_is_float(from) != ty_is_float(to)) return false;
    if (!ty_is_float(from)) return to >= from;             /* bool < u8 < i32 < i64 */
    if (ir_types[from].flags & TF_STORAGE) return false;   /* see the header */
    return ir_types[to].size >= ir_types[from].size;
}

static IrExpr *simplify_cast(Arena *a, IrExpr *e)
{
    IrExpr *x = e->args[0];
    if (x->ty == e->ty) return x;
    if (x->op == IR_CAST && exact_widening(x->args[0]->ty, x->ty)) {
        IrExpr *src = x->args[0];
        if (src->ty == e->ty) return src;
        if (!(ir_types[src->ty].flags & TF_STORAGE)) return make1(a, IR_CAST, e->ty, e->span, src);
    }
    /* cast.f16(cast.f32(h: f16)) */
    if (x->op == IR_CAST && x->args[0]->ty == e->ty && ty_is_float(e->ty) && ty_is_float(x->ty)
        && ir_types[x->ty].size > ir_types[e->ty].size && !(ir_types[x->ty].flags & TF_STORAGE))
        return x->args[0];
    return e;
}

static IrExpr *simplify_binary(Arena *a, IrExpr *e)
{
    IrExpr *l = e->args[0], *r = e->args[1];
    IrType ty = e->ty;
    bool comm = ir_ops[e->op].flags & OF_COMM;
    const IrOpInfo *oi = &ir_ops[e->op];
    if (oi->cls == OC_ARITH || oi->cls == OC_NMATH || oi->cls == OC_LOGIC) {
        RtVal v;
        if (identity(e->op, ty, &v)) {
            if (const_is(r, v)) return l;
            if (comm && const_is(l, v)) return r;
        }
        if (absorbing(e->op, ty, &v)) {
            if (const_is(r, v)) return r;
            if (comm && const_is(l, v)) return l;
        }
    }
    if ((e->op == IR_FLOORDIV || e->op == IR_MOD) && (const_int(r, 0) || const_int(l, 0)))
        return make_int(a, ty, 0, e->span);
    if (e->op == IR_MOD && (const_int(r, 1) || const_int(r, -1))) return make_int(a, ty, 0, e->span);
    if (e->op == IR_ADD || e->op == IR_SUB) {
        IrExpr *m = merge_offsets(a, e);
        if (m != e) return m;
    }
    bool pair_rule = e->op == IR_AND || e->op == IR_OR || e->op == IR_MIN || e->op == IR_MAX || e->op == IR_SUB || oi->cls == OC_CMP;
    if (pair_rule && same_operand(l, r)) {
        bool exact = !ty_is_float(l->ty);
        switch (e->op) {
        case IR_AND: case IR_OR: return l;
        case IR_MIN: case IR_MAX: if (exact) return l; break;
        case IR_SUB: if (exact) return make_int(a, ty, 0, e->span); break;
        case IR_EQ: case IR_LE: case IR_GE: if (exact) return make_int(a, TY_BOOL, 1, e->span); break;
        case IR_NE: case IR_LT: case IR_GT: if (exact) return make_int(a, TY_BOOL, 0, e->span); break;
        default: break;
        }
    }
    return e;
}

static IrExpr *simplify_unary(Arena *a, IrExpr *e)
{
    IrExpr *x = e->args[0];
    switch (e->op) {
    case IR_NEG: if (x->op == IR_NEG) return x->args[0]; break;
    case IR_ABS:
        if (x->op == IR_ABS) return x;
        /* not in u8, where abs is the identity but negation wraps */
        if (x->op == IR_NEG && e->ty != TY_U8) return make1(a, IR_ABS, e->ty, e->span, x->args[0]);
        break;
    case IR_NOT: {
        if (x->op == IR_NOT) return x->args[0];
        if (ir_ops[x->op].cls != OC_CMP) break;
        IrOp inv = inverse_cmp(x->op, x->args[0]->ty);
        if (inv != IR_OP_COUNT) return make2(a, inv, TY_BOOL, e->span, x->args[0], x->args[1]);
        break;
    }
    default: break;
    }
    return e;
}

static IrExpr *simplify_select(Arena *a, IrExpr *e)
{
    IrExpr *c = e->args[0], *x = e->args[1], *y = e->args[2];
    if (same_operand(x, y)) return x;
    if (c->op == IR_NOT) {
        IrExpr *s = ir_expr(a, IR_SELECT, e->ty, e->span, 3);
        s->args[0] = c->args[0]; s->args[1] = y; s->args[2] = x;
        return s;
    }
    if (e->ty == TY_BOOL && const_int(x, 1) && const_int(y, 0)) return c;
    if (e->ty == TY_BOOL && const_int(x, 0) && const_int(y, 1)) return make1(a, IR_NOT, TY_BOOL, e->span, c);
    return e;
}

static IrExpr *simplify_node(Arena *a, IrExpr *e)
{
    /* a rule may have made every operand constant: not (x and false) */
    IrExpr *f = pass_fold_node(a, e);
    if (f != e) return f;
    switch (ir_ops[e->op].cls) {
    case OC_LEAF: case OC_REDUCE: return e;
    case OC_CAST: return simplify_cast(a, e);
    case OC_SELECT: return simplify_select(a, e);
    default: break;
    }
    if (e->nargs == 1) return simplify_unary(a, e);
    if (e->nargs == 2) return simplify_binary(a, e);
    return e;
}

static IrExpr *simplify(IrMemo *m, IrExpr *e)
{
    if (!e) return NULL;
    bool found;
    IrExpr *done = ir_memo_get(m, e, &found);
    if (found) return done;
    for (int k = 0; k < e->nargs; k++) e->args[k] = simplify(m, e->args[k]);
    if (e->op == IR_REDUCE) {
        for (int k = 0; k < e->u.red->nvars; k++) {
            e->u.red->lo[k] = simplify(m, e->u.red->lo[k]);
            e->u.red->hi[k] = simplify(m, e->u.red->hi[k]);
        }
        if (e->args[1] && const_int(e->args[1], 1)) e->args[1] = NULL;
    }
    /* a rewrite may enable another at the same node (cast chains, offsets);
     * every rule shrinks the node or ends at an operand, so this stops */
    IrExpr *r = e;
    for (int round = 0; round < 64; round++) {
        IrExpr *n = simplify_node(m->a, r);
        if (n == r) break;
        r = n;
    }
    ir_memo_put(m, e, r);
    return r;
}

bool pass_simplify(PassCtx *c)
{
    IrMemo m = { c->a, NULL, 0, 0 };
    for (int i = 0; i < c->m->pipelines.n; i++) {
        IrPipeline *p = c->m->pipelines.v[i];
        for (int k = 0; k < p->tensors.n; k++) {
            IrTensor *t = p->tensors.v[k];
            if (t->def) t->def->body = simplify(&m, t->def->body);
            for (int b = 0; b < t->bounds.n; b++) t->bounds.v[b]->body = simplify(&m, t->bounds.v[b]->body);
        }
    }
    return true;
}
