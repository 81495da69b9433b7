/* frontend/sema_expr.c: type checking and lowering of expressions to IR.
 *
 * Typing (documented in docs/language.md): literals and consts are weak and
 * take the type of the other operand; bool and u8 arithmetic promotes to i32;
 * int with float gives the float; f16/bf16 compute in f32; `/` always gives
 * a float; `//` and `%` need integers. Operations on weak literals alone are
 * folded here, so a weak value is always an IR_CONST.
 * Tests: tests/errors/type_*.rlf, tests/run/types_*.rlf. */
#include "sema.h"
#include <math.h>
#include <stdlib.h>
#include "opsem.h"

#define A (s->a)
#define FN_EXPANSION_LIMIT 100000

static TE te(IrExpr *e, bool weak) { TE t = { e, weak, false }; return t; }

static TE bad(Sema *s, Span sp) { TE t = { ir_const_f(A, TY_F32, 0, sp), false, true }; return t; }

/* ---- names and suggestions ---------------------------------------------- */

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40) return 99;
    int d[41][41];
    for (int i = 0; i <= la; i++) d[i][0] = i;
    for (int j = 0; j <= lb; j++) d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

int sema_suggest(const char *name, const char **cands, int n)
{
    int best = -1, bd = 3;
    int lim = (int)strlen(name) <= 3 ? 1 : 2;
    for (int i = 0; i < n; i++) {
        int dd = edit_distance(name, cands[i]);
        if (dd <= lim && dd < bd) { bd = dd; best = i; }
    }
    return best;
}

/* an unknown name, with a suggestion among names of the same kind only: a
 * call is offered functions, a subscripted name tensors, a bare name the
 * values in scope (a tensor name is no help for a misspelt call) */
typedef enum { NK_FUNCTION, NK_TENSOR, NK_VALUE } NameKind;

static void unknown_name(Sema *s, const char *name, Span sp, NameKind kind)
{
    VEC(const char *) c = { 0 };
    if (kind == NK_VALUE) {
        for (int i = 0; i < s->vars.n; i++) vec_push(A, &c, s->vars.v[i].name);
        for (int i = 0; i < s->fn_nargs; i++) vec_push(A, &c, s->fn_pnames[i]);
        for (int i = 0; i < s->consts.n; i++) vec_push(A, &c, s->consts.v[i].name);
        if (s->p) {
            for (int i = 0; i < s->p->params.n; i++) vec_push(A, &c, s->p->params.v[i].name);
            for (int i = 0; i < s->p->dims.n; i++) vec_push(A, &c, s->p->dims.v[i].name);
        }
    }
    if (kind != NK_FUNCTION && s->p)
        for (int i = 0; i < s->p->tensors.n; i++) vec_push(A, &c, s->p->tensors.v[i]->name);
    if (kind == NK_FUNCTION) {
        for (int i = 0; i < s->fns.n; i++) vec_push(A, &c, s->fns.v[i].name);
        for (int i = 0; i < IR_OP_COUNT; i++) if (ir_ops[i].flags & OF_CALL) vec_push(A, &c, ir_ops[i].name);
        for (int i = 0; i < RED_KIND_COUNT; i++) vec_push(A, &c, ir_reds[i].name);
        for (int i = 0; i < TY_COUNT; i++) vec_push(A, &c, ir_types[i].name);
    }
    static const char *const what[] = { "function", "tensor", "name" };
    int k = sema_suggest(name, c.v, c.n);
    if (k >= 0) diag_error(s->d, sp, "unknown %s '%s'; did you mean '%s'?", what[kind], name, c.v[k]);
    else diag_error(s->d, sp, "unknown %s '%s'", what[kind], name);
}

/* a call of no rlf function: `clip`, `np.maximum`, `where` get the rlf
 * spelling from the table of foreign names, the rest a suggestion */
static bool rlf_callable(Sema *s, const char *name)
{
    return sema_fn(s, name) || ir_op_by_call_name(name) >= 0 || ir_red_by_name(name) >= 0 || ty_from_name(name) >= 0;
}

static void unknown_function(Sema *s, const char *name, Span sp)
{
    const char *dot = strrchr(name, '.');
    const char *bare = dot ? dot + 1 : name;
    const char *hint = sema_foreign_hint(bare);
    if (dot && rlf_callable(s, bare))
        diag_error(s->d, sp, "unknown function '%s'; rlf has no module prefixes: write %s(...)", name, bare);
    else if (dot && hint)
        diag_error(s->d, sp, "unknown function '%s' (rlf has no module prefixes); %s", name, hint);
    else if (hint)
        diag_error(s->d, sp, "unknown function '%s'; %s", name, hint);
    else if (dot)
        diag_error(s->d, sp, "unknown function '%s'; rlf has no module prefixes", name);
    else
        unknown_name(s, name, sp, NK_FUNCTION);
}

static VarSym *find_var(Sema *s, const char *name)
{
    for (int i = s->vars.n - 1; i >= 0; i--)
        if (strcmp(s->vars.v[i].name, name) == 0) return &s->vars.v[i];
    return NULL;
}

static int find_param(Sema *s, const char *name)
{
    if (!s->p) return -1;
    for (int i = 0; i < s->p->params.n; i++)
        if (strcmp(s->p->params.v[i].name, name) == 0) return i;
    return -1;
}

/* ---- types -------------------------------------------------------------- */

static const char *tyname(IrType t) { return ir_types[t].name; }

/* the type two operands meet in (before class-specific adjustments) */
static IrType promote(TE a, TE b)
{
    IrType ta = a.e->ty, tb = b.e->ty;
    if (a.weak && b.weak) return (ty_is_float(ta) || ty_is_float(tb)) ? TY_F64 : TY_I64;
    if (a.weak || b.weak) {
        TE w = a.weak ? a : b;
        IrType t = a.weak ? tb : ta;
        if (ty_is_float(w.e->ty)) return ty_is_float(t) ? ty_compute(t) : TY_F32;
        if (t == TY_BOOL || t == TY_U8) return TY_I32;
        return ty_compute(t);
    }
    if (ty_is_float(ta) || ty_is_float(tb)) {
        IrType fa = ty_is_float(ta) ? ty_compute(ta) : TY_F32;
        IrType fb = ty_is_float(tb) ? ty_compute(tb) : TY_F32;
        return fa > fb ? fa : fb;
    }
    IrType t = ta > tb ? ta : tb;
    return t < TY_I32 ? TY_I32 : t;
}

/* convert a weak constant to a concrete type */
static IrExpr *concretize(Sema *s, IrExpr *c, IrType ty)
{
    RtVal v;
    if (ty_is_float(c->ty)) v.f = c->u.f; else v.i = c->u.i;
    RtVal r = opsem_cast(c->ty, ty, v);
    if (!ty_is_float(c->ty) && ty_is_int(ty) && r.i != v.i)
        diag_error(s->d, c->span, "the literal %lld does not fit %s", (long long)v.i, ir_types[ty].name);
    IrExpr *e = ir_expr(A, IR_CONST, ty, c->span, 0);
    e->u = ty_is_float(ty) ? (__typeof__(e->u)){ .f = r.f } : (__typeof__(e->u)){ .i = r.i };
    return e;
}

IrType sema_finish_type(TE t)
{
    if (!t.weak) return t.e->ty;
    if (ty_is_float(t.e->ty)) return TY_F32;
    if (t.e->ty == TY_BOOL) return TY_BOOL;
    return (t.e->u.i >= INT32_MIN && t.e->u.i <= INT32_MAX) ? TY_I32 : TY_I64;
}

/* implicit conversion for operands, arguments and stores: widening, int to
 * float, float rounding and int wrapping are implicit; float or int to bool
 * and float to int need an explicit cast */
static IrExpr *convert(Sema *s, TE t, IrType ty, Span sp, const char *what, bool store)
{
    IrType from = t.e->ty;
    if (t.err) return ir_const_i(A, ty, 0, sp);
    if (t.weak) {
        if (ty_is_float(from) && !ty_is_float(ty)) {
            diag_error(s->d, sp, "%s is %s but the value is a float literal", what, tyname(ty));
            return ir_const_i(A, ty, 0, sp);
        }
        if (ty == TY_BOOL && from != TY_BOOL) {
            diag_error(s->d, sp, "%s is bool but the value is a number; use true, false or a comparison", what);
            return ir_const_i(A, ty, 0, sp);
        }
        return concretize(s, t.e, ty);
    }
    if (from == ty) return t.e;
    bool ok = from == TY_BOOL
           || (ty_is_int(from) && !ty_is_bool(ty))
           || (ty_is_float(from) && ty_is_float(ty));
    (void)store;
    if (!ok) {
        diag_error(s->d, sp, "%s is %s but the value is %s; convert it explicitly with %s(...)",
                   what, tyname(ty), tyname(from), tyname(ty));
        return ir_const_i(A, ty, 0, sp);
    }
    return ir_cast(A, t.e, ty);
}

IrExpr *sema_coerce(Sema *s, TE t, IrType ty, Span sp, const char *what) { return convert(s, t, ty, sp, what, false); }
IrExpr *sema_store(Sema *s, TE t, IrType ty, Span sp, const char *what) { return convert(s, t, ty, sp, what, true); }

/* operand conversion inside an operation: always allowed (the op decided) */
static IrExpr *to(Sema *s, TE t, IrType ty)
{
    if (t.weak) return concretize(s, t.e, ty);
    return ir_cast(A, t.e, ty);
}

/* ---- constant folding of weak operands ------------------------------------ */

bool sema_const_eval(Sema *s, IrExpr *e, double *f, int64_t *i)
{
    if (e->op != IR_CONST) return false;
    if (ty_is_float(e->ty)) { *f = e->u.f; *i = (int64_t)e->u.f; }
    else { *i = e->u.i; *f = (double)e->u.i; }
    return true;
}

static TE fold_weak(Sema *s, IrOp op, IrType ty, IrType rty, IrExpr **args, int n, Span sp)
{
    RtVal a[3] = { { 0 }, { 0 }, { 0 } }, r;
    for (int k = 0; k < n; k++) a[k] = opsem_cast(args[k]->ty, ty, ty_is_float(args[k]->ty) ? (RtVal){ .f = args[k]->u.f } : (RtVal){ .i = args[k]->u.i });
    if (n == 1) r = opsem_unary(op, ty, a[0]);
    else if (op == IR_CLAMP) r = opsem_clamp(ty, a[0], a[1], a[2]);
    else if (op == IR_SELECT) r = a[0].i ? a[1] : a[2];
    else r = opsem_binary(op, ty, a[0], a[1]);
    IrExpr *c = ir_expr(A, IR_CONST, rty, sp, 0);
    if (ty_is_float(rty)) c->u.f = r.f; else c->u.i = r.i;
    return te(c, rty != TY_BOOL);
}

/* ---- operators ---------------------------------------------------------- */

static TE op_node(Sema *s, IrOp op, IrType ty, IrType opty, TE *args, int n, Span sp)
{
    bool all_weak = true;
    for (int k = 0; k < n; k++) if (!args[k].weak) all_weak = false;
    IrExpr *conv[3];
    for (int k = 0; k < n; k++) conv[k] = args[k].weak && all_weak ? args[k].e : to(s, args[k], opty);
    if (all_weak) return fold_weak(s, op, opty, ty, conv, n, sp);
    IrExpr *e = ir_expr(A, op, ty, sp, n);
    for (int k = 0; k < n; k++) e->args[k] = conv[k];
    return te(e, false);
}

static bool need_bool(Sema *s, TE t, Span sp, const char *what)
{
    if (t.e->ty == TY_BOOL) return true;
    if (t.err) return false;
    diag_error(s->d, sp, "%s needs a bool, found %s", what, t.weak ? "a number" : tyname(t.e->ty));
    return false;
}

static TE lower_unary(Sema *s, IrOp op, TE a, Span sp, Span asp)
{
    const IrOpInfo *oi = &ir_ops[op];
    if (a.err) return bad(s, sp);
    if (oi->cls == OC_LOGIC) {
        if (!need_bool(s, a, asp, "'not'")) return bad(s, sp);
        if (a.weak) a.weak = false;
        return op_node(s, op, TY_BOOL, TY_BOOL, &a, 1, sp);
    }
    if (oi->cls == OC_FMATH) {
        IrType t = a.weak ? TY_F64 : ty_is_float(a.e->ty) ? ty_compute(a.e->ty) : TY_F32;
        return op_node(s, op, t, t, &a, 1, sp);
    }
    /* NEG, ABS, SIGN: numeric, same type */
    IrType t = a.weak ? a.e->ty : ty_compute(a.e->ty);
    if (!a.weak && t < TY_I32) t = TY_I32;
    return op_node(s, op, t, t, &a, 1, sp);
}

static TE lower_binary(Sema *s, IrOp op, TE a, TE b, Span sp, Span asp, Span bsp)
{
    const IrOpInfo *oi = &ir_ops[op];
    TE args[2] = { a, b };
    if (a.err || b.err) return bad(s, sp);
    if (oi->cls == OC_LOGIC) {
        bool ok = need_bool(s, a, asp, oi->name[0] == 'a' ? "'and'" : "'or'");
        ok = need_bool(s, b, bsp, oi->name[0] == 'a' ? "'and'" : "'or'") && ok;
        if (!ok) return bad(s, sp);
        return op_node(s, op, TY_BOOL, TY_BOOL, args, 2, sp);
    }
    if (oi->cls == OC_CMP && a.e->ty == TY_BOOL && b.e->ty == TY_BOOL)
        return op_node(s, op, TY_BOOL, TY_BOOL, args, 2, sp);
    IrType t = promote(a, b);
    if (oi->cls == OC_CMP) return op_node(s, op, TY_BOOL, t, args, 2, sp);
    if (op == IR_DIV && !ty_is_float(t)) t = (a.weak && b.weak) ? TY_F64 : TY_F32;
    if (op == IR_POW && !ty_is_float(t)) t = (a.weak && b.weak) ? TY_F64 : TY_F32;
    if ((op == IR_FLOORDIV || op == IR_MOD) && ty_is_float(t)) {
        diag_error(s->d, sp, "'%s' needs integer operands, found %s; for floats use floor(a / b)",
                   op == IR_MOD ? "%" : "//", tyname(t));
        return bad(s, sp);
    }
    return op_node(s, op, t, t, args, 2, sp);
}

/* ---- reads -------------------------------------------------------------- */

static IrTensor *lookup_tensor(Sema *s, const char *name, int *id)
{
    if (!s->p) return NULL;
    int k = ir_find_tensor(s->p, name);
    if (id) *id = k;
    return k >= 0 ? s->p->tensors.v[k] : NULL;
}


/* the error for a subscripted name that is no tensor here */
static void no_tensor(Sema *s, const char *name, Span sp)
{
    Span at;
    if (sema_is_failed(s, name)) return;
    if (find_var(s, name) || find_param(s, name) >= 0 || sema_const(s, name) || sema_dim_index(s, name) >= 0)
        diag_error(s->d, sp, "'%s' is a scalar, not a tensor: it cannot be indexed", name);
    else if (sema_is_pending(s, name, &at)) {
        int line, col;
        diag_line_col(s->d, at, &line, &col);
        diag_error(s->d, sp, "'%s' is used before its definition on line %d", name, line);
    } else unknown_name(s, name, sp, NK_TENSOR);
}

/* Report the subscripted names in e that are no tensors; true if there are
 * any. Range inference reads index variables off tensor shapes, so when it
 * fails because a tensor is unknown, the unknown tensor is the error to
 * report (not "cannot infer the range"). */
bool sema_report_unknown_tensors(Sema *s, Expr *e)
{
    if (!e) return false;
    bool any = false;
    switch (e->kind) {
    case E_INDEX:
        if (!lookup_tensor(s, e->u.index.name, NULL)) { no_tensor(s, e->u.index.name, e->u.index.name_span); any = true; }
        for (int k = 0; k < e->u.index.idx.n; k++) any |= sema_report_unknown_tensors(s, e->u.index.idx.v[k]);
        break;
    case E_CALL:
        for (int k = 0; k < e->u.call.args.n; k++) any |= sema_report_unknown_tensors(s, e->u.call.args.v[k]);
        if (e->u.call.gen) {
            any |= sema_report_unknown_tensors(s, e->u.call.gen->body);
            any |= sema_report_unknown_tensors(s, e->u.call.gen->where);
        }
        break;
    case E_UNARY: any = sema_report_unknown_tensors(s, e->u.un.a); break;
    case E_BINARY: any = sema_report_unknown_tensors(s, e->u.bin.a); any |= sema_report_unknown_tensors(s, e->u.bin.b); break;
    case E_IF:
        any = sema_report_unknown_tensors(s, e->u.cond.c);
        any |= sema_report_unknown_tensors(s, e->u.cond.a);
        any |= sema_report_unknown_tensors(s, e->u.cond.b);
        break;
    default: break;
    }
    return any;
}

/* kept out of line (with lower_reduce): their large locals would otherwise
 * sit in every frame of the sema_expr recursion, which inlined fn chains
 * make thousands of levels deep */
__attribute__((noinline)) static TE lower_index(Sema *s, Expr *e)
{
    const char *name = e->u.index.name;
    int id;
    IrTensor *t = lookup_tensor(s, name, &id);
    if (!t) {
        no_tensor(s, name, e->u.index.name_span);
        return bad(s, e->span);
    }
    if (sema_is_broken(s, id)) return bad(s, e->span);
    if (e->u.index.idx.n != t->rank) {
        diag_error(s->d, e->span, "'%s' has rank %d but is indexed with %d subscript%s", name, t->rank,
                   e->u.index.idx.n, e->u.index.idx.n == 1 ? "" : "s");
        return bad(s, e->span);
    }
    IrExpr *r = ir_expr(A, IR_READ, t->ty, e->span, t->rank);
    r->u.tensor = id;
    for (int k = 0; k < t->rank; k++) {
        Expr *ix = e->u.index.idx.v[k];
        TE it = sema_expr(s, ix);
        if (!ty_is_int(it.e->ty)) {
            diag_error(s->d, ix->span, "subscript %d of '%s' must be an integer, found %s", k + 1, name,
                       it.weak ? "a float literal" : tyname(it.e->ty));
            r->args[k] = ir_const_i(A, TY_I64, 0, ix->span);
            continue;
        }
        r->args[k] = to(s, it, TY_I64);
    }
    sema_check_read(s, r, e);
    return te(r, false);
}

/* ---- reductions --------------------------------------------------------- */

static bool shadows(Sema *s, const char *name, Span sp)
{
    if (find_var(s, name)) {
        diag_error(s->d, sp, "index '%s' is already in use here; choose another name", name);
        return true;
    }
    if (lookup_tensor(s, name, NULL) || find_param(s, name) >= 0 || sema_dim_index(s, name) >= 0 || sema_const(s, name)) {
        diag_error(s->d, sp, "loop variable '%s' hides a tensor, parameter, dimension or constant of that name", name);
        return true;
    }
    return false;
}

IrExpr *sema_lin_expr(Sema *s, Lin l, Span sp)
{
    IrExpr *e = NULL;
    for (int k = 0; k < l.n; k++) {
        IrExpr *d = ir_expr(A, IR_DIM, TY_I64, sp, 0);
        d->u.dim = LIN_IDX(l.atom[k]);
        IrExpr *m = d;
        if (l.k[k] != 1) { m = ir_expr(A, IR_MUL, TY_I64, sp, 2); m->args[0] = ir_const_i(A, TY_I64, l.k[k], sp); m->args[1] = d; }
        if (!e) { e = m; continue; }
        IrExpr *sum = ir_expr(A, IR_ADD, TY_I64, sp, 2);
        sum->args[0] = e; sum->args[1] = m;
        e = sum;
    }
    if (!e) return ir_const_i(A, TY_I64, l.c, sp);
    if (l.c == 0) return e;
    IrExpr *sum = ir_expr(A, IR_ADD, TY_I64, sp, 2);
    sum->args[0] = e; sum->args[1] = ir_const_i(A, TY_I64, l.c, sp);
    return sum;
}

__attribute__((noinline)) static TE lower_reduce(Sema *s, Expr *e, int red)
{
    Gen *g = e->u.call.gen;
    const IrRedInfo *ri = &ir_reds[red];
    int ddof = 0;
    for (int k = 0; k < e->u.call.kw.n; k++) {
        Kwarg *kw = &e->u.call.kw.v[k];
        if (strcmp(kw->name, "ddof") == 0 && (red == RED_VAR || red == RED_STD)) {
            TE v = sema_expr(s, kw->value);
            if (v.e->op != IR_CONST || !ty_is_int(v.e->ty) || v.e->u.i < 0 || v.e->u.i > 1000)
                diag_error(s->d, kw->value->span, "ddof must be a non-negative integer constant");
            else ddof = (int)v.e->u.i;
        } else
            diag_error(s->d, kw->span, "'%s' takes no option '%s'%s", ri->name, kw->name,
                       (red == RED_VAR || red == RED_STD) ? " (only ddof)" : "");
    }
    if ((red == RED_ARGMAX || red == RED_ARGMIN) && g->vars.n != 1) {
        diag_error(s->d, g->span, "%s reduces over exactly one index, found %d", ri->name, g->vars.n);
        return bad(s, e->span);
    }
    IrReduce *rd = arena_alloc(A, sizeof *rd);
    rd->kind = (IrRed)red;
    rd->nvars = g->vars.n;
    rd->ddof = ddof;
    rd->slots = arena_alloc(A, (size_t)g->vars.n * sizeof(int));
    rd->lo = arena_alloc(A, (size_t)g->vars.n * sizeof(IrExpr *));
    rd->hi = arena_alloc(A, (size_t)g->vars.n * sizeof(IrExpr *));
    int pushed = 0;
    bool ok = true;
    for (int k = 0; k < g->vars.n; k++) {
        GenVar *gv = &g->vars.v[k];
        if (shadows(s, gv->name, gv->span)) { ok = false; break; }
        if (s->nslots >= SEMA_MAX_SLOTS) { diag_error(s->d, gv->span, "too many index variables in one definition (limit %d)", SEMA_MAX_SLOTS); ok = false; break; }
        VarSym v = { gv->name, gv->span, s->nslots++, lin_const(0), lin_const(0) };
        vec_push(A, &s->slot_names, gv->name);
        rd->slots[k] = v.slot;
        if (gv->lo) {
            TE lo = sema_expr(s, gv->lo), hi = sema_expr(s, gv->hi);
            if (!ty_is_int(lo.e->ty) || !ty_is_int(hi.e->ty)) {
                diag_error(s->d, gv->span, "the range of '%s' must be integers", gv->name);
                ok = false; break;
            }
            rd->lo[k] = to(s, lo, TY_I64);
            rd->hi[k] = to(s, hi, TY_I64);
            v.lo = sema_lin(s, rd->lo[k]);
            v.hi = lin_sub(sema_lin(s, rd->hi[k]), lin_const(1));
        } else {
            Lin ext; Span at;
            bool found = sema_infer_var(s, g->body, gv->name, &ext, &at);
            if (!found && g->where) found = sema_infer_var(s, g->where, gv->name, &ext, &at);
            else if (found && g->where) {
                Lin e2; Span at2;
                if (sema_infer_var(s, g->where, gv->name, &e2, &at2) && !lin_eq(e2, ext)) {
                    Lin d = lin_sub(ext, e2);
                    if (lin_nonneg(d)) ext = e2;
                    else if (!lin_nonneg(lin_scale(d, -1))) {
                        diag_error(s->d, at2, "index '%s' ranges over %s here but over %s in the body", gv->name,
                                   sema_lin_str(s, e2), sema_lin_str(s, ext));
                        ok = false; break;
                    }
                }
            }
            if (found && !ext.ok) { ok = false; break; }      /* a conflict, already reported */
            if (!found) {
                if (!sema_report_unknown_tensors(s, g->body) && !sema_report_unknown_tensors(s, g->where))
                    diag_error(s->d, gv->span, "cannot infer the range of '%s': use it directly as a subscript of a tensor, or write '%s in 0..N'",
                               gv->name, gv->name);
                ok = false; break;
            }
            rd->lo[k] = ir_const_i(A, TY_I64, 0, gv->span);
            rd->hi[k] = sema_lin_expr(s, ext, gv->span);
            v.hi = lin_sub(ext, lin_const(1));
        }
        vec_push(A, &s->vars, v);
        pushed++;
    }
    TE res = bad(s, e->span);
    if (ok) {
        IrExpr *mask = NULL;
        int ng = 0;
        if (g->where) {
            TE w = sema_expr(s, g->where);
            if (need_bool(s, w, g->where->span, "a 'where' mask")) {
                mask = w.weak ? concretize(s, w.e, TY_BOOL) : w.e;
                ng = sema_push_guards(s, mask, true);
            }
        }
        TE body = sema_expr(s, g->body);
        sema_pop_guards(s, ng);
        IrType bt = body.weak ? sema_finish_type(body) : body.e->ty, rt = bt;
        if (body.err) { s->vars.n -= pushed; return bad(s, e->span); }
        switch (ri->rule) {
        case RR_SAME: rt = bt == TY_BOOL || bt == TY_U8 ? (red == RED_SUM || red == RED_PROD ? TY_I32 : bt) : ty_compute(bt); break;
        case RR_FLOAT: rt = ty_is_float(bt) ? ty_compute(bt) : TY_F32; break;
        case RR_INDEX: rt = TY_I64; break;
        case RR_COUNT: rt = TY_I64; break;
        case RR_BOOL: rt = TY_BOOL; break;
        }
        if ((ri->rule == RR_COUNT || ri->rule == RR_BOOL) && bt != TY_BOOL) {
            diag_error(s->d, g->body->span, "%s counts conditions: its body must be bool, found %s", ri->name, tyname(bt));
        } else if (ri->rule != RR_COUNT && ri->rule != RR_BOOL && bt == TY_BOOL && red != RED_SUM) {
            diag_error(s->d, g->body->span, "%s of bool values is not defined; use count, any or all", ri->name);
        } else {
            IrType bty = ri->rule == RR_SAME || ri->rule == RR_FLOAT ? rt : bt;
            if (ri->rule == RR_INDEX) bty = ty_compute(bt) < TY_I32 && !ty_is_float(bt) ? TY_I32 : ty_compute(bt);
            IrExpr *r = ir_expr(A, IR_REDUCE, rt, e->span, 2);
            r->u.red = rd;
            r->args[0] = to(s, body, bty);
            r->args[1] = mask;
            res = te(r, false);
        }
    }
    s->vars.n -= pushed;
    return res;
}

/* ---- calls -------------------------------------------------------------- */

static TE lower_fn_call(Sema *s, Expr *e, FnSym *f)
{
    DeclAst *fd = f->decl;
    int np = fd->params.n;
    if (e->u.call.args.n + e->u.call.kw.n != np) {
        diag_error(s->d, e->span, "'%s' takes %d argument%s, %d given", f->name, np, np == 1 ? "" : "s",
                   e->u.call.args.n + e->u.call.kw.n);
        return bad(s, e->span);
    }
    /* a cycle is reported once the bodies are checked (check_fn_cycles) and
     * its fns are bad; a const's value is computed before that */
    if (f->active && !s->fn_checking) {
        diag_error(s->d, e->span, "'%s' calls itself: fn bodies are inlined, so recursion is not allowed", f->name);
        f->bad = true;
        return bad(s, e->span);
    }
    TE *args = arena_alloc(A, (size_t)(np ? np : 1) * sizeof(TE));
    const char **names = arena_alloc(A, (size_t)(np ? np : 1) * sizeof(char *));
    bool *given = arena_alloc(A, (size_t)(np ? np : 1));
    for (int k = 0; k < np; k++) names[k] = fd->params.v[k].name;
    for (int k = 0; k < e->u.call.args.n; k++) {
        TE a = sema_expr(s, e->u.call.args.v[k]);
        char *what = arena_printf(A, "argument '%s' of '%s'", names[k], f->name);
        args[k] = te(sema_coerce(s, a, fd->params.v[k].type.ty, e->u.call.args.v[k]->span, what), false);
        given[k] = true;
    }
    for (int k = 0; k < e->u.call.kw.n; k++) {
        Kwarg *kw = &e->u.call.kw.v[k];
        int at = -1;
        for (int j = 0; j < np; j++) if (strcmp(names[j], kw->name) == 0) at = j;
        if (at < 0 || given[at]) {
            diag_error(s->d, kw->span, at < 0 ? "'%s' has no parameter '%s'" : "'%s': parameter '%s' given twice", f->name, kw->name);
            return bad(s, e->span);
        }
        TE a = sema_expr(s, kw->value);
        char *what = arena_printf(A, "argument '%s' of '%s'", names[at], f->name);
        args[at] = te(sema_coerce(s, a, fd->params.v[at].type.ty, kw->value->span, what), false);
        given[at] = true;
    }
    if (s->fn_checking) {
        /* checking a fn body: the callee is checked on its own; record the
         * call for the cycle check and go on with an opaque result */
        FnCall fc = { (int)(f - s->fns.v), e->span };
        vec_push(A, &s->fn->calls, fc);
        IrExpr *r = ir_expr(A, IR_PARAM, fd->ret.ty, e->span, 0);
        r->u.param = -1 - np;
        return te(r, false);
    }
    if (f->bad) return bad(s, e->span);
    /* lower the body with the parameters bound to the arguments; the caller's
     * index variables are invisible inside */
    FnSym *sf = s->fn; const char **spn = s->fn_pnames; TE *sa = s->fn_args; int sn = s->fn_nargs;
    if (!sf) { s->inline_site = e->span; s->inline_deep_reported = false; s->inline_work = 0; }
    VEC(VarSym) svars = { s->vars.v, s->vars.n, s->vars.cap };
    s->vars.n = 0;
    s->fn = f; s->fn_pnames = names; s->fn_args = args; s->fn_nargs = np;
    f->active = true;
    int errs = s->d->nerrors;
    TE body = sema_expr(s, fd->body);
    IrExpr *r = body.err ? NULL : sema_coerce(s, body, fd->ret.ty, fd->body->span, arena_printf(A, "the result of '%s'", f->name));
    if (s->d->nerrors != errs) { f->bad = true; r = NULL; }
    f->active = false;
    s->fn = sf; s->fn_pnames = spn; s->fn_args = sa; s->fn_nargs = sn;
    s->vars.v = svars.v; s->vars.n = svars.n; s->vars.cap = svars.cap;
    /* the body was checked (or, for a const's value, is being checked by
     * this first inlining), so an error here was reported: stay quiet */
    if (!r) return bad(s, e->span);
    /* arguments used several times are shared, not copied; but every later
     * walk sees a tree, so bound what the outermost call expands to (nested
     * calls are inside it: measuring each would cost the square of a chain) */
    if (!sf && ir_expr_size(r, FN_EXPANSION_LIMIT + 1) > FN_EXPANSION_LIMIT) {
        diag_error(s->d, e->span, "inlining '%s' here expands to more than %d operations; compute a repeated argument into a tensor first",
                   f->name, FN_EXPANSION_LIMIT);
        return bad(s, e->span);
    }
    return te(r, false);
}

static TE lower_call(Sema *s, Expr *e)
{
    const char *name = e->u.call.name;
    Span nsp = e->u.call.name_span;
    int nargs = e->u.call.args.n;
    if (e->u.call.gen) {
        int red = ir_red_by_name(name);
        if (red < 0 && strchr(name, '.')) { unknown_function(s, name, nsp); return bad(s, e->span); }
        if (red < 0) {
            diag_error(s->d, nsp, "'%s' is not a reduction; reductions are sum, prod, mean, var, std, min, max, argmin, argmax, logsumexp, count, any, all", name);
            return bad(s, e->span);
        }
        return lower_reduce(s, e, red);
    }
    int ty = ty_from_name(name);
    if (ty >= 0) {
        if (nargs != 1 || e->u.call.kw.n) { diag_error(s->d, e->span, "the conversion %s(...) takes one argument", name); return bad(s, e->span); }
        TE a = sema_expr(s, e->u.call.args.v[0]);
        if (a.err) return bad(s, e->span);
        if (a.weak) return te(concretize(s, a.e, (IrType)ty), false);
        return te(ir_cast(A, a.e, (IrType)ty), false);
    }
    FnSym *f = sema_fn(s, name);
    if (f) return lower_fn_call(s, e, f);
    if (sema_extern(s, name)) {
        diag_error(s->d, e->span, "extern '%s' is called with whole tensors as a statement of its own: y = %s(x)", name, name);
        return bad(s, e->span);
    }
    int op = ir_op_by_call_name(name);
    if (op < 0) {
        if (ir_red_by_name(name) >= 0) {
            diag_error(s->d, e->span, "'%s' is a reduction: write %s(x[i] for i)", name, name);
            return bad(s, e->span);
        }
        unknown_function(s, name, nsp);
        return bad(s, e->span);
    }
    const IrOpInfo *oi = &ir_ops[op];
    if (e->u.call.kw.n) { diag_error(s->d, e->u.call.kw.v[0].span, "'%s' takes no keyword arguments", name); return bad(s, e->span); }
    if (nargs != oi->arity) {
        if ((op == IR_MIN || op == IR_MAX) && nargs == 1)
            diag_error(s->d, e->span, "%s takes two values, or a generator: %s(x[i] for i)", name, name);
        else
            diag_error(s->d, e->span, "'%s' takes %d argument%s, %d given", name, oi->arity, oi->arity == 1 ? "" : "s", nargs);
        return bad(s, e->span);
    }
    if (op == IR_SELECT) {
        TE c = sema_expr(s, e->u.call.args.v[0]);
        if (!need_bool(s, c, e->u.call.args.v[0]->span, "select's condition")) return bad(s, e->span);
        int ng = sema_push_guards(s, c.e, true);
        TE a = sema_expr(s, e->u.call.args.v[1]);
        sema_pop_guards(s, ng);
        ng = sema_push_guards(s, c.e, false);
        TE b = sema_expr(s, e->u.call.args.v[2]);
        sema_pop_guards(s, ng);
        if (a.err || b.err) return bad(s, e->span);
        IrType t = (a.e->ty == TY_BOOL && b.e->ty == TY_BOOL) ? TY_BOOL : promote(a, b);
        if (a.weak && b.weak) t = t == TY_F64 ? TY_F32 : t == TY_I64 ? TY_I32 : t;   /* as for if-then-else */
        IrExpr *r = ir_expr(A, IR_SELECT, t, e->span, 3);
        r->args[0] = c.weak ? concretize(s, c.e, TY_BOOL) : c.e;
        r->args[1] = to(s, a, t);
        r->args[2] = to(s, b, t);
        return te(r, false);
    }
    TE args[3];
    bool anyerr = false;
    for (int k = 0; k < nargs; k++) { args[k] = sema_expr(s, e->u.call.args.v[k]); anyerr |= args[k].err; }
    if (anyerr) return bad(s, e->span);
    if (nargs == 1) return lower_unary(s, (IrOp)op, args[0], e->span, e->u.call.args.v[0]->span);
    if (nargs == 2) return lower_binary(s, (IrOp)op, args[0], args[1], e->span, e->u.call.args.v[0]->span, e->u.call.args.v[1]->span);
    /* clamp: the three operands meet in one type */
    TE acc = args[0];
    IrType t = acc.e->ty;
    for (int k = 1; k < 3; k++) {
        t = promote(acc, args[k]);
        acc = te(ir_const_i(A, t, 0, e->span), acc.weak && args[k].weak);
    }
    if (!acc.weak && !ty_is_float(t) && t < TY_I32) t = TY_I32;
    return op_node(s, IR_CLAMP, t, t, args, 3, e->span);
}

/* ---- expressions -------------------------------------------------------- */

static TE lower_name(Sema *s, Expr *e)
{
    const char *name = e->u.name.name;
    for (int k = 0; k < s->fn_nargs; k++)
        if (strcmp(s->fn_pnames[k], name) == 0) return s->fn_args[k];
    if (!s->fn) {
        VarSym *v = find_var(s, name);
        if (v) {
            IrExpr *r = ir_expr(A, IR_IVAR, TY_I64, e->span, 0);
            r->u.slot = v->slot;
            return te(r, false);
        }
        int pi = find_param(s, name);
        if (pi >= 0) {
            IrExpr *r = ir_expr(A, IR_PARAM, s->p->params.v[pi].ty, e->span, 0);
            r->u.param = pi;
            return te(r, false);
        }
        int di = sema_dim_index(s, name);
        if (di >= 0) {
            IrExpr *r = ir_expr(A, IR_DIM, TY_I64, e->span, 0);
            r->u.dim = di;
            return te(r, false);
        }
    }
    ConstSym *c = sema_const(s, name);
    if (c) {
        if (!c->ok) return bad(s, e->span);
        if (c->is_bool) return te(ir_const_i(A, TY_BOOL, c->i, e->span), false);
        return te(c->is_float ? ir_const_f(A, TY_F64, c->f, e->span) : ir_const_i(A, TY_I64, c->i, e->span), true);
    }
    if (!s->fn && s->p) {
        int id;
        IrTensor *t = lookup_tensor(s, name, &id);
        if (t) {
            if (sema_is_broken(s, id)) return bad(s, e->span);
            if (t->rank != 0) {
                diag_error(s->d, e->span, "'%s' is a tensor of rank %d: index it, e.g. %s[...]", name, t->rank, name);
                return bad(s, e->span);
            }
            IrExpr *r = ir_expr(A, IR_READ, t->ty, e->span, 0);
            r->u.tensor = id;
            return te(r, false);
        }
        Span at;
        if (sema_is_failed(s, name)) return bad(s, e->span);
        if (sema_is_pending(s, name, &at)) {
            int line, col;
            diag_line_col(s->d, at, &line, &col);
            diag_error(s->d, e->span, "'%s' is used before its definition on line %d", name, line);
            return bad(s, e->span);
        }
    }
    if (s->fn)
        diag_error(s->d, e->span, "unknown name '%s' in fn '%s': a fn sees only its parameters and consts; pass '%s' as an argument",
                   name, s->fn->name, name);
    else
        unknown_name(s, name, e->span, NK_VALUE);
    return bad(s, e->span);
}

TE sema_expr(Sema *s, Expr *e)
{
    if (++s->depth > SEMA_MAX_DEPTH) {
        /* the parser bounds each expression, so only inlining gets here */
        s->depth--;
        if (!s->inline_deep_reported)
            diag_error(s->d, s->inline_site, "the fn calls here nest too deeply: inlined, they make an expression more than %d levels deep; "
                       "compute an intermediate result into a tensor", SEMA_MAX_DEPTH);
        s->inline_deep_reported = true;
        return bad(s, e->span);
    }
    /* every expression lowered while inlining counts towards the outermost
     * call's expansion, so a body doubling at each level (g(x) = f(x) + f(x))
     * stops at the limit instead of after 2^depth lowerings */
    if (s->fn && !s->fn_checking && ++s->inline_work > FN_EXPANSION_LIMIT) {
        s->depth--;
        if (!s->inline_deep_reported)
            diag_error(s->d, s->inline_site, "inlining here expands to more than %d operations; compute a repeated argument into a tensor first",
                       FN_EXPANSION_LIMIT);
        s->inline_deep_reported = true;
        return bad(s, e->span);
    }
    TE r;
    switch (e->kind) {
    case E_INT: r = te(ir_const_i(A, TY_I64, e->u.ival, e->span), true); break;
    case E_FLOAT: r = te(ir_const_f(A, TY_F64, e->u.fval, e->span), true); break;
    case E_BOOL: r = te(ir_const_i(A, TY_BOOL, e->u.bval, e->span), false); break;
    case E_NAME: r = lower_name(s, e); break;
    case E_INDEX: r = lower_index(s, e); break;
    case E_CALL: r = lower_call(s, e); break;
    case E_UNARY: r = lower_unary(s, e->u.un.op, sema_expr(s, e->u.un.a), e->span, e->u.un.a->span); break;
    case E_BINARY: {
        TE a = sema_expr(s, e->u.bin.a);
        int ng = 0;
        if (e->u.bin.op == IR_AND && a.e->ty == TY_BOOL) ng = sema_push_guards(s, a.e, true);
        if (e->u.bin.op == IR_OR && a.e->ty == TY_BOOL) ng = sema_push_guards(s, a.e, false);
        TE b = sema_expr(s, e->u.bin.b);
        sema_pop_guards(s, ng);
        r = lower_binary(s, e->u.bin.op, a, b, e->span, e->u.bin.a->span, e->u.bin.b->span);
        break;
    }
    case E_IF: {
        TE c = sema_expr(s, e->u.cond.c);
        if (!need_bool(s, c, e->u.cond.c->span, "'if'")) { r = bad(s, e->span); break; }
        IrExpr *ce = c.weak ? concretize(s, c.e, TY_BOOL) : c.e;
        int ng = sema_push_guards(s, ce, true);
        TE a = sema_expr(s, e->u.cond.a);
        sema_pop_guards(s, ng);
        ng = sema_push_guards(s, ce, false);
        TE b = sema_expr(s, e->u.cond.b);
        sema_pop_guards(s, ng);
        if (a.err || b.err) { r = bad(s, e->span); break; }
        IrType t = (a.e->ty == TY_BOOL && b.e->ty == TY_BOOL) ? TY_BOOL : promote(a, b);
        if (a.weak && b.weak && ce->op == IR_CONST) { r = ce->u.i ? a : b; break; }
        IrExpr *x = ir_expr(A, IR_SELECT, t, e->span, 3);
        x->args[0] = ce;
        x->args[1] = to(s, a, t);
        x->args[2] = to(s, b, t);
        r = te(x, false);
        if (a.weak && b.weak) {      /* both literals: stays weak in kind, but is no longer a constant */
            x->ty = t == TY_F64 ? TY_F32 : t == TY_I64 ? TY_I32 : t;
            x->args[1] = to(s, a, x->ty);
            x->args[2] = to(s, b, x->ty);
        }
        break;
    }
    default: RLF_ICE("sema_expr: unknown expression kind");
    }
    s->depth--;
    return r;
}

/* ---- index-range inference ---------------------------------------------- */

typedef struct { Sema *s; const char *var; bool found; Lin ext; Span at; bool conflict; } Infer;

static void infer_candidate(Infer *in, Lin ext, Expr *where);

/* `v == x[...]` where x is declared with values in 0..D binds v to [0, D):
 * the group id of a segmented reduction, mu[g] = mean(r[n] for n where group[n] == g) */
static void infer_eq(Infer *in, Expr *e)
{
    for (int side = 0; side < 2; side++) {
        Expr *v = side ? e->u.bin.b : e->u.bin.a, *x = side ? e->u.bin.a : e->u.bin.b;
        if (v->kind != E_NAME || strcmp(v->u.name.name, in->var) != 0) continue;
        while (x->kind == E_CALL && !x->u.call.gen && x->u.call.args.n == 1 && ty_from_name(x->u.call.name) >= 0) x = x->u.call.args.v[0];
        if (x->kind != E_INDEX) continue;
        IrTensor *t = lookup_tensor(in->s, x->u.index.name, NULL);
        if (t && t->has_vrange && lin_is_const(t->vlo) && t->vlo.c == 0) infer_candidate(in, t->vhi, e);
    }
}

/* a use binds the variable to [0, ext); several uses keep the smallest
 * extent when they are comparable and are an error when not */
static void infer_candidate(Infer *in, Lin ext, Expr *where)
{
    Sema *s = in->s;
    if (in->conflict) return;
    if (!in->found) { in->found = true; in->ext = ext; in->at = where->span; return; }
    if (lin_eq(ext, in->ext)) return;
    Lin d = lin_sub(in->ext, ext);
    if (lin_nonneg(d)) { in->ext = ext; return; }
    if (lin_nonneg(lin_scale(d, -1))) return;
    diag_error(s->d, where->span, "index '%s' ranges over %s in '%s' but over %s in '%s'",
               in->var, sema_lin_str(s, ext), diag_span_text(s->d, where->span),
               sema_lin_str(s, in->ext), diag_span_text(s->d, in->at));
    diag_note(s->d, in->at, "'%s' first used here, over %s", in->var, sema_lin_str(s, in->ext));
    in->conflict = true;
}

static void infer_walk(Infer *in, Expr *e)
{
    if (!e || in->conflict) return;
    Sema *s = in->s;
    switch (e->kind) {
    case E_INDEX: {
        IrTensor *t = lookup_tensor(s, e->u.index.name, NULL);
        for (int k = 0; k < e->u.index.idx.n; k++) {
            Expr *ix = e->u.index.idx.v[k];
            if (t && k < t->rank && ix->kind == E_NAME && strcmp(ix->u.name.name, in->var) == 0
                && !(t == s->self && s->self->extent[k].ok == false))
                infer_candidate(in, t->extent[k], e);
            infer_walk(in, ix);
        }
        break;
    }
    case E_CALL:
        for (int k = 0; k < e->u.call.args.n; k++) infer_walk(in, e->u.call.args.v[k]);
        for (int k = 0; k < e->u.call.kw.n; k++) infer_walk(in, e->u.call.kw.v[k].value);
        if (e->u.call.gen) {
            Gen *g = e->u.call.gen;
            for (int k = 0; k < g->vars.n; k++) {
                if (strcmp(g->vars.v[k].name, in->var) == 0) return;   /* shadowed (reported elsewhere) */
                infer_walk(in, g->vars.v[k].lo);
                infer_walk(in, g->vars.v[k].hi);
            }
            infer_walk(in, g->body);
            infer_walk(in, g->where);
        }
        break;
    case E_UNARY: infer_walk(in, e->u.un.a); break;
    case E_BINARY:
        if (e->u.bin.op == IR_EQ) infer_eq(in, e);
        infer_walk(in, e->u.bin.a); infer_walk(in, e->u.bin.b);
        break;
    case E_IF: infer_walk(in, e->u.cond.c); infer_walk(in, e->u.cond.a); infer_walk(in, e->u.cond.b); break;
    default: break;
    }
}

bool sema_infer_var(Sema *s, Expr *root, const char *var, Lin *out, Span *at)
{
    Infer in = { s, var, false, lin_bad(), SPAN_NONE, false };
    infer_walk(&in, root);
    if (in.conflict) { *out = lin_bad(); *at = in.at; return true; }   /* reported: callers stop quietly */
    if (!in.found) return false;
    *out = in.ext;
    *at = in.at;
    return true;
}
