/* backends/llvm/llvm_kernel.c: one LLVM function per kernel and layout.
 *   void <prefix>_k<i>_contig(const RtFrame *f, i64 lo, i64 hi)
 *   void <prefix>_k<i>_strided(...)
 * Each loads its tensors' base pointers from the frame and calls an
 * always-inline body that takes them as noalias arguments (outputs never
 * alias inputs: a precondition of the C ABI), so that after inlining the
 * loop vectoriser sees independent streams. The contig variant derives
 * strides from the extents (inner stride 1, so the inner loop vectorises);
 * the strided one reads them from the frame. [lo, hi) is this task's share
 * of the kernel's par axis. Tests: tests/run/ on cpu, tests/aot/. */
#include "llvm_cg.h"
#include <stdio.h>
#include <string.h>

#define B (g->b)

bool llvm_kernel_has_variant(const KirPipeline *kp, const KirKernel *k, int variant)
{
    if (k->host >= 0) return variant == LV_CONTIG;      /* the trampoline */
    return variant != LV_SCAN_INNER || be_inner_axis(kp, k) >= 0;
}

/* i32 sym(i8** args, i8* err): calls the user's int NAME(DLTensor *..., rlf_error *) */
static void emit_trampoline(Cg *g, const KirKernel *k, const char *sym)
{
    const IrExternDecl *x = g->kp->m->externs.v[k->host];
    int n = k->nhost_in + k->nhost_out;
    LLVMTypeRef pp8 = LLVMPointerType(g->p8, 0);
    LLVMTypeRef targs[2] = { pp8, g->p8 };
    LLVMValueRef fn = LLVMAddFunction(g->mod, sym, LLVMFunctionType(g->i32, targs, 2, 0));
    LLVMTypeRef *ut = arena_alloc(g->a, (size_t)(n + 2) * sizeof(LLVMTypeRef));
    for (int i = 0; i <= n; i++) ut[i] = g->p8;
    LLVMTypeRef uft = LLVMFunctionType(g->i32, ut, (unsigned)n + 1, 0);
    LLVMValueRef user = LLVMGetNamedFunction(g->mod, x->name);
    if (!user) user = LLVMAddFunction(g->mod, x->name, uft);
    LLVMPositionBuilderAtEnd(B, LLVMAppendBasicBlockInContext(g->ctx, fn, "entry"));
    LLVMValueRef *args = arena_alloc(g->a, (size_t)(n + 2) * sizeof(LLVMValueRef));
    for (int i = 0; i < n; i++) {
        LLVMValueRef ii = LLVMConstInt(g->i64, (unsigned long long)i, 0);
        args[i] = LLVMBuildLoad2(B, g->p8, LLVMBuildGEP2(B, g->p8, LLVMGetParam(fn, 0), &ii, 1, ""), "");
    }
    args[n] = LLVMGetParam(fn, 1);
    LLVMBuildRet(B, LLVMBuildCall2(B, uft, user, args, (unsigned)n + 1, ""));
}

const char *llvm_kernel_symbol(Arena *a, const char *prefix, const KirKernel *k, int variant)
{
    static const char *names[LV_COUNT] = { "contig", "strided", "scaninner" };
    return arena_printf(a, "%s_%s_%s", prefix, be_c_ident(a, k->name), names[variant]);
}

typedef struct { Cg *g; int level; LLVMValueRef lo, hi; } Nest;

/* outer stores run once per point of their tensor's axes; the others
 * (accumulators included) at every point */
static int store_level(const Cg *g, int s)
{
    const KirStore *st = &g->k->stores.v[s];
    return st->accum ? g->k->rank : g->p->tensors.v[st->tensor]->rank;
}

static bool has_accums(const KirKernel *k)
{
    for (int s = 0; s < k->stores.n; s++)
        if (k->stores.v[s].accum) return true;
    return false;
}

static void stores_at(Cg *g, int s0, int s1, int level)
{
    const KirKernel *k = g->k;
    LLVMValueRef idx[IR_MAX_RANK], aidx[1] = { NULL };
    for (int a = 0; a < level; a++) idx[a] = LLVMBuildLoad2(B, g->i64, g->slot[a], "");
    if (level == k->rank && has_accums(k)) {
        /* an accumulator's one axis is the kernel's other axis: only scan
         * kernels of rank 2 carry them (kir.h), whatever the scan axis of
         * a kernel without them (the last of four: idx[1 - 3] is no axis) */
        RLF_ASSERT(k->rank == 2 && k->scan_axis >= 0);
        aidx[0] = idx[1 - k->scan_axis];
    }
    for (int s = s0; s < s1; s++) {
        if (store_level(g, s) != level) continue;
        const KirStore *st = &k->stores.v[s];
        const IrTensor *t = g->p->tensors.v[st->tensor];
        LLVMValueRef v = cg_expr(g, st->value);
        LLVMValueRef stv = LLVMBuildStore(B, cg_to_mem(g, t->ty, v), cg_addr(g, g->bp->index[st->tensor], st->accum ? aidx : idx));
        /* with the scan axis outside the innermost loop, a store of this
         * point never aliases a recurrence's read of an earlier row (rows
         * differ, or the read is a boundary and its loaded value is
         * discarded): tell the vectoriser, which otherwise falls back to
         * scalar code on its runtime overlap check. Only loop interchange or
         * unroll-and-jam of the scan loop could misuse this; neither is in
         * the pipeline (llvm_target.c). */
        if (g->scope_points) {
            LLVMSetMetadata(stv, g->md_scope_kind, g->md_store);
            LLVMSetMetadata(stv, g->md_noalias_kind, g->md_self);
        }
        /* later stores at this point read the value, not memory */
        g->at_point[g->bp->index[st->tensor]] = v;
    }
}

void cg_stores(Cg *g, int s0, int s1) { stores_at(g, s0, s1, g->k->rank); }

static void leave_level(Cg *g, int level)
{
    for (int s = 0; s < g->k->stores.n; s++)
        if (store_level(g, s) == level) g->at_point[g->bp->index[g->k->stores.v[s].tensor]] = NULL;
}

void cg_leave_point(Cg *g) { leave_level(g, g->k->rank); }

static void zero_accums_here(Cg *g, void *ud)
{
    const KirKernel *k = g->k;
    LLVMValueRef i = LLVMBuildLoad2(B, g->i64, g->slot[1 - k->scan_axis], "");
    for (int s = 0; s < k->stores.n; s++) {
        const KirStore *st = &k->stores.v[s];
        if (!st->accum) continue;
        const IrTensor *t = g->p->tensors.v[st->tensor];
        LLVMBuildStore(B, LLVMConstNull(cg_mem_type(g, t->ty)), cg_addr(g, g->bp->index[st->tensor], &i));
    }
}

/* zeroes the kernel's accumulators: for all columns of this task ([lo, hi)
 * of the par axis) or for the column in the slots */
static void zero_accums(Cg *g, bool all, LLVMValueRef lo, LLVMValueRef hi)
{
    const KirKernel *k = g->k;
    if (!has_accums(k)) return;
    if (!all) { zero_accums_here(g, NULL); return; }
    int col = 1 - k->scan_axis;
    if (col != g->par_axis) { lo = LLVMConstInt(g->i64, 0, 0); hi = cg_lin(g, k->extent[col]); }
    cg_loop(g, g->slot[col], lo, hi, false, zero_accums_here, NULL);
}

static void emit_point(Cg *g)
{
    cg_stores(g, 0, g->k->stores.n);
    cg_leave_point(g);
}

static void nest(Cg *g, void *ud)
{
    Nest *n = ud;
    const KirKernel *k = g->k;
    if (n->level == k->rank) { emit_point(g); return; }
    /* outer stores of this level (the loops so far are axes 0..level-1) */
    stores_at(g, 0, k->stores.n, n->level);
    int ax = g->order[n->level];
    /* accumulators start at zero: all of this task's columns when the scan
     * is the outer loop, this column when the column loop is outside it */
    if (ax == k->scan_axis) zero_accums(g, n->level == 0, n->lo, n->hi);
    LLVMValueRef lo = LLVMConstInt(g->i64, 0, 0), hi = cg_lin(g, k->extent[ax]);
    if (ax == g->par_axis) { lo = n->lo; hi = n->hi; }
    Nest next = { g, n->level + 1, n->lo, n->hi };
    bool down = ax == k->scan_axis && k->scan_dir < 0;
    if (ax == k->scan_axis) {
        /* the first step apart (its reads of the previous step fall on the
         * boundary), then the rest, where they are plain loads */
        LLVMValueRef one = LLVMConstInt(g->i64, 1, 0);
        LLVMBasicBlockRef first = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "first_step"),
                          rest = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "other_steps");
        LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntSLT, lo, hi, ""), first, rest);
        LLVMPositionBuilderAtEnd(B, first);
        LLVMBuildStore(B, down ? LLVMBuildSub(B, hi, one, "") : lo, g->slot[ax]);
        nest(g, &next);
        LLVMBuildBr(B, rest);
        LLVMPositionBuilderAtEnd(B, rest);
        if (down) hi = LLVMBuildSub(B, hi, one, "");
        else lo = LLVMBuildAdd(B, lo, one, "");
        g->scan_interior = true;
    }
    LLVMValueRef latch = cg_loop(g, g->slot[ax], lo, hi, down, nest, &next);
    if (ax == k->scan_axis) g->scan_interior = false;
    /* double accumulators would make LLVM pick 4 lanes for the whole body:
     * keep 8 (the f32 width), the doubles take two registers */
    if (n->level == k->rank - 1 && ax != k->scan_axis && has_accums(k)) cg_loop_vectorize(g, latch, 8);
    leave_level(g, n->level);
}

static LLVMValueRef frame_field(Cg *g, LLVMValueRef frame, int i, LLVMTypeRef t)
{
    LLVMValueRef fp = LLVMBuildBitCast(B, frame, LLVMPointerType(g->p8, 0), "");
    LLVMValueRef idx = LLVMConstInt(g->i64, (unsigned long long)i, 0);
    LLVMValueRef v = LLVMBuildLoad2(B, g->p8, LLVMBuildGEP2(B, g->p8, fp, &idx, 1, ""), "");
    return LLVMBuildBitCast(B, v, t, "");
}

static bool emit_kernel(Cg *g, const KirKernel *k, const char *sym, int variant)
{
    const IrPipeline *p = g->p;
    const BePlan *bp = g->bp;
    int nt = bp->plan.ntensors;
    bool contig = variant == LV_CONTIG;
    g->k = k;
    g->variant = variant;
    memcpy(g->order, k->order, sizeof g->order);
    g->par_axis = k->par_axis;
    if (variant == LV_SCAN_INNER) {
        int n = 0;
        int in = be_inner_axis(g->kp, k);
        for (int a = 0; a < k->rank; a++) if (a != in) g->order[n++] = a;
        g->order[n] = in;
        g->par_axis = g->order[0];
    }
    /* which plan tensors this kernel touches */
    bool *used = arena_alloc(g->a, (size_t)nt + 1);
    for (int i = 0; i < nt; i++) {
        int id = bp->tensor_of[i];
        for (int s = 0; s < k->stores.n; s++)
            if (k->stores.v[s].tensor == id || ir_expr_reads(k->stores.v[s].value, id)) used[i] = true;
        for (int b = 0; b < g->kp->bounds.n; b++)
            if (used[bp->index[g->kp->bounds.v[b].tensor]] && ir_expr_reads(g->kp->bounds.v[b].value, id)) used[i] = true;
    }
    /* boundary values may read tensors of other boundaries: close over them */
    for (int again = 1; again;) {
        again = 0;
        for (int b = 0; b < g->kp->bounds.n; b++) {
            const KirBound *kb = &g->kp->bounds.v[b];
            if (!used[bp->index[kb->tensor]]) continue;
            for (int i = 0; i < nt; i++)
                if (!used[i] && ir_expr_reads(kb->value, bp->tensor_of[i])) { used[i] = true; again = 1; }
        }
    }
    /* body(frame, lo, hi, noalias ptrs...) */
    LLVMTypeRef *pt = arena_alloc(g->a, (size_t)(nt + 3) * sizeof(LLVMTypeRef));
    int np = 0;
    pt[np++] = g->p8; pt[np++] = g->i64; pt[np++] = g->i64;
    for (int i = 0; i < nt; i++)
        if (used[i]) pt[np++] = LLVMPointerType(cg_mem_type(g, p->tensors.v[bp->tensor_of[i]]->ty), 0);
    LLVMTypeRef bt = LLVMFunctionType(g->void_t, pt, (unsigned)np, 0);
    LLVMValueRef body = LLVMAddFunction(g->mod, arena_printf(g->a, "%s.body", sym), bt);
    LLVMSetLinkage(body, LLVMInternalLinkage);
    unsigned kind_noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    unsigned kind_inline = LLVMGetEnumAttributeKindForName("alwaysinline", 12);
    for (int i = 3; i < np; i++) LLVMAddAttributeAtIndex(body, (unsigned)i + 1, LLVMCreateEnumAttribute(g->ctx, kind_noalias, 0));
    LLVMAddAttributeAtIndex(body, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->ctx, kind_inline, 0));

    g->fn = body;
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(g->ctx, body, "entry");
    LLVMBasicBlockRef start = LLVMAppendBasicBlockInContext(g->ctx, body, "start");
    LLVMPositionBuilderAtEnd(g->ab, entry);
    LLVMPositionBuilderAtEnd(B, start);
    LLVMValueRef frame = LLVMGetParam(body, 0);
    LLVMValueRef lo = LLVMGetParam(body, 1), hi = LLVMGetParam(body, 2);
    /* frame: { dims, base, strides, params } */
    LLVMValueRef dims = frame_field(g, frame, 0, LLVMPointerType(g->i64, 0));
    LLVMValueRef strides = frame_field(g, frame, 2, LLVMPointerType(g->i64, 0));
    LLVMValueRef params = frame_field(g, frame, 3, g->p8);
    g->dims = arena_alloc(g->a, (size_t)(p->dims.n + 1) * sizeof(LLVMValueRef));
    for (int d = 0; d < p->dims.n; d++) {
        LLVMValueRef di = LLVMConstInt(g->i64, (unsigned long long)d, 0);
        g->dims[d] = LLVMBuildLoad2(B, g->i64, LLVMBuildGEP2(B, g->i64, dims, &di, 1, ""), p->dims.v[d].name);
    }
    g->params = arena_alloc(g->a, (size_t)(p->params.n + 1) * sizeof(LLVMValueRef));
    for (int i = 0; i < p->params.n; i++) {
        IrType ty = p->params.v[i].ty;
        LLVMValueRef off = LLVMConstInt(g->i64, (unsigned long long)bp->field_offset[i], 0);
        LLVMValueRef addr = LLVMBuildGEP2(B, g->i8, params, &off, 1, "");
        LLVMTypeRef ft = ty == TY_BOOL || ty == TY_U8 ? g->i8 : ty == TY_I32 ? g->i32 : ty == TY_I64 ? g->i64 : ty == TY_F64 ? g->f64 : g->f32;
        LLVMValueRef v = LLVMBuildLoad2(B, ft, LLVMBuildBitCast(B, addr, LLVMPointerType(ft, 0), ""), p->params.v[i].name);
        if (ty == TY_BOOL) v = LLVMBuildICmp(B, LLVMIntNE, v, LLVMConstInt(g->i8, 0, 0), "");
        else if (ty == TY_F16) v = LLVMBuildFPTrunc(B, v, g->f16, "");
        else if (ty == TY_BF16) v = cg_cast(g, TY_F32, TY_BF16, v);     /* bf16 parameters travel as float */
        g->params[i] = v;
    }
    g->base = arena_alloc(g->a, (size_t)(nt + 1) * sizeof(LLVMValueRef));
    g->stride = arena_alloc(g->a, (size_t)(nt + 1) * sizeof *g->stride);
    g->extent = arena_alloc(g->a, (size_t)(nt + 1) * sizeof *g->extent);
    int arg = 3;
    uint64_t unit = variant == LV_SCAN_INNER ? be_scan_unit(bp, k) : 0;
    for (int i = 0; i < nt; i++) {
        if (!used[i]) continue;
        const IrTensor *t = p->tensors.v[bp->tensor_of[i]];
        g->base[i] = LLVMGetParam(body, (unsigned)arg++);
        for (int ax = 0; ax < t->rank; ax++) g->extent[i][ax] = cg_lin(g, t->extent[ax]);
        LLVMValueRef s = LLVMConstInt(g->i64, 1, 0);
        for (int ax = t->rank - 1; ax >= 0; ax--) {
            if (contig) {
                g->stride[i][ax] = s;
                s = LLVMBuildMul(B, s, g->extent[i][ax], "");
            } else if (variant == LV_SCAN_INNER && ax == g->order[k->rank - 1] && (unit >> i & 1)) {
                g->stride[i][ax] = LLVMConstInt(g->i64, 1, 0);      /* checked by the runtime */
            } else {
                LLVMValueRef si = LLVMConstInt(g->i64, (unsigned long long)(i * RT_MAX_RANK_PLAN + ax), 0);
                g->stride[i][ax] = LLVMBuildLoad2(B, g->i64, LLVMBuildGEP2(B, g->i64, strides, &si, 1, ""), "");
            }
        }
    }
    g->nslots = k->nslots > k->rank ? k->nslots : k->rank;
    g->slot = arena_alloc(g->a, (size_t)(g->nslots + 1) * sizeof(LLVMValueRef));
    g->slot_is_value = arena_alloc(g->a, (size_t)g->nslots + 1);
    g->slot_lo = arena_alloc(g->a, (size_t)(g->nslots + 1) * sizeof(IrExpr *));
    g->slot_hi = arena_alloc(g->a, (size_t)(g->nslots + 1) * sizeof(IrExpr *));
    for (int s = 0; s < g->nslots; s++) g->slot[s] = cg_alloca_i64(g, s < k->rank ? "i" : "r");
    g->spec = 0;
    /* the scopes hold only while the recurrence is carried by an outer loop:
     * within the innermost loop every point is a different row */
    g->scope_points = k->scan_axis >= 0 && k->rank >= 2 && g->order[k->rank - 1] != k->scan_axis;
    g->at_point = arena_alloc(g->a, (size_t)(nt + 1) * sizeof(LLVMValueRef));
    if (k->segmented) {
        if (!llvm_emit_segment(g)) RLF_ICE("llvm: a segmented kernel does not match its pattern");
    } else if (variant == LV_STRIDED && llvm_rows_fit(k)) {
        /* row sums: rows innermost when the summed axis is the slower one */
        LLVMBasicBlockRef yes = LLVMAppendBasicBlockInContext(g->ctx, body, "rows_inner"),
                          no = LLVMAppendBasicBlockInContext(g->ctx, body, "rows_outer"),
                          done = LLVMAppendBasicBlockInContext(g->ctx, body, "rows_done");
        LLVMBuildCondBr(B, llvm_rows_interchange(g), yes, no);
        LLVMPositionBuilderAtEnd(B, yes);
        llvm_emit_rows(g, lo, hi);
        LLVMBuildBr(B, done);
        LLVMPositionBuilderAtEnd(B, no);
        Nest n = { g, 0, lo, hi };
        nest(g, &n);
        LLVMBuildBr(B, done);
        LLVMPositionBuilderAtEnd(B, done);
    } else if (variant != LV_SCAN_INNER || !llvm_emit_scan_lanes(g, lo, hi)) {
        Nest n = { g, 0, lo, hi };
        nest(g, &n);
    }
    LLVMBuildRetVoid(B);
    LLVMPositionBuilderAtEnd(g->ab, entry);
    LLVMBuildBr(g->ab, start);

    /* the entry point: unpack base pointers and call the body */
    LLVMTypeRef et_args[3] = { g->p8, g->i64, g->i64 };
    LLVMValueRef fn = LLVMAddFunction(g->mod, sym, LLVMFunctionType(g->void_t, et_args, 3, 0));
    LLVMBasicBlockRef eb = LLVMAppendBasicBlockInContext(g->ctx, fn, "entry");
    LLVMPositionBuilderAtEnd(B, eb);
    LLVMValueRef ef = LLVMGetParam(fn, 0);
    LLVMValueRef bases = frame_field(g, ef, 1, LLVMPointerType(g->p8, 0));
    LLVMValueRef *cargs = arena_alloc(g->a, (size_t)(np + 1) * sizeof(LLVMValueRef));
    cargs[0] = ef; cargs[1] = LLVMGetParam(fn, 1); cargs[2] = LLVMGetParam(fn, 2);
    int c = 3;
    for (int i = 0; i < nt; i++) {
        if (!used[i]) continue;
        LLVMValueRef ii = LLVMConstInt(g->i64, (unsigned long long)i, 0);
        LLVMValueRef bp8 = LLVMBuildLoad2(B, g->p8, LLVMBuildGEP2(B, g->p8, bases, &ii, 1, ""), "");
        cargs[c] = LLVMBuildBitCast(B, bp8, pt[c], "");
        c++;
    }
    LLVMBuildCall2(B, bt, body, cargs, (unsigned)np, "");
    LLVMBuildRetVoid(B);
    return true;
}

bool llvm_emit_kernels(LLVMContextRef ctx, LLVMModuleRef mod, Arena *a, const BePlan *bp, const char *prefix, unsigned variants)
{
    Cg g = { 0 };
    g.ctx = ctx; g.mod = mod; g.a = a; g.bp = bp; g.kp = bp->kp; g.p = bp->kp->p;
    g.b = LLVMCreateBuilderInContext(ctx);
    g.ab = LLVMCreateBuilderInContext(ctx);
    g.i1 = LLVMInt1TypeInContext(ctx); g.i8 = LLVMInt8TypeInContext(ctx); g.i16 = LLVMInt16TypeInContext(ctx);
    g.i32 = LLVMInt32TypeInContext(ctx); g.i64 = LLVMInt64TypeInContext(ctx);
    g.f16 = LLVMHalfTypeInContext(ctx); g.f32 = LLVMFloatTypeInContext(ctx); g.f64 = LLVMDoubleTypeInContext(ctx);
    g.p8 = LLVMPointerType(g.i8, 0); g.void_t = LLVMVoidTypeInContext(ctx);
    /* alias scopes (identified by strings in one domain) */
    g.md_scope_kind = LLVMGetMDKindIDInContext(ctx, "alias.scope", 11);
    g.md_noalias_kind = LLVMGetMDKindIDInContext(ctx, "noalias", 7);
    LLVMMetadataRef dom_s = LLVMMDStringInContext2(ctx, "rlf.points", 10);
    LLVMMetadataRef dom = LLVMMDNodeInContext2(ctx, &dom_s, 1);
    LLVMMetadataRef sc_store[2] = { LLVMMDStringInContext2(ctx, "rlf.this_point", 14), dom };
    LLVMMetadataRef sc_self[2] = { LLVMMDStringInContext2(ctx, "rlf.earlier_point", 17), dom };
    LLVMMetadataRef st_scope = LLVMMDNodeInContext2(ctx, sc_store, 2), self_scope = LLVMMDNodeInContext2(ctx, sc_self, 2);
    g.md_store = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, &st_scope, 1));
    g.md_self = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, &self_scope, 1));
    bool ok = true;
    for (int k = 0; k < bp->kp->kernels.n && ok; k++)
        for (int v = 0; v < LV_COUNT && ok; v++)
            if ((variants >> v & 1) && llvm_kernel_has_variant(bp->kp, bp->kp->kernels.v[k], v)) {
                if (bp->kp->kernels.v[k]->host >= 0) emit_trampoline(&g, bp->kp->kernels.v[k], llvm_kernel_symbol(a, prefix, bp->kp->kernels.v[k], v));
                else ok = emit_kernel(&g, bp->kp->kernels.v[k], llvm_kernel_symbol(a, prefix, bp->kp->kernels.v[k], v), v);
            }
    LLVMDisposeBuilder(g.b);
    LLVMDisposeBuilder(g.ab);
    return ok;
}
