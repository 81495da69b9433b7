/* backends/llvm/llvm_expr.c: IR values to LLVM IR, with the semantics of
 * ir/opsem.c (the interpreter's): f32 arithmetic in float; transcendental
 * functions in double rounded once, as the interpreter does; integer
 * // and % floor and are 0 for a zero divisor; float->int casts saturate;
 * reductions accumulate floats in double in index order (so results agree
 * with the interpreter bit for bit). Inside a lazy side (select branches,
 * the right of and/or, a masked reduction body) values are computed
 * speculatively and then discarded, so reads there clamp their subscripts
 * into the tensor: they stay in memory and the loops stay branch-free.
 * Tests: tests/run/ on the cpu target, tests/diff/. */
#include "llvm_cg.h"
#include <llvm-c/DebugInfo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "rt_half.h"

#define B (g->b)

LLVMTypeRef cg_type(Cg *g, IrType t)
{
    switch (t) {
    case TY_BOOL: return g->i1;
    case TY_U8: return g->i8;
    case TY_I32: return g->i32;
    case TY_I64: return g->i64;
    case TY_F16: return g->f16;
    case TY_BF16: return g->i16;
    case TY_F32: return g->f32;
    default: return g->f64;
    }
}

LLVMTypeRef cg_mem_type(Cg *g, IrType t) { return t == TY_BOOL ? g->i8 : cg_type(g, t); }

LLVMValueRef cg_to_mem(Cg *g, IrType t, LLVMValueRef v) { return t == TY_BOOL ? LLVMBuildZExt(B, v, g->i8, "") : v; }

LLVMValueRef cg_from_mem(Cg *g, IrType t, LLVMValueRef v)
{
    return t == TY_BOOL ? LLVMBuildICmp(B, LLVMIntNE, v, LLVMConstInt(g->i8, 0, 0), "") : v;
}

static LLVMValueRef ci64(Cg *g, int64_t v) { return LLVMConstInt(g->i64, (unsigned long long)v, 1); }

LLVMValueRef cg_alloca_i64(Cg *g, const char *name) { return LLVMBuildAlloca(g->ab, g->i64, name); }

static LLVMValueRef alloca_of(Cg *g, LLVMTypeRef t) { return LLVMBuildAlloca(g->ab, t, ""); }

LLVMValueRef cg_call(Cg *g, const char *name, LLVMTypeRef ret, LLVMValueRef *args, int n)
{
    LLVMTypeRef at[4];
    for (int i = 0; i < n; i++) at[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef ft = LLVMFunctionType(ret, at, (unsigned)n, 0);
    LLVMValueRef f = LLVMGetNamedFunction(g->mod, name);
    if (!f) f = LLVMAddFunction(g->mod, name, ft);
    return LLVMBuildCall2(B, ft, f, args, (unsigned)n, "");
}

/* A C math library function (exp, log, pow, ...): declared without memory
 * effects, as if with -fno-math-errno, so that LLVM may share and hoist
 * repeated calls (exp(d) written twice is computed once). rlf never reads
 * errno, and these functions are deterministic. */
LLVMValueRef cg_math(Cg *g, const char *name, LLVMValueRef *args, int n)
{
    bool fresh = !LLVMGetNamedFunction(g->mod, name);
    LLVMValueRef r = cg_call(g, name, g->f64, args, n);
    if (fresh) {
        LLVMValueRef f = LLVMGetNamedFunction(g->mod, name);
        static const char *const attrs[] = { "readnone", "nounwind", "willreturn" };
        for (int i = 0; i < 3; i++) {
            unsigned kind = LLVMGetEnumAttributeKindForName(attrs[i], strlen(attrs[i]));
            LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->ctx, kind, 0));
        }
    }
    return r;
}

LLVMValueRef cg_lin(Cg *g, Lin l)
{
    LLVMValueRef v = ci64(g, l.c);
    for (int i = 0; i < l.n; i++) {
        LLVMValueRef d = g->dims[LIN_IDX(l.atom[i])];
        v = LLVMBuildAdd(B, v, l.k[i] == 1 ? d : LLVMBuildMul(B, d, ci64(g, l.k[i]), ""), "");
    }
    return v;
}

LLVMValueRef cg_addr(Cg *g, int ti, LLVMValueRef const *idx)
{
    const IrTensor *t = g->p->tensors.v[g->bp->tensor_of[ti]];
    LLVMValueRef off = ci64(g, 0);
    for (int k = 0; k < t->rank; k++) off = LLVMBuildAdd(B, off, LLVMBuildMul(B, idx[k], g->stride[ti][k], ""), "");
    return LLVMBuildGEP2(B, cg_mem_type(g, t->ty), g->base[ti], &off, 1, "");
}

LLVMValueRef cg_loop(Cg *g, LLVMValueRef slot, LLVMValueRef lo, LLVMValueRef hi, bool down, CgBody body, void *ud)
{
    LLVMBasicBlockRef cond = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "loop"),
                      bb = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "body"),
                      exit = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "exit");
    LLVMBuildStore(B, down ? LLVMBuildSub(B, hi, ci64(g, 1), "") : lo, slot);
    LLVMBuildBr(B, cond);
    LLVMPositionBuilderAtEnd(B, cond);
    LLVMValueRef i = LLVMBuildLoad2(B, g->i64, slot, "i");
    LLVMValueRef c = down ? LLVMBuildICmp(B, LLVMIntSGE, i, lo, "") : LLVMBuildICmp(B, LLVMIntSLT, i, hi, "");
    LLVMBuildCondBr(B, c, bb, exit);
    LLVMPositionBuilderAtEnd(B, bb);
    body(g, ud);
    LLVMValueRef i2 = LLVMBuildLoad2(B, g->i64, slot, "");
    /* nsw: the index stays in [lo, hi), so the step never wraps; it lets
     * LLVM count the iterations of down-counting loops (and vectorise them) */
    LLVMBuildStore(B, LLVMBuildNSWAdd(B, i2, ci64(g, down ? -1 : 1), ""), slot);
    LLVMValueRef latch = LLVMBuildBr(B, cond);
    LLVMPositionBuilderAtEnd(B, exit);
    return latch;
}

void cg_loop_vectorize(Cg *g, LLVMValueRef latch, int width)
{
    LLVMMetadataRef self = LLVMTemporaryMDNode(g->ctx, NULL, 0);
    LLVMMetadataRef en[2] = { LLVMMDStringInContext2(g->ctx, "llvm.loop.vectorize.enable", 26),
                              LLVMValueAsMetadata(LLVMConstInt(g->i1, 1, 0)) };
    LLVMMetadataRef wd[2] = { LLVMMDStringInContext2(g->ctx, "llvm.loop.vectorize.width", 25),
                              LLVMValueAsMetadata(LLVMConstInt(g->i32, (unsigned long long)width, 0)) };
    LLVMMetadataRef ops[3] = { self, LLVMMDNodeInContext2(g->ctx, en, 2), LLVMMDNodeInContext2(g->ctx, wd, 2) };
    LLVMMetadataRef id = LLVMMDNodeInContext2(g->ctx, ops, width > 0 ? 3 : 2);
    LLVMMetadataReplaceAllUsesWith(self, id);
    LLVMSetMetadata(latch, LLVMGetMDKindIDInContext(g->ctx, "llvm.loop", 9), LLVMMetadataAsValue(g->ctx, id));
}

/* ---- conversions -------------------------------------------------------- */

static LLVMValueRef to_f32(Cg *g, IrType from, LLVMValueRef v)
{
    if (from == TY_F16) return LLVMBuildFPExt(B, v, g->f32, "");
    /* bf16 is the upper half of an f32 (a NaN stays quiet) */
    LLVMValueRef u = LLVMBuildShl(B, LLVMBuildZExt(B, v, g->i32, ""), LLVMConstInt(g->i32, 16, 0), "");
    LLVMValueRef nan = LLVMBuildICmp(B, LLVMIntUGT, LLVMBuildAnd(B, u, LLVMConstInt(g->i32, 0x7fffffff, 0), ""), LLVMConstInt(g->i32, 0x7f800000, 0), "");
    u = LLVMBuildSelect(B, nan, LLVMBuildOr(B, u, LLVMConstInt(g->i32, 0x00400000, 0), ""), u, "");
    return LLVMBuildBitCast(B, u, g->f32, "");
}

static LLVMValueRef f32_to_bf16(Cg *g, LLVMValueRef f)
{
    LLVMValueRef x = LLVMBuildBitCast(B, f, g->i32, "");
    LLVMValueRef nan = LLVMBuildICmp(B, LLVMIntUGT, LLVMBuildAnd(B, x, LLVMConstInt(g->i32, 0x7fffffff, 0), ""), LLVMConstInt(g->i32, 0x7f800000, 0), "");
    LLVMValueRef hi = LLVMBuildLShr(B, x, LLVMConstInt(g->i32, 16, 0), "");
    LLVMValueRef qnan = LLVMBuildOr(B, hi, LLVMConstInt(g->i32, 0x40, 0), "");
    LLVMValueRef r = LLVMBuildAdd(B, x, LLVMBuildAdd(B, LLVMConstInt(g->i32, 0x7fff, 0), LLVMBuildAnd(B, hi, LLVMConstInt(g->i32, 1, 0), ""), ""), "");
    r = LLVMBuildLShr(B, r, LLVMConstInt(g->i32, 16, 0), "");
    return LLVMBuildTrunc(B, LLVMBuildSelect(B, nan, qnan, r, ""), g->i16, "");
}

static LLVMValueRef fptoi_sat(Cg *g, LLVMValueRef v, LLVMTypeRef it, bool sign)
{
    char name[64];
    LLVMTypeRef ft = LLVMTypeOf(v);
    snprintf(name, sizeof name, "llvm.fpto%si.sat.i%u.%s", sign ? "s" : "u", LLVMGetIntTypeWidth(it), ft == g->f64 ? "f64" : "f32");
    return cg_call(g, name, it, &v, 1);
}

LLVMValueRef cg_cast(Cg *g, IrType from, IrType to, LLVMValueRef v)
{
    if (from == to) return v;
    bool ffrom = ty_is_float(from), fto = ty_is_float(to);
    if (ffrom && (from == TY_F16 || from == TY_BF16)) { v = to_f32(g, from, v); from = TY_F32; if (to == TY_F32) return v; }
    if (fto) {
        if (to == TY_F16 || to == TY_BF16) {
            LLVMValueRef f = cg_cast(g, from, TY_F32, v);         /* through f32, as the interpreter rounds */
            return to == TY_F16 ? LLVMBuildFPTrunc(B, f, g->f16, "") : f32_to_bf16(g, f);
        }
        if (ffrom) return to == TY_F64 ? LLVMBuildFPExt(B, v, g->f64, "") : LLVMBuildFPTrunc(B, v, g->f32, "");
        if (from == TY_BOOL || from == TY_U8) return LLVMBuildUIToFP(B, v, cg_type(g, to), "");
        return LLVMBuildSIToFP(B, v, cg_type(g, to), "");
    }
    if (to == TY_BOOL) {
        if (ffrom) return LLVMBuildFCmp(B, LLVMRealUNE, v, LLVMConstReal(LLVMTypeOf(v), 0.0), "");
        return LLVMBuildICmp(B, LLVMIntNE, v, LLVMConstInt(LLVMTypeOf(v), 0, 0), "");
    }
    LLVMTypeRef it = cg_type(g, to);
    if (ffrom) return to == TY_U8 ? fptoi_sat(g, v, g->i8, false) : fptoi_sat(g, v, it, true);
    unsigned wf = LLVMGetIntTypeWidth(LLVMTypeOf(v)), wt = LLVMGetIntTypeWidth(it);
    if (wt < wf) return LLVMBuildTrunc(B, v, it, "");
    if (from == TY_BOOL || from == TY_U8) return LLVMBuildZExt(B, v, it, "");
    return LLVMBuildSExt(B, v, it, "");
}

/* ---- reads -------------------------------------------------------------- */

static LLVMValueRef clampi(Cg *g, LLVMValueRef v, LLVMValueRef lo, LLVMValueRef hi)
{
    v = LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSLT, v, lo, ""), lo, v, "");
    return LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSGT, v, hi, ""), hi, v, "");
}

static LLVMValueRef eval_bound(Cg *g, const KirBound *kb, LLVMValueRef const *idx)
{
    /* the boundary's own index variables: its axes take the read's subscripts */
    LLVMValueRef *os = g->slot;
    bool *ov = g->slot_is_value;
    int on = g->nslots;
    int n = kb->nslots > 0 ? kb->nslots : 1;
    const IrExpr **olo = g->slot_lo, **ohi = g->slot_hi;
    const KirKernel *ok = g->k;
    g->slot = arena_alloc(g->a, (size_t)n * sizeof(LLVMValueRef));
    g->slot_is_value = arena_alloc(g->a, (size_t)n);
    g->slot_lo = arena_alloc(g->a, (size_t)n * sizeof(IrExpr *));
    g->slot_hi = arena_alloc(g->a, (size_t)n * sizeof(IrExpr *));
    g->k = NULL;
    g->nslots = kb->nslots;
    for (int s = 0; s < kb->nslots; s++) g->slot[s] = cg_alloca_i64(g, "bslot");
    const IrTensor *t = g->p->tensors.v[kb->tensor];
    for (int k = 0; k < t->rank; k++)
        if (kb->axis_slot[k] >= 0) { g->slot[kb->axis_slot[k]] = idx[k]; g->slot_is_value[kb->axis_slot[k]] = true; }
    LLVMValueRef v = cg_expr(g, kb->value);
    g->slot = os; g->slot_is_value = ov; g->nslots = on;
    g->slot_lo = olo; g->slot_hi = ohi; g->k = ok;
    return v;
}

/* is subscript ix of a read on an axis of extent ext in range wherever it is
 * evaluated? True for a kernel axis or a reduction variable that runs over
 * exactly [0, ext): such reads need no clamping even when speculative */
static bool trivially_in_range(Cg *g, const IrExpr *ix, Lin ext)
{
    if (ix->op != IR_IVAR) return false;
    int s = ix->u.slot;
    if (g->k && s < g->k->rank && !g->slot_is_value[s]) return lin_eq(g->k->extent[s], ext);
    if (s < g->nslots && g->slot_lo && g->slot_lo[s]) {
        Lin lo = ir_dims_lin(g->slot_lo[s]), hi = ir_dims_lin(g->slot_hi[s]);
        return lin_is_const(lo) && lo.c == 0 && lin_eq(hi, ext);
    }
    return false;
}

/* a read of one of this kernel's stores at the previous step of the scan,
 * the point's other subscripts unchanged */
static bool prev_step(Cg *g, const IrExpr *e)
{
    const KirKernel *k = g->k;           /* NULL in a boundary value */
    if (!k || k->scan_axis < 0) return false;
    bool mine = false;
    for (int s = 0; s < k->stores.n; s++) mine |= k->stores.v[s].tensor == e->u.tensor && !k->stores.v[s].accum;
    return mine && kir_row_read(k, e, kir_prev_step(k));
}

static LLVMValueRef read(Cg *g, const IrExpr *e)
{
    int ti = g->bp->index[e->u.tensor];
    const IrTensor *t = g->p->tensors.v[e->u.tensor];
    if (g->at_point && g->at_point[ti] && g->k) {
        /* stored at this very point by an earlier store of the kernel */
        bool here = true, accum = false;
        for (int s = 0; s < g->k->stores.n; s++) accum |= g->k->stores.v[s].accum && g->k->stores.v[s].tensor == e->u.tensor;
        for (int k = 0; k < e->nargs; k++) {
            int slot = accum ? 1 - g->k->scan_axis : k;     /* an accumulator's axis is the kernel's other axis */
            here &= e->args[k]->op == IR_IVAR && e->args[k]->u.slot == slot && !g->slot_is_value[slot];
        }
        if (here) return g->at_point[ti];
    }
    LLVMValueRef idx[IR_MAX_RANK], at[IR_MAX_RANK];
    for (int k = 0; k < e->nargs; k++) idx[k] = at[k] = cg_expr(g, e->args[k]);
    bool has_bounds = false;
    for (int b = 0; b < g->kp->bounds.n; b++) has_bounds |= g->kp->bounds.v[b].tensor == e->u.tensor;
    /* after the scan's first step, its previous step is a cell of the tensor:
     * no clamping, no boundary */
    bool interior = g->scan_interior && prev_step(g, e);
    for (int k = 0; k < e->nargs && !interior; k++)
        if ((g->spec && !trivially_in_range(g, e->args[k], t->extent[k])) || (has_bounds && k == t->scan_axis))
            at[k] = clampi(g, idx[k], ci64(g, 0), LLVMBuildSub(B, g->extent[ti][k], ci64(g, 1), ""));
    LLVMValueRef ld = LLVMBuildLoad2(B, cg_mem_type(g, t->ty), cg_addr(g, ti, at), "");
    if (g->k && t->scan_axis >= 0 && g->scope_points) {
        for (int s = 0; s < g->k->stores.n; s++)
            if (g->k->stores.v[s].tensor == e->u.tensor) {
                /* a recurrence reading an earlier point of itself */
                LLVMSetMetadata(ld, g->md_scope_kind, g->md_self);
                LLVMSetMetadata(ld, g->md_noalias_kind, g->md_store);
            }
    }
    LLVMValueRef v = cg_from_mem(g, t->ty, ld);
    if (interior) return v;
    for (int b = 0; b < g->kp->bounds.n; b++) {
        const KirBound *kb = &g->kp->bounds.v[b];
        if (kb->tensor != e->u.tensor) continue;
        LLVMValueRef cell = kb->cell >= 0 ? LLVMBuildAdd(B, g->extent[ti][kb->axis], ci64(g, kb->cell), "") : ci64(g, kb->cell);
        LLVMValueRef hit = LLVMBuildICmp(B, LLVMIntEQ, idx[kb->axis], cell, "");
        g->spec++;
        LLVMValueRef bv = eval_bound(g, kb, idx);
        g->spec--;
        v = LLVMBuildSelect(B, hit, bv, v, "");
    }
    return v;
}

/* ---- operators ---------------------------------------------------------- */

static const char *libm_name(IrOp op)
{
    switch (op) {
    case IR_EXP: return "exp";
    case IR_LOG: return "log";
    case IR_LOG1P: return "log1p";
    case IR_EXPM1: return "expm1";
    case IR_TANH: return "tanh";
    case IR_ERF: return "erf";
    default: return NULL;
    }
}

static LLVMValueRef isnan_(Cg *g, LLVMValueRef x) { return LLVMBuildFCmp(B, LLVMRealUNO, x, x, ""); }

static LLVMValueRef fmath1(Cg *g, IrOp op, IrType ty, LLVMValueRef x)
{
    LLVMTypeRef t = cg_type(g, ty);
    /* computed in double and rounded once, as in the interpreter */
    LLVMValueRef d = ty == TY_F64 ? x : LLVMBuildFPExt(B, x, g->f64, ""), r;
    const char *lm = libm_name(op);
    switch (op) {
    case IR_NEG: return LLVMBuildFNeg(B, x, "");
    case IR_ABS: return cg_call(g, ty == TY_F64 ? "llvm.fabs.f64" : "llvm.fabs.f32", t, &x, 1);
    case IR_FLOOR: return cg_call(g, ty == TY_F64 ? "llvm.floor.f64" : "llvm.floor.f32", t, &x, 1);
    case IR_CEIL: return cg_call(g, ty == TY_F64 ? "llvm.ceil.f64" : "llvm.ceil.f32", t, &x, 1);
    case IR_SQRT: return cg_call(g, ty == TY_F64 ? "llvm.sqrt.f64" : "llvm.sqrt.f32", t, &x, 1);
    case IR_SIGN: {
        LLVMValueRef z = LLVMConstReal(t, 0.0);
        LLVMValueRef r1 = LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealOGT, x, z, ""), LLVMConstReal(t, 1.0),
                                          LLVMBuildSelect(B, LLVMBuildFCmp(B, LLVMRealOLT, x, z, ""), LLVMConstReal(t, -1.0), z, ""), "");
        return LLVMBuildSelect(B, isnan_(g, x), x, r1, "");
    }
    case IR_RSQRT: {
        LLVMValueRef s = cg_call(g, "llvm.sqrt.f64", g->f64, &d, 1);
        r = LLVMBuildFDiv(B, LLVMConstReal(g->f64, 1.0), s, "");
        break;
    }
    case IR_SIGMOID: {
        /* x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) */
        LLVMValueRef pos = LLVMBuildFCmp(B, LLVMRealOGE, d, LLVMConstReal(g->f64, 0.0), "");
        LLVMValueRef arg = LLVMBuildSelect(B, pos, LLVMBuildFNeg(B, d, ""), d, "");
        LLVMValueRef ex = cg_math(g, "exp", &arg, 1);
        LLVMValueRef one = LLVMConstReal(g->f64, 1.0), den = LLVMBuildFAdd(B, one, ex, "");
        r = LLVMBuildSelect(B, pos, LLVMBuildFDiv(B, one, den, ""), LLVMBuildFDiv(B, ex, den, ""), "");
        break;
    }
    default:
        if (!lm) RLF_ICE("llvm: unknown float unary op");
        r = cg_math(g, lm, &d, 1);
    }
    return ty == TY_F64 ? r : LLVMBuildFPTrunc(B, r, t, "");
}

static LLVMValueRef imath1(Cg *g, IrOp op, IrType ty, LLVMValueRef x)
{
    LLVMTypeRef t = cg_type(g, ty);
    LLVMValueRef z = LLVMConstInt(t, 0, 0);
    switch (op) {
    case IR_NEG: return LLVMBuildSub(B, z, x, "");
    case IR_NOT: return LLVMBuildNot(B, x, "");
    case IR_ABS: return LLVMBuildSelect(B, LLVMBuildICmp(B, LLVMIntSLT, x, z, ""), LLVMBuildSub(B, z, x, ""), x, "");
    case IR_SIGN: {
        LLVMValueRef p = LLVMBuildZExt(B, LLVMBuildICmp(B, LLVMIntSGT, x, z, ""), t, "");
        LLVMValueRef n = LLVMBuildZExt(B, LLVMBuildICmp(B, LLVMIntSLT, x, z, ""), t, "");
        return LLVMBuildSub(B, p, n, "");
    }
    default: RLF_ICE("llvm: unknown integer unary op");
    }
}

static LLVMValueRef fminmax(Cg *g, bool mn, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef lt = LLVMBuildFCmp(B, mn ? LLVMRealOLT : LLVMRealOGT, a, b, "");
    LLVMValueRef r = LLVMBuildSelect(B, lt, a, b, "");
    r = LLVMBuildSelect(B, isnan_(g, a), a, r, "");
    return LLVMBuildSelect(B, isnan_(g, b), b, r, "");
}

LLVMValueRef cg_binary(Cg *g, IrOp op, IrType ty, LLVMValueRef a, LLVMValueRef b)
{
    LLVMTypeRef t = cg_type(g, ty);
    if (ty_is_float(ty)) {
        switch (op) {
        case IR_ADD: return LLVMBuildFAdd(B, a, b, "");
        case IR_SUB: return LLVMBuildFSub(B, a, b, "");
        case IR_MUL: return LLVMBuildFMul(B, a, b, "");
        case IR_DIV: return LLVMBuildFDiv(B, a, b, "");
        case IR_MIN: return fminmax(g, true, a, b);
        case IR_MAX: return fminmax(g, false, a, b);
        case IR_POW: {
            LLVMValueRef ab[2] = { ty == TY_F64 ? a : LLVMBuildFPExt(B, a, g->f64, ""), ty == TY_F64 ? b : LLVMBuildFPExt(B, b, g->f64, "") };
            LLVMValueRef r = cg_math(g, "pow", ab, 2);
            return ty == TY_F64 ? r : LLVMBuildFPTrunc(B, r, t, "");
        }
        case IR_EQ: return LLVMBuildFCmp(B, LLVMRealOEQ, a, b, "");
        case IR_NE: return LLVMBuildFCmp(B, LLVMRealUNE, a, b, "");
        case IR_LT: return LLVMBuildFCmp(B, LLVMRealOLT, a, b, "");
        case IR_LE: return LLVMBuildFCmp(B, LLVMRealOLE, a, b, "");
        case IR_GT: return LLVMBuildFCmp(B, LLVMRealOGT, a, b, "");
        case IR_GE: return LLVMBuildFCmp(B, LLVMRealOGE, a, b, "");
        default: RLF_ICE("llvm: unknown float binary op");
        }
    }
    bool uns = ty == TY_BOOL || ty == TY_U8;
    LLVMValueRef z = LLVMConstInt(t, 0, 0), one = LLVMConstInt(t, 1, 0), m1 = LLVMConstInt(t, (unsigned long long)-1, 1);
    switch (op) {
    case IR_ADD: return LLVMBuildAdd(B, a, b, "");
    case IR_SUB: return LLVMBuildSub(B, a, b, "");
    case IR_MUL: return LLVMBuildMul(B, a, b, "");
    case IR_AND: return LLVMBuildAnd(B, a, b, "");
    case IR_OR: return LLVMBuildOr(B, a, b, "");
    case IR_MIN: return LLVMBuildSelect(B, LLVMBuildICmp(B, uns ? LLVMIntULT : LLVMIntSLT, a, b, ""), a, b, "");
    case IR_MAX: return LLVMBuildSelect(B, LLVMBuildICmp(B, uns ? LLVMIntUGT : LLVMIntSGT, a, b, ""), a, b, "");
    case IR_EQ: return LLVMBuildICmp(B, LLVMIntEQ, a, b, "");
    case IR_NE: return LLVMBuildICmp(B, LLVMIntNE, a, b, "");
    case IR_LT: return LLVMBuildICmp(B, uns ? LLVMIntULT : LLVMIntSLT, a, b, "");
    case IR_LE: return LLVMBuildICmp(B, uns ? LLVMIntULE : LLVMIntSLE, a, b, "");
    case IR_GT: return LLVMBuildICmp(B, uns ? LLVMIntUGT : LLVMIntSGT, a, b, "");
    case IR_GE: return LLVMBuildICmp(B, uns ? LLVMIntUGE : LLVMIntSGE, a, b, "");
    case IR_FLOORDIV: case IR_MOD: {
        /* x // 0 == 0, x % 0 == 0; x // -1 == -x (wrapping), x % -1 == 0 */
        LLVMValueRef bz = LLVMBuildICmp(B, LLVMIntEQ, b, z, ""), bm1 = LLVMBuildICmp(B, LLVMIntEQ, b, m1, "");
        LLVMValueRef safe = LLVMBuildSelect(B, LLVMBuildOr(B, bz, bm1, ""), one, b, "");
        LLVMValueRef q = LLVMBuildSDiv(B, a, safe, ""), r = LLVMBuildSRem(B, a, safe, "");
        LLVMValueRef adj = LLVMBuildAnd(B, LLVMBuildICmp(B, LLVMIntNE, r, z, ""),
                                       LLVMBuildXor(B, LLVMBuildICmp(B, LLVMIntSLT, r, z, ""), LLVMBuildICmp(B, LLVMIntSLT, safe, z, ""), ""), "");
        if (op == IR_FLOORDIV) {
            q = LLVMBuildSub(B, q, LLVMBuildZExt(B, adj, t, ""), "");
            q = LLVMBuildSelect(B, bm1, LLVMBuildSub(B, z, a, ""), q, "");
            return LLVMBuildSelect(B, bz, z, q, "");
        }
        r = LLVMBuildSelect(B, adj, LLVMBuildAdd(B, r, safe, ""), r, "");
        return LLVMBuildSelect(B, LLVMBuildOr(B, bz, bm1, ""), z, r, "");
    }
    default: RLF_ICE("llvm: unknown integer binary op");
    }
}

/* ---- reductions --------------------------------------------------------- */

typedef struct {
    const IrExpr *e;
    const IrReduce *r;
    int pass;
    LLVMValueRef fsum, sq, mean, ext, nan, first, arg, isum, count;   /* allocas */
} Red;

static LLVMValueRef ld(Cg *g, LLVMTypeRef t, LLVMValueRef p) { return LLVMBuildLoad2(B, t, p, ""); }

static void red_point(Cg *g, Red *R)
{
    const IrExpr *e = R->e;
    IrRed k = R->r->kind;
    IrType bt = e->args[0]->ty;
    bool fl = ty_is_float(bt);
    LLVMValueRef m = e->args[1] ? cg_expr(g, e->args[1]) : LLVMConstInt(g->i1, 1, 0);
    if (e->args[1]) g->spec++;
    LLVMValueRef x = cg_expr(g, e->args[0]);
    if (e->args[1]) g->spec--;
    LLVMValueRef cnt = ld(g, g->i64, R->count);
    LLVMBuildStore(B, LLVMBuildAdd(B, cnt, LLVMBuildZExt(B, m, g->i64, ""), ""), R->count);
    LLVMValueRef xd = NULL;
    if ((k == RED_SUM || k == RED_PROD) && !fl) {
        LLVMValueRef xi = cg_cast(g, bt, TY_I64, x);
        LLVMValueRef s = ld(g, g->i64, R->isum);
        LLVMValueRef n = k == RED_SUM ? LLVMBuildAdd(B, s, xi, "") : LLVMBuildMul(B, s, xi, "");
        LLVMBuildStore(B, LLVMBuildSelect(B, m, n, s, ""), R->isum);
        return;
    }
    if (k == RED_PROD) {
        LLVMValueRef s = ld(g, g->f64, R->fsum);
        LLVMBuildStore(B, LLVMBuildSelect(B, m, LLVMBuildFMul(B, s, cg_cast(g, bt, TY_F64, x), ""), s, ""), R->fsum);
        return;
    }
    if (k == RED_SUM || k == RED_MEAN || k == RED_VAR || k == RED_STD || k == RED_LOGSUMEXP)
        xd = fl ? cg_cast(g, bt, TY_F64, x) : cg_cast(g, bt, TY_F64, x);
    switch (k) {
    case RED_SUM: case RED_MEAN: {
        LLVMValueRef s = ld(g, g->f64, R->fsum);
        LLVMBuildStore(B, LLVMBuildSelect(B, m, LLVMBuildFAdd(B, s, xd, ""), s, ""), R->fsum);
        return;
    }
    case RED_VAR: case RED_STD:
        if (R->pass == 0) {
            LLVMValueRef s = ld(g, g->f64, R->fsum);
            LLVMBuildStore(B, LLVMBuildSelect(B, m, LLVMBuildFAdd(B, s, xd, ""), s, ""), R->fsum);
        } else {
            LLVMValueRef dv = LLVMBuildFSub(B, xd, ld(g, g->f64, R->mean), "");
            LLVMValueRef s = ld(g, g->f64, R->sq);
            LLVMBuildStore(B, LLVMBuildSelect(B, m, LLVMBuildFAdd(B, s, LLVMBuildFMul(B, dv, dv, ""), ""), s, ""), R->sq);
        }
        return;
    case RED_LOGSUMEXP:
        if (R->pass == 0) {
            LLVMValueRef isn = isnan_(g, xd), cur = ld(g, g->f64, R->ext);
            LLVMValueRef nan = ld(g, g->i1, R->nan);
            LLVMBuildStore(B, LLVMBuildOr(B, nan, LLVMBuildAnd(B, m, isn, ""), ""), R->nan);
            LLVMValueRef up = LLVMBuildAnd(B, m, LLVMBuildFCmp(B, LLVMRealOGT, xd, cur, ""), "");
            LLVMBuildStore(B, LLVMBuildSelect(B, up, xd, cur, ""), R->ext);
        } else {
            LLVMValueRef dv = LLVMBuildFSub(B, xd, ld(g, g->f64, R->ext), "");
            LLVMValueRef ex = cg_math(g, "exp", &dv, 1);
            LLVMValueRef s = ld(g, g->f64, R->fsum);
            LLVMBuildStore(B, LLVMBuildSelect(B, m, LLVMBuildFAdd(B, s, ex, ""), s, ""), R->fsum);
        }
        return;
    case RED_MIN: case RED_MAX: case RED_ARGMIN: case RED_ARGMAX: {
        bool mn = k == RED_MIN || k == RED_ARGMIN;
        LLVMTypeRef xt = cg_type(g, bt);
        LLVMValueRef cur = ld(g, xt, R->ext), first = ld(g, g->i1, R->first), arg = ld(g, g->i64, R->arg);
        LLVMValueRef idx = k == RED_ARGMIN || k == RED_ARGMAX ? ld(g, g->i64, g->slot[R->r->slots[0]]) : ci64(g, 0);
        LLVMValueRef better, take, newnan = LLVMConstInt(g->i1, 0, 0), nan = LLVMConstInt(g->i1, 0, 0);
        if (fl) {
            nan = ld(g, g->i1, R->nan);
            LLVMValueRef isn = isnan_(g, x);
            better = LLVMBuildOr(B, isn, LLVMBuildOr(B, first, LLVMBuildFCmp(B, mn ? LLVMRealOLT : LLVMRealOGT, x, cur, ""), ""), "");
            take = LLVMBuildAnd(B, LLVMBuildAnd(B, m, LLVMBuildNot(B, nan, ""), ""), better, "");
            newnan = LLVMBuildAnd(B, take, isn, "");
            LLVMBuildStore(B, LLVMBuildOr(B, nan, newnan, ""), R->nan);
        } else {
            bool uns = bt == TY_U8;
            better = LLVMBuildOr(B, first, LLVMBuildICmp(B, mn ? (uns ? LLVMIntULT : LLVMIntSLT) : (uns ? LLVMIntUGT : LLVMIntSGT), x, cur, ""), "");
            take = LLVMBuildAnd(B, m, better, "");
        }
        LLVMBuildStore(B, LLVMBuildSelect(B, take, x, cur, ""), R->ext);
        LLVMBuildStore(B, LLVMBuildSelect(B, take, idx, arg, ""), R->arg);
        LLVMBuildStore(B, LLVMBuildAnd(B, first, LLVMBuildNot(B, m, ""), ""), R->first);
        return;
    }
    case RED_COUNT: {
        LLVMValueRef s = ld(g, g->i64, R->isum);
        LLVMBuildStore(B, LLVMBuildAdd(B, s, LLVMBuildZExt(B, LLVMBuildAnd(B, m, x, ""), g->i64, ""), ""), R->isum);
        return;
    }
    case RED_ANY: {
        LLVMValueRef s = ld(g, g->i1, R->first);
        LLVMBuildStore(B, LLVMBuildOr(B, s, LLVMBuildAnd(B, m, x, ""), ""), R->first);
        return;
    }
    case RED_ALL: {
        LLVMValueRef s = ld(g, g->i1, R->first);
        LLVMBuildStore(B, LLVMBuildAnd(B, s, LLVMBuildOr(B, LLVMBuildNot(B, m, ""), x, ""), ""), R->first);
        return;
    }
    default: RLF_ICE("llvm: unknown reduction");
    }
}

typedef struct { Red *R; int v; } RedLevel;

static void red_level(Cg *g, void *ud)
{
    RedLevel *L = ud;
    Red *R = L->R;
    if (L->v == R->r->nvars) { red_point(g, R); return; }
    int v = L->v;
    LLVMValueRef lo = cg_expr(g, R->r->lo[v]), hi = cg_expr(g, R->r->hi[v]);
    RedLevel next = { R, v + 1 };
    int s = R->r->slots[v];
    const IrExpr *olo = g->slot_lo[s], *ohi = g->slot_hi[s];
    g->slot_lo[s] = R->r->lo[v];
    g->slot_hi[s] = R->r->hi[v];
    LLVMValueRef latch = cg_loop(g, g->slot[s], lo, hi, false, red_level, &next);
    /* float sums: vector partial sums, combined in a fixed order (the same
     * on every run and thread count; the interpreter adds in index order,
     * so the two may differ in the last bits of the double sums) */
    IrRed k = R->r->kind;
    if (v == R->r->nvars - 1 && ty_is_float(R->e->args[0]->ty) && (k == RED_SUM || k == RED_MEAN || k == RED_VAR || k == RED_STD))
        cg_loop_vectorize(g, latch, 0);
    g->slot_lo[s] = olo;
    g->slot_hi[s] = ohi;
}

static LLVMValueRef reduce(Cg *g, const IrExpr *e)
{
    const IrReduce *r = e->u.red;
    IrType bt = e->args[0]->ty, ty = e->ty;
    Red R = { e, r, 0, alloca_of(g, g->f64), alloca_of(g, g->f64), alloca_of(g, g->f64),
              alloca_of(g, r->kind == RED_LOGSUMEXP ? g->f64 : cg_type(g, bt)), alloca_of(g, g->i1), alloca_of(g, g->i1), alloca_of(g, g->i64),
              alloca_of(g, g->i64), alloca_of(g, g->i64) };
    LLVMValueRef zf = LLVMConstReal(g->f64, 0.0);
    LLVMBuildStore(B, r->kind == RED_PROD ? LLVMConstReal(g->f64, 1.0) : zf, R.fsum);
    LLVMBuildStore(B, zf, R.sq);
    LLVMBuildStore(B, zf, R.mean);
    LLVMBuildStore(B, r->kind == RED_LOGSUMEXP ? LLVMConstReal(g->f64, -INFINITY) : LLVMConstNull(cg_type(g, bt)), R.ext);
    LLVMBuildStore(B, LLVMConstInt(g->i1, 0, 0), R.nan);
    LLVMBuildStore(B, LLVMConstInt(g->i1, r->kind == RED_ALL || r->kind == RED_MIN || r->kind == RED_MAX || r->kind == RED_ARGMIN || r->kind == RED_ARGMAX, 0), R.first);
    LLVMBuildStore(B, ci64(g, -1), R.arg);
    LLVMBuildStore(B, ci64(g, r->kind == RED_PROD ? 1 : 0), R.isum);
    LLVMBuildStore(B, ci64(g, 0), R.count);
    RedLevel L0 = { &R, 0 };
    red_level(g, &L0);
    LLVMValueRef cnt = ld(g, g->i64, R.count);
    LLVMValueRef empty = LLVMBuildICmp(B, LLVMIntEQ, cnt, ci64(g, 0), "");
    LLVMValueRef cntd = LLVMBuildSIToFP(B, cnt, g->f64, "");
    LLVMTypeRef t = cg_type(g, ty);
    switch (r->kind) {
    case RED_SUM: case RED_PROD:
        if (ty_is_float(ty)) return cg_cast(g, TY_F64, ty, ld(g, g->f64, R.fsum));
        return cg_cast(g, TY_I64, ty, ld(g, g->i64, R.isum));
    case RED_MEAN: {
        LLVMValueRef mv = LLVMBuildFDiv(B, ld(g, g->f64, R.fsum), cntd, "");
        return cg_cast(g, TY_F64, ty, LLVMBuildSelect(B, empty, zf, mv, ""));
    }
    case RED_VAR: case RED_STD: {
        LLVMBuildStore(B, LLVMBuildFDiv(B, ld(g, g->f64, R.fsum), cntd, ""), R.mean);
        R.pass = 1;
        LLVMBuildStore(B, ci64(g, 0), R.count);
        red_level(g, &L0);
        LLVMValueRef ok = LLVMBuildICmp(B, LLVMIntSGT, cnt, ci64(g, r->ddof), "");
        LLVMValueRef v = LLVMBuildFDiv(B, ld(g, g->f64, R.sq), LLVMBuildSIToFP(B, LLVMBuildSub(B, cnt, ci64(g, r->ddof), ""), g->f64, ""), "");
        v = LLVMBuildSelect(B, ok, v, zf, "");
        if (r->kind == RED_STD) v = cg_call(g, "llvm.sqrt.f64", g->f64, &v, 1);
        return cg_cast(g, TY_F64, ty, v);
    }
    case RED_LOGSUMEXP: {
        LLVMValueRef mx = ld(g, g->f64, R.ext), nan = ld(g, g->i1, R.nan);
        R.pass = 1;
        LLVMBuildStore(B, ci64(g, 0), R.count);
        red_level(g, &L0);
        LLVMValueRef s = ld(g, g->f64, R.fsum);
        LLVMValueRef v = LLVMBuildFAdd(B, mx, cg_math(g, "log", &s, 1), "");
        LLVMValueRef inf = LLVMBuildFCmp(B, LLVMRealOEQ, cg_call(g, "llvm.fabs.f64", g->f64, &mx, 1), LLVMConstReal(g->f64, INFINITY), "");
        v = LLVMBuildSelect(B, LLVMBuildOr(B, empty, inf, ""), mx, v, "");
        v = LLVMBuildSelect(B, nan, LLVMConstReal(g->f64, NAN), v, "");
        return cg_cast(g, TY_F64, ty, v);
    }
    case RED_MIN: case RED_MAX: {
        bool mn = r->kind == RED_MIN;
        LLVMValueRef lim;
        if (ty_is_float(ty)) lim = LLVMConstReal(t, mn ? INFINITY : -INFINITY);
        else {
            int64_t v = 0;
            switch (ty) {
            case TY_U8: v = mn ? 255 : 0; break;
            case TY_I32: v = mn ? INT32_MAX : INT32_MIN; break;
            default: v = mn ? INT64_MAX : INT64_MIN; break;
            }
            lim = LLVMConstInt(t, (unsigned long long)v, 1);
        }
        return LLVMBuildSelect(B, empty, lim, ld(g, t, R.ext), "");
    }
    case RED_ARGMIN: case RED_ARGMAX:
        return LLVMBuildSelect(B, empty, ci64(g, -1), ld(g, g->i64, R.arg), "");
    case RED_COUNT: return ld(g, g->i64, R.isum);
    case RED_ANY: case RED_ALL: return ld(g, g->i1, R.first);
    default: RLF_ICE("llvm: unknown reduction");
    }
}

/* ---- expressions -------------------------------------------------------- */

LLVMValueRef cg_expr(Cg *g, const IrExpr *e)
{
    switch (e->op) {
    case IR_CONST:
        switch (e->ty) {
        case TY_F16: return LLVMConstReal(g->f16, e->u.f);
        case TY_BF16: return LLVMConstInt(g->i16, rt_f32_to_bf16((float)e->u.f), 0);
        case TY_F32: case TY_F64: return LLVMConstReal(cg_type(g, e->ty), e->u.f);
        default: return LLVMConstInt(cg_type(g, e->ty), (unsigned long long)e->u.i, 1);
        }
    case IR_IVAR:
        if (g->slot_is_value[e->u.slot]) return g->slot[e->u.slot];
        return LLVMBuildLoad2(B, g->i64, g->slot[e->u.slot], "");
    case IR_DIM: return g->dims[e->u.dim];
    case IR_PARAM: return g->params[e->u.param];
    case IR_READ: return read(g, e);
    case IR_CAST: return cg_cast(g, e->args[0]->ty, e->ty, cg_expr(g, e->args[0]));
    case IR_REDUCE: return reduce(g, e);
    case IR_SELECT: {
        LLVMValueRef c = cg_expr(g, e->args[0]);
        g->spec++;
        LLVMValueRef a = cg_expr(g, e->args[1]), b = cg_expr(g, e->args[2]);
        g->spec--;
        return LLVMBuildSelect(B, c, a, b, "");
    }
    case IR_AND: case IR_OR: {
        LLVMValueRef a = cg_expr(g, e->args[0]);
        g->spec++;
        LLVMValueRef b = cg_expr(g, e->args[1]);
        g->spec--;
        return e->op == IR_AND ? LLVMBuildAnd(B, a, b, "") : LLVMBuildOr(B, a, b, "");
    }
    case IR_CLAMP: {
        LLVMValueRef x = cg_expr(g, e->args[0]), lo = cg_expr(g, e->args[1]), hi = cg_expr(g, e->args[2]);
        return cg_binary(g, IR_MIN, e->ty, cg_binary(g, IR_MAX, e->ty, x, lo), hi);
    }
    default: break;
    }
    if (e->nargs == 1) {
        LLVMValueRef x = cg_expr(g, e->args[0]);
        return ty_is_float(e->ty) ? fmath1(g, e->op, e->ty, x) : imath1(g, e->op, e->ty, x);
    }
    if (e->nargs == 2) {
        IrType t = ir_ops[e->op].cls == OC_CMP ? e->args[0]->ty : e->ty;
        LLVMValueRef a = cg_expr(g, e->args[0]);
        return cg_binary(g, e->op, t, a, cg_expr(g, e->args[1]));
    }
    RLF_ICE("llvm: unhandled op");
}
