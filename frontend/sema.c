/* frontend/sema.c: declarations and definitions. Collects consts, fns and
 * externs of the module and its imports, then lowers each pipeline: its
 * signature (inputs, scalar parameters, dims), its statements grouped into
 * tensors (a main definition plus boundary definitions), index ranges,
 * recurrence classification, and extern calls. Runs after parsing, before
 * the IR verifier. Tests: tests/errors/, tests/run/. */
#include "sema.h"
#include <math.h>

#define A (s->a)

int sema_dim_index(Sema *s, const char *name)
{
    if (!s->p) return -1;
    for (int i = 0; i < s->p->dims.n; i++)
        if (strcmp(s->p->dims.v[i].name, name) == 0) return i;
    return -1;
}

ConstSym *sema_const(Sema *s, const char *name)
{
    int i = sema_names_get(&s->const_names, name);
    return i >= 0 ? &s->consts.v[i] : NULL;
}

FnSym *sema_fn(Sema *s, const char *name)
{
    int i = sema_names_get(&s->fn_names, name);
    return i >= 0 ? &s->fns.v[i] : NULL;
}

ExternSym *sema_extern(Sema *s, const char *name)
{
    int i = sema_names_get(&s->extern_names, name);
    return i >= 0 ? &s->externs.v[i] : NULL;
}

bool sema_is_broken(Sema *s, int tensor)
{
    for (int i = 0; i < s->broken.n; i++) if (s->broken.v[i] == tensor) return true;
    return false;
}

static void mark_broken(Sema *s, int tensor) { vec_push(A, &s->broken, tensor); }

/* The promise of docs/language.md (Diagnostics): each error is a mistake
 * of its own. A definition that reported an error marks its tensor broken,
 * or its name failed when no tensor was made, and later uses of it are
 * quiet (no "rank 0", "used before its definition" or "unknown tensor"). */
bool sema_is_failed(Sema *s, const char *name)
{
    for (int i = 0; i < s->failed.n; i++) if (strcmp(s->failed.v[i], name) == 0) return true;
    return false;
}

static void definition_failed(Sema *s, StmtAst *st)
{
    for (int k = 0; k < st->names.n; k++) {
        int id = ir_find_tensor(s->p, st->names.v[k]);
        if (id >= 0 && s->p->tensors.v[id]->kind != TK_INPUT) mark_broken(s, id);
        else if (id < 0) vec_push(A, &s->failed, st->names.v[k]);
    }
}

bool sema_is_pending(Sema *s, const char *name, Span *at)
{
    if (!s->pdecl) return false;
    for (int i = 0; i < s->pdecl->stmts.n; i++) {
        StmtAst *st = &s->pdecl->stmts.v[i];
        for (int k = 0; k < st->names.n; k++)
            if (strcmp(st->names.v[k], name) == 0) { *at = st->span; return true; }
    }
    return false;
}

/* ---- shapes -------------------------------------------------------------- */

/* a dimension expression: affine in dims and integer constants */
Lin sema_shape_lin(Sema *s, Expr *e, bool allow_new_dims)
{
    switch (e->kind) {
    case E_INT: return lin_const(e->u.ival);
    case E_NAME: {
        const char *n = e->u.name.name;
        ConstSym *c = sema_const(s, n);
        if (c) {
            if (!c->ok) return lin_bad();
            if (c->is_float) { diag_error(s->d, e->span, "constant '%s' is a float and cannot be a dimension", n); return lin_bad(); }
            return lin_const(c->i);
        }
        int di = sema_dim_index(s, n);
        if (di < 0) {
            if (!allow_new_dims) {
                bool seen = false;
                for (int k = 0; k < s->unbound_dims.n; k++) if (!strcmp(s->unbound_dims.v[k], n)) seen = true;
                if (!seen) diag_error(s->d, e->span, "dimension '%s' is not bound by any input; declare it as a parameter '%s: dim'", n, n);
                vec_push(A, &s->unbound_dims, n);
                return lin_bad();
            }
            IrDimSym d = { n, e->span, false };
            vec_push(A, &s->p->dims, d);
            di = s->p->dims.n - 1;
        }
        return lin_atom(LIN_ATOM(LIN_DIM, di));
    }
    case E_BINARY: {
        Lin a = sema_shape_lin(s, e->u.bin.a, allow_new_dims);
        Lin b = sema_shape_lin(s, e->u.bin.b, allow_new_dims);
        if (!a.ok || !b.ok) return lin_bad();
        switch (e->u.bin.op) {
        case IR_ADD: return lin_add(a, b);
        case IR_SUB: return lin_sub(a, b);
        case IR_MUL:
            if (lin_is_const(a)) return lin_scale(b, a.c);
            if (lin_is_const(b)) return lin_scale(a, b.c);
            break;
        default: break;
        }
        break;
    }
    case E_UNARY:
        if (e->u.un.op == IR_NEG) return lin_scale(sema_shape_lin(s, e->u.un.a, allow_new_dims), -1);
        break;
    default: break;
    }
    diag_error(s->d, e->span, "a dimension must be a dim name, an integer constant, or a sum of those (like T+1)");
    return lin_bad();
}

/* ---- module-level declarations ----------------------------------------- */

/* "path:line:col" of a span, for messages that name a second place */
const char *sema_where(Sema *s, Span sp)
{
    if (sp.file < 0 || sp.file >= s->d->files.n) return "?";
    int line, col;
    diag_line_col(s->d, sp, &line, &col);
    return arena_printf(A, "%s:%d:%d", s->d->files.v[sp.file].path, line, col);
}

/* A fn or const declared in two files. All files share one namespace, so
 * letting one shadow the other would silently change what the other file's
 * own code computes (an imported module's pipelines calling the main file's
 * fn of that name): it is an error naming both. The error sits at the file
 * closer to the main file (files are in breadth-first import order), which
 * is the one the user can rename. */
static bool clash(Sema *s, const char *what, const char *name, Span here, Span prev)
{
    if (here.file == prev.file || here.file < 0 || prev.file < 0) return false;
    Span mine = here.file < prev.file ? here : prev, other = here.file < prev.file ? prev : here;
    diag_error(s->d, mine, "%s '%s' is also defined at %s, in an imported module; all files share one namespace, "
               "so the imported code would use this one: rename it", what, name, sema_where(s, other));
    diag_note(s->d, other, "the imported %s '%s'", what, name);
    return true;
}

static void declare_const(Sema *s, DeclAst *d)
{
    ConstSym *pc = sema_const(s, d->name);
    /* consts are declared imports first, so a const may use imported ones */
    if (pc && clash(s, "const", d->name, d->name_span, pc->span)) return;
    if (pc || sema_fn(s, d->name)) {
        diag_error(s->d, d->name_span, "'%s' is already declared", d->name);
        return;
    }
    ConstSym c = { d->name, d->name_span, false, false, 0, 0, false };
    IrPipeline *sp = s->p; s->p = NULL;
    TE v = sema_expr(s, d->value);
    s->p = sp;
    if (v.err) {
        /* reported; c.ok stays false, so uses of the const are quiet */
    } else if (v.e->op != IR_CONST) {
        diag_error(s->d, d->value->span, "the value of const '%s' must be computable at compile time", d->name);
    } else {
        c.ok = true;
        c.is_float = ty_is_float(v.e->ty);
        c.is_bool = v.e->ty == TY_BOOL;
        if (c.is_float) c.f = v.e->u.f; else c.i = v.e->u.i;
    }
    vec_push(A, &s->consts, c);
    sema_names_put(A, &s->const_names, c.name, s->consts.n - 1);
}

static void declare_fn(Sema *s, DeclAst *d)
{
    FnSym *pf = sema_fn(s, d->name);
    if (pf && clash(s, "fn", d->name, d->name_span, pf->decl->name_span)) return;
    if (pf || sema_const(s, d->name) || ir_op_by_call_name(d->name) >= 0 || ir_red_by_name(d->name) >= 0 || ty_from_name(d->name) >= 0) {
        diag_error(s->d, d->name_span, "'%s' is already declared (or is a built-in)", d->name);
        return;
    }
    for (int k = 0; k < d->params.n; k++) {
        if (d->params.v[k].type.has_shape || d->params.v[k].type.is_dim)
            diag_error(s->d, d->params.v[k].span, "fn parameters are scalars; '%s' has a shape", d->params.v[k].name);
        if (d->params.v[k].deflt)
            diag_error(s->d, d->params.v[k].deflt->span, "fn parameters take no defaults; pass '%s' at every call", d->params.v[k].name);
    }
    if (d->ret.has_shape) diag_error(s->d, d->ret.span, "fn results are scalars");
    FnSym f = { d->name, d, false, false, { 0 } };
    vec_push(A, &s->fns, f);
    sema_names_put(A, &s->fn_names, f.name, s->fns.n - 1);
}

/* Check each fn body once, with its parameters as opaque values, so that
 * errors in it are reported once and not at every call. Calls to other fns
 * are checked (arguments, arity) but not inlined: their result is an opaque
 * value of the declared result type, and the call is recorded for
 * check_fn_cycles. So checking costs the size of the bodies, however deep
 * the chains of calls are; inlining happens only when a pipeline or a const
 * uses a fn (sema_expr.c, lower_fn_call). */
static void check_fn(Sema *s, FnSym *f)
{
    if (f->bad) return;           /* already reported, inlined into a const's value */
    DeclAst *d = f->decl;
    int np = d->params.n;
    TE *args = arena_alloc(A, (size_t)(np ? np : 1) * sizeof(TE));
    const char **names = arena_alloc(A, (size_t)(np ? np : 1) * sizeof(char *));
    for (int k = 0; k < np; k++) {
        IrExpr *e = ir_expr(A, IR_PARAM, d->params.v[k].type.ty, d->params.v[k].span, 0);
        e->u.param = -1 - k;
        args[k] = (TE){ e, false, false };
        names[k] = d->params.v[k].name;
    }
    IrPipeline *sp = s->p; s->p = NULL;
    s->fn = f; s->fn_pnames = names; s->fn_args = args; s->fn_nargs = np;
    s->fn_checking = true;
    int errs = s->d->nerrors;
    TE body = sema_expr(s, d->body);
    sema_coerce(s, body, d->ret.ty, d->body->span, arena_printf(A, "the result of '%s'", f->name));
    f->bad = s->d->nerrors != errs;
    s->fn_checking = false;
    s->fn = NULL; s->fn_pnames = NULL; s->fn_args = NULL; s->fn_nargs = 0;
    s->p = sp;
}

/* fn bodies are inlined, so the recorded calls must not form a cycle. A
 * depth-first walk (with its own stack: chains may be thousands of fns
 * long) reports each cycle once, at the call that closes it, and marks the
 * fns on it bad so that their uses raise nothing further. */
static void check_fn_cycles(Sema *s)
{
    int n = s->fns.n;
    if (!n) return;
    char *state = arena_alloc(A, (size_t)n);          /* 0 new, 1 on the stack, 2 done */
    typedef struct { int fn, next; } Frame;
    Frame *stack = arena_alloc(A, (size_t)n * sizeof *stack);
    for (int root = 0; root < n; root++) {
        if (state[root]) continue;
        int top = 0;
        stack[top++] = (Frame){ root, 0 };
        state[root] = 1;
        while (top) {
            Frame *fr = &stack[top - 1];
            FnSym *f = &s->fns.v[fr->fn];
            if (fr->next == f->calls.n) { state[fr->fn] = 2; top--; continue; }
            FnCall c = f->calls.v[fr->next++];
            if (s->fns.v[c.callee].bad) continue;     /* reported already */
            if (state[c.callee] == 0) { state[c.callee] = 1; stack[top++] = (Frame){ c.callee, 0 }; continue; }
            if (state[c.callee] != 1) continue;
            FnSym *g = &s->fns.v[c.callee];
            diag_error(s->d, c.span, "'%s' calls itself: fn bodies are inlined, so recursion is not allowed", g->name);
            for (int k = top - 1; k >= 0; k--) {
                s->fns.v[stack[k].fn].bad = true;
                if (stack[k].fn == c.callee) break;
            }
        }
    }
}

static void declare_extern(Sema *s, DeclAst *d)
{
    if (sema_extern(s, d->name) || sema_fn(s, d->name)) {
        diag_error(s->d, d->name_span, "'%s' is already declared", d->name);
        return;
    }
    IrExternDecl *x = arena_alloc(A, sizeof *x);
    x->name = d->name; x->span = d->span;
    x->nin = d->params.n; x->nout = d->outs.n;
    int nmax = (x->nin > x->nout ? x->nin : x->nout) + 1;
    x->in_names = arena_alloc(A, (size_t)nmax * sizeof(char *));
    x->out_names = arena_alloc(A, (size_t)nmax * sizeof(char *));
    x->in_ty = arena_alloc(A, (size_t)nmax * sizeof(IrType));
    x->out_ty = arena_alloc(A, (size_t)nmax * sizeof(IrType));
    x->in_rank = arena_alloc(A, (size_t)nmax * sizeof(int));
    x->out_rank = arena_alloc(A, (size_t)nmax * sizeof(int));
    x->in_shape = arena_alloc(A, (size_t)nmax * sizeof *x->in_shape);
    x->out_shape = arena_alloc(A, (size_t)nmax * sizeof *x->out_shape);
    /* the extern's dims live in a scratch pipeline of their own */
    IrPipeline scratch = { 0 };
    IrPipeline *sp = s->p;
    s->p = &scratch;
    for (int io = 0; io < 2; io++) {
        ParamList *pl = io ? &d->outs : &d->params;
        for (int k = 0; k < pl->n; k++) {
            ParamAst *pa = &pl->v[k];
            if (pa->type.is_dim) { diag_error(s->d, pa->span, "extern parameters are tensors or scalars, not dims"); continue; }
            if (pa->type.shape.n > IR_MAX_RANK) { diag_error(s->d, pa->span, "rank %d is above the limit of %d", pa->type.shape.n, IR_MAX_RANK); continue; }
            (io ? x->out_names : x->in_names)[k] = pa->name;
            (io ? x->out_ty : x->in_ty)[k] = pa->type.ty;
            (io ? x->out_rank : x->in_rank)[k] = pa->type.shape.n;
            for (int a = 0; a < pa->type.shape.n; a++)
                (io ? x->out_shape : x->in_shape)[k][a] = sema_shape_lin(s, pa->type.shape.v[a], io == 0);
        }
    }
    x->ndims = scratch.dims.n;
    x->dim_names = arena_alloc(A, (size_t)(x->ndims + 1) * sizeof(char *));
    for (int k = 0; k < x->ndims; k++) x->dim_names[k] = scratch.dims.v[k].name;
    s->p = sp;
    vec_push(A, &s->m->externs, x);
    ExternSym es = { d->name, d, s->m->externs.n - 1 };
    vec_push(A, &s->externs, es);
    sema_names_put(A, &s->extern_names, es.name, s->externs.n - 1);
}

/* ---- pipelines: signature ---------------------------------------------- */

IrTensor *sema_new_tensor(Sema *s, const char *name, Span sp, IrTensorKind kind, IrType ty, int rank)
{
    IrTensor *t = arena_alloc(A, sizeof *t);
    t->name = name; t->span = sp; t->kind = kind; t->ty = ty; t->rank = rank;
    t->scan_axis = -1; t->output = -1;
    for (int k = 0; k < IR_MAX_RANK; k++) t->extent[k] = lin_const(1);
    vec_push(A, &s->p->tensors, t);
    return t;
}

bool sema_name_taken(Sema *s, const char *name, Span sp, const char *what)
{
    if (ir_find_tensor(s->p, name) >= 0 || sema_dim_index(s, name) >= 0) {
        diag_error(s->d, sp, "%s '%s' is declared twice", what, name);
        return true;
    }
    for (int i = 0; i < s->p->params.n; i++)
        if (strcmp(s->p->params.v[i].name, name) == 0) { diag_error(s->d, sp, "%s '%s' is declared twice", what, name); return true; }
    return false;
}

static void lower_signature(Sema *s, DeclAst *d)
{
    IrPipeline *p = s->p;
    bool bad_shapes = false;
    /* dims first: `G: dim` parameters, then every name in an input shape */
    for (int k = 0; k < d->params.n; k++) {
        ParamAst *pa = &d->params.v[k];
        if (!pa->type.is_dim) continue;
        if (sema_name_taken(s, pa->name, pa->span, "dimension")) continue;
        IrDimSym ds = { pa->name, pa->span, true };
        vec_push(A, &p->dims, ds);
        if (pa->deflt) diag_error(s->d, pa->deflt->span, "dim parameter '%s' cannot have a default; pass it with --param %s=N", pa->name, pa->name);
    }
    for (int k = 0; k < d->params.n; k++) {
        ParamAst *pa = &d->params.v[k];
        if (pa->type.is_dim) continue;
        if (!pa->type.has_shape) {
            if (sema_name_taken(s, pa->name, pa->span, "parameter")) continue;
            IrParam prm = { pa->name, pa->span, pa->type.ty, false, 0, 0 };
            if (pa->type.range_lo) diag_error(s->d, pa->type.span, "a value range is for tensor inputs; '%s' is a scalar", pa->name);
            if (pa->deflt) {
                TE v = sema_expr(s, pa->deflt);
                IrExpr *c = sema_coerce(s, v, pa->type.ty, pa->deflt->span, arena_printf(A, "the default of '%s'", pa->name));
                if (c->op != IR_CONST) diag_error(s->d, pa->deflt->span, "the default of '%s' must be a constant", pa->name);
                else { prm.has_default = true; prm.fdef = c->u.f; prm.idef = c->u.i; if (ty_is_float(c->ty)) prm.idef = 0; else prm.fdef = 0; }
            }
            vec_push(A, &p->params, prm);
            continue;
        }
        if (pa->deflt) diag_error(s->d, pa->deflt->span, "tensor input '%s' cannot have a default", pa->name);
        if (pa->type.shape.n > IR_MAX_RANK) { diag_error(s->d, pa->span, "rank %d is above the limit of %d", pa->type.shape.n, IR_MAX_RANK); continue; }
        if (sema_name_taken(s, pa->name, pa->span, "input")) continue;
        IrTensor *t = sema_new_tensor(s, pa->name, pa->span, TK_INPUT, pa->type.ty, pa->type.shape.n);
        for (int a = 0; a < t->rank; a++) {
            t->extent[a] = sema_shape_lin(s, pa->type.shape.v[a], true);
            if (!t->extent[a].ok) { mark_broken(s, p->tensors.n - 1); bad_shapes = true; }
        }
        vec_push(A, &p->inputs, p->tensors.n - 1);
    }
    /* the signature in source order: tensors, scalar params, dims (negative ids) */
    for (int k = 0; k < d->params.n; k++) {
        ParamAst *pa = &d->params.v[k];
        IrArg arg = { false, 0 };
        if (pa->type.is_dim) { int di = sema_dim_index(s, pa->name); if (di < 0) continue; arg.id = -1 - di; }
        else if (pa->type.has_shape) { int ti = ir_find_tensor(p, pa->name); if (ti < 0) continue; arg.is_tensor = true; arg.id = ti; }
        else { int pi = -1; for (int q = 0; q < p->params.n; q++) if (!strcmp(p->params.v[q].name, pa->name)) pi = q; if (pi < 0) continue; arg.id = pi; }
        bool dup = false;
        for (int q = 0; q < p->args.n; q++) if (p->args.v[q].is_tensor == arg.is_tensor && p->args.v[q].id == arg.id) dup = true;
        if (!dup) vec_push(A, &p->args, arg);
    }
    /* value ranges need all dims known */
    for (int k = 0; k < d->params.n; k++) {
        ParamAst *pa = &d->params.v[k];
        if (!pa->type.has_shape || !pa->type.range_lo) continue;
        int id = ir_find_tensor(p, pa->name);
        if (id < 0) continue;
        IrTensor *t = p->tensors.v[id];
        if (!ty_is_int(t->ty)) { diag_error(s->d, pa->type.span, "a value range needs an integer input; '%s' is %s", pa->name, ir_types[t->ty].name); continue; }
        t->vlo = sema_shape_lin(s, pa->type.range_lo, false);
        t->vhi = sema_shape_lin(s, pa->type.range_hi, false);
        t->has_vrange = t->vlo.ok && t->vhi.ok;
    }
    /* every dim must be recoverable from some input axis of the form D + c */
    for (int di = 0; di < p->dims.n && !bad_shapes; di++) {
        if (p->dims.v[di].is_param) continue;
        bool found = false;
        for (int i = 0; i < p->inputs.n && !found; i++) {
            IrTensor *t = p->tensors.v[p->inputs.v[i]];
            for (int a = 0; a < t->rank; a++)
                if (t->extent[a].ok && t->extent[a].n == 1 && t->extent[a].atom[0] == LIN_ATOM(LIN_DIM, di) && t->extent[a].k[0] == 1)
                    found = true;
        }
        if (!found)
            diag_error(s->d, p->dims.v[di].span, "dimension '%s' cannot be read off any input's shape (it must appear alone, as '%s' or '%s+1', in some input)",
                       p->dims.v[di].name, p->dims.v[di].name, p->dims.v[di].name);
    }
}

/* ---- pipelines: definitions --------------------------------------------- */

static bool param_exists(Sema *s, const char *name)
{
    for (int i = 0; i < s->p->params.n; i++)
        if (strcmp(s->p->params.v[i].name, name) == 0) return true;
    return false;
}

typedef struct { const char *name; StmtAst *main; VEC(StmtAst *) bounds; Span first; } Group;

static bool is_var_subscript(Sema *s, Expr *e)
{
    return e->kind == E_NAME && sema_dim_index(s, e->u.name.name) < 0 && !sema_const(s, e->u.name.name);
}

static void begin_def(Sema *s, IrDef *def)
{
    s->vars.n = 0;
    s->slot_names.n = 0;
    s->slot_names.v = NULL; s->slot_names.cap = 0;
    s->nslots = 0;
    s->nguards = 0;
    s->nopaque = 0;
    (void)def;
}

static void end_def(Sema *s, IrDef *def)
{
    def->nslots = s->nslots;
    def->slot_names = s->slot_names.v;
    if (s->nslots > s->p->max_slots) s->p->max_slots = s->nslots;
    s->vars.n = 0;
}

/* a left-hand subscript that is not an index variable must be a boundary
 * cell: dims, constants, + - * */
static bool is_cell(Sema *s, Expr *e)
{
    switch (e->kind) {
    case E_INT: return true;
    case E_NAME: return sema_dim_index(s, e->u.name.name) >= 0 || sema_const(s, e->u.name.name);
    case E_UNARY: return e->u.un.op == IR_NEG && is_cell(s, e->u.un.a);
    case E_BINARY: return (e->u.bin.op == IR_ADD || e->u.bin.op == IR_SUB || e->u.bin.op == IR_MUL) && is_cell(s, e->u.bin.a) && is_cell(s, e->u.bin.b);
    default: return false;
    }
}

/* the first name in e that is not a dim, a constant or one of st's index variables */
static const char *free_var(Sema *s, Expr *e, StmtAst *st)
{
    switch (e->kind) {
    case E_NAME:
        if (sema_dim_index(s, e->u.name.name) >= 0 || sema_const(s, e->u.name.name)) return NULL;
        for (int k = 0; k < st->idx.n; k++)
            if (st->idx.v[k]->kind == E_NAME && !strcmp(st->idx.v[k]->u.name.name, e->u.name.name)) return NULL;
        return e->u.name.name;
    case E_INDEX:
        for (int k = 0; k < e->u.index.idx.n; k++) { const char *v = free_var(s, e->u.index.idx.v[k], st); if (v) return v; }
        return NULL;
    case E_UNARY: return free_var(s, e->u.un.a, st);
    case E_BINARY: { const char *v = free_var(s, e->u.bin.a, st); return v ? v : free_var(s, e->u.bin.b, st); }
    case E_CALL:
        for (int k = 0; k < e->u.call.args.n; k++) { const char *v = free_var(s, e->u.call.args.v[k], st); if (v) return v; }
        return NULL;
    default: return NULL;
    }
}

static bool has_read(Expr *e)
{
    switch (e->kind) {
    case E_INDEX: case E_CALL: return true;
    case E_UNARY: return has_read(e->u.un.a);
    case E_BINARY: return has_read(e->u.bin.a) || has_read(e->u.bin.b);
    case E_IF: return true;
    default: return false;
    }
}

/* Left-hand subscripts are index variables, or boundary cells of a
 * recurrence. A subscript computed from data (sums[seg[n]] = ...) is the
 * scatter write of NumPy and PyTorch, which rlf writes as a segmented
 * reduction: the message spells that reduction out with the user's names. */
static bool lhs_subscripts_ok(Sema *s, StmtAst *st)
{
    for (int k = 0; k < st->idx.n; k++) {
        Expr *ix = st->idx.v[k];
        if (is_var_subscript(s, ix) || is_cell(s, ix)) continue;
        const char *var = free_var(s, ix, st);
        if (has_read(ix)) {
            const char *seg = "s";
            for (int j = 0; j < st->idx.n; j++)
                if (st->idx.v[j]->kind == E_NAME && !strcmp(st->idx.v[j]->u.name.name, "s")) seg = "s_";
            char *lhs = arena_printf(A, "%s[", st->names.v[0]);
            for (int j = 0; j < st->idx.n; j++)
                lhs = arena_printf(A, "%s%s%s", lhs, j ? ", " : "", j == k ? seg : diag_span_text(s->d, st->idx.v[j]->span));
            diag_error(s->d, ix->span, "left-hand subscripts must be index variables: '%s' is computed from data (a scatter write), "
                       "which rlf does not have; write a segmented reduction, %s] = sum(%s for %s where %s == %s)",
                       diag_span_text(s->d, ix->span), lhs, diag_span_text(s->d, st->rhs->span), var ? var : "n",
                       diag_span_text(s->d, ix->span), seg);
        } else
            diag_error(s->d, ix->span, "left-hand subscript '%s' must be an index variable, or a boundary cell made of dims and "
                       "constants (T, T+1, -1)", diag_span_text(s->d, ix->span));
        return false;
    }
    return true;
}

/* lower one definition (main or boundary) of tensor t */
static IrDef *lower_def(Sema *s, IrTensor *t, StmtAst *st, bool boundary, IrDef *def)
{
    if (!def) def = arena_alloc(A, sizeof *def);
    def->span = st->span;
    begin_def(s, def);
    for (int k = 0; k < t->rank; k++) {
        Expr *ix = st->idx.v[k];
        if (is_var_subscript(s, ix)) {
            const char *vn = ix->u.name.name;
            for (int j = 0; j < s->vars.n; j++)
                if (strcmp(s->vars.v[j].name, vn) == 0) {
                    diag_error(s->d, ix->span, "index '%s' appears twice on the left-hand side; each axis needs its own index", vn);
                    return NULL;
                }
            if (ir_find_tensor(s->p, vn) >= 0 || param_exists(s, vn)) {
                diag_error(s->d, ix->span, "'%s' names a tensor or parameter and cannot be used as an index", vn);
                return NULL;
            }
            VarSym v = { vn, ix->span, s->nslots++, lin_const(0), lin_sub(t->extent[k], lin_const(1)) };
            vec_push(A, &s->slot_names, vn);
            vec_push(A, &s->vars, v);
            def->axis_slot[k] = v.slot;
        } else {
            def->axis_slot[k] = -1;
            def->fixed[k] = sema_shape_lin(s, ix, false);
        }
    }
    s->in_boundary = boundary;
    TE body = sema_expr(s, st->rhs);
    s->in_boundary = false;
    def->body = sema_store(s, body, t->ty, st->rhs->span, arena_printf(A, "'%s'", t->name));
    end_def(s, def);
    return def;
}

/* the main extents of a defined tensor: declared for outputs, inferred from
 * how each index variable is used otherwise */
static bool infer_extents(Sema *s, IrTensor *t, StmtAst *st, ParamAst *out)
{
    bool ok = true;
    for (int k = 0; k < t->rank; k++) {
        if (out) { t->extent[k] = sema_shape_lin(s, out->type.shape.v[k], false); if (!t->extent[k].ok) ok = false; }
        else t->extent[k] = lin_bad();
    }
    if (out) return ok;
    for (int k = 0; k < t->rank; k++) {
        Expr *ix = st->idx.v[k];
        Lin ext; Span at;
        if (!sema_infer_var(s, st->rhs, ix->u.name.name, &ext, &at)) {
            if (sema_report_unknown_tensors(s, st->rhs)) return false;
            diag_error(s->d, ix->span, "cannot infer the range of index '%s' of '%s': use it directly as a subscript of a tensor of known shape, or declare '%s' as an output",
                       ix->u.name.name, t->name, t->name);
            ok = false;
        } else t->extent[k] = ext;
        if (!t->extent[k].ok) ok = false;
    }
    return ok;
}

/* boundary definitions fix one axis just outside the main extent */
static bool place_bounds(Sema *s, IrTensor *t, Group *g)
{
    int axis = -1;
    typedef VEC(int64_t) Cells;
    Cells hi = { 0 }, lo = { 0 };
    for (int b = 0; b < g->bounds.n; b++) {
        StmtAst *st = g->bounds.v[b];
        int nfixed = 0, ax = -1;
        for (int k = 0; k < t->rank; k++)
            if (!is_var_subscript(s, st->idx.v[k])) { nfixed++; ax = k; }
        if (nfixed != 1) {
            diag_error(s->d, st->span, "a boundary definition fixes exactly one index of '%s' (found %d)", t->name, nfixed);
            return false;
        }
        if (axis >= 0 && ax != axis) {
            diag_error(s->d, st->span, "boundary definitions of '%s' fix different axes; a recurrence runs along one axis", t->name);
            return false;
        }
        axis = ax;
        Lin f = sema_shape_lin(s, st->idx.v[ax], false);
        if (!f.ok) return false;
        Lin past = lin_sub(f, t->extent[ax]);
        Cells *side = NULL;
        int64_t cell = 0;
        if (lin_is_const(past) && past.c >= 0 && past.c < 64) { side = &hi; cell = past.c; }
        else if (lin_is_const(f) && f.c < 0 && f.c > -64) { side = &lo; cell = -f.c - 1; }
        if (side) {
            for (int q = 0; q < side->n; q++)
                if (side->v[q] == cell) {
                    diag_error(s->d, st->span, "boundary %s of '%s' is defined twice", sema_lin_str(s, f), t->name);
                    return false;
                }
            vec_push(A, side, cell);
        }
        else {
            diag_error(s->d, st->idx.v[ax]->span, "boundary index '%s' must lie just outside 0..%s of '%s': %s, %s+1, ... or -1, -2, ...",
                       diag_span_text(s->d, st->idx.v[ax]->span), sema_lin_str(s, lin_sub(t->extent[ax], lin_const(1))), t->name,
                       sema_lin_str(s, t->extent[ax]), sema_lin_str(s, t->extent[ax]));
            return false;
        }
    }
    if (axis < 0) return true;
    /* padding cells must be contiguous and each defined once */
    for (int side = 0; side < 2; side++) {
        Cells *v = side ? &hi : &lo;
        int64_t n = 0;
        for (int i = 0; i < v->n; i++) if (v->v[i] + 1 > n) n = v->v[i] + 1;
        for (int64_t c = 0; c < n; c++) {
            int cnt = 0;
            for (int i = 0; i < v->n; i++) cnt += v->v[i] == c;
            if (cnt != 1) {
                Lin at = side ? lin_add(t->extent[axis], lin_const(c)) : lin_const(-c - 1);
                if (cnt) diag_error(s->d, g->bounds.v[0]->span, "boundary %s of '%s' is defined %d times", sema_lin_str(s, at), t->name, cnt);
                else diag_error(s->d, g->bounds.v[0]->span, "boundary %s of '%s' is missing (boundaries must be contiguous)", sema_lin_str(s, at), t->name);
                return false;
            }
        }
        if (side) t->hi_pad[axis] = n; else t->lo_pad[axis] = n;
    }
    if (axis >= 0) t->scan_axis = axis;
    return true;
}

static void lower_group(Sema *s, Group *g, ParamAst *out, int out_index)
{
    IrPipeline *p = s->p;
    StmtAst *st = g->main;
    if (p->tensors.n >= IR_MAX_TENSORS) {
        diag_error(s->d, st->span, "pipeline '%s' has more than %d tensors", p->name, IR_MAX_TENSORS);
        return;
    }
    int rank = st->has_idx ? st->idx.n : 0;
    if (rank > IR_MAX_RANK) { diag_error(s->d, st->span, "rank %d is above the limit of %d", rank, IR_MAX_RANK); return; }
    if (out && out->type.shape.n != rank) {
        diag_error(s->d, st->span, "output '%s' is declared with rank %d but defined with %d subscript%s", g->name,
                   out->type.shape.n, rank, rank == 1 ? "" : "s");
        return;
    }
    for (int b = 0; b < g->bounds.n; b++)
        if (g->bounds.v[b]->idx.n != rank) {
            diag_error(s->d, g->bounds.v[b]->span, "'%s' is defined with %d subscripts here but %d in its main definition", g->name, g->bounds.v[b]->idx.n, rank);
            return;
        }
    /* the type: declared for outputs; otherwise the body's type, found by a
     * first lowering pass (its errors are reported then) */
    IrTensor *t = sema_new_tensor(s, g->name, st->span, TK_DEF, TY_F32, rank);
    int id = p->tensors.n - 1;
    t->output = out_index;
    s->self = t;
    if (!infer_extents(s, t, st, out)) { s->self = NULL; mark_broken(s, id); return; }
    if (!place_bounds(s, t, g)) { s->self = NULL; mark_broken(s, id); return; }
    IrDef *def = arena_alloc(A, sizeof *def);
    t->def = def;
    if (out) t->ty = out->type.ty;
    else {
        /* type from a trial lowering with diagnostics muted */
        DiagCtx muted = *s->d;
        DiagCtx *real = s->d;
        muted.list.v = NULL; muted.list.n = muted.list.cap = 0;
        s->d = &muted;
        s->self_axis = -1; s->self_fwd = s->self_bwd = false;
        IrDef tmp = { 0 };
        /* a recurrence reads itself, so its type is a fixed point: try the
         * plausible types for the self-reads, and keep the first whose body
         * lowers without errors to that same type (an f32 guess would make
         * `alive[t-1] and ok[t]` fail, or `c[t-1] + x[t]` become f32) */
        static const IrType guesses[] = { TY_F32, TY_BOOL, TY_I32, TY_I64, TY_F64 };
        IrType found = TY_F32;
        bool settled = false;
        int nguess = g->bounds.n || st->rhs ? (int)(sizeof guesses / sizeof guesses[0]) : 1;
        for (int gi = 0; gi < nguess && !settled; gi++) {
            int errs = muted.nerrors;
            begin_def(s, &tmp);
            for (int k = 0; k < rank; k++) {
                VarSym v = { st->idx.v[k]->u.name.name, st->idx.v[k]->span, s->nslots++, lin_const(0), lin_sub(t->extent[k], lin_const(1)) };
                vec_push(A, &s->slot_names, v.name);
                vec_push(A, &s->vars, v);
                def->axis_slot[k] = v.slot;
            }
            t->ty = guesses[gi];
            s->self_axis = -1; s->self_fwd = s->self_bwd = false;
            TE body = sema_expr(s, st->rhs);
            IrType ty = sema_finish_type(body);
            bool reads_self = s->self_fwd || s->self_bwd || s->self_axis >= 0;
            if (gi == 0) found = ty;
            if (!reads_self) { found = ty; settled = true; }
            else if (muted.nerrors == errs && !body.err && ty == guesses[gi]) { found = ty; settled = true; }
        }
        t->ty = found;
        s->d = real;
    }
    /* boundaries first (they cannot read the tensor), then the main body */
    for (int b = 0; b < g->bounds.n; b++) {
        IrDef *bd = lower_def(s, t, g->bounds.v[b], true, NULL);
        if (bd) vec_push(A, &t->bounds, bd);
    }
    s->self_axis = -1; s->self_fwd = s->self_bwd = false;
    IrDef *md = lower_def(s, t, st, false, def);
    if (!md) { s->self = NULL; mark_broken(s, id); return; }
    if (s->self_fwd && s->self_bwd) {
        diag_error(s->d, s->self_span, "'%s' reads itself both before and after the current index; a recurrence runs in one direction", t->name);
    } else if (s->self_fwd || s->self_bwd) {
        if (t->scan_axis >= 0 && t->scan_axis != s->self_axis)
            diag_error(s->d, s->self_span, "'%s' is a recurrence along axis %d but its boundary fixes axis %d", t->name, s->self_axis + 1, t->scan_axis + 1);
        t->scan_axis = s->self_axis;
        t->scan_dir = s->self_bwd ? -1 : +1;
    } else if (g->bounds.n) {
        diag_error(s->d, g->bounds.v[0]->span, "'%s' has a boundary definition but never reads itself; boundaries are for recurrences", t->name);
    }
    /* the value range of integer tensors (for gathers through them) */
    if (ty_is_int(t->ty) && t->scan_axis < 0 && t->bounds.n == 0) {
        begin_def(s, def);
        for (int k = 0; k < rank; k++) {
            VarSym v = { def->slot_names ? def->slot_names[k] : "", SPAN_NONE, k, lin_const(0), lin_sub(t->extent[k], lin_const(1)) };
            vec_push(A, &s->vars, v);
        }
        s->nslots = def->nslots;
        Lin lo, hi;
        if (sema_vrange(s, def->body, &lo, &hi) && !lin_has_kind(lo, LIN_VAR) && !lin_has_kind(hi, LIN_VAR)) {
            t->has_vrange = true;
            t->vlo = lo;
            t->vhi = lin_add(hi, lin_const(1));
        }
        s->vars.n = 0;
    }
    IrStep step = { STEP_DEF, st->span, id, 0, 0, 0, NULL, NULL };
    vec_push(A, &p->steps, step);
    s->self = NULL;
}

/* A tensor whose extents, at their smallest (every dim = 1), already hold
 * more bytes than an address space can is refused here; sizes that depend on
 * the dims are checked by the runtime at each call. */
static void check_sizes(Sema *s, IrPipeline *p)
{
    for (int i = 0; i < p->tensors.n; i++) {
        IrTensor *t = p->tensors.v[i];
        int64_t bytes = ir_types[t->ty].size, n;
        bool over = false;
        for (int k = 0; k < t->rank && !over; k++) {
            Lin e = t->extent[k];
            if (!e.ok) break;
            n = e.c;
            for (int j = 0; j < e.n; j++)
                if (__builtin_add_overflow(n, e.k[j], &n)) over = true;
            if (!over && n > 1 && __builtin_mul_overflow(bytes, n, &bytes)) over = true;
        }
        if (over || bytes > INT64_MAX / 2)
            diag_error(s->d, t->span, "'%s' would take more than 2^62 bytes even with every dimension 1", t->name);
    }
}

static void lower_pipeline(Sema *s, DeclAst *d)
{
    IrPipeline *p = arena_alloc(A, sizeof *p);
    p->name = d->name;
    p->span = d->span;
    s->p = p;
    s->pdecl = NULL;
    s->broken.n = 0; s->failed.n = 0; s->unbound_dims.n = 0;
    lower_signature(s, d);
    s->pdecl = d;
    /* group statements by the tensor they define */
    VEC(Group) groups = { 0 };
    for (int i = 0; i < d->stmts.n; i++) {
        StmtAst *st = &d->stmts.v[i];
        if (sema_is_call_stmt(s, st)) continue;
        if (st->rhs->kind == E_CALL && !st->rhs->u.call.gen && !sema_fn(s, st->rhs->u.call.name))
            for (int f = 0; f < s->nfiles; f++)
                for (int q = 0; q < s->files[f]->decls.n; q++) {
                    DeclAst *o = &s->files[f]->decls.v[q];
                    if (o->kind == D_PIPELINE && !strcmp(o->name, st->rhs->u.call.name))
                        diag_error(s->d, st->rhs->span, "pipeline '%s' is called before it is defined; define it above '%s'", o->name, d->name);
                }
        if (st->names.n != 1) {
            diag_error(s->d, st->span, "only an extern call can assign several tensors at once");
            continue;
        }
        const char *nm = st->names.v[0];
        if (!lhs_subscripts_ok(s, st)) { vec_push(A, &s->failed, nm); continue; }
        Group *g = NULL;
        for (int k = 0; k < groups.n; k++) if (strcmp(groups.v[k].name, nm) == 0) g = &groups.v[k];
        if (!g) { Group ng = { nm, NULL, { 0 }, st->span }; vec_push(A, &groups, ng); g = &groups.v[groups.n - 1]; }
        bool is_main = true;
        for (int k = 0; k < st->idx.n; k++) if (!is_var_subscript(s, st->idx.v[k])) is_main = false;
        if (is_main) {
            if (g->main) {
                diag_error(s->d, st->span, "'%s' is defined twice", nm);
                diag_note(s->d, g->main->span, "first definition of '%s'", nm);
            } else g->main = st;
        } else vec_push(A, &g->bounds, st);
    }
    /* lower in source order, extern calls included */
    VEC(const char *) done = { 0 };
    for (int i = 0; i < d->stmts.n; i++) {
        StmtAst *st = &d->stmts.v[i];
        s->pdecl = d;
        int errs = s->d->nerrors;
        if (sema_is_call_stmt(s, st)) {
            sema_lower_call_stmt(s, st);
            if (s->d->nerrors != errs) definition_failed(s, st);
            continue;
        }
        if (st->names.n != 1) continue;
        const char *nm = st->names.v[0];
        if (sema_is_failed(s, nm)) continue;
        bool seen = false;
        for (int k = 0; k < done.n; k++) if (strcmp(done.v[k], nm) == 0) seen = true;
        if (seen) continue;
        vec_push(A, &done, nm);
        Group *g = NULL;
        for (int k = 0; k < groups.n; k++) if (strcmp(groups.v[k].name, nm) == 0) g = &groups.v[k];
        if (!g->main) {
            diag_error(s->d, g->first, "'%s' has only boundary definitions; give it a main definition such as %s[t, ...] = ...", nm, nm);
            continue;
        }
        if (ir_find_tensor(p, nm) >= 0 || sema_dim_index(s, nm) >= 0 || param_exists(s, nm)) {
            diag_error(s->d, g->main->span, "'%s' is an input, parameter or dimension and cannot be redefined", nm);
            continue;
        }
        ParamAst *out = NULL;
        int out_index = -1;
        for (int k = 0; k < d->outs.n; k++)
            if (strcmp(d->outs.v[k].name, nm) == 0) { out = &d->outs.v[k]; out_index = k; }
        lower_group(s, g, out, out_index);
        if (s->d->nerrors != errs) definition_failed(s, g->main);
    }
    /* outputs in declaration order */
    for (int k = 0; k < d->outs.n; k++) {
        ParamAst *o = &d->outs.v[k];
        if (o->type.is_dim || o->deflt) diag_error(s->d, o->span, "output '%s' must be a tensor type", o->name);
        if (o->type.range_lo) diag_error(s->d, o->type.span, "a value range is checked on inputs; output '%s' cannot declare one", o->name);
        int id = ir_find_tensor(p, o->name);
        if (id < 0) {
            bool defined = false;
            for (int i = 0; i < d->stmts.n; i++)
                for (int q = 0; q < d->stmts.v[i].names.n; q++)
                    if (strcmp(d->stmts.v[i].names.v[q], o->name) == 0) defined = true;
            if (!defined) diag_error(s->d, o->span, "output '%s' is never defined", o->name);
            vec_push(A, &p->outputs, -1);
            continue;
        }
        IrTensor *t = p->tensors.v[id];
        if (t->kind == TK_INPUT) { diag_error(s->d, o->span, "output '%s' has the name of an input", o->name); continue; }
        if (t->output < 0) {              /* produced by an extern or pipeline call */
            t->output = k;
            if (t->ty != o->type.ty)
                diag_error(s->d, o->span, "output '%s' is declared %s but its call produces %s", o->name, ir_types[o->type.ty].name, ir_types[t->ty].name);
            else if (o->type.shape.n != t->rank)
                diag_error(s->d, o->span, "output '%s' is declared with rank %d but its call produces rank %d", o->name, o->type.shape.n, t->rank);
            else
                for (int ax = 0; ax < t->rank; ax++) {
                    Lin want = sema_shape_lin(s, o->type.shape.v[ax], false);
                    if (want.ok && !lin_eq(want, t->extent[ax]))
                        diag_error(s->d, o->span, "output '%s' is declared with extent %s on axis %d but its call produces %s", o->name,
                                   sema_lin_str(s, want), ax + 1, sema_lin_str(s, t->extent[ax]));
                }
        }
        vec_push(A, &p->outputs, id);
    }
    if (d->outs.n == 0) diag_error(s->d, d->name_span, "pipeline '%s' has no outputs", d->name);
    check_sizes(s, p);
    vec_push(A, &s->m->pipelines, p);
    s->p = NULL;
    s->pdecl = NULL;
}

bool sema_module(Sema *s, FileAst **files, int nfiles, int main_file)
{
    s->files = files;
    s->nfiles = nfiles;
    /* imports first (their names are visible everywhere), then the main file */
    for (int pass = 0; pass < 3; pass++)
        for (int ff = 0; ff < nfiles; ff++)
            for (int i = 0; i < files[pass == 1 ? nfiles - 1 - ff : ff]->decls.n; i++) {
                int f = pass == 1 ? nfiles - 1 - ff : ff;
                DeclAst *d = &files[f]->decls.v[i];
                /* fns first (consts may call them; bodies are checked later) */
                if (pass == 0 && d->kind == D_FN) declare_fn(s, d);
                if (pass == 1 && d->kind == D_CONST) declare_const(s, d);
                if (pass == 2 && d->kind == D_EXTERN) declare_extern(s, d);
            }
    for (int i = 0; i < s->fns.n; i++) check_fn(s, &s->fns.v[i]);
    check_fn_cycles(s);
    /* imports before importers (files are in breadth-first import order), so
     * that a pipeline call finds its callee lowered; imported pipelines can
     * be run by name too */
    (void)main_file;
    for (int f = nfiles - 1; f >= 0; f--) {
        for (int i = 0; i < files[f]->decls.n; i++) {
            DeclAst *d = &files[f]->decls.v[i];
            if (d->kind != D_PIPELINE) continue;
            IrPipeline *prev = ir_find_pipeline(s->m, d->name);
            if (prev && prev->span.file == f) { diag_error(s->d, d->name_span, "pipeline '%s' is defined twice", d->name); continue; }
            if (prev)     /* this file's own pipeline shadows the imported one */
                for (int k = 0; k < s->m->pipelines.n; k++)
                    if (s->m->pipelines.v[k] == prev) { s->m->pipelines.v[k] = s->m->pipelines.v[--s->m->pipelines.n]; break; }
            lower_pipeline(s, d);
        }
    }
    return s->d->nerrors == 0;
}
