/* backends/llvm/llvm_segment.c: a segmented reduction kernel (ir/segment.h)
 *     x[g] = op(body(n) for n where key(n) == g [and rest(n)])
 * as one pass over n accumulating into per-group arrays, a second pass for
 * var/std, and a final pass over g; O(N + G). The accumulators follow the
 * interpreter (floats in double, in index order), so results agree with it
 * bit for bit. Arrays come from calloc and are freed before returning.
 * Tests: tests/run/segmean.rlf, std_grpo_ragged, segment_ops. */
#include "llvm_cg.h"
#include <math.h>
#include "segment.h"

#define B (g->b)

typedef struct {
    IrSegment sg;
    LLVMValueRef G, fa, ia, ca, sa, ea, na;      /* i64 G; arrays: double, i64, i64 count, double, double|i64, i8 */
    int pass;
    LLVMTypeRef et;                               /* element type of ea */
} Seg;

static LLVMValueRef at(Cg *g, LLVMTypeRef t, LLVMValueRef base, LLVMValueRef i) { return LLVMBuildGEP2(B, t, base, &i, 1, ""); }
static LLVMValueRef ld(Cg *g, LLVMTypeRef t, LLVMValueRef p) { return LLVMBuildLoad2(B, t, p, ""); }

static LLVMValueRef arr(Cg *g, LLVMValueRef n, LLVMTypeRef t)
{
    LLVMValueRef args[2] = { n, LLVMConstInt(g->i64, 8, 0) };
    LLVMValueRef p = cg_call(g, "calloc", g->p8, args, 2);
    return LLVMBuildBitCast(B, p, LLVMPointerType(t, 0), "");
}

/* if (c) body() */
static void cg_if(Cg *g, LLVMValueRef c, void (*body)(Cg *, void *), void *ud)
{
    LLVMBasicBlockRef yes = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "seg.in"), done = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "seg.next");
    LLVMBuildCondBr(B, c, yes, done);
    LLVMPositionBuilderAtEnd(B, yes);
    body(g, ud);
    LLVMBuildBr(B, done);
    LLVMPositionBuilderAtEnd(B, done);
}

static void update(Cg *g, void *ud)
{
    Seg *S = ud;
    const IrExpr *e = S->sg.reduce;
    IrRed kind = e->u.red->kind;
    IrType bt = e->args[0]->ty;
    bool fl = ty_is_float(bt);
    LLVMValueRef k = cg_expr(g, S->sg.key);
    k = LLVMBuildSExtOrBitCast(B, k, g->i64, "");
    LLVMValueRef x = cg_expr(g, e->args[0]);
    LLVMValueRef cp = at(g, g->i64, S->ca, k);
    if (S->pass == 1) {
        /* var / std: squared deviations from the group mean (kept in fa) */
        LLVMValueRef xd = fl ? (bt == TY_F64 ? x : LLVMBuildFPExt(B, x, g->f64, "")) : LLVMBuildSIToFP(B, x, g->f64, "");
        LLVMValueRef dv = LLVMBuildFSub(B, xd, ld(g, g->f64, at(g, g->f64, S->fa, k)), "");
        LLVMValueRef sp = at(g, g->f64, S->sa, k);
        LLVMBuildStore(B, LLVMBuildFAdd(B, ld(g, g->f64, sp), LLVMBuildFMul(B, dv, dv, ""), ""), sp);
        return;
    }
    LLVMValueRef cnt = ld(g, g->i64, cp);
    LLVMBuildStore(B, LLVMBuildAdd(B, cnt, LLVMConstInt(g->i64, 1, 0), ""), cp);
    LLVMValueRef xd = fl ? (bt == TY_F64 ? x : LLVMBuildFPExt(B, x, g->f64, "")) : NULL;
    LLVMValueRef fp = at(g, g->f64, S->fa, k), ip = at(g, g->i64, S->ia, k);
    switch (kind) {
    case RED_SUM: case RED_MEAN: case RED_VAR: case RED_STD:
        if (fl || kind != RED_SUM) {
            if (!xd) xd = LLVMBuildSIToFP(B, x, g->f64, "");
            LLVMBuildStore(B, LLVMBuildFAdd(B, ld(g, g->f64, fp), xd, ""), fp);
        } else LLVMBuildStore(B, LLVMBuildAdd(B, ld(g, g->i64, ip), LLVMBuildSExt(B, x, g->i64, ""), ""), ip);
        return;
    case RED_PROD:
        if (fl) LLVMBuildStore(B, LLVMBuildFMul(B, ld(g, g->f64, fp), xd, ""), fp);
        else LLVMBuildStore(B, LLVMBuildMul(B, ld(g, g->i64, ip), LLVMBuildSExt(B, x, g->i64, ""), ""), ip);
        return;
    case RED_COUNT: case RED_ANY:
        LLVMBuildStore(B, LLVMBuildAdd(B, ld(g, g->i64, ip), LLVMBuildZExt(B, x, g->i64, ""), ""), ip);
        return;
    case RED_ALL:
        LLVMBuildStore(B, LLVMBuildAdd(B, ld(g, g->i64, ip), LLVMBuildZExt(B, LLVMBuildNot(B, x, ""), g->i64, ""), ""), ip);
        return;
    case RED_MIN: case RED_MAX: {
        bool mn = kind == RED_MIN;
        LLVMValueRef ep = at(g, S->et, S->ea, k), cur = ld(g, S->et, ep);
        LLVMValueRef first = LLVMBuildICmp(B, LLVMIntEQ, cnt, LLVMConstInt(g->i64, 0, 0), "");
        LLVMValueRef v = fl ? xd : LLVMBuildSExt(B, x, g->i64, "");
        if (bt == TY_U8 || bt == TY_BOOL) v = LLVMBuildZExt(B, x, g->i64, "");
        LLVMValueRef take;
        if (fl) {
            LLVMValueRef np = at(g, g->i8, S->na, k);
            LLVMValueRef nan = LLVMBuildICmp(B, LLVMIntNE, ld(g, g->i8, np), LLVMConstInt(g->i8, 0, 0), "");
            LLVMValueRef isn = LLVMBuildFCmp(B, LLVMRealUNO, v, v, "");
            take = LLVMBuildAnd(B, LLVMBuildNot(B, nan, ""),
                                LLVMBuildOr(B, isn, LLVMBuildOr(B, first, LLVMBuildFCmp(B, mn ? LLVMRealOLT : LLVMRealOGT, v, cur, ""), ""), ""), "");
            LLVMBuildStore(B, LLVMBuildZExt(B, LLVMBuildOr(B, nan, LLVMBuildAnd(B, take, isn, ""), ""), g->i8, ""), np);
        } else
            take = LLVMBuildOr(B, first, LLVMBuildICmp(B, mn ? LLVMIntSLT : LLVMIntSGT, v, cur, ""), "");
        LLVMBuildStore(B, LLVMBuildSelect(B, take, v, cur, ""), ep);
        return;
    }
    default: RLF_ICE("llvm: a reduction without a segmented form");
    }
}

static void visit_n(Cg *g, void *ud)
{
    Seg *S = ud;
    LLVMValueRef k = LLVMBuildSExtOrBitCast(B, cg_expr(g, S->sg.key), g->i64, "");
    LLVMValueRef c = LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntSGE, k, LLVMConstInt(g->i64, 0, 0), ""), LLVMBuildICmp(B, LLVMIntSLT, k, S->G, ""), "");
    if (S->sg.rest) c = LLVMBuildAnd(B, c, cg_expr(g, S->sg.rest), "");
    cg_if(g, c, update, S);
}

static LLVMValueRef fconst(Cg *g, IrType t, double v) { return LLVMConstReal(cg_type(g, t), v); }

static void finish_g(Cg *g, void *ud)
{
    Seg *S = ud;
    const KirStore *st = &g->k->stores.v[0];
    const IrExpr *e = S->sg.reduce;
    const IrReduce *r = e->u.red;
    IrType ty = e->ty;
    LLVMValueRef i = ld(g, g->i64, g->slot[0]);
    LLVMValueRef cnt = ld(g, g->i64, at(g, g->i64, S->ca, i));
    LLVMValueRef empty = LLVMBuildICmp(B, LLVMIntEQ, cnt, LLVMConstInt(g->i64, 0, 0), "");
    LLVMValueRef f = ld(g, g->f64, at(g, g->f64, S->fa, i)), iv = ld(g, g->i64, at(g, g->i64, S->ia, i));
    LLVMValueRef cntd = LLVMBuildSIToFP(B, cnt, g->f64, "");
    LLVMValueRef v;
    LLVMTypeRef t = cg_type(g, ty);
    switch (r->kind) {
    case RED_SUM: case RED_PROD:
        v = ty_is_float(ty) ? (ty == TY_F64 ? f : LLVMBuildFPTrunc(B, f, t, "")) : LLVMBuildTrunc(B, iv, t, "");
        if (ty == TY_I64) v = iv;
        break;
    case RED_MEAN: {
        LLVMValueRef m = LLVMBuildSelect(B, empty, LLVMConstReal(g->f64, 0), LLVMBuildFDiv(B, f, cntd, ""), "");
        v = ty == TY_F64 ? m : LLVMBuildFPTrunc(B, m, t, "");
        break;
    }
    case RED_VAR: case RED_STD: {
        LLVMValueRef sq = ld(g, g->f64, at(g, g->f64, S->sa, i));
        LLVMValueRef ok = LLVMBuildICmp(B, LLVMIntSGT, cnt, LLVMConstInt(g->i64, (unsigned long long)r->ddof, 0), "");
        LLVMValueRef x = LLVMBuildFDiv(B, sq, LLVMBuildSIToFP(B, LLVMBuildSub(B, cnt, LLVMConstInt(g->i64, (unsigned long long)r->ddof, 0), ""), g->f64, ""), "");
        x = LLVMBuildSelect(B, ok, x, LLVMConstReal(g->f64, 0), "");
        if (r->kind == RED_STD) x = cg_call(g, "llvm.sqrt.f64", g->f64, &x, 1);
        v = ty == TY_F64 ? x : LLVMBuildFPTrunc(B, x, t, "");
        break;
    }
    case RED_COUNT: v = iv; break;
    case RED_ANY: v = LLVMBuildICmp(B, LLVMIntNE, iv, LLVMConstInt(g->i64, 0, 0), ""); break;
    case RED_ALL: v = LLVMBuildICmp(B, LLVMIntEQ, iv, LLVMConstInt(g->i64, 0, 0), ""); break;
    case RED_MIN: case RED_MAX: {
        bool mn = r->kind == RED_MIN;
        LLVMValueRef ev = ld(g, S->et, at(g, S->et, S->ea, i));
        if (ty_is_float(ty)) {
            LLVMValueRef x = ty == TY_F64 ? ev : LLVMBuildFPTrunc(B, ev, t, "");
            v = LLVMBuildSelect(B, empty, fconst(g, ty, mn ? INFINITY : -INFINITY), x, "");
        } else {
            int64_t lim = ty == TY_U8 ? (mn ? 255 : 0) : ty == TY_I32 ? (mn ? INT32_MAX : INT32_MIN) : (mn ? INT64_MAX : INT64_MIN);
            LLVMValueRef x = ty == TY_I64 ? ev : LLVMBuildTrunc(B, ev, t, "");
            v = LLVMBuildSelect(B, empty, LLVMConstInt(t, (unsigned long long)lim, 1), x, "");
        }
        break;
    }
    default: RLF_ICE("llvm: a reduction without a segmented form");
    }
    /* a cast to the tensor's type may follow the reduction */
    const IrTensor *tt = g->p->tensors.v[st->tensor];
    if (tt->ty != ty) v = cg_cast(g, ty, tt->ty, v);   /* the IR's cast after the reduction */
    LLVMValueRef idx[1] = { i };
    LLVMBuildStore(B, cg_to_mem(g, tt->ty, v), cg_addr(g, g->bp->index[st->tensor], idx));
}

static void mean_g(Cg *g, void *ud)
{
    Seg *S = ud;
    LLVMValueRef i = ld(g, g->i64, g->slot[0]);
    LLVMValueRef fp = at(g, g->f64, S->fa, i);
    LLVMValueRef cnt = LLVMBuildSIToFP(B, ld(g, g->i64, at(g, g->i64, S->ca, i)), g->f64, "");
    LLVMBuildStore(B, LLVMBuildFDiv(B, ld(g, g->f64, fp), cnt, ""), fp);   /* unused when the count is 0 */
}

static void init_g(Cg *g, void *ud)
{
    Seg *S = ud;
    LLVMValueRef i = ld(g, g->i64, g->slot[0]);
    LLVMBuildStore(B, LLVMConstReal(g->f64, 1.0), at(g, g->f64, S->fa, i));
    LLVMBuildStore(B, LLVMConstInt(g->i64, 1, 0), at(g, g->i64, S->ia, i));
}

bool llvm_emit_segment(Cg *g)
{
    const KirStore *st = &g->k->stores.v[0];
    Seg S = { 0 };
    if (!ir_match_segment_expr(st->value, 0, g->p->tensors.v[st->tensor]->ty, &S.sg)) return false;
    const IrExpr *e = S.sg.reduce;
    IrType bt = e->args[0]->ty;
    S.G = cg_lin(g, g->k->extent[0]);
    S.et = ty_is_float(bt) ? g->f64 : g->i64;
    S.fa = arr(g, S.G, g->f64); S.ia = arr(g, S.G, g->i64); S.ca = arr(g, S.G, g->i64);
    S.sa = arr(g, S.G, g->f64); S.ea = arr(g, S.G, S.et); S.na = arr(g, S.G, g->i8);
    LLVMValueRef zero = LLVMConstInt(g->i64, 0, 0);
    if (e->u.red->kind == RED_PROD) cg_loop(g, g->slot[0], zero, S.G, false, init_g, &S);
    LLVMValueRef lo = cg_expr(g, e->u.red->lo[0]), hi = cg_expr(g, e->u.red->hi[0]);
    cg_loop(g, g->slot[S.sg.var_slot], lo, hi, false, visit_n, &S);
    if (e->u.red->kind == RED_VAR || e->u.red->kind == RED_STD) {
        cg_loop(g, g->slot[0], zero, S.G, false, mean_g, &S);
        S.pass = 1;
        cg_loop(g, g->slot[S.sg.var_slot], lo, hi, false, visit_n, &S);
    }
    cg_loop(g, g->slot[0], zero, S.G, false, finish_g, &S);
    LLVMValueRef arrays[6] = { S.fa, S.ia, S.ca, S.sa, S.ea, S.na };
    for (int i = 0; i < 6; i++) {
        LLVMValueRef p = LLVMBuildBitCast(B, arrays[i], g->p8, "");
        cg_call(g, "free", g->void_t, &p, 1);
    }
    return true;
}
