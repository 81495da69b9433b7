/* frontend/sema_bounds.c: the static bounds proofs.
 *
 * Every subscript is turned into an affine form over dims, index variables
 * and opaque atoms (non-affine integer subexpressions such as a gathered
 * index, each with the value range we can prove for it). A read is in bounds
 * when lo <= idx <= hi-1 holds for every value of the variables: the forms
 * are minimised by substituting each atom's bound (opaque atoms first, then
 * variables innermost first, since bounds only mention outer variables),
 * leaving a form over dims, which must be >= 0 for all dims >= 1. Guards
 * (`where`, `if`, the left side of `and`) add facts g >= 0 that may be
 * subtracted first. Recurrences are read through the same check, so a
 * missing boundary is just an out-of-bounds self-read with its own message.
 * Tests: tests/errors/bounds_*.rlf, tests/unit/test_lin.c. */
#include "sema.h"
#include "rlf.h"

#define A (s->a)

static const char *namer(void *ctx, int atom)
{
    Sema *s = ctx;
    int k = LIN_IDX(atom);
    switch (LIN_KIND(atom)) {
    case LIN_DIM: return s->p && k < s->p->dims.n ? s->p->dims.v[k].name : "?";
    case LIN_VAR: return k < s->slot_names.n ? s->slot_names.v[k] : "?";
    default: return k < s->nopaque ? diag_span_text(s->d, s->opaque[k].e->span) : "?";
    }
}

const char *sema_lin_str(Sema *s, Lin l)
{
    char buf[256];
    lin_format(l, namer, s, buf, sizeof buf);
    return arena_strdup(A, buf);
}

static bool vrange_nonlinear(Sema *s, IrExpr *e, Lin *lo, Lin *hi);

static Lin opaque(Sema *s, IrExpr *e)
{
    for (int k = 0; k < s->nopaque; k++)
        if (ir_expr_equal(s->opaque[k].e, e)) return lin_atom(LIN_ATOM(LIN_OPAQUE, k));
    if (s->nopaque >= SEMA_MAX_OPAQUE) return lin_bad();
    int k = s->nopaque;
    Lin lo, hi;
    bool has = vrange_nonlinear(s, e, &lo, &hi);
    /* the ranges found are over dims and variables; keep them with the atom */
    s->opaque[k] = (Opaque){ e, has, lo, hi };
    s->nopaque++;
    return lin_atom(LIN_ATOM(LIN_OPAQUE, k));
}

static VarSym *var_of_slot(Sema *s, int slot);

/* The least and greatest value a form can take, atom by atom: dims in
 * 1..RLF_DIM_MAX (the runtime's cap), variables over their bounds, opaque
 * atoms over their proven range or else their type's; false when the value
 * can leave int64. Looser than sema_minimize (no correlation between atoms),
 * which is all the overflow question needs. */
static bool value_span(Sema *s, Lin l, int depth, int64_t *lo, int64_t *hi)
{
    if (!l.ok || depth > 16) return false;
    *lo = *hi = l.c;
    for (int i = 0; i < l.n; i++) {
        int atom = l.atom[i];
        int64_t alo, ahi, x, y;
        switch (LIN_KIND(atom)) {
        case LIN_DIM: alo = 1; ahi = RLF_DIM_MAX; break;
        case LIN_VAR: {
            VarSym *v = var_of_slot(s, LIN_IDX(atom));
            if (!v || !value_span(s, v->lo, depth + 1, &alo, &x) || !value_span(s, v->hi, depth + 1, &y, &ahi)) return false;
            break;
        }
        default: {
            Opaque *o = &s->opaque[LIN_IDX(atom)];
            if (o->has) {
                if (!value_span(s, o->lo, depth + 1, &alo, &x) || !value_span(s, o->hi, depth + 1, &y, &ahi)) return false;
            } else if (o->e->ty == TY_I32) { alo = INT32_MIN; ahi = INT32_MAX; }
            else if (o->e->ty == TY_U8 || o->e->ty == TY_BOOL) { alo = 0; ahi = 255; }
            else return false;
        }
        }
        int64_t k = l.k[i];
        if (__builtin_mul_overflow(k, k < 0 ? ahi : alo, &x) || __builtin_mul_overflow(k, k < 0 ? alo : ahi, &y) ||
            __builtin_add_overflow(*lo, x, lo) || __builtin_add_overflow(*hi, y, hi)) return false;
    }
    return true;
}

Lin sema_lin(Sema *s, IrExpr *e)
{
    Lin r;
    switch (e->op) {
    case IR_CONST:
        if (!ty_is_int(e->ty)) return lin_bad();
        return lin_const(e->u.i);
    case IR_IVAR: return lin_atom(LIN_ATOM(LIN_VAR, e->u.slot));
    case IR_DIM: return lin_atom(LIN_ATOM(LIN_DIM, e->u.dim));
    case IR_ADD: r = lin_add(sema_lin(s, e->args[0]), sema_lin(s, e->args[1])); break;
    case IR_SUB: r = lin_sub(sema_lin(s, e->args[0]), sema_lin(s, e->args[1])); break;
    case IR_NEG: r = lin_scale(sema_lin(s, e->args[0]), -1); break;
    case IR_MUL: {
        Lin a = sema_lin(s, e->args[0]), b = sema_lin(s, e->args[1]);
        if (lin_is_const(a)) r = lin_scale(b, a.c);
        else if (lin_is_const(b)) r = lin_scale(a, b.c);
        else r = lin_bad();
        break;
    }
    case IR_CAST:
        /* integer widening keeps the value */
        if (ty_is_int(e->ty) && ty_is_int(e->args[0]->ty) && ir_types[e->ty].size >= ir_types[e->args[0]->ty].size) {
            r = sema_lin(s, e->args[0]);
            break;
        }
        r = lin_bad();
        break;
    default:
        r = lin_bad();
    }
    /* integer arithmetic wraps, so its affine form is the value only where
     * the value provably fits the type. Otherwise it is an opaque atom:
     * whatever the machine computes, the same value in a guard and in a
     * subscript; comparisons, // and % of a wrapped value would otherwise be
     * trusted as exact. */
    if (r.ok && (e->op == IR_ADD || e->op == IR_SUB || e->op == IR_NEG || e->op == IR_MUL)) {
        int64_t tmin = e->ty == TY_I64 ? INT64_MIN : e->ty == TY_I32 ? INT32_MIN : 0;
        int64_t tmax = e->ty == TY_I64 ? INT64_MAX : e->ty == TY_I32 ? INT32_MAX : 255;
        int64_t lo, hi;
        if (!(value_span(s, r, 0, &lo, &hi) && lo >= tmin && hi <= tmax)) r = lin_bad();
    }
    if (!r.ok && ty_is_int(e->ty)) return opaque(s, e);
    return r;
}

static VarSym *var_of_slot(Sema *s, int slot)
{
    for (int i = s->vars.n - 1; i >= 0; i--)
        if (s->vars.v[i].slot == slot) return &s->vars.v[i];
    return NULL;
}

/* substitute bounds until only dims remain; minimise if sign > 0 */
static bool bound(Sema *s, Lin l, int sign, Lin *out)
{
    for (int iter = 0; iter < 64 && l.ok; iter++) {
        int pick = -1;
        for (int k = 0; k < l.n; k++) {
            int kind = LIN_KIND(l.atom[k]);
            if (kind == LIN_OPAQUE) { pick = k; }
        }
        if (pick < 0)
            for (int k = 0; k < l.n; k++)
                if (LIN_KIND(l.atom[k]) == LIN_VAR) pick = k;   /* atoms sorted: highest slot last */
        if (pick < 0) { *out = l; return true; }
        int atom = l.atom[pick];
        bool want_lo = (l.k[pick] > 0) == (sign > 0);
        Lin rep;
        if (LIN_KIND(atom) == LIN_OPAQUE) {
            Opaque *o = &s->opaque[LIN_IDX(atom)];
            if (!o->has) return false;
            rep = want_lo ? o->lo : o->hi;
        } else {
            VarSym *v = var_of_slot(s, LIN_IDX(atom));
            if (!v) return false;
            rep = want_lo ? v->lo : v->hi;
        }
        if (!rep.ok) return false;
        l = lin_subst(l, atom, rep);
    }
    return false;
}

bool sema_minimize(Sema *s, Lin l, Lin *out) { return bound(s, l, +1, out); }

bool sema_maximize(Sema *s, Lin l, Lin *out) { return bound(s, l, -1, out); }

static bool nonneg_plain(Sema *s, Lin l)
{
    Lin m;
    return sema_minimize(s, l, &m) && lin_nonneg(m);
}

bool sema_prove_nonneg(Sema *s, Lin l)
{
    if (!l.ok) return false;
    if (nonneg_plain(s, l)) return true;
    for (int i = 0; i < s->nguards; i++) {
        if (s->guards[i].ne) continue;
        Lin r = lin_sub(l, s->guards[i].g);
        if (nonneg_plain(s, r)) return true;
        for (int j = i + 1; j < s->nguards; j++)
            if (!s->guards[j].ne && nonneg_plain(s, lin_sub(r, s->guards[j].g))) return true;
    }
    return false;
}

/* ---- value ranges ------------------------------------------------------- */

bool sema_vrange(Sema *s, IrExpr *e, Lin *lo, Lin *hi)
{
    if (!ty_is_int(e->ty) && e->ty != TY_BOOL) return false;
    Lin l = sema_lin(s, e);
    return l.ok && sema_minimize(s, l, lo) && sema_maximize(s, l, hi);
}

/* ranges of non-affine integer expressions, over dims and variables */
static bool vrange_nonlinear(Sema *s, IrExpr *e, Lin *lo, Lin *hi)
{
    Lin alo, ahi, blo, bhi;
    switch (e->op) {
    case IR_READ: {
        IrTensor *t = s->p->tensors.v[e->u.tensor];
        if (!t->has_vrange) return false;
        *lo = t->vlo;
        *hi = lin_sub(t->vhi, lin_const(1));
        return true;
    }
    case IR_CLAMP:
        /* clamp(x, lo, hi) = min(max(x, lo), hi) for any x: never above hi,
         * and at least lo only where lo <= hi; where that is not provable
         * (clamp(k, 0, S - 2) with S = 1) the value may be hi < lo */
        if (!sema_vrange(s, e->args[1], &alo, &ahi) || !sema_vrange(s, e->args[2], &blo, &bhi)) return false;
        *lo = lin_nonneg(lin_sub(blo, ahi)) ? alo : lin_lower_of(alo, blo);
        *hi = bhi;
        return lo->ok;
    case IR_MIN: case IR_MAX: {
        if (!sema_vrange(s, e->args[0], &alo, &ahi) || !sema_vrange(s, e->args[1], &blo, &bhi)) return false;
        if (e->op == IR_MIN) {
            /* min(a, b) is at least the lower of both lower bounds, and at most either upper bound */
            *lo = lin_lower_of(alo, blo);
            *hi = lin_tighter_upper(ahi, bhi);
        } else {
            *lo = lin_tighter_lower(alo, blo);
            *hi = lin_upper_of(ahi, bhi);
        }
        return lo->ok && hi->ok;
    }
    case IR_SELECT:
        if (!sema_vrange(s, e->args[1], &alo, &ahi) || !sema_vrange(s, e->args[2], &blo, &bhi)) return false;
        *lo = lin_lower_of(alo, blo);
        *hi = lin_upper_of(ahi, bhi);
        return lo->ok && hi->ok;
    case IR_MOD: {
        Lin m = sema_lin(s, e->args[1]), mlo;
        if (!m.ok || !sema_minimize(s, m, &mlo) || !lin_nonneg(lin_sub(mlo, lin_const(1)))) return false;
        Lin mhi;
        if (!sema_maximize(s, m, &mhi)) return false;
        *lo = lin_const(0);
        *hi = lin_sub(mhi, lin_const(1));
        return true;
    }
    case IR_FLOORDIV: {
        /* x // k with x >= 0 and a constant k >= 1 lies in [0, x] */
        Lin k = sema_lin(s, e->args[1]);
        if (!lin_is_const(k) || k.c < 1 || !sema_vrange(s, e->args[0], &alo, &ahi) || !lin_nonneg(alo)) return false;
        *lo = lin_const(0);
        *hi = ahi;
        return true;
    }
    case IR_CAST:
        if (ty_is_int(e->args[0]->ty) || e->args[0]->ty == TY_BOOL) {
            if (e->args[0]->ty == TY_BOOL) { *lo = lin_const(0); *hi = lin_const(1); return true; }
            return false;
        }
        return false;
    case IR_REDUCE: {
        IrReduce *r = e->u.red;
        if (r->kind == RED_COUNT) {
            Lin n = lin_const(1);
            for (int k = 0; k < r->nvars; k++) {
                Lin h = sema_lin(s, r->hi[k]), l = sema_lin(s, r->lo[k]), m;
                Lin w = lin_sub(h, l);
                if (!lin_is_const(n) || !sema_maximize(s, w, &m)) return false;
                n = lin_scale(m, n.c);
                if (!lin_is_const(n) && k + 1 < r->nvars) return false;
            }
            *lo = lin_const(0); *hi = n;
            return n.ok;
        }
        if (r->kind == RED_ARGMAX || r->kind == RED_ARGMIN) {
            Lin l = sema_lin(s, r->lo[0]), h = sema_lin(s, r->hi[0]), ml, mh;
            if (!sema_minimize(s, l, &ml) || !sema_maximize(s, lin_sub(h, lin_const(1)), &mh)) return false;
            *lo = e->args[1] ? lin_const(-1) : ml;
            *hi = mh;
            return true;
        }
        return false;
    }
    case IR_CONST:
        if (e->ty == TY_BOOL) { *lo = *hi = lin_const(e->u.i); return true; }
        return false;
    default:
        if (e->ty == TY_BOOL) { *lo = lin_const(0); *hi = lin_const(1); return true; }
        return false;
    }
}

/* ---- guards ------------------------------------------------------------- */

static int push(Sema *s, Lin g, bool ne)
{
    if (!g.ok || s->nguards >= SEMA_MAX_GUARDS) return 0;
    if (ne) {
        /* v != c where c is v's last (or first) value narrows v by one */
        for (int k = 0; k < g.n; k++) {
            if (LIN_KIND(g.atom[k]) != LIN_VAR || (g.k[k] != 1 && g.k[k] != -1)) continue;
            VarSym *v = var_of_slot(s, LIN_IDX(g.atom[k]));
            if (!v) continue;
            Lin vv = lin_atom(g.atom[k]);
            Lin c = lin_sub(vv, lin_scale(g, g.k[k]));      /* g = k(v - c) */
            if (lin_eq(c, v->hi)) return push(s, lin_sub(lin_sub(c, lin_const(1)), vv), false);
            if (lin_eq(c, v->lo)) return push(s, lin_sub(lin_sub(vv, c), lin_const(1)), false);
        }
        return 0;
    }
    s->guards[s->nguards++] = (Guard){ g, false };
    return 1;
}

int sema_push_guards(Sema *s, IrExpr *c, bool truth)
{
    switch (c->op) {
    case IR_AND:
        return truth ? sema_push_guards(s, c->args[0], true) + sema_push_guards(s, c->args[1], true) : 0;
    case IR_OR:
        return truth ? 0 : sema_push_guards(s, c->args[0], false) + sema_push_guards(s, c->args[1], false);
    case IR_NOT:
        return sema_push_guards(s, c->args[0], !truth);
    case IR_LT: case IR_LE: case IR_GT: case IR_GE: case IR_EQ: case IR_NE: {
        if (!ty_is_int(c->args[0]->ty) || !ty_is_int(c->args[1]->ty)) return 0;
        Lin a = sema_lin(s, c->args[0]), b = sema_lin(s, c->args[1]);
        if (!a.ok || !b.ok) return 0;
        IrOp op = c->op;
        if (!truth) {
            static const IrOp neg[] = { [IR_LT] = IR_GE, [IR_LE] = IR_GT, [IR_GT] = IR_LE, [IR_GE] = IR_LT, [IR_EQ] = IR_NE, [IR_NE] = IR_EQ };
            op = neg[op];
        }
        Lin one = lin_const(1);
        switch (op) {
        case IR_LT: return push(s, lin_sub(lin_sub(b, a), one), false);
        case IR_LE: return push(s, lin_sub(b, a), false);
        case IR_GT: return push(s, lin_sub(lin_sub(a, b), one), false);
        case IR_GE: return push(s, lin_sub(a, b), false);
        case IR_EQ: return push(s, lin_sub(b, a), false) + push(s, lin_sub(a, b), false);
        case IR_NE: return push(s, lin_sub(a, b), true);
        default: return 0;
        }
    }
    default:
        return 0;
    }
}

void sema_pop_guards(Sema *s, int n) { s->nguards -= n; }

/* ---- reads -------------------------------------------------------------- */

static void self_read(Sema *s, IrExpr *r, Expr *src)
{
    IrTensor *t = s->self;
    if (s->in_boundary) {
        diag_error(s->d, src->span, "a boundary definition cannot read '%s' itself", t->name);
        return;
    }
    IrDef *def = t->def;
    int moved = -1;
    for (int k = 0; k < t->rank; k++) {
        Lin ix = sema_lin(s, r->args[k]);
        Lin v = lin_atom(LIN_ATOM(LIN_VAR, def->axis_slot[k]));
        if (lin_eq(ix, v)) continue;
        if (moved >= 0) {
            diag_error(s->d, src->span, "'%s' reads itself shifted along two indices; a recurrence runs along one index and reads the others unchanged", t->name);
            return;
        }
        moved = k;
        Lin off = lin_sub(ix, v), lo, hi;
        bool has = off.ok && sema_minimize(s, off, &lo) && sema_maximize(s, off, &hi);
        if (has && lin_is_const(lo) && lo.c >= 1) s->self_bwd = true;
        else if (has && lin_is_const(hi) && hi.c <= -1) s->self_fwd = true;
        else {
            const char *vn = def->axis_slot[k] < s->slot_names.n ? s->slot_names.v[def->axis_slot[k]] : "?";
            diag_error(s->d, src->span, "'%s' must read itself at a fixed distance before or after '%s' (such as %s-1 or %s+1), found '%s'",
                       t->name, vn, vn, vn, diag_span_text(s->d, r->args[k]->span));
            return;
        }
        if (s->self_axis >= 0 && s->self_axis != k) {
            diag_error(s->d, src->span, "'%s' is a recurrence along two different indices", t->name);
            return;
        }
        if (t->scan_axis >= 0 && t->scan_axis != k) {
            diag_error(s->d, src->span, "'%s' is a recurrence along axis %d but its boundary fixes axis %d", t->name, k + 1, t->scan_axis + 1);
            s->self_axis = t->scan_axis;
            return;
        }
        s->self_axis = k;
        s->self_span = src->span;
    }
    if (moved < 0)
        diag_error(s->d, src->span, "'%s' reads its own value at the same index: a definition cannot depend on itself", t->name);
}

void sema_check_read(Sema *s, IrExpr *r, Expr *src)
{
    IrTensor *t = s->p->tensors.v[r->u.tensor];
    bool is_self = t == s->self;
    if (is_self) {
        int before = s->d->nerrors;
        self_read(s, r, src);
        if (s->d->nerrors != before) return;
    }
    for (int k = 0; k < t->rank; k++) {
        Lin ix = sema_lin(s, r->args[k]);
        Lin lo = lin_const(-t->lo_pad[k]);
        Lin last = lin_add(t->extent[k], lin_const(t->hi_pad[k] - 1));
        bool ok_lo = sema_prove_nonneg(s, lin_sub(ix, lo));
        bool ok_hi = sema_prove_nonneg(s, lin_sub(last, ix));
        if (ok_lo && ok_hi) continue;
        const char *ixs = diag_span_text(s->d, r->args[k]->span);
        Lin mn, mx;
        bool hmn = sema_minimize(s, ix, &mn), hmx = sema_maximize(s, ix, &mx);
        /* an opaque atom without a range makes the subscript unknowable */
        bool unknown = false;
        for (int j = 0; j < ix.n; j++)
            if (LIN_KIND(ix.atom[j]) == LIN_OPAQUE && !s->opaque[LIN_IDX(ix.atom[j])].has) {
                unknown = true;
                const IrExpr *oe = s->opaque[LIN_IDX(ix.atom[j])].e;
                bool narrow = ty_is_int(oe->ty) && oe->ty != TY_I64 && (oe->op == IR_ADD || oe->op == IR_SUB || oe->op == IR_MUL || oe->op == IR_NEG);
                diag_error(s->d, r->args[k]->span,
                           "cannot prove the read '%s' in bounds: nothing bounds the value of '%s'; %s",
                           diag_span_text(s->d, src->span), diag_span_text(s->d, oe->span),
                           narrow ? "its arithmetic is in i32 and may wrap: convert first, e.g. i64(x[b]) + 1"
                                  : "declare the input's range (name: i32[...] in 0..N), clamp the index, or guard the read with if/where");
                break;
            }
        if (unknown) return;
        if (is_self && !s->in_boundary) {
            Lin past = ok_hi ? (hmn ? mn : lo) : (hmx ? mx : last);
            diag_error(s->d, src->span,
                       "recurrence '%s' reads '%s' past its %s: '%s' reaches %s but '%s' is defined on %s..%s; add a boundary definition such as %s[%s%s] = 0",
                       t->name, diag_span_text(s->d, src->span), ok_hi ? "start" : "end", ixs, sema_lin_str(s, past), t->name,
                       sema_lin_str(s, lo), sema_lin_str(s, last), t->name, sema_lin_str(s, past),
                       t->rank > 1 ? ", ..." : "");
            return;
        }
        diag_error(s->d, r->args[k]->span,
                   "read '%s' may be out of bounds: subscript %d ('%s') ranges over %s..%s but '%s' has indices %s..%s on that axis",
                   diag_span_text(s->d, src->span), k + 1, ixs,
                   hmn ? sema_lin_str(s, mn) : "?", hmx ? sema_lin_str(s, mx) : "?",
                   t->name, sema_lin_str(s, lo), sema_lin_str(s, last));
        return;
    }
}
