/* backends/llvm/llvm_rows.c: row sums with the rows innermost.
 *
 * A kernel of row sums (rows[i0] = sum(f(i0, r) for r), counts alike: the
 * partial sums split_global makes of whitening's mean and variance) walks
 * each row along r. When r is the slower axis of the data (a batch-major
 * [T, B] layout summed per t over b), that walk strides through memory, one
 * cache line per element. The strided variant then checks the layout at run
 * time and, where r is the slower axis, runs r outside and the rows inside,
 * keeping each row's accumulator in its output cell. Each row still adds its
 * terms in index order, in double (integers in i64), as the interpreter does,
 * so results are bitwise equal. Tests: tests/run on the cpu target with
 * Fortran-order inputs (e2e.cpu-fortran), tests/diff. */
#include "llvm_cg.h"

#define B (g->b)

typedef struct { Cg *g; LLVMValueRef lo, hi; } Rows;

/* a sum of a float body in f64, of an integer body in i64, or a count, over
 * one variable whose range does not depend on the row */
static bool row_sum(const IrExpr *e)
{
    if (e->op != IR_REDUCE || e->u.red->nvars != 1) return false;
    const IrReduce *r = e->u.red;
    uint64_t vars = IR_OPS(IR_IVAR) | IR_OPS(IR_REDUCE);
    if (ir_expr_has_op(r->lo[0], vars) || ir_expr_has_op(r->hi[0], vars)) return false;
    IrType bt = e->args[0]->ty;
    if (r->kind == RED_COUNT) return e->ty == TY_I64;
    if (r->kind != RED_SUM) return false;
    return ty_is_float(bt) ? e->ty == TY_F64 : e->ty == TY_I64 && bt != TY_BOOL;
}

/* a rank-2 tensor read as x[i0, r] in e: the layout probe */
static int probe(const IrExpr *e, int rs)
{
    if (!e) return -1;
    if (e->op == IR_READ && e->nargs == 2 && e->args[0]->op == IR_IVAR && e->args[0]->u.slot == 0 && e->args[1]->op == IR_IVAR && e->args[1]->u.slot == rs)
        return e->u.tensor;
    for (int i = 0; i < e->nargs; i++) {
        int t = probe(e->args[i], rs);
        if (t >= 0) return t;
    }
    return -1;
}

static void zero_row(Cg *g, void *ud)
{
    const KirKernel *k = g->k;
    LLVMValueRef i0 = LLVMBuildLoad2(B, g->i64, g->slot[0], "");
    for (int s = 0; s < k->stores.n; s++) {
        const IrExpr *e = k->stores.v[s].value;
        LLVMBuildStore(B, LLVMConstNull(cg_type(g, e->ty)), cg_addr(g, g->bp->index[k->stores.v[s].tensor], &i0));
    }
}

static void add_term(Cg *g, void *ud)
{
    const KirKernel *k = g->k;
    LLVMValueRef i0 = LLVMBuildLoad2(B, g->i64, g->slot[0], "");
    for (int s = 0; s < k->stores.n; s++) {
        const IrExpr *e = k->stores.v[s].value;
        IrType bt = e->args[0]->ty;
        LLVMValueRef m = e->args[1] ? cg_expr(g, e->args[1]) : LLVMConstInt(g->i1, 1, 0);
        if (e->args[1]) g->spec++;
        LLVMValueRef x = cg_expr(g, e->args[0]);
        if (e->args[1]) g->spec--;
        LLVMValueRef addr = cg_addr(g, g->bp->index[k->stores.v[s].tensor], &i0);
        LLVMValueRef old = LLVMBuildLoad2(B, cg_type(g, e->ty), addr, ""), v;
        if (e->u.red->kind == RED_COUNT) v = LLVMBuildAdd(B, old, LLVMBuildZExt(B, LLVMBuildAnd(B, m, x, ""), g->i64, ""), "");
        else if (ty_is_float(bt)) v = LLVMBuildSelect(B, m, LLVMBuildFAdd(B, old, cg_cast(g, bt, TY_F64, x), ""), old, "");
        else v = LLVMBuildSelect(B, m, LLVMBuildAdd(B, old, cg_cast(g, bt, TY_I64, x), ""), old, "");
        LLVMBuildStore(B, v, addr);
    }
}

static void term_column(Cg *g, void *ud)
{
    Rows *R = ud;
    const KirKernel *k = g->k;
    LLVMValueRef r = LLVMBuildLoad2(B, g->i64, g->slot[k->stores.v[0].value->u.red->slots[0]], "");
    for (int s = 1; s < k->stores.n; s++) LLVMBuildStore(B, r, g->slot[k->stores.v[s].value->u.red->slots[0]]);
    cg_loop(g, g->slot[0], R->lo, R->hi, false, add_term, R);
}

bool llvm_rows_fit(const KirKernel *k)
{
    if (k->rank != 1 || k->scan_axis >= 0 || k->segmented || k->host >= 0 || k->stores.n == 0) return false;
    for (int s = 0; s < k->stores.n; s++) {
        const IrExpr *e = k->stores.v[s].value;
        if (!row_sum(e)) return false;
        const IrExpr *e0 = k->stores.v[0].value;
        /* one range for all */
        if (!ir_expr_equal(e->u.red->lo[0], e0->u.red->lo[0]) || !ir_expr_equal(e->u.red->hi[0], e0->u.red->hi[0])) return false;
        /* a row reads no sum of this kernel */
        for (int q = 0; q < k->stores.n; q++)
            if (ir_expr_reads(e, k->stores.v[q].tensor)) return false;
    }
    return probe(k->stores.v[0].value->args[0], k->stores.v[0].value->u.red->slots[0]) >= 0;
}

LLVMValueRef llvm_rows_interchange(Cg *g)
{
    const KirKernel *k = g->k;
    const IrExpr *e0 = k->stores.v[0].value;
    int t = g->bp->index[probe(e0->args[0], e0->u.red->slots[0])];
    return LLVMBuildICmp(B, LLVMIntSGT, g->stride[t][1], g->stride[t][0], "");
}

void llvm_emit_rows(Cg *g, LLVMValueRef lo, LLVMValueRef hi)
{
    const KirKernel *k = g->k;
    const IrReduce *r = k->stores.v[0].value->u.red;
    Rows R = { g, lo, hi };
    cg_loop(g, g->slot[0], lo, hi, false, zero_row, &R);
    cg_loop(g, g->slot[r->slots[0]], cg_expr(g, r->lo[0]), cg_expr(g, r->hi[0]), false, term_column, &R);
}
