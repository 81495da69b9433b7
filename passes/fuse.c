/* passes/fuse.c: turns each pipeline into kernels (ir/kir.h).
 *
 * First it decides which tensors get a buffer: inputs and outputs do;
 * recurrences and tensors holding a reduction get scratch buffers (a
 * recurrence reads its own past values; a reduction would be recomputed at
 * every reader's point); other intermediates are inlined into their readers,
 * so `delta` in GAE lives in a register. Then, in step order, each
 * materialised tensor joins the previous kernel when it has the same domain,
 * the loop orders agree (at most one scan direction per kernel), and it
 * reads that kernel's tensors only at the current point and not inside a
 * reduction; otherwise it starts a new kernel. GAE + returns is one kernel.
 * A kernel over a prefix of the next tensor's domain (a group's statistics
 * before the group's elements, as in GRPO) nests: its stores become outer
 * stores of a kernel over the larger domain, one pass over the data.
 * Runs after classify, before schedule. Tests: tests/passes/fuse/,
 * tests/run/ on the cpu target. */
#include "pass.h"
#include "segment.h"

#define INLINE_LIMIT 96          /* nodes: larger intermediates are materialised */

struct RowSums { const IrExpr *body, *mask; const IrReduce *r; int S, C; };
struct ColSums { const IrExpr *body, *mask; const IrReduce *r; int N, SH, S1, S2; };

typedef struct {
    PassCtx *c;
    const IrPipeline *p;
    KirPipeline *k;
    int next_slot;               /* fresh slots for inlined reductions */
    int depth;
    /* row sums already computed by split_global (mean and var of the same
     * values share them) */
    VEC(struct RowSums) rows;
    /* column accumulators already carried by a scan kernel */
    VEC(struct ColSums) cols;
} Fuse;

static IrExpr *inl(Fuse *f, const IrExpr *e, const int *slot_map, IrExpr *const *subst, int nsubst);

/* copy e, renaming slots through slot_map (or substituting subst[slot] for
 * the producer's axis variables) and inlining reads of inlined tensors */
static IrExpr *inl(Fuse *f, const IrExpr *e, const int *slot_map, IrExpr *const *subst, int nsubst)
{
    Arena *a = f->c->a;
    if (!e) return NULL;
    if (e->op == IR_IVAR) {
        if (subst && e->u.slot < nsubst && subst[e->u.slot]) return subst[e->u.slot];
        IrExpr *v = ir_expr(a, IR_IVAR, e->ty, e->span, 0);
        v->u.slot = slot_map ? slot_map[e->u.slot] : e->u.slot;
        return v;
    }
    IrExpr *c = ir_expr(a, e->op, e->ty, e->span, e->nargs);
    c->u = e->u;
    for (int k = 0; k < e->nargs; k++) c->args[k] = inl(f, e->args[k], slot_map, subst, nsubst);
    if (e->op == IR_REDUCE) {
        IrReduce *r = arena_alloc(a, sizeof *r);
        *r = *e->u.red;
        r->lo = arena_alloc(a, (size_t)r->nvars * sizeof(IrExpr *));
        r->hi = arena_alloc(a, (size_t)r->nvars * sizeof(IrExpr *));
        r->slots = arena_alloc(a, (size_t)r->nvars * sizeof(int));
        for (int k = 0; k < r->nvars; k++) {
            r->lo[k] = inl(f, e->u.red->lo[k], slot_map, subst, nsubst);
            r->hi[k] = inl(f, e->u.red->hi[k], slot_map, subst, nsubst);
            r->slots[k] = slot_map ? slot_map[e->u.red->slots[k]] : e->u.red->slots[k];
        }
        c->u.red = r;
    }
    if (e->op == IR_READ && f->k->buf[e->u.tensor] == KB_INLINE) {
        /* substitute the producer's definition at the read's subscripts */
        const IrTensor *t = f->p->tensors.v[e->u.tensor];
        const IrDef *d = t->def;
        int *map = arena_alloc(a, (size_t)(d->nslots + 1) * sizeof(int));
        IrExpr **sub = arena_alloc(a, (size_t)(d->nslots + 1) * sizeof(IrExpr *));
        for (int s = 0; s < d->nslots; s++) map[s] = f->next_slot++;
        for (int k = 0; k < t->rank; k++) sub[d->axis_slot[k]] = c->args[k];
        if (++f->depth > 64) RLF_ICE("fuse: inlining nested too deeply");
        IrExpr *v = inl(f, d->body, map, sub, d->nslots);
        f->depth--;
        return v;
    }
    return c;
}

static void collect_bounds(Fuse *f, int id)
{
    const IrTensor *t = f->p->tensors.v[id];
    for (int b = 0; b < t->bounds.n; b++) {
        const IrDef *d = t->bounds.v[b];
        KirBound kb = { id, t->scan_axis, 0, { 0 }, 0, NULL };
        for (int k = 0; k < t->rank; k++) {
            kb.axis_slot[k] = d->axis_slot[k];
            if (d->axis_slot[k] < 0) {
                kb.axis = k;
                Lin past = lin_sub(d->fixed[k], t->extent[k]);
                kb.cell = lin_is_const(past) && past.c >= 0 ? past.c : d->fixed[k].c;
            }
        }
        f->next_slot = d->nslots;
        kb.value = inl(f, d->body, NULL, NULL, 0);
        kb.nslots = f->next_slot;
        vec_push(f->c->a, &f->k->bounds, kb);
    }
}

/* may a store of tensor id with value v join kernel k? */
static bool joins(Fuse *f, const KirKernel *k, int id, const IrExpr *v, bool in_reduce);

static bool reads_ok(Fuse *f, const KirKernel *k, int self, const IrExpr *e, bool in_reduce)
{
    if (!e) return true;
    if (e->op == IR_READ && e->u.tensor != self) {
        for (int s = 0; s < k->stores.n; s++) {
            if (k->stores.v[s].tensor != e->u.tensor) continue;
            if (in_reduce) return false;
            for (int a = 0; a < e->nargs; a++)
                if (e->args[a]->op != IR_IVAR || e->args[a]->u.slot != a) return false;
        }
    }
    bool red = in_reduce || e->op == IR_REDUCE;
    for (int a = 0; a < e->nargs; a++) if (!reads_ok(f, k, self, e->args[a], red)) return false;
    if (e->op == IR_REDUCE)
        for (int a = 0; a < e->u.red->nvars; a++)
            if (!reads_ok(f, k, self, e->u.red->lo[a], true) || !reads_ok(f, k, self, e->u.red->hi[a], true)) return false;
    return true;
}

static bool has_outer_stores(const Fuse *f, const KirKernel *k)
{
    for (int s = 0; s < k->stores.n; s++)
        if (!k->stores.v[s].accum && f->p->tensors.v[k->stores.v[s].tensor]->rank != k->rank) return true;
    return false;
}

static bool joins(Fuse *f, const KirKernel *k, int id, const IrExpr *v, bool in_reduce)
{
    const IrTensor *t = f->p->tensors.v[id];
    if (t->rank != k->rank) return false;
    if (t->scan_axis >= 0 && has_outer_stores(f, k)) return false;
    for (int a = 0; a < t->rank; a++) if (!lin_eq(t->extent[a], k->extent[a])) return false;
    if (t->scan_axis >= 0 && k->scan_axis >= 0 && (t->scan_axis != k->scan_axis || t->scan_dir != k->scan_dir)) return false;
    /* boundary values are read whenever a read falls past the extent, at any
     * point of the loop: they may not depend on this kernel's stores */
    for (int b = 0; b < f->k->bounds.n; b++)
        if (f->k->bounds.v[b].tensor == id)
            for (int s = 0; s < k->stores.n; s++)
                if (ir_expr_reads(f->k->bounds.v[b].value, k->stores.v[s].tensor)) return false;
    /* a kernel's boundary-free scans read only themselves; another store reading
     * this scan tensor at a shifted point would need the scan ahead */
    return reads_ok(f, k, id, v, in_reduce);
}

/* may kernel k become the outer part of a kernel over tensor id's domain
 * (its stores computed once per point of its axes, before the inner loops)?
 * Its domain must be a prefix of id's, neither may scan, and id may read
 * k's tensors only at that point. Ranks of at least 1 only: an outer store
 * of rank 0 would be computed (and written) by every thread. */
static bool nests(Fuse *f, const KirKernel *k, int id, const IrExpr *v)
{
    const IrTensor *t = f->p->tensors.v[id];
    if (k->rank < 1 || t->rank <= k->rank || k->scan_axis >= 0 || t->scan_axis >= 0 || k->segmented || k->host >= 0 || t->bounds.n)
        return false;
    for (int a = 0; a < k->rank; a++) if (!lin_eq(t->extent[a], k->extent[a])) return false;
    if (has_outer_stores(f, k)) return false;
    return reads_ok(f, k, id, v, false);
}

/* widens k to tensor id's domain; its stores become outer stores, their
 * reduction slots moved past the new axes */
static void nest(Fuse *f, KirKernel *k, int id)
{
    const IrTensor *t = f->p->tensors.v[id];
    int r = k->rank, shift = t->rank - r;
    int *map = arena_alloc(f->c->a, (size_t)(k->nslots + 1) * sizeof(int));
    for (int s = 0; s < k->nslots; s++) map[s] = s < r ? s : s + shift;
    for (int s = 0; s < k->stores.n; s++) k->stores.v[s].value = inl(f, k->stores.v[s].value, map, NULL, 0);
    k->nslots += shift;
    k->rank = t->rank;
    for (int a = 0; a < t->rank; a++) k->extent[a] = t->extent[a];
}

/* node count of a definition once its inlined readers are substituted */
static int expanded_size(const IrPipeline *p, const KirBufKind *buf, int *memo, const IrExpr *e)
{
    if (!e) return 0;
    int n = 1;
    if (e->op == IR_READ && buf[e->u.tensor] == KB_INLINE) n += memo[e->u.tensor];
    for (int k = 0; k < e->nargs && n <= 1 << 20; k++) n += expanded_size(p, buf, memo, e->args[k]);
    return n > 1 << 20 ? 1 << 20 : n;
}

/* ---- global reductions ---------------------------------------------------
 * A scalar reduction over several variables, x = op(e for i, j... where m),
 * would run as one serial loop nest. When its first variable i runs over a
 * whole extent, it is split by rows: a parallel kernel over i computes each
 * row's partial sum (in f64, as always) and count, and the scalar combines
 * the rows in order. For var/std the mean is combined first and a second
 * parallel kernel sums the squared deviations. Deterministic (rows are fixed,
 * whatever the thread count); the summation order differs from the
 * interpreter's by the grouping into rows only. */

static IrTensor *add_scratch(Fuse *f, const char *name, IrType ty, int rank, Lin ext)
{
    IrPipeline *p = (IrPipeline *)f->p;
    IrTensor *t = arena_alloc(f->c->a, sizeof *t);
    t->name = arena_printf(f->c->a, "%s", name);
    t->kind = TK_DEF;
    t->ty = ty;
    t->rank = rank;
    t->extent[0] = ext;
    t->scan_axis = -1;
    t->output = -1;
    t->span = SPAN_NONE;
    vec_push(f->c->a, &p->tensors, t);
    f->k->buf[p->tensors.n - 1] = KB_SCRATCH;
    return t;
}

static IrExpr *mk(Fuse *f, IrOp op, IrType ty, int n, IrExpr *a0, IrExpr *a1, IrExpr *a2)
{
    IrExpr *e = ir_expr(f->c->a, op, ty, SPAN_NONE, n);
    IrExpr *args[3] = { a0, a1, a2 };
    for (int k = 0; k < n; k++) e->args[k] = args[k];
    return e;
}

static IrExpr *mk_reduce(Fuse *f, IrRed kind, IrType ty, const IrReduce *r, int from, IrExpr *body, IrExpr *mask)
{
    IrReduce *nr = arena_alloc(f->c->a, sizeof *nr);
    *nr = *r;
    nr->kind = kind;
    nr->nvars = r->nvars - from;
    nr->slots = r->slots + from;
    nr->lo = r->lo + from;
    nr->hi = r->hi + from;
    IrExpr *e = mk(f, IR_REDUCE, ty, 2, body, mask, NULL);
    e->u.red = nr;
    return e;
}

/* tensor[i_slot] (a rank-1 tensor), or tensor[] when slot < 0 */
static IrExpr *read_at(Fuse *f, int tensor, IrType ty, int slot)
{
    IrExpr *e = ir_expr(f->c->a, IR_READ, ty, SPAN_NONE, slot >= 0 ? 1 : 0);
    e->u.tensor = tensor;
    if (slot >= 0) { e->args[0] = ir_expr(f->c->a, IR_IVAR, TY_I64, SPAN_NONE, 0); e->args[0]->u.slot = slot; }
    return e;
}

/* sum(body for i0 in lo..hi): the combination of per-row or per-column
 * partials in the scalar kernels, in index order */
static IrExpr *sum_all(Fuse *f, IrType ty, IrExpr *body, IrExpr *lo, IrExpr *hi)
{
    IrReduce *all = arena_alloc(f->c->a, sizeof *all);
    all->kind = RED_SUM; all->nvars = 1;
    all->slots = arena_alloc(f->c->a, sizeof(int)); all->slots[0] = 0;
    all->lo = arena_alloc(f->c->a, sizeof(IrExpr *)); all->lo[0] = lo;
    all->hi = arena_alloc(f->c->a, sizeof(IrExpr *)); all->hi[0] = hi;
    IrExpr *e = mk(f, IR_REDUCE, ty, 2, body, NULL, NULL);
    e->u.red = all;
    return e;
}

/* S / N in f64, 0 when N == 0 */
static IrExpr *mean_of(Fuse *f, IrExpr *S, IrExpr *N)
{
    Arena *a = f->c->a;
    return mk(f, IR_SELECT, TY_F64, 3, mk(f, IR_EQ, TY_BOOL, 2, N, ir_const_i(a, TY_I64, 0, SPAN_NONE), NULL), ir_const_f(a, TY_F64, 0.0, SPAN_NONE),
              mk(f, IR_DIV, TY_F64, 2, S, ir_cast(a, N, TY_F64), NULL));
}

/* M2 / (N - ddof), 0 when N <= ddof; clamped at 0 first when rounding may
 * leave M2 a tiny negative */
static IrExpr *var_of(Fuse *f, IrExpr *M2, IrExpr *N, int64_t ddof, bool clamp)
{
    Arena *a = f->c->a;
    IrExpr *zero = ir_const_f(a, TY_F64, 0.0, SPAN_NONE), *dd = ir_const_i(a, TY_I64, ddof, SPAN_NONE);
    IrExpr *var = mk(f, IR_DIV, TY_F64, 2, M2, ir_cast(a, mk(f, IR_SUB, TY_I64, 2, N, dd, NULL), TY_F64), NULL);
    if (clamp) var = mk(f, IR_MAX, TY_F64, 2, var, zero, NULL);
    return mk(f, IR_SELECT, TY_F64, 3, mk(f, IR_GT, TY_BOOL, 2, N, dd, NULL), var, zero);
}

/* is (body, mask, r) the reduction (body2, mask2, r2)? */
static bool same_reduction(const IrExpr *body, const IrExpr *mask, const IrReduce *r, const IrExpr *body2, const IrExpr *mask2,
                           const IrReduce *r2)
{
    bool same = ir_expr_equal(body, body2) && ir_expr_equal(mask, mask2) && r->nvars == r2->nvars;
    for (int w = 0; same && w < r->nvars; w++)
        same = r->slots[w] == r2->slots[w] && ir_expr_equal(r->lo[w], r2->lo[w]) && ir_expr_equal(r->hi[w], r2->hi[w]);
    return same;
}

static KirKernel *new_kernel(Fuse *f, int rank, Lin ext)
{
    KirKernel *k = arena_alloc(f->c->a, sizeof *k);
    k->name = arena_printf(f->c->a, "%s_k%d", f->p->name, f->k->kernels.n);
    k->rank = rank;
    k->extent[0] = ext;
    k->scan_axis = k->par_axis = k->vec_axis = -1;
    k->host = -1;
    vec_push(f->c->a, &f->k->kernels, k);
    return k;
}

static void add_store(Fuse *f, KirKernel *k, int tensor, IrExpr *v, int nslots)
{
    KirStore st = { tensor, v, false };
    vec_push(f->c->a, &k->stores, st);
    if (nslots > k->nslots) k->nslots = nslots;
}

/* a scalar scratch tensor holding mean, in a kernel of its own; its id */
static int mean_kernel(Fuse *f, const char *base, IrExpr *mean)
{
    add_scratch(f, arena_printf(f->c->a, "%s.mean", base), TY_F64, 0, lin_const(1));
    add_store(f, new_kernel(f, 0, lin_const(1)), f->p->tensors.n - 1, mean, 1);
    return f->p->tensors.n - 1;
}

/* ---- column accumulators -------------------------------------------------
 * When the values summed are computed by the scan kernel just before (GAE's
 * advantages, then whitened), the sums run inside it instead: per column of
 * the scan, carried along the scan (KirStore.accum), a count n, a shift c
 * (the column's first value in the mask), and the sums of x - c and of
 * (x - c)^2, all in f64. The scalar then combines the columns: the mean is
 * sum(n c + S1) / N; the sum of squared deviations is, per column,
 * S2 - S1^2 / n (exact shifted sums, no cancellation against the mean) plus
 * n (c + S1 / n - mean)^2 (Chan et al.'s pairwise combination). So GAE and
 * the statistics of its result are one pass, and whitening adds one more.
 * Deterministic: a column is one task's, in scan order; the columns combine
 * in index order. */

static bool reads_kernel(const KirKernel *k, const IrExpr *e)
{
    for (int s = 0; s < k->stores.n; s++)
        if (e && ir_expr_reads(e, k->stores.v[s].tensor)) return true;
    return false;
}

/* the scan kernel the reduction of body where mask (a float body, over
 * exactly the domain of that kernel) can run inside, or NULL: the latest
 * scan kernel, unless a kernel after it computes something the body or mask
 * reads. body and mask come back in the kernel's slots. */
static KirKernel *col_kernel(Fuse *f, const IrReduce *r, IrExpr **body, IrExpr **mask, int nslots)
{
    if (r->nvars != 2) return NULL;
    KirKernel *k = NULL;
    for (int j = f->k->kernels.n - 1; j >= 0 && !k; j--) {
        KirKernel *kj = f->k->kernels.v[j];
        if (kj->host >= 0) return NULL;
        if (kj->scan_axis >= 0) k = kj;
        else if (reads_kernel(kj, *body) || reads_kernel(kj, *mask)) return NULL;
    }
    if (!k || k->rank != 2 || k->segmented || has_outer_stores(f, k)) return NULL;
    if (ir_expr_has_reduce(*body) || (*mask && ir_expr_has_reduce(*mask))) return NULL;
    for (int q = 0; q < 2; q++) {
        Lin lo = ir_dims_lin(r->lo[q]), hi = ir_dims_lin(r->hi[q]);
        if (!lin_is_const(lo) || lo.c != 0 || !hi.ok || !lin_eq(hi, k->extent[q])) return NULL;
    }
    int *map = arena_alloc(f->c->a, (size_t)(nslots + 2) * sizeof(int));
    for (int s = 0; s < nslots + 1; s++) map[s] = s;
    map[r->slots[0]] = 0;
    map[r->slots[1]] = 1;
    IrExpr *b = inl(f, *body, map, NULL, 0), *m = *mask ? inl(f, *mask, map, NULL, 0) : NULL;
    if (!reads_ok(f, k, -1, b, false) || (m && !reads_ok(f, k, -1, m, false))) return NULL;
    *body = b;
    *mask = m;
    return k;
}

static void add_accum(Fuse *f, KirKernel *k, int tensor, IrExpr *v)
{
    KirStore st = { tensor, v, true };
    vec_push(f->c->a, &k->stores, st);
}

/* the accumulators of body where mask in scan kernel k (made once per body,
 * mask and domain) */
static struct ColSums *col_sums(Fuse *f, KirKernel *k, const IrReduce *r, const IrExpr *body0, const IrExpr *mask0,
                                IrExpr *body, IrExpr *mask, const char *base)
{
    for (int q = 0; q < f->cols.n; q++)
        if (same_reduction(f->cols.v[q].body, f->cols.v[q].mask, f->cols.v[q].r, body0, mask0, r)) return &f->cols.v[q];
    Arena *a = f->c->a;
    int col = 1 - k->scan_axis;               /* the accumulators' axis, as a kernel slot */
    Lin ext = k->extent[col];
    struct ColSums cs = { body0, mask0, r, 0, 0, 0, 0 };
    add_scratch(f, arena_printf(a, "%s.n", base), TY_I64, 1, ext); cs.N = f->p->tensors.n - 1;
    add_scratch(f, arena_printf(a, "%s.shift", base), TY_F64, 1, ext); cs.SH = f->p->tensors.n - 1;
    add_scratch(f, arena_printf(a, "%s.s1", base), TY_F64, 1, ext); cs.S1 = f->p->tensors.n - 1;
    add_scratch(f, arena_printf(a, "%s.s2", base), TY_F64, 1, ext); cs.S2 = f->p->tensors.n - 1;
    IrExpr *x = ir_cast(a, body, TY_F64);
    IrExpr *m = mask ? mask : ir_const_i(a, TY_BOOL, 1, SPAN_NONE);
    IrExpr *n = read_at(f, cs.N, TY_I64, col), *sh = read_at(f, cs.SH, TY_F64, col);
    IrExpr *first = mk(f, IR_AND, TY_BOOL, 2, m, mk(f, IR_EQ, TY_BOOL, 2, n, ir_const_i(a, TY_I64, 0, SPAN_NONE), NULL), NULL);
    add_accum(f, k, cs.SH, mk(f, IR_SELECT, TY_F64, 3, first, x, sh));
    IrExpr *d = mk(f, IR_SUB, TY_F64, 2, x, read_at(f, cs.SH, TY_F64, col), NULL);
    IrExpr *s1 = read_at(f, cs.S1, TY_F64, col), *s2 = read_at(f, cs.S2, TY_F64, col);
    add_accum(f, k, cs.S1, mk(f, IR_SELECT, TY_F64, 3, m, mk(f, IR_ADD, TY_F64, 2, s1, d, NULL), s1));
    add_accum(f, k, cs.S2, mk(f, IR_SELECT, TY_F64, 3, m, mk(f, IR_ADD, TY_F64, 2, s2, mk(f, IR_MUL, TY_F64, 2, d, d, NULL), NULL), s2));
    add_accum(f, k, cs.N, mk(f, IR_ADD, TY_I64, 2, n, ir_cast(a, m, TY_I64), NULL));
    vec_push(a, &f->cols, cs);
    return &f->cols.v[f->cols.n - 1];
}

/* the scalar's value from the column accumulators (in f64), or NULL when
 * the reduction does not run inside the scan kernel before it */
static IrExpr *from_cols(Fuse *f, const IrTensor *t, const IrExpr *e)
{
    const IrReduce *r = e->u.red;
    IrRed kind = r->kind;
    Arena *a = f->c->a;
    if (!(kind == RED_SUM || kind == RED_MEAN || kind == RED_VAR || kind == RED_STD) || !ty_is_float(e->args[0]->ty)) return NULL;
    IrExpr *body = e->args[0], *mask = e->args[1];
    KirKernel *k = col_kernel(f, r, &body, &mask, f->next_slot);
    if (!k) return NULL;
    struct ColSums cs = *col_sums(f, k, r, e->args[0], e->args[1], body, mask, t->name);
    int col = 1 - k->scan_axis;
    /* sums over the columns: slot 0 of the scalar kernels */
    IrExpr *lo = r->lo[col], *hi = r->hi[col];
    IrExpr *n = read_at(f, cs.N, TY_I64, 0), *nf = ir_cast(a, n, TY_F64);
    IrExpr *sh = read_at(f, cs.SH, TY_F64, 0), *s1 = read_at(f, cs.S1, TY_F64, 0), *s2 = read_at(f, cs.S2, TY_F64, 0);
    IrExpr *N = sum_all(f, TY_I64, n, lo, hi);
    IrExpr *S = sum_all(f, TY_F64, mk(f, IR_ADD, TY_F64, 2, mk(f, IR_MUL, TY_F64, 2, nf, sh, NULL), s1, NULL), lo, hi);
    if (kind == RED_SUM) return S;
    IrExpr *mean = mean_of(f, S, N);
    if (kind == RED_MEAN) return mean;
    int Mi = mean_kernel(f, t->name, mean);
    /* per column: S2 - S1^2 / n + n (c + S1 / n - mean)^2, for n > 0 */
    IrExpr *q = mk(f, IR_DIV, TY_F64, 2, s1, nf, NULL);
    IrExpr *dm = mk(f, IR_SUB, TY_F64, 2, mk(f, IR_ADD, TY_F64, 2, sh, q, NULL), read_at(f, Mi, TY_F64, -1), NULL);
    IrExpr *m2 = mk(f, IR_ADD, TY_F64, 2, mk(f, IR_SUB, TY_F64, 2, s2, mk(f, IR_MUL, TY_F64, 2, s1, q, NULL), NULL),
                    mk(f, IR_MUL, TY_F64, 2, nf, mk(f, IR_MUL, TY_F64, 2, dm, dm, NULL), NULL), NULL);
    IrExpr *pos = mk(f, IR_GT, TY_BOOL, 2, n, ir_const_i(a, TY_I64, 0, SPAN_NONE), NULL);
    IrExpr *M2 = sum_all(f, TY_F64, mk(f, IR_SELECT, TY_F64, 3, pos, m2, ir_const_f(a, TY_F64, 0.0, SPAN_NONE)), lo, hi);
    IrExpr *var = var_of(f, M2, N, r->ddof, true);
    return kind == RED_STD ? mk(f, IR_SQRT, TY_F64, 1, var, NULL, NULL) : var;
}

static IrExpr *from_rows(Fuse *f, const IrTensor *t, const IrExpr *e, int nslots);

/* returns the scalar's new value, or NULL when the reduction stays as it is */
static IrExpr *split_global(Fuse *f, const IrTensor *t, IrExpr *v, int nslots)
{
    IrExpr *e = v->op == IR_CAST ? v->args[0] : v;
    if (t->rank != 0 || e->op != IR_REDUCE) return NULL;
    const IrReduce *r = e->u.red;
    IrRed kind = r->kind;
    if (kind != RED_SUM && kind != RED_MEAN && kind != RED_COUNT && kind != RED_VAR && kind != RED_STD) return NULL;
    if (r->nvars < 2 || r->slots[0] != 0) return NULL;
    IrExpr *res = from_cols(f, t, e);
    if (!res) res = from_rows(f, t, e, nslots);
    if (!res) return NULL;
    res = ir_cast(f->c->a, res, e->ty);
    return v->op == IR_CAST ? ir_cast(f->c->a, res, v->ty) : res;
}

/* the scalar's value from per-row partial sums (in f64), or NULL when its
 * first variable does not run over a whole extent */
static IrExpr *from_rows(Fuse *f, const IrTensor *t, const IrExpr *e, int nslots)
{
    const IrReduce *r = e->u.red;
    IrRed kind = r->kind;
    Lin lo = ir_dims_lin(r->lo[0]), ext = ir_dims_lin(r->hi[0]);
    if (!lin_is_const(lo) || lo.c != 0 || !ext.ok || ext.n == 0) return NULL;
    for (int q = 1; q < r->nvars; q++)
        if (ir_expr_uses_slot(r->lo[q], 0) || ir_expr_uses_slot(r->hi[q], 0)) return NULL;
    IrType bt = e->args[0]->ty;
    bool fl = ty_is_float(bt) || kind != RED_SUM;
    IrType st = fl ? TY_F64 : TY_I64;
    IrExpr *mask = e->args[1];
    IrExpr *body = e->args[0];
    if (kind == RED_COUNT) body = ir_cast(f->c->a, mk(f, IR_AND, TY_BOOL, 2, body, ir_const_i(f->c->a, TY_BOOL, 1, SPAN_NONE), NULL), TY_BOOL);
    const char *base = t->name;
    /* rows: partial sums (of the body, or of the counted conditions) and counts */
    int Si = -1, Ci = -1;
    for (int q = 0; q < f->rows.n && kind != RED_COUNT && ty_is_float(bt); q++)
        if (same_reduction(f->rows.v[q].body, f->rows.v[q].mask, f->rows.v[q].r, body, mask, r)) { Si = f->rows.v[q].S; Ci = f->rows.v[q].C; }
    if (Si < 0) {
        add_scratch(f, arena_printf(f->c->a, "%s.rows", base), kind == RED_COUNT ? TY_I64 : st, 1, ext);
        Si = f->p->tensors.n - 1;
        add_scratch(f, arena_printf(f->c->a, "%s.count", base), TY_I64, 1, ext);
        Ci = f->p->tensors.n - 1;
        KirKernel *rows = new_kernel(f, 1, ext);
        IrExpr *sb = kind == RED_COUNT ? body : ir_cast(f->c->a, body, st);
        add_store(f, rows, Si, mk_reduce(f, kind == RED_COUNT ? RED_COUNT : RED_SUM, kind == RED_COUNT ? TY_I64 : st, r, 1, sb, mask), nslots);
        add_store(f, rows, Ci, mk_reduce(f, RED_COUNT, TY_I64, r, 1, ir_const_i(f->c->a, TY_BOOL, 1, SPAN_NONE), mask), nslots);
        if (kind != RED_COUNT && ty_is_float(bt)) {
            struct RowSums rs = { body, mask, r, Si, Ci };
            vec_push(f->c->a, &f->rows, rs);
        }
    }
    /* combining the rows, in row order */
    IrType sty = kind == RED_COUNT ? TY_I64 : st;
    IrExpr *sumS = sum_all(f, sty, read_at(f, Si, sty, 0), r->lo[0], r->hi[0]);
    IrExpr *sumC = sum_all(f, TY_I64, read_at(f, Ci, TY_I64, 0), r->lo[0], r->hi[0]);
    if (kind == RED_SUM || kind == RED_COUNT) return sumS;
    IrExpr *mean = mean_of(f, sumS, sumC);
    if (kind == RED_MEAN) return mean;
    /* the mean, then the squared deviations by rows */
    int Mi = mean_kernel(f, base, mean);
    add_scratch(f, arena_printf(f->c->a, "%s.sq", base), TY_F64, 1, ext);
    int Qi = f->p->tensors.n - 1;
    IrExpr *dev = mk(f, IR_SUB, TY_F64, 2, ir_cast(f->c->a, body, TY_F64), read_at(f, Mi, TY_F64, -1), NULL);
    add_store(f, new_kernel(f, 1, ext), Qi, mk_reduce(f, RED_SUM, TY_F64, r, 1, mk(f, IR_MUL, TY_F64, 2, dev, dev, NULL), mask), nslots);
    IrExpr *var = var_of(f, sum_all(f, TY_F64, read_at(f, Qi, TY_F64, 0), r->lo[0], r->hi[0]), sumC, r->ddof, false);
    return kind == RED_STD ? mk(f, IR_SQRT, TY_F64, 1, var, NULL, NULL) : var;
}

static KirPipeline *fuse_pipeline(PassCtx *c, const IrPipeline *p)
{
    Arena *a = c->a;
    KirPipeline *k = arena_alloc(a, sizeof *k);
    k->m = c->m;
    k->p = p;
    /* room for the scratch tensors split_global adds (at most 5 per tensor) */
    k->buf = arena_alloc(a, (size_t)(6 * p->tensors.n + 1) * sizeof(KirBufKind));
    for (int i = 0; i < p->tensors.n; i++) {
        const IrTensor *t = p->tensors.v[i];
        if (t->kind == TK_INPUT) k->buf[i] = KB_INPUT;
        else if (t->output >= 0) k->buf[i] = KB_OUTPUT;
        else if (t->kind != TK_DEF || t->scan_axis >= 0 || t->bounds.n || ir_expr_has_reduce(t->def->body)
                 || ir_expr_size(t->def->body, INLINE_LIMIT + 1) > INLINE_LIMIT)
            k->buf[i] = KB_SCRATCH;
        else k->buf[i] = KB_INLINE;
    }
    /* a host function takes whole tensors: its arguments need buffers */
    for (int s = 0; s < p->steps.n; s++)
        if (p->steps.v[s].kind == STEP_EXTERN)
            for (int q = 0; q < p->steps.v[s].nin; q++)
                if (k->buf[p->steps.v[s].in[q]] == KB_INLINE) k->buf[p->steps.v[s].in[q]] = KB_SCRATCH;
    /* chains of inlined tensors read several times each grow exponentially:
     * materialise where the substituted size passes the limit */
    int *memo = arena_alloc(a, (size_t)(p->tensors.n + 1) * sizeof(int));
    for (int s = 0; s < p->steps.n; s++) {
        const IrStep *st = &p->steps.v[s];
        if (st->kind != STEP_DEF) continue;
        int id = st->tensor;
        memo[id] = expanded_size(p, k->buf, memo, p->tensors.v[id]->def->body);
        if (k->buf[id] == KB_INLINE && memo[id] > INLINE_LIMIT) { k->buf[id] = KB_SCRATCH; memo[id] = 0; }
    }
    /* an inlined tensor read at a shifted point by many readers is cheap to
     * recompute; one read inside a reduction over a large domain too */
    Fuse f = { c, p, k, 0, 0, { 0 }, { 0 } };
    for (int s = 0; s < p->steps.n; s++) {
        const IrStep *st = &p->steps.v[s];
        if (st->kind == STEP_EXTERN) {
            /* a host call is a kernel of its own: nothing fuses across it */
            KirKernel *h = arena_alloc(a, sizeof *h);
            h->name = arena_printf(a, "%s_k%d", p->name, k->kernels.n);
            h->scan_axis = h->par_axis = h->vec_axis = -1;
            h->host = st->ext;
            h->nhost_in = st->nin; h->nhost_out = st->nout;
            h->host_in = st->in; h->host_out = st->out;
            vec_push(a, &k->kernels, h);
            continue;
        }
        int id = st->tensor;
        if (k->buf[id] == KB_INLINE) continue;
        const IrTensor *t = p->tensors.v[id];
        if (t->bounds.n) collect_bounds(&f, id);
        f.next_slot = t->def->nslots;
        IrExpr *v = inl(&f, t->def->body, NULL, NULL, 0);
        if (c->opt_level > 0) {
            IrExpr *sv = split_global(&f, t, v, f.next_slot);
            if (sv) v = sv;
        }
        IrSegment sg;
        bool seg = ir_match_segment_expr(v, 0, t->ty, &sg) && t->rank == 1;
        KirKernel *last = k->kernels.n ? k->kernels.v[k->kernels.n - 1] : NULL;
        if (last && !seg && nests(&f, last, id, v)) nest(&f, last, id);
        else if (!last || seg || last->segmented || last->host >= 0 || !joins(&f, last, id, v, false)) {
            last = arena_alloc(a, sizeof *last);
            last->name = arena_printf(a, "%s_k%d", p->name, k->kernels.n);
            last->rank = t->rank;
            for (int ax = 0; ax < t->rank; ax++) last->extent[ax] = t->extent[ax];
            last->scan_axis = -1;
            last->par_axis = -1;
            last->vec_axis = -1;
            last->host = -1;
            last->segmented = seg;
            vec_push(a, &k->kernels, last);
        }
        if (t->scan_axis >= 0) { last->scan_axis = t->scan_axis; last->scan_dir = t->scan_dir; }
        KirStore ks = { id, v, false };
        vec_push(a, &last->stores, ks);
        if (f.next_slot > last->nslots) last->nslots = f.next_slot;
    }
    return k;
}

bool pass_fuse(PassCtx *c)
{
    c->kir = arena_alloc(c->a, (size_t)(c->m->pipelines.n + 1) * sizeof(KirPipeline *));
    for (int i = 0; i < c->m->pipelines.n; i++) {
        c->kir[i] = fuse_pipeline(c, c->m->pipelines.v[i]);
        if (!c->kir[i]) return false;
    }
    return true;
}
