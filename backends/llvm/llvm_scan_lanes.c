/* backends/llvm/llvm_scan_lanes.c: a scan kernel's scan-inner variant with
 * rows in vector lanes.
 *
 * In a batch-major layout the scan axis is the contiguous one, so running
 * one row at a time leaves a single dependent chain per row (GAE: an add, a
 * multiply and a select per step, at their latency), and interleaving rows
 * directly puts every row's streams in the same L1 set when the row stride
 * is a power of two. Instead, for a group of LANES rows and a chunk of CHUNK
 * steps:
 *   1. each row in turn, along its contiguous steps (a loop LLVM
 *      vectorises): the stores before the recurrence, and every
 *      subexpression of the recurrence that does not depend on it (the
 *      "leaves": GAE's delta and done), into small buffers laid out
 *      [lane][step];
 *   2. the recurrence for all rows at once, LANES steps at a time: the
 *      leaves' LANES x LANES blocks are transposed in registers, then each
 *      step costs one vector operation per node of the "spine" (the nodes
 *      that depend on the carried value), and the results are transposed
 *      back;
 *   3. each row in turn (vectorised again): the recurrence's values and the
 *      stores after it.
 * A chunk's last steps (fewer than LANES) run one at a time in phase 2, with
 * the leaves gathered lane by lane. Column accumulators (KirStore.accum: a
 * scan's statistics) are carried as vectors through phase 2, in a second
 * sweep over each block after the recurrences, and stored once per group.
 * Every value is computed by the same operations in the same order as in
 * the row-at-a-time form (and as in the interpreter), so results agree bit
 * for bit. Kernels that do not fit (two recurrences crossing phases, a
 * spine op with no vector form, reads across rows) keep the row-at-a-time
 * body of llvm_kernel.c. Tests: tests/run and tests/diff with Fortran-order
 * inputs, tests/aot (transposed inputs). */
#include "llvm_cg.h"
#include <string.h>

#define B (g->b)

enum { LANES = 8, CHUNK = 64 };

typedef struct {
    const IrExpr *e;
    int spec;                 /* lazy-side depth it sits at (reads there clamp) */
    bool uniform;             /* no index, read or reduction: one value per call */
    bool for_rec;             /* read by a recurrence (else only by accumulators) */
    LLVMValueRef buf;         /* alloca [CHUNK * LANES] of its memory type */
    LLVMValueRef val;         /* in phase 2: its vector at this step */
} Leaf;

typedef struct {
    int tensor;               /* IR tensor */
    bool accum;               /* an accumulator (KirStore.accum), carried per row */
    IrType ty;
    const IrExpr *step;       /* one of its reads of the previous step */
    LLVMValueRef x;           /* alloca <LANES x ty>: the carried values */
    LLVMValueRef xbuf;        /* alloca [LANES * CHUNK]: its values in the chunk */
    LLVMValueRef init;        /* alloca [LANES]: the values before the first step */
    LLVMValueRef cur;         /* in phase 2: its vector at this step */
} Rec;

typedef struct {
    Cg *g;
    const KirKernel *k;
    int r0s, r1s;             /* the recurrences: stores [r0s, r1s) */
    int a0s;                  /* the accumulators: stores [a0s, n) (a0s = n: none) */
    Rec *rec;                 /* per recurrence store */
    int cur;                  /* the recurrence being checked */
    int lane;                 /* the axis in lanes: the innermost other axis */
    VEC(Leaf) leaves;
    LLVMValueRef lo, hi;      /* this task's share of the par axis */
    LLVMValueRef gslot, qslot, bslot, r0, nw, c0, c1;
} Lanes;

/* ---- does the kernel fit? ----------------------------------------------- */

static bool spine_type(IrType t) { return t == TY_F32 || t == TY_F64 || t == TY_BOOL || t == TY_I64; }

/* the carried stores (recurrences, then accumulators) */
#define FOR_CARRIED(s, r) for (int r = (s)->r0s; r < (s)->k->stores.n; r = r + 1 == (s)->r1s ? (s)->a0s : r + 1)

/* the carried store of tensor t, or -1 */
static int rec_of(const Lanes *s, int t)
{
    FOR_CARRIED(s, r)
        if (s->rec[r].tensor == t) return r;
    return -1;
}

static bool reads_rec(const Lanes *s, const IrExpr *e)
{
    FOR_CARRIED(s, r)
        if (ir_expr_reads(e, s->rec[r].tensor)) return true;
    return false;
}

static bool spine_ok(Lanes *s, const IrExpr *e, int spec)
{
    /* a converted bool (an accumulator's count of a mask) converts in the
     * spine: the mask itself is the leaf, shared with its other uses */
    if (e->op == IR_CAST && e->args[0]->ty == TY_BOOL && (e->ty == TY_I64 || e->ty == TY_F32 || e->ty == TY_F64) && !reads_rec(s, e))
        return spine_ok(s, e->args[0], spec);
    if (!reads_rec(s, e)) {
        bool rec = s->cur < s->r1s;
        for (int i = 0; i < s->leaves.n; i++)
            if (s->leaves.v[i].e == e) {
                if (spec > s->leaves.v[i].spec) s->leaves.v[i].spec = spec;
                s->leaves.v[i].for_rec |= rec;
                return true;
            }
        Leaf l = { e, spec, !ir_expr_has_op(e, IR_OPS(IR_IVAR) | IR_OPS(IR_READ) | IR_OPS(IR_REDUCE)), rec, NULL, NULL };
        vec_push(s->g->a, &s->leaves, l);
        return true;
    }
    if (e->op == IR_READ) {
        /* the previous step of a recurrence, or the value at this point of
         * one computed before this one */
        int r = rec_of(s, e->u.tensor);
        if (r < 0) return false;
        if (s->rec[r].accum) {
            /* an accumulator of this row: its value before this step, or
             * after it when its store comes first */
            const IrExpr *ix = e->nargs == 1 ? e->args[0] : NULL;
            return ix && ix->op == IR_IVAR && ix->u.slot == 1 - s->k->scan_axis;
        }
        if (kir_row_read(s->k, e, kir_prev_step(s->k))) {
            if (s->cur >= s->r1s) return false;    /* accumulators run after the block's recurrences */
            s->rec[r].step = e;
            return true;
        }
        return r < s->cur && kir_row_read(s->k, e, 0);
    }
    if (!spine_type(e->ty)) return false;
    switch (e->op) {
    case IR_ADD: case IR_SUB: case IR_MUL:
        if (e->ty == TY_BOOL) return false;
        break;
    case IR_NEG: case IR_DIV: case IR_MIN: case IR_MAX: case IR_CLAMP:
        if (e->ty == TY_BOOL || e->ty == TY_I64) return false;
        break;
    case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE:
        if (!spine_type(e->args[0]->ty)) return false;
        break;
    case IR_NOT: break;
    case IR_AND: case IR_OR:
        return spine_ok(s, e->args[0], spec) && spine_ok(s, e->args[1], spec + 1);
    case IR_SELECT:
        return spine_ok(s, e->args[0], spec) && spine_ok(s, e->args[1], spec + 1) && spine_ok(s, e->args[2], spec + 1);
    case IR_CAST: {
        IrType f = e->args[0]->ty;
        if (e->ty == TY_BOOL || !(f == TY_F32 || f == TY_F64 || f == TY_BOOL)) return false;
        if (e->ty == TY_I64 && f != TY_BOOL) return false;
        break;
    }
    default: return false;
    }
    for (int i = 0; i < e->nargs; i++)
        if (!spine_ok(s, e->args[i], spec)) return false;
    return true;
}

/* do reads of the kernel's own stores in e stay in their row, and avoid the
 * stores at or after `from` (not yet computed in the phase e runs in)? */
static bool reads_ok(const Lanes *s, const IrExpr *e, int from)
{
    const KirKernel *k = s->k;
    if (e->op == IR_READ)
        for (int st = 0; st < k->stores.n; st++) {
            if (k->stores.v[st].tensor != e->u.tensor) continue;
            if (st >= from) return false;
            if (k->stores.v[st].accum) continue;            /* a row's own accumulator */
            for (int a = 0; a < k->rank; a++)
                if (a != k->scan_axis && (e->args[a]->op != IR_IVAR || e->args[a]->u.slot != a)) return false;
        }
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i] && !reads_ok(s, e->args[i], from)) return false;
    if (e->op == IR_REDUCE) {
        const IrReduce *r = e->u.red;
        for (int v = 0; v < r->nvars; v++)
            if (!reads_ok(s, r->lo[v], from) || !reads_ok(s, r->hi[v], from)) return false;
    }
    return true;
}

/* the recurrences must be consecutive stores, each of f32 or f64; the
 * accumulators, if any, the last stores */
static bool fits(Lanes *s)
{
    const KirKernel *k = s->k;
    if (k->scan_axis < 0 || k->rank != 2 || k->segmented || k->host >= 0) return false;
    s->r0s = s->r1s = -1;
    s->a0s = k->stores.n;
    s->rec = arena_alloc(s->g->a, (size_t)k->stores.n * sizeof *s->rec);
    for (int st = 0; st < k->stores.n; st++) {
        int t = k->stores.v[st].tensor;
        const IrTensor *tt = s->g->p->tensors.v[t];
        s->rec[st].tensor = -1;
        if (k->stores.v[st].accum) {
            if (s->a0s == k->stores.n) s->a0s = st;
            if (tt->ty != TY_F64 && tt->ty != TY_I64) return false;
            s->rec[st].tensor = t;
            s->rec[st].ty = tt->ty;
            s->rec[st].accum = true;
            continue;
        }
        if (s->a0s < k->stores.n) return false;           /* accumulators come last */
        if (!ir_expr_reads(k->stores.v[st].value, t)) continue;
        if (s->r0s < 0) s->r0s = st;
        else if (s->r1s != st) return false;
        s->r1s = st + 1;
        if (tt->rank != k->rank || (tt->ty != TY_F32 && tt->ty != TY_F64)) return false;
        s->rec[st].tensor = t;
        s->rec[st].ty = tt->ty;
    }
    if (s->r0s < 0) return false;
    for (s->cur = s->r0s; s->cur < s->r1s; s->cur++)
        if (!spine_ok(s, k->stores.v[s->cur].value, 0) || !s->rec[s->cur].step) return false;
    for (s->cur = s->a0s; s->cur < k->stores.n; s->cur++)
        if (!spine_ok(s, k->stores.v[s->cur].value, 0)) return false;
    for (int st = 0; st < s->r0s; st++)
        if (!reads_ok(s, k->stores.v[st].value, s->r0s)) return false;
    for (int i = 0; i < s->leaves.n; i++)
        if (!reads_ok(s, s->leaves.v[i].e, s->r0s)) return false;
    for (int st = s->r0s; st < s->a0s; st++)
        if (!reads_ok(s, k->stores.v[st].value, s->a0s)) return false;
    return true;
}

/* ---- emission ----------------------------------------------------------- */

static LLVMValueRef ci64(Cg *g, int64_t v) { return LLVMConstInt(g->i64, (unsigned long long)v, 1); }

static LLVMTypeRef vec_type(Cg *g, IrType t) { return LLVMVectorType(cg_mem_type(g, t), LANES); }

static LLVMValueRef buffer(Cg *g, IrType t, int n)
{
    LLVMValueRef a = LLVMBuildAlloca(g->ab, LLVMArrayType(cg_mem_type(g, t), (unsigned)n), "lanes");
    LLVMSetAlignment(a, 64);
    return a;
}

static LLVMValueRef elem(Cg *g, LLVMValueRef buf, IrType t, LLVMValueRef i)
{
    return LLVMBuildGEP2(B, cg_mem_type(g, t), LLVMBuildBitCast(B, buf, LLVMPointerType(cg_mem_type(g, t), 0), ""), &i, 1, "");
}

static LLVMValueRef vec_ptr(Cg *g, LLVMValueRef buf, IrType t, LLVMValueRef i)
{
    return LLVMBuildBitCast(B, elem(g, buf, t, i), LLVMPointerType(vec_type(g, t), 0), "");
}

static LLVMValueRef load_lanes(Cg *g, LLVMValueRef buf, IrType t, LLVMValueRef i)
{
    LLVMValueRef v = LLVMBuildLoad2(B, vec_type(g, t), vec_ptr(g, buf, t, i), "");
    LLVMSetAlignment(v, (unsigned)ir_types[t].size);
    return v;
}

/* bools live in the buffers as i32 (so that they transpose like floats) */
static IrType buf_type(IrType t) { return t == TY_BOOL ? TY_I32 : t; }

static LLVMValueRef from_buf(Cg *g, IrType t, LLVMValueRef v)
{
    return t == TY_BOOL ? LLVMBuildICmp(B, LLVMIntNE, v, LLVMConstNull(LLVMTypeOf(v)), "") : v;
}

static void store_lanes(Cg *g, LLVMValueRef v, LLVMValueRef buf, IrType t, LLVMValueRef i)
{
    LLVMSetAlignment(LLVMBuildStore(B, v, vec_ptr(g, buf, t, i)), (unsigned)ir_types[t].size);
}

static LLVMValueRef splat(Cg *g, LLVMValueRef v)
{
    LLVMValueRef r = LLVMGetUndef(LLVMVectorType(LLVMTypeOf(v), LANES));
    for (int i = 0; i < LANES; i++) r = LLVMBuildInsertElement(B, r, v, LLVMConstInt(g->i32, (unsigned long long)i, 0), "");
    return r;
}

/* the point's cell in a chunk buffer: lane * CHUNK + its place in the
 * chunk in scan order */
static LLVMValueRef cell(Lanes *s, LLVMValueRef lane)
{
    Cg *g = s->g;
    LLVMValueRef t = LLVMBuildLoad2(B, g->i64, g->slot[s->k->scan_axis], "");
    LLVMValueRef i = s->k->scan_dir < 0 ? LLVMBuildSub(B, LLVMBuildSub(B, s->c1, ci64(g, 1), ""), t, "") : LLVMBuildSub(B, t, s->c0, "");
    return LLVMBuildAdd(B, LLVMBuildMul(B, lane, ci64(g, CHUNK), ""), i, "");
}

/* rows[i][j] -> rows[j][i] for LANES vectors of LANES elements: log2(LANES)
 * stages, each swapping the off-diagonal h x h blocks of every 2h x 2h block */
static void transpose(Cg *g, LLVMValueRef *rows)
{
    for (int h = LANES / 2; h >= 1; h /= 2)
        for (int i = 0; i < LANES; i++) {
            if (i & h) continue;
            LLVMValueRef lo[LANES], hi[LANES];
            for (int j = 0; j < LANES; j++) {
                lo[j] = LLVMConstInt(g->i32, (unsigned long long)((j & h) ? LANES + j - h : j), 0);
                hi[j] = LLVMConstInt(g->i32, (unsigned long long)((j & h) ? LANES + j : j + h), 0);
            }
            LLVMValueRef a = rows[i], b = rows[i + h];
            rows[i] = LLVMBuildShuffleVector(B, a, b, LLVMConstVector(lo, LANES), "");
            rows[i + h] = LLVMBuildShuffleVector(B, a, b, LLVMConstVector(hi, LANES), "");
        }
}

static LLVMValueRef lane_of(Lanes *s)
{
    Cg *g = s->g;
    return LLVMBuildSub(B, LLVMBuildLoad2(B, g->i64, g->slot[s->lane], ""), s->r0, "");
}

static void scan_steps(Lanes *s, CgBody body)
{
    Cg *g = s->g;
    cg_loop(g, g->slot[s->k->scan_axis], s->c0, s->c1, s->k->scan_dir < 0, body, s);
}

static void lanes_loop(Lanes *s, CgBody body)
{
    Cg *g = s->g;
    cg_loop(g, g->slot[s->lane], s->r0, LLVMBuildAdd(B, s->r0, s->nw, ""), false, body, s);
}

/* phase 1 at one point: the stores before the recurrences, then the leaves */
static void phase1_point(Cg *g, void *ud)
{
    Lanes *s = ud;
    cg_stores(g, 0, s->r0s);
    LLVMValueRef i = cell(s, lane_of(s));
    for (int j = 0; j < s->leaves.n; j++) {
        Leaf *l = &s->leaves.v[j];
        if (l->uniform) continue;
        g->spec += l->spec;
        LLVMValueRef v = cg_expr(g, l->e);
        g->spec -= l->spec;
        if (l->e->ty == TY_BOOL) v = LLVMBuildZExt(B, v, g->i32, "");
        LLVMBuildStore(B, v, elem(g, l->buf, buf_type(l->e->ty), i));
    }
    cg_leave_point(g);
}

static void phase1_row(Cg *g, void *ud) { scan_steps(ud, phase1_point); }

static LLVMValueRef spine(Lanes *s, const IrExpr *e)
{
    Cg *g = s->g;
    for (int j = 0; j < s->leaves.n; j++)
        if (s->leaves.v[j].e == e) return s->leaves.v[j].val;
    if (e->op == IR_READ) {
        int ri = rec_of(s, e->u.tensor);
        Rec *r = &s->rec[ri];
        bool carried = r->accum ? ri >= s->cur : e == r->step || kir_row_read(s->k, e, kir_prev_step(s->k));
        return carried ? LLVMBuildLoad2(B, vec_type(g, r->ty), r->x, "") : r->cur;
    }
    LLVMValueRef a[3] = { 0 };
    for (int i = 0; i < e->nargs; i++) a[i] = spine(s, e->args[i]);
    switch (e->op) {
    case IR_SELECT: return LLVMBuildSelect(B, a[0], a[1], a[2], "");
    case IR_AND: return LLVMBuildAnd(B, a[0], a[1], "");
    case IR_OR: return LLVMBuildOr(B, a[0], a[1], "");
    case IR_NOT: return LLVMBuildNot(B, a[0], "");
    case IR_NEG: return LLVMBuildFNeg(B, a[0], "");
    case IR_CLAMP: return cg_binary(g, IR_MIN, e->ty, cg_binary(g, IR_MAX, e->ty, a[0], a[1]), a[2]);
    case IR_CAST: {
        LLVMTypeRef vt = vec_type(g, e->ty);
        if (e->args[0]->ty == TY_BOOL) return e->ty == TY_I64 ? LLVMBuildZExt(B, a[0], vt, "") : LLVMBuildUIToFP(B, a[0], vt, "");
        if (e->args[0]->ty == e->ty) return a[0];
        return e->ty == TY_F64 ? LLVMBuildFPExt(B, a[0], vt, "") : LLVMBuildFPTrunc(B, a[0], vt, "");
    }
    default:
        return cg_binary(g, e->op, ir_ops[e->op].cls == OC_CMP ? e->args[0]->ty : e->ty, a[0], a[1]);
    }
}

/* one step of every row, the leaves' values set: the recurrences in store
 * order, each reading the carried values (all still the previous step's)
 * and the values just computed of those before it; then (accs) the
 * accumulators likewise. Carries the new values. */
static void step(Lanes *s, bool recs, bool accs)
{
    FOR_CARRIED(s, r) {
        if (s->rec[r].accum ? !accs : !recs) continue;
        s->cur = r;
        s->rec[r].cur = spine(s, s->k->stores.v[r].value);
    }
    FOR_CARRIED(s, r)
        if (s->rec[r].accum ? accs : recs) LLVMBuildStore(s->g->b, s->rec[r].cur, s->rec[r].x);
}

/* the transposed LANES x LANES block of leaf j at buffer offset b0 */
static void leaf_cols(Lanes *s, int j, LLVMValueRef b0, LLVMValueRef *cols)
{
    Cg *g = s->g;
    Leaf *l = &s->leaves.v[j];
    for (int w = 0; w < LANES; w++) cols[w] = load_lanes(g, l->buf, buf_type(l->e->ty), LLVMBuildAdd(B, b0, ci64(g, w * CHUNK), ""));
    transpose(g, cols);
}

/* phase 2, LANES steps of every row: the leaves' LANES x LANES blocks
 * transposed, LANES steps of the recurrences, their results transposed
 * back; then LANES steps of the accumulators (apart, so that fewer values
 * are live at once) */
static void phase2_block(Cg *g, void *ud)
{
    Lanes *s = ud;
    LLVMValueRef b0 = LLVMBuildMul(B, LLVMBuildLoad2(B, g->i64, s->bslot, ""), ci64(g, LANES), "");
    LLVMValueRef (*cols)[LANES] = arena_alloc(g->a, (size_t)(s->leaves.n + 1) * sizeof *cols);
    for (int j = 0; j < s->leaves.n; j++)
        if (!s->leaves.v[j].uniform && s->leaves.v[j].for_rec) leaf_cols(s, j, b0, cols[j]);
    LLVMValueRef (*out)[LANES] = arena_alloc(g->a, (size_t)(s->r1s + 1) * sizeof *out);
    for (int q = 0; q < LANES; q++) {
        for (int j = 0; j < s->leaves.n; j++)
            if (!s->leaves.v[j].uniform && s->leaves.v[j].for_rec) s->leaves.v[j].val = from_buf(g, s->leaves.v[j].e->ty, cols[j][q]);
        step(s, true, false);
        for (int r = s->r0s; r < s->r1s; r++) out[r][q] = s->rec[r].cur;
    }
    if (s->a0s < s->k->stores.n) {
        for (int j = 0; j < s->leaves.n; j++)
            if (!s->leaves.v[j].uniform && !s->leaves.v[j].for_rec) leaf_cols(s, j, b0, cols[j]);
        for (int q = 0; q < LANES; q++) {
            for (int j = 0; j < s->leaves.n; j++)
                if (!s->leaves.v[j].uniform) s->leaves.v[j].val = from_buf(g, s->leaves.v[j].e->ty, cols[j][q]);
            for (int r = s->r0s; r < s->r1s; r++) s->rec[r].cur = out[r][q];
            step(s, false, true);
        }
    }
    for (int r = s->r0s; r < s->r1s; r++) {
        transpose(g, out[r]);
        for (int w = 0; w < LANES; w++) store_lanes(g, out[r][w], s->rec[r].xbuf, s->rec[r].ty, LLVMBuildAdd(B, b0, ci64(g, w * CHUNK), ""));
    }
}

/* phase 2, the chunk's last steps (fewer than LANES) one at a time: leaves
 * gathered lane by lane, results scattered */
static void phase2_tail(Cg *g, void *ud)
{
    Lanes *s = ud;
    LLVMValueRef i = LLVMBuildLoad2(B, g->i64, s->bslot, "");
    for (int j = 0; j < s->leaves.n; j++) {
        Leaf *l = &s->leaves.v[j];
        if (l->uniform) continue;
        IrType bt = buf_type(l->e->ty);
        LLVMValueRef v = LLVMGetUndef(vec_type(g, bt));
        for (int w = 0; w < LANES; w++) {
            LLVMValueRef x = LLVMBuildLoad2(B, cg_mem_type(g, bt), elem(g, l->buf, bt, LLVMBuildAdd(B, i, ci64(g, w * CHUNK), "")), "");
            v = LLVMBuildInsertElement(B, v, x, LLVMConstInt(g->i32, (unsigned long long)w, 0), "");
        }
        l->val = from_buf(g, l->e->ty, v);
    }
    step(s, true, true);
    for (int r = s->r0s; r < s->r1s; r++)
        for (int w = 0; w < LANES; w++)
            LLVMBuildStore(B, LLVMBuildExtractElement(B, s->rec[r].cur, LLVMConstInt(g->i32, (unsigned long long)w, 0), ""),
                           elem(g, s->rec[r].xbuf, s->rec[r].ty, LLVMBuildAdd(B, i, ci64(g, w * CHUNK), "")));
}

/* phase 3 at one point: the recurrences' values, then the stores after them */
static void phase3_point(Cg *g, void *ud)
{
    Lanes *s = ud;
    LLVMValueRef idx[IR_MAX_RANK];
    for (int a = 0; a < s->k->rank; a++) idx[a] = LLVMBuildLoad2(B, g->i64, g->slot[a], "");
    LLVMValueRef i = cell(s, lane_of(s));
    for (int r = s->r0s; r < s->r1s; r++) {
        Rec *R = &s->rec[r];
        LLVMValueRef v = LLVMBuildLoad2(B, cg_type(g, R->ty), elem(g, R->xbuf, R->ty, i), "");
        int ti = g->bp->index[R->tensor];
        LLVMBuildStore(B, v, cg_addr(g, ti, idx));
        g->at_point[ti] = v;
    }
    cg_stores(g, s->r1s, s->a0s);
    cg_leave_point(g);
}

static void phase3_row(Cg *g, void *ud) { scan_steps(ud, phase3_point); }

static void chunk(Cg *g, void *ud)
{
    Lanes *s = ud;
    const KirKernel *k = s->k;
    LLVMValueRef ext = cg_lin(g, k->extent[k->scan_axis]);
    /* chunk q holds the steps [q CHUNK, (q + 1) CHUNK) in scan order */
    LLVMValueRef p0 = LLVMBuildMul(B, LLVMBuildLoad2(B, g->i64, s->qslot, ""), ci64(g, CHUNK), "");
    LLVMValueRef left = LLVMBuildSub(B, ext, p0, "");
    LLVMValueRef n = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSLT, left, ci64(g, CHUNK), ""), left, ci64(g, CHUNK), "");
    s->c0 = k->scan_dir < 0 ? LLVMBuildSub(B, left, n, "") : p0;
    s->c1 = LLVMBuildAdd(B, s->c0, n, "");
    lanes_loop(s, phase1_row);
    LLVMValueRef nb = LLVMBuildSDiv(B, n, ci64(g, LANES), "");
    cg_loop(g, s->bslot, ci64(g, 0), nb, false, phase2_block, s);
    cg_loop(g, s->bslot, LLVMBuildMul(B, nb, ci64(g, LANES), ""), n, false, phase2_tail, s);
    lanes_loop(s, phase3_row);
}

/* the carried values before the first step: each recurrence's read of the
 * previous step evaluated there (a boundary cell, or a clamped read that a
 * guard discards) */
static void init_lane(Cg *g, void *ud)
{
    Lanes *s = ud;
    LLVMValueRef w = lane_of(s);
    g->spec++;
    for (int r = s->r0s; r < s->r1s; r++)
        LLVMBuildStore(B, cg_expr(g, s->rec[r].step), elem(g, s->rec[r].init, s->rec[r].ty, w));
    g->spec--;
}

/* the accumulators' final values of this row */
static void acc_lane(Cg *g, void *ud)
{
    Lanes *s = ud;
    LLVMValueRef w = lane_of(s), col = LLVMBuildLoad2(B, g->i64, g->slot[s->lane], "");
    for (int r = s->a0s; r < s->k->stores.n; r++) {
        Rec *R = &s->rec[r];
        LLVMValueRef v = LLVMBuildLoad2(B, cg_type(g, R->ty), elem(g, R->init, R->ty, w), "");
        LLVMBuildStore(B, v, cg_addr(g, g->bp->index[R->tensor], &col));
    }
}

static void group(Cg *g, void *ud)
{
    Lanes *s = ud;
    const KirKernel *k = s->k;
    bool par = s->lane == g->par_axis;
    LLVMValueRef lo = par ? s->lo : ci64(g, 0), hi = par ? s->hi : cg_lin(g, k->extent[s->lane]);
    s->r0 = LLVMBuildAdd(B, lo, LLVMBuildMul(B, LLVMBuildLoad2(B, g->i64, s->gslot, ""), ci64(g, LANES), ""), "");
    LLVMValueRef left = LLVMBuildSub(B, hi, s->r0, "");
    s->nw = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSLT, left, ci64(g, LANES), ""), left, ci64(g, LANES), "");
    for (int j = 0; j < s->leaves.n; j++) {
        Leaf *l = &s->leaves.v[j];
        if (l->uniform) l->val = splat(g, cg_expr(g, l->e));
    }
    /* lanes past the last row carry zeros; their results are never stored */
    for (int r = s->r0s; r < s->r1s; r++) store_lanes(g, LLVMConstNull(vec_type(g, s->rec[r].ty)), s->rec[r].init, s->rec[r].ty, ci64(g, 0));
    LLVMValueRef ext = cg_lin(g, k->extent[k->scan_axis]);
    LLVMBuildStore(B, k->scan_dir < 0 ? LLVMBuildSub(B, ext, ci64(g, 1), "") : ci64(g, 0), g->slot[k->scan_axis]);
    lanes_loop(s, init_lane);
    for (int r = s->r0s; r < s->r1s; r++)
        LLVMBuildStore(B, load_lanes(g, s->rec[r].init, s->rec[r].ty, ci64(g, 0)), s->rec[r].x);
    /* accumulators start at zero and stay in registers along the scan */
    for (int r = s->a0s; r < k->stores.n; r++) LLVMBuildStore(B, LLVMConstNull(vec_type(g, s->rec[r].ty)), s->rec[r].x);
    LLVMValueRef nq = LLVMBuildSDiv(B, LLVMBuildAdd(B, ext, ci64(g, CHUNK - 1), ""), ci64(g, CHUNK), "");
    cg_loop(g, s->qslot, ci64(g, 0), nq, false, chunk, s);
    for (int r = s->a0s; r < k->stores.n; r++) store_lanes(g, LLVMBuildLoad2(B, vec_type(g, s->rec[r].ty), s->rec[r].x, ""), s->rec[r].init, s->rec[r].ty, ci64(g, 0));
    lanes_loop(s, acc_lane);
}

typedef struct { Lanes *s; int level; } Outer;

static void outer(Cg *g, void *ud)
{
    Outer *o = ud;
    Lanes *s = o->s;
    const KirKernel *k = s->k;
    if (o->level == k->rank - 2) {
        bool par = s->lane == g->par_axis;
        LLVMValueRef lo = par ? s->lo : ci64(g, 0), hi = par ? s->hi : cg_lin(g, k->extent[s->lane]);
        LLVMValueRef n = LLVMBuildSDiv(B, LLVMBuildAdd(B, LLVMBuildSub(B, hi, lo, ""), ci64(g, LANES - 1), ""), ci64(g, LANES), "");
        cg_loop(g, s->gslot, ci64(g, 0), n, false, group, s);
        return;
    }
    int ax = g->order[o->level];
    LLVMValueRef lo = ci64(g, 0), hi = cg_lin(g, k->extent[ax]);
    if (ax == g->par_axis) { lo = s->lo; hi = s->hi; }
    Outer next = { s, o->level + 1 };
    cg_loop(g, g->slot[ax], lo, hi, false, outer, &next);
}

bool llvm_emit_scan_lanes(Cg *g, LLVMValueRef lo, LLVMValueRef hi)
{
    Lanes s = { 0 };
    s.g = g;
    s.k = g->k;
    s.lo = lo;
    s.hi = hi;
    if (!fits(&s)) return false;
    s.lane = g->order[s.k->rank - 2];
    for (int j = 0; j < s.leaves.n; j++)
        if (!s.leaves.v[j].uniform) s.leaves.v[j].buf = buffer(g, buf_type(s.leaves.v[j].e->ty), LANES * CHUNK);
    FOR_CARRIED(&s, r) {
        if (!s.rec[r].accum) s.rec[r].xbuf = buffer(g, s.rec[r].ty, LANES * CHUNK);
        s.rec[r].init = buffer(g, s.rec[r].ty, LANES);
        s.rec[r].x = LLVMBuildAlloca(g->ab, vec_type(g, s.rec[r].ty), "carry");
    }
    s.gslot = cg_alloca_i64(g, "group");
    s.qslot = cg_alloca_i64(g, "chunk");
    s.bslot = cg_alloca_i64(g, "block");
    Outer o = { &s, 0 };
    outer(g, &o);
    return true;
}
