/* frontend/sema_call.c: statements that call with whole tensors.
 *   v = value_model(obs)                 an extern: a host function called
 *                                        once with whole tensors
 *   adv, ret = gae(r, v, vn, term, done, gamma = 0.9)
 *                                        another pipeline, inlined: its
 *                                        tensors are copied into the caller
 *                                        with its dims mapped to the caller's
 * Both bind the callee's dims by unifying declared shapes with the argument
 * tensors' extents. Tests: tests/run/call_*.rlf, tests/errors/extern_*.rlf. */
#include "sema.h"

#define A (s->a)

/* callee dim -> caller form */
typedef struct { int n; Lin *val; bool *set; } DimMap;

static DimMap dimmap(Sema *s, int n)
{
    DimMap m = { n, arena_alloc(A, (size_t)(n + 1) * sizeof(Lin)), arena_alloc(A, (size_t)n + 1) };
    return m;
}

/* bind from an axis of the form D + c; other forms are checked afterwards */
static void unify_bind(DimMap *m, Lin want, Lin have)
{
    if (want.ok && want.n == 1 && want.k[0] == 1) {
        int d = LIN_IDX(want.atom[0]);
        if (!m->set[d]) { m->set[d] = true; m->val[d] = lin_sub(have, lin_const(want.c)); }
    }
}

static bool map_lin(const DimMap *m, Lin l, Lin *out)
{
    if (!l.ok) return false;
    Lin r = lin_const(l.c);
    for (int j = 0; j < l.n; j++) {
        int d = LIN_IDX(l.atom[j]);
        if (LIN_KIND(l.atom[j]) != LIN_DIM || d >= m->n || !m->set[d]) return false;
        r = lin_add(r, lin_scale(m->val[d], l.k[j]));
    }
    *out = r;
    return r.ok;
}

bool sema_is_call_stmt(Sema *s, StmtAst *st)
{
    if (st->rhs->kind != E_CALL || st->rhs->u.call.gen) return false;
    const char *n = st->rhs->u.call.name;
    if (sema_fn(s, n) || ir_op_by_call_name(n) >= 0 || ty_from_name(n) >= 0) return false;
    return sema_extern(s, n) || ir_find_pipeline(s->m, n);
}

/* ---- externs ------------------------------------------------------------ */

static void lower_extern_call(Sema *s, StmtAst *st, ExternSym *es)
{
    IrPipeline *p = s->p;
    Expr *c = st->rhs;
    IrExternDecl *x = s->m->externs.v[es->ext];
    if (st->has_idx) { diag_error(s->d, st->span, "an extern call assigns whole tensors: write %s = %s(...)", st->names.v[0], x->name); return; }
    if (c->u.call.kw.n) { diag_error(s->d, c->span, "extern '%s' takes positional tensor arguments", x->name); return; }
    if (c->u.call.args.n != x->nin) { diag_error(s->d, c->span, "extern '%s' takes %d argument%s, %d given", x->name, x->nin, x->nin == 1 ? "" : "s", c->u.call.args.n); return; }
    if (st->names.n != x->nout) { diag_error(s->d, st->span, "extern '%s' returns %d value%s, %d assigned", x->name, x->nout, x->nout == 1 ? "" : "s", st->names.n); return; }
    DimMap m = dimmap(s, x->ndims);
    IrStep step = { STEP_EXTERN, st->span, -1, es->ext, x->nin, x->nout, NULL, NULL };
    step.in = arena_alloc(A, (size_t)(x->nin + 1) * sizeof(int));
    step.out = arena_alloc(A, (size_t)(x->nout + 1) * sizeof(int));
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < x->nin; k++) {
            Expr *a = c->u.call.args.v[k];
            int id = a->kind == E_NAME ? ir_find_tensor(p, a->u.name.name) : -1;
            if (id < 0) {
                if (pass && !(a->kind == E_NAME && sema_is_failed(s, a->u.name.name)))
                    diag_error(s->d, a->span, "argument %d of extern '%s' must be the name of a tensor", k + 1, x->name);
                if (pass) return;
                continue;
            }
            IrTensor *t = p->tensors.v[id];
            if (t->ty != x->in_ty[k] || t->rank != x->in_rank[k]) {
                if (pass) {
                    diag_error(s->d, a->span, "argument '%s' of extern '%s' must be %s of rank %d, found %s of rank %d", x->in_names[k], x->name,
                               ir_types[x->in_ty[k]].name, x->in_rank[k], ir_types[t->ty].name, t->rank);
                    return;
                }
                continue;
            }
            for (int ax = 0; ax < t->rank; ax++) {
                if (!pass) { unify_bind(&m, x->in_shape[k][ax], t->extent[ax]); continue; }
                Lin want;
                if (!map_lin(&m, x->in_shape[k][ax], &want) || !lin_eq(want, t->extent[ax])) {
                    diag_error(s->d, a->span, "argument '%s' of extern '%s': axis %d has extent %s, which does not match the declared shape",
                               x->in_names[k], x->name, ax + 1, sema_lin_str(s, t->extent[ax]));
                    return;
                }
            }
            step.in[k] = id;
        }
    for (int k = 0; k < x->nout; k++) {
        const char *nm = st->names.v[k];
        if (sema_name_taken(s, nm, st->name_spans.v[k], "tensor")) return;
        IrTensor *t = sema_new_tensor(s, nm, st->name_spans.v[k], TK_EXTERN_OUT, x->out_ty[k], x->out_rank[k]);
        for (int ax = 0; ax < t->rank; ax++)
            if (!map_lin(&m, x->out_shape[k][ax], &t->extent[ax])) {
                diag_error(s->d, st->span, "the output shape of extern '%s' uses a dim that no argument binds", x->name);
                return;
            }
        step.out[k] = p->tensors.n - 1;
    }
    vec_push(A, &p->steps, step);
}

/* ---- pipeline calls ----------------------------------------------------- */

typedef struct {
    Sema *s;
    IrPipeline *cp;
    DimMap dims;
    int *tmap;                 /* callee tensor id -> caller tensor id */
    IrExpr **params;           /* callee param -> caller expression */
    Span sp;
} Inline;

static IrExpr *clone(Inline *in, const IrExpr *e)
{
    Sema *s = in->s;
    if (!e) return NULL;
    switch (e->op) {
    case IR_DIM: {
        Lin l;
        map_lin(&in->dims, lin_atom(LIN_ATOM(LIN_DIM, e->u.dim)), &l);
        return sema_lin_expr(s, l, e->span);
    }
    case IR_PARAM: return in->params[e->u.param];
    default: break;
    }
    IrExpr *c = ir_expr(A, e->op, e->ty, e->span, e->nargs);
    c->u = e->u;
    for (int k = 0; k < e->nargs; k++) c->args[k] = clone(in, e->args[k]);
    if (e->op == IR_READ) c->u.tensor = in->tmap[e->u.tensor];
    if (e->op == IR_REDUCE) {
        IrReduce *r = arena_alloc(A, sizeof *r);
        *r = *e->u.red;
        r->lo = arena_alloc(A, (size_t)r->nvars * sizeof(IrExpr *));
        r->hi = arena_alloc(A, (size_t)r->nvars * sizeof(IrExpr *));
        for (int k = 0; k < r->nvars; k++) { r->lo[k] = clone(in, e->u.red->lo[k]); r->hi[k] = clone(in, e->u.red->hi[k]); }
        c->u.red = r;
    }
    return c;
}

static IrDef *clone_def(Inline *in, const IrTensor *t, const IrDef *d)
{
    IrDef *n = arena_alloc(in->s->a, sizeof *n);
    *n = *d;
    for (int k = 0; k < t->rank; k++)
        if (d->axis_slot[k] < 0) map_lin(&in->dims, d->fixed[k], &n->fixed[k]);
    n->body = clone(in, d->body);
    return n;
}

static void lower_pipeline_call(Sema *s, StmtAst *st, IrPipeline *cp)
{
    IrPipeline *p = s->p;
    Expr *c = st->rhs;
    if (cp == p) { diag_error(s->d, c->span, "pipeline '%s' calls itself", cp->name); return; }
    if (st->has_idx) { diag_error(s->d, st->span, "a pipeline call assigns whole tensors: write %s = %s(...)", st->names.v[0], cp->name); return; }
    if (st->names.n != cp->outputs.n) {
        diag_error(s->d, st->span, "pipeline '%s' returns %d tensor%s, %d assigned", cp->name, cp->outputs.n, cp->outputs.n == 1 ? "" : "s", st->names.n);
        return;
    }
    /* match arguments to the callee's signature: positional, then by name */
    int na = cp->args.n;
    Expr **given = arena_alloc(A, (size_t)(na + 1) * sizeof(Expr *));
    if (c->u.call.args.n > na) { diag_error(s->d, c->span, "pipeline '%s' takes %d arguments, %d given", cp->name, na, c->u.call.args.n); return; }
    for (int k = 0; k < c->u.call.args.n; k++) given[k] = c->u.call.args.v[k];
    for (int k = 0; k < c->u.call.kw.n; k++) {
        Kwarg *kw = &c->u.call.kw.v[k];
        int at = -1;
        for (int j = 0; j < na; j++) {
            IrArg ag = cp->args.v[j];
            const char *nm = ag.is_tensor ? cp->tensors.v[ag.id]->name : ag.id < 0 ? cp->dims.v[-1 - ag.id].name : cp->params.v[ag.id].name;
            if (!strcmp(nm, kw->name)) at = j;
        }
        if (at < 0) { diag_error(s->d, kw->span, "pipeline '%s' has no argument '%s'", cp->name, kw->name); return; }
        if (given[at]) { diag_error(s->d, kw->span, "argument '%s' of '%s' is given twice", kw->name, cp->name); return; }
        given[at] = kw->value;
    }
    Inline in = { s, cp, dimmap(s, cp->dims.n), arena_alloc(A, (size_t)(cp->tensors.n + 1) * sizeof(int)),
                  arena_alloc(A, (size_t)(cp->params.n + 1) * sizeof(IrExpr *)), c->span };
    for (int k = 0; k < cp->tensors.n; k++) in.tmap[k] = -1;
    /* tensors and dims first, so that dims can appear in parameter values */
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < na; j++) {
            IrArg ag = cp->args.v[j];
            if (!ag.is_tensor && ag.id >= 0) continue;
            const char *nm = ag.is_tensor ? cp->tensors.v[ag.id]->name : cp->dims.v[-1 - ag.id].name;
            if (!given[j]) { if (pass) { diag_error(s->d, c->span, "missing argument '%s' of pipeline '%s'", nm, cp->name); return; } continue; }
            if (!ag.is_tensor) {
                if (pass == 0) {
                    Lin v = sema_shape_lin(s, given[j], false);
                    if (!v.ok) return;
                    int d = -1 - ag.id;
                    in.dims.set[d] = true; in.dims.val[d] = v;
                }
                continue;
            }
            Expr *a = given[j];
            const IrTensor *ct = cp->tensors.v[ag.id];
            int id = a->kind == E_NAME ? ir_find_tensor(p, a->u.name.name) : -1;
            if (id < 0) {
                if (pass && a->kind == E_NAME && sema_is_failed(s, a->u.name.name)) return;    /* reported */
                if (pass) { diag_error(s->d, a->span, "argument '%s' of pipeline '%s' must be the name of a tensor", nm, cp->name); return; }
                continue;
            }
            IrTensor *t = p->tensors.v[id];
            if (t->ty != ct->ty || t->rank != ct->rank) {
                if (pass) {
                    diag_error(s->d, a->span, "argument '%s' of pipeline '%s' must be %s of rank %d, found %s of rank %d", nm, cp->name,
                               ir_types[ct->ty].name, ct->rank, ir_types[t->ty].name, t->rank);
                    return;
                }
                continue;
            }
            in.tmap[ag.id] = id;
            for (int ax = 0; ax < t->rank; ax++) {
                if (!pass) { unify_bind(&in.dims, ct->extent[ax], t->extent[ax]); continue; }
                Lin want;
                if (!map_lin(&in.dims, ct->extent[ax], &want) || !lin_eq(want, t->extent[ax])) {
                    diag_error(s->d, a->span, "argument '%s' of pipeline '%s': axis %d has extent %s but must be %s", nm, cp->name, ax + 1,
                               sema_lin_str(s, t->extent[ax]), want.ok ? sema_lin_str(s, want) : "consistent with the other arguments");
                    return;
                }
            }
            if (ct->has_vrange && !(t->has_vrange && lin_eq(t->vlo, ct->vlo) && lin_eq(t->vhi, ct->vhi))) {
                /* the callee relies on a value range the caller cannot promise */
                Lin lo, hi;
                if (!(t->has_vrange && map_lin(&in.dims, ct->vlo, &lo) && map_lin(&in.dims, ct->vhi, &hi)
                      && lin_nonneg(lin_sub(t->vlo, lo)) && lin_nonneg(lin_sub(hi, t->vhi)))) {
                    diag_error(s->d, a->span, "argument '%s' of pipeline '%s' must have values in a declared range (%s..%s)", nm, cp->name,
                               sema_lin_str(s, map_lin(&in.dims, ct->vlo, &lo) ? lo : ct->vlo), sema_lin_str(s, map_lin(&in.dims, ct->vhi, &hi) ? hi : ct->vhi));
                    return;
                }
            }
        }
    for (int j = 0; j < na; j++) {
        IrArg ag = cp->args.v[j];
        if (ag.is_tensor || ag.id < 0) continue;
        const IrParam *pr = &cp->params.v[ag.id];
        if (given[j]) {
            /* a value computed from tensors (a reduction) becomes a scalar
             * tensor of the caller: its index variables must not meet the
             * callee's, and it is computed once, not at every use */
            s->nslots = 0; s->slot_names.n = 0; s->slot_names.v = NULL; s->slot_names.cap = 0;
            s->nguards = 0; s->nopaque = 0; s->vars.n = 0;
            TE v = sema_expr(s, given[j]);
            IrExpr *pe = sema_coerce(s, v, pr->ty, given[j]->span, arena_printf(A, "argument '%s' of '%s'", pr->name, cp->name));
            if (ir_expr_has_reduce(pe) || s->nslots > 0) {
                const char *nm = arena_printf(A, "%s.%s", cp->name, pr->name);
                for (int q = 2; ir_find_tensor(p, nm) >= 0; q++) nm = arena_printf(A, "%s.%s.%d", cp->name, pr->name, q);
                IrTensor *t = sema_new_tensor(s, nm, given[j]->span, TK_DEF, pr->ty, 0);
                IrDef *def = arena_alloc(A, sizeof *def);
                def->span = given[j]->span;
                def->nslots = s->nslots;
                def->slot_names = s->slot_names.v;
                def->body = pe;
                t->def = def;
                if (s->nslots > p->max_slots) p->max_slots = s->nslots;
                IrStep ps = { STEP_DEF, given[j]->span, p->tensors.n - 1, 0, 0, 0, NULL, NULL };
                vec_push(A, &p->steps, ps);
                IrExpr *rd = ir_expr(A, IR_READ, pr->ty, given[j]->span, 0);
                rd->u.tensor = p->tensors.n - 1;
                pe = rd;
            }
            in.params[ag.id] = pe;
        } else if (pr->has_default) {
            in.params[ag.id] = ty_is_float(pr->ty) ? ir_const_f(A, pr->ty, pr->fdef, c->span) : ir_const_i(A, pr->ty, pr->idef, c->span);
        } else {
            diag_error(s->d, c->span, "missing argument '%s' of pipeline '%s' (it has no default)", pr->name, cp->name);
            return;
        }
    }
    if (p->tensors.n + cp->tensors.n > IR_MAX_TENSORS) {
        diag_error(s->d, c->span, "calling '%s' here takes '%s' past %d tensors; nested pipeline calls copy the callee each time",
                   cp->name, p->name, IR_MAX_TENSORS);
        return;
    }
    /* copy the callee's steps; outputs take the caller's names */
    for (int k = 0; k < cp->steps.n; k++) {
        const IrStep *cs = &cp->steps.v[k];
        int nout = cs->kind == STEP_DEF ? 1 : cs->nout;
        IrStep ns = *cs;
        if (cs->kind == STEP_EXTERN) {
            ns.in = arena_alloc(A, (size_t)(cs->nin + 1) * sizeof(int));
            ns.out = arena_alloc(A, (size_t)(cs->nout + 1) * sizeof(int));
            for (int j = 0; j < cs->nin; j++) ns.in[j] = in.tmap[cs->in[j]];
        }
        for (int o = 0; o < nout; o++) {
            int cid = cs->kind == STEP_DEF ? cs->tensor : cs->out[o];
            const IrTensor *ct = cp->tensors.v[cid];
            const char *nm = NULL;
            Span nsp = c->span;
            for (int q = 0; q < cp->outputs.n; q++)
                if (cp->outputs.v[q] == cid) { nm = st->names.v[q]; nsp = st->name_spans.v[q]; }
            if (nm && !strcmp(nm, "_")) nm = NULL;
            if (nm) { if (sema_name_taken(s, nm, nsp, "tensor")) return; }
            else {
                nm = arena_printf(A, "%s.%s", cp->name, ct->name);
                for (int q = 2; ir_find_tensor(p, nm) >= 0; q++) nm = arena_printf(A, "%s.%s.%d", cp->name, ct->name, q);
            }
            IrTensor *t = sema_new_tensor(s, nm, nsp, ct->kind, ct->ty, ct->rank);
            int id = p->tensors.n - 1;
            in.tmap[cid] = id;
            t->scan_axis = ct->scan_axis;
            t->scan_dir = ct->scan_dir;
            memcpy(t->lo_pad, ct->lo_pad, sizeof t->lo_pad);
            memcpy(t->hi_pad, ct->hi_pad, sizeof t->hi_pad);
            for (int ax = 0; ax < ct->rank; ax++) map_lin(&in.dims, ct->extent[ax], &t->extent[ax]);
            if (ct->has_vrange) t->has_vrange = map_lin(&in.dims, ct->vlo, &t->vlo) && map_lin(&in.dims, ct->vhi, &t->vhi);
            if (cs->kind == STEP_DEF) {
                ns.tensor = id;
                t->def = clone_def(&in, ct, ct->def);
                for (int b = 0; b < ct->bounds.n; b++) vec_push(A, &t->bounds, clone_def(&in, ct, ct->bounds.v[b]));
            } else ns.out[o] = id;
        }
        ns.span = st->span;
        vec_push(A, &p->steps, ns);
    }
    if (cp->max_slots > p->max_slots) p->max_slots = cp->max_slots;
}

void sema_lower_call_stmt(Sema *s, StmtAst *st)
{
    ExternSym *es = sema_extern(s, st->rhs->u.call.name);
    if (es) { lower_extern_call(s, st, es); return; }
    lower_pipeline_call(s, st, ir_find_pipeline(s->m, st->rhs->u.call.name));
}
