/* ir/interp.c: the reference interpreter (see interp.h and the semantics in
 * ir.h). Every tensor is materialised in full as RtVal cells in its own type;
 * definitions run in step order; recurrences run along their scan axis in
 * scan order; reductions accumulate in f64 (floats) or wrapping i64 (ints)
 * and round once, with two passes for mean-based ops. Simple on purpose: it
 * is the truth the backends are compared against.
 * Tests: tests/run/ (every .rlf), tests/unit/test_interp.c, tests/cli/ (the
 * internal-error path). */
#include "interp.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt_half.h"
#include "segment.h"

typedef struct {
    RtVal *data;
    int rank;
    int64_t lo[IR_MAX_RANK];      /* first stored index per axis (<= 0) */
    int64_t ext[IR_MAX_RANK];     /* stored extent per axis */
    int64_t stride[IR_MAX_RANK];
    int64_t n;
} Buf;

typedef struct {
    const IrModule *m;
    const IrPipeline *p;
    const IrBinding *b;
    Buf *bufs;
    int64_t *slots;
    bool failed;
    bool test_oob;                /* RLF_TEST_INTERP_OOB: see ev's IR_READ */
    char *err;
    size_t errlen;
} Interp;

static void fail(Interp *I, const char *msg)
{
    if (!I->failed) snprintf(I->err, I->errlen, "%s", msg);
    I->failed = true;
}

static RtVal ev(Interp *I, const IrExpr *e);

/* ---- reductions --------------------------------------------------------- */

typedef struct {
    Interp *I;
    const IrExpr *e;
    int pass;                 /* 0, then 1 for two-pass ops */
    double fsum, mean, fext, sq;
    int64_t isum, iext, count, arg, saved;
    bool any_nan, first;
} Acc;

static void acc_one(Acc *a, RtVal x)
{
    const IrExpr *e = a->e;
    IrRed k = e->u.red->kind;
    IrType bt = e->args[0]->ty;
    bool fl = ty_is_float(bt);
    a->count++;
    switch (k) {
    case RED_SUM: if (fl) a->fsum += x.f; else a->isum = (int64_t)((uint64_t)a->isum + (uint64_t)x.i); break;
    case RED_PROD: if (fl) a->fsum *= x.f; else a->isum = (int64_t)((uint64_t)a->isum * (uint64_t)x.i); break;
    case RED_MEAN: a->fsum += fl ? x.f : (double)x.i; break;
    case RED_VAR: case RED_STD: {
        double v = fl ? x.f : (double)x.i;
        if (a->pass == 0) a->fsum += v; else a->sq += (v - a->mean) * (v - a->mean);
        break;
    }
    case RED_LOGSUMEXP: {
        double v = fl ? x.f : (double)x.i;
        if (a->pass == 0) { if (isnan(v)) a->any_nan = true; else if (v > a->fext) a->fext = v; }
        else a->fsum += exp(v - a->fext);
        break;
    }
    case RED_MIN: case RED_MAX: case RED_ARGMIN: case RED_ARGMAX: {
        bool mn = k == RED_MIN || k == RED_ARGMIN;
        int64_t idx = a->I->slots[e->u.red->slots[0]];
        if (fl) {
            if (a->any_nan) break;
            if (isnan(x.f)) { a->any_nan = true; a->arg = idx; a->fext = x.f; break; }
            if (a->first || (mn ? x.f < a->fext : x.f > a->fext)) { a->fext = x.f; a->arg = idx; }
        } else if (a->first || (mn ? x.i < a->iext : x.i > a->iext)) { a->iext = x.i; a->arg = idx; }
        a->first = false;
        break;
    }
    case RED_COUNT: a->isum += x.i != 0; break;
    case RED_ANY: if (x.i) a->isum = 1; break;
    case RED_ALL: if (!x.i) a->isum = 0; break;
    default: break;
    }
}

static void domain(Acc *a, int v)
{
    Interp *I = a->I;
    const IrReduce *r = a->e->u.red;
    if (I->failed) return;
    if (v == r->nvars) {
        if (a->e->args[1] && !ev(I, a->e->args[1]).i) return;
        acc_one(a, ev(I, a->e->args[0]));
        return;
    }
    int64_t lo = ev(I, r->lo[v]).i, hi = ev(I, r->hi[v]).i;
    for (int64_t i = lo; i < hi && !I->failed; i++) {
        I->slots[r->slots[v]] = i;
        domain(a, v + 1);
    }
}

static void acc_init(Acc *a, Interp *I, const IrExpr *e)
{
    memset(a, 0, sizeof *a);
    a->I = I;
    a->e = e;
    a->first = true;
    a->fext = -INFINITY;
    if (e->u.red->kind == RED_ALL) a->isum = 1;
    if (e->u.red->kind == RED_PROD) { a->isum = 1; a->fsum = 1.0; }
}

/* mean-based ops take a second pass over the same elements */
static bool acc_second_pass(Acc *a)
{
    IrRed k = a->e->u.red->kind;
    bool two = k == RED_VAR || k == RED_STD || k == RED_LOGSUMEXP;
    if (!two || a->count == 0 || (k == RED_LOGSUMEXP && (a->any_nan || isinf(a->fext)))) return false;
    a->mean = a->fsum / (double)a->count;
    a->saved = a->count;
    a->count = 0;
    a->pass = 1;
    a->fsum = 0;
    return true;
}

static RtVal acc_finish(Acc *a)
{
    const IrReduce *r = a->e->u.red;
    if (a->pass == 1) a->count = a->saved;
    RtVal out;
    IrType ty = a->e->ty;
    switch (r->kind) {
    case RED_SUM: case RED_PROD:
        if (ty_is_float(ty)) out.f = opsem_round(ty, a->fsum); else out.i = opsem_wrap(ty, a->isum);
        break;
    case RED_MEAN: out.f = opsem_round(ty, a->count ? a->fsum / (double)a->count : 0.0); break;
    case RED_VAR: case RED_STD: {
        double v = a->count > r->ddof ? a->sq / (double)(a->count - r->ddof) : 0.0;
        out.f = opsem_round(ty, r->kind == RED_STD ? sqrt(v) : v);
        break;
    }
    case RED_LOGSUMEXP:
        if (a->any_nan) out.f = NAN;
        else if (a->count == 0 || isinf(a->fext)) out.f = a->count ? a->fext : -INFINITY;
        else out.f = opsem_round(ty, a->fext + log(a->fsum));
        break;
    case RED_MIN: case RED_MAX:
        if (a->count == 0) out = r->kind == RED_MIN ? opsem_type_max(ty) : opsem_type_min(ty);
        else if (ty_is_float(ty)) out.f = a->fext;
        else out.i = a->iext;
        break;
    case RED_ARGMIN: case RED_ARGMAX: out.i = a->count ? a->arg : -1; break;
    case RED_COUNT: case RED_ANY: case RED_ALL: out.i = a->isum; break;
    default: out.i = 0;
    }
    return out;
}

static RtVal reduce(Interp *I, const IrExpr *e)
{
    Acc a;
    acc_init(&a, I, e);
    domain(&a, 0);
    if (acc_second_pass(&a)) domain(&a, 0);
    return acc_finish(&a);
}

/* a segmented reduction in one pass over its variable (ir/segment.h) */
static void run_segment(Interp *I, const IrTensor *t, const IrSegment *sg, Buf *b)
{
    const IrExpr *e = sg->reduce;
    const IrReduce *r = e->u.red;
    int64_t G = b->ext[0];
    Acc *acc = calloc((size_t)(G ? G : 1), sizeof *acc);
    if (!acc) { fail(I, "out of memory"); return; }
    for (int64_t g = 0; g < G; g++) acc_init(&acc[g], I, e);
    int64_t lo = ev(I, r->lo[0]).i, hi = ev(I, r->hi[0]).i;
    for (int pass = 0; pass < 2 && !I->failed; pass++) {
        for (int64_t n = lo; n < hi && !I->failed; n++) {
            I->slots[sg->var_slot] = n;
            if (sg->rest && !ev(I, sg->rest).i) continue;
            int64_t k = ev(I, sg->key).i;
            if (k < 0 || k >= G || acc[k].pass != pass) continue;
            acc_one(&acc[k], ev(I, e->args[0]));
        }
        bool again = false;
        for (int64_t g = 0; g < G; g++) again |= acc_second_pass(&acc[g]);
        if (!again) break;
    }
    for (int64_t g = 0; g < G && !I->failed; g++) {
        RtVal v = acc_finish(&acc[g]);
        b->data[g * b->stride[0]] = opsem_cast(e->ty, t->ty, v);
    }
    free(acc);
}

/* ---- expressions -------------------------------------------------------- */

static RtVal ev(Interp *I, const IrExpr *e)
{
    RtVal r = { .i = 0 };
    if (I->failed) return r;
    switch (e->op) {
    case IR_CONST: if (ty_is_float(e->ty)) r.f = e->u.f; else r.i = e->u.i; return r;
    case IR_IVAR: r.i = I->slots[e->u.slot]; return r;
    case IR_DIM: r.i = I->b->dims[e->u.dim]; return r;
    case IR_PARAM: return I->b->params[e->u.param];
    case IR_READ: {
        const Buf *b = &I->bufs[e->u.tensor];
        int64_t off = 0;
        for (int k = 0; k < e->nargs; k++) {
            int64_t pos = ev(I, e->args[k]).i - b->lo[k];
            /* sema proves every read in bounds, so one that is not is a
             * compiler bug, not a user error: it aborts. The tests set
             * RLF_TEST_INTERP_OOB to take this path on purpose. */
            if (pos < 0 || pos >= b->ext[k] || I->test_oob) {
                char m[256];
                snprintf(m, sizeof m, "out-of-bounds read of '%s' (axis %d, index %lld) that sema should have rejected",
                         I->p->tensors.v[e->u.tensor]->name, k + 1, (long long)(pos + b->lo[k]));
                RLF_ICE(m);
            }
            off += pos * b->stride[k];
        }
        return b->data[off];
    }
    case IR_CAST: return opsem_cast(e->args[0]->ty, e->ty, ev(I, e->args[0]));
    case IR_SELECT: return ev(I, e->args[0]).i ? ev(I, e->args[1]) : ev(I, e->args[2]);
    case IR_AND: r.i = ev(I, e->args[0]).i && ev(I, e->args[1]).i; return r;
    case IR_OR: r.i = ev(I, e->args[0]).i || ev(I, e->args[1]).i; return r;
    case IR_REDUCE: return reduce(I, e);
    case IR_CLAMP: return opsem_clamp(e->ty, ev(I, e->args[0]), ev(I, e->args[1]), ev(I, e->args[2]));
    default: break;
    }
    if (e->nargs == 1) return opsem_unary(e->op, e->ty, ev(I, e->args[0]));
    if (e->nargs == 2) {
        IrType t = ir_ops[e->op].cls == OC_CMP ? e->args[0]->ty : e->ty;
        RtVal a = ev(I, e->args[0]);
        return opsem_binary(e->op, t, a, ev(I, e->args[1]));
    }
    RLF_ICE("interp: unhandled op");
}

/* ---- tensors ------------------------------------------------------------ */

static bool alloc_buf(Interp *I, const IrTensor *t, Buf *b)
{
    b->rank = t->rank;
    int64_t n = 1;
    for (int k = t->rank - 1; k >= 0; k--) {
        int64_t e;
        if (!lin_eval(t->extent[k], I->b->dims, NULL, &e)) { fail(I, "cannot evaluate an extent"); return false; }
        b->lo[k] = -t->lo_pad[k];
        b->ext[k] = e + t->lo_pad[k] + t->hi_pad[k];
        b->stride[k] = n;
        if (b->ext[k] < 0 || (b->ext[k] && n > INT64_MAX / 16 / b->ext[k])) {
            char m[256];
            snprintf(m, sizeof m, "tensor '%s' is too large to hold", t->name);
            fail(I, m);
            return false;
        }
        n *= b->ext[k];
    }
    b->n = n;
    b->data = calloc((size_t)(n ? n : 1), sizeof(RtVal));
    if (!b->data) {
        char m[256];
        snprintf(m, sizeof m, "out of memory for tensor '%s' (%lld elements)", t->name, (long long)n);
        fail(I, m);
        return false;
    }
    return true;
}

static RtVal load_elem(const RtArray *a, int64_t i)
{
    RtVal v;
    switch (a->dtype) {
    case RT_BOOL: case RT_U8: v.i = ((const uint8_t *)a->data)[i]; break;
    case RT_I32: v.i = ((const int32_t *)a->data)[i]; break;
    case RT_I64: v.i = ((const int64_t *)a->data)[i]; break;
    case RT_F16: v.f = rt_f16_to_f32(((const uint16_t *)a->data)[i]); break;
    case RT_BF16: v.f = rt_bf16_to_f32(((const uint16_t *)a->data)[i]); break;
    case RT_F32: v.f = ((const float *)a->data)[i]; break;
    default: v.f = ((const double *)a->data)[i]; break;
    }
    return v;
}

static void store_elem(RtArray *a, int64_t i, RtVal v)
{
    switch (a->dtype) {
    case RT_BOOL: case RT_U8: ((uint8_t *)a->data)[i] = (uint8_t)v.i; break;
    case RT_I32: ((int32_t *)a->data)[i] = (int32_t)v.i; break;
    case RT_I64: ((int64_t *)a->data)[i] = v.i; break;
    case RT_F16: ((uint16_t *)a->data)[i] = rt_f32_to_f16((float)v.f); break;
    case RT_BF16: ((uint16_t *)a->data)[i] = rt_f32_to_bf16((float)v.f); break;
    case RT_F32: ((float *)a->data)[i] = (float)v.f; break;
    default: ((double *)a->data)[i] = v.f; break;
    }
}

/* visit the main range of a buffer in C order: the element's flat index in
 * a C-ordered array of the main extents, and its storage offset */
static void copy_main(const Buf *b, const IrTensor *t, RtArray *a, bool to_array)
{
    int64_t idx[IR_MAX_RANK] = { 0 }, ext[IR_MAX_RANK];
    int64_t total = 1;
    for (int k = 0; k < t->rank; k++) { ext[k] = b->ext[k] - t->lo_pad[k] - t->hi_pad[k]; total *= ext[k]; }
    for (int64_t flat = 0; flat < total; flat++) {
        int64_t off = 0;
        for (int k = 0; k < t->rank; k++) off += (idx[k] - b->lo[k]) * b->stride[k];
        if (to_array) store_elem(a, flat, b->data[off]);
        else b->data[off] = load_elem(a, flat);
        for (int k = t->rank - 1; k >= 0; k--) { if (++idx[k] < ext[k]) break; idx[k] = 0; }
    }
}

typedef struct { Interp *I; const IrTensor *t; const IrDef *d; Buf *b; int order[IR_MAX_RANK]; int64_t lo[IR_MAX_RANK], hi[IR_MAX_RANK]; } DefRun;

static void run_axes(DefRun *r, int depth, int64_t *pos)
{
    Interp *I = r->I;
    if (I->failed) return;
    if (depth == r->t->rank) {
        RtVal v = ev(I, r->d->body);
        int64_t off = 0;
        for (int k = 0; k < r->t->rank; k++) off += (pos[k] - r->b->lo[k]) * r->b->stride[k];
        r->b->data[off] = v;
        return;
    }
    int ax = r->order[depth];
    int slot = r->d->axis_slot[ax];
    bool down = ax == r->t->scan_axis && r->t->scan_dir < 0;
    for (int64_t i = down ? r->hi[ax] - 1 : r->lo[ax]; down ? i >= r->lo[ax] : i < r->hi[ax]; i += down ? -1 : 1) {
        pos[ax] = i;
        if (slot >= 0) I->slots[slot] = i;
        run_axes(r, depth + 1, pos);
        if (I->failed) return;
    }
}

static void run_def(Interp *I, const IrTensor *t, const IrDef *d, Buf *b)
{
    DefRun r = { I, t, d, b, { 0 }, { 0 }, { 0 } };
    int n = 0;
    if (t->scan_axis >= 0) r.order[n++] = t->scan_axis;     /* the scan is the outer loop */
    for (int k = 0; k < t->rank; k++) if (k != t->scan_axis) r.order[n++] = k;
    for (int k = 0; k < t->rank; k++) {
        if (d->axis_slot[k] >= 0) {
            r.lo[k] = 0;
            lin_eval(t->extent[k], I->b->dims, NULL, &r.hi[k]);
        } else {
            lin_eval(d->fixed[k], I->b->dims, NULL, &r.lo[k]);
            r.hi[k] = r.lo[k] + 1;
        }
    }
    int64_t pos[IR_MAX_RANK] = { 0 };
    run_axes(&r, 0, pos);
}

static void run_extern(Interp *I, const IrStep *st, IrExternFn ext, void *user)
{
    const IrExternDecl *x = I->m->externs.v[st->ext];
    if (!ext) {
        char m[300];
        snprintf(m, sizeof m, "extern '%s' has no implementation: the interpreter calls externs only through a host callback", x->name);
        fail(I, m);
        return;
    }
    RtArray *in = calloc((size_t)st->nin + 1, sizeof *in), *out = calloc((size_t)st->nout + 1, sizeof *out);
    if (!in || !out) { free(in); free(out); fail(I, "out of memory"); return; }
    for (int k = 0; k < st->nin && !I->failed; k++) {
        const IrTensor *t = I->p->tensors.v[st->in[k]];
        in[k].dtype = ir_type_to_dtype(t->ty);
        in[k].ndim = t->rank;
        int64_t n = 1;
        for (int a = 0; a < t->rank; a++) { lin_eval(t->extent[a], I->b->dims, NULL, &in[k].shape[a]); n *= in[k].shape[a]; }
        in[k].data = malloc((size_t)(n ? n : 1) * rt_dtype_size(in[k].dtype));
        if (!in[k].data) { fail(I, "out of memory"); break; }
        copy_main(&I->bufs[st->in[k]], t, &in[k], true);
    }
    for (int k = 0; k < st->nout; k++) {
        const IrTensor *t = I->p->tensors.v[st->out[k]];
        out[k].dtype = ir_type_to_dtype(t->ty);
        out[k].ndim = t->rank;
        for (int a = 0; a < t->rank; a++) lin_eval(t->extent[a], I->b->dims, NULL, &out[k].shape[a]);
    }
    char msg[256] = "";
    if (!I->failed && ext(user, x, in, out, msg, sizeof msg) != 0) {
        char m[400];
        snprintf(m, sizeof m, "extern '%s' failed: %s", x->name, msg[0] ? msg : "(no message)");
        fail(I, m);
    }
    for (int k = 0; k < st->nout && !I->failed; k++) {
        if (!out[k].data) { fail(I, "an extern returned no data"); break; }
        Buf *b = &I->bufs[st->out[k]];
        if (alloc_buf(I, I->p->tensors.v[st->out[k]], b)) copy_main(b, I->p->tensors.v[st->out[k]], &out[k], false);
    }
    for (int k = 0; k < st->nin; k++) free(in[k].data);
    for (int k = 0; k < st->nout; k++) free(out[k].data);
    free(in);
    free(out);
}

int ir_interp_run(const IrModule *m, const IrPipeline *p, const IrBinding *b, const RtArray *inputs,
                  RtArray *outputs, IrExternFn ext, void *ext_user, char *err, size_t errlen)
{
    Interp I = { m, p, b, NULL, NULL, false, getenv("RLF_TEST_INTERP_OOB") != NULL, err, errlen };
    I.bufs = calloc((size_t)p->tensors.n + 1, sizeof(Buf));
    I.slots = calloc((size_t)p->max_slots + 1, sizeof(int64_t));
    if (!I.bufs || !I.slots) { free(I.bufs); free(I.slots); snprintf(err, errlen, "out of memory"); return -1; }
    for (int k = 0; k < p->inputs.n && !I.failed; k++) {
        const IrTensor *t = p->tensors.v[p->inputs.v[k]];
        if (alloc_buf(&I, t, &I.bufs[p->inputs.v[k]])) copy_main(&I.bufs[p->inputs.v[k]], t, (RtArray *)&inputs[k], false);
    }
    for (int s = 0; s < p->steps.n && !I.failed; s++) {
        const IrStep *st = &p->steps.v[s];
        if (st->kind == STEP_EXTERN) { run_extern(&I, st, ext, ext_user); continue; }
        const IrTensor *t = p->tensors.v[st->tensor];
        Buf *bf = &I.bufs[st->tensor];
        if (!alloc_buf(&I, t, bf)) break;
        IrSegment sg;
        if (ir_match_segment(t, &sg)) { run_segment(&I, t, &sg, bf); continue; }
        for (int k = 0; k < t->bounds.n && !I.failed; k++) run_def(&I, t, t->bounds.v[k], bf);
        if (!I.failed) run_def(&I, t, t->def, bf);
    }
    int rc = I.failed ? -1 : 0;
    for (int k = 0; k < p->outputs.n && rc == 0; k++) {
        RtArray *a = &outputs[k];
        ir_output_shape(p, k, b, a);
        int64_t n = rt_array_numel(a);
        a->data = malloc((size_t)(n ? n : 1) * rt_dtype_size(a->dtype));
        if (!a->data) { snprintf(err, errlen, "out of memory"); rc = -1; break; }
        copy_main(&I.bufs[p->outputs.v[k]], p->tensors.v[p->outputs.v[k]], a, true);
    }
    if (rc != 0)
        for (int k = 0; k < p->outputs.n; k++) { free(outputs[k].data); outputs[k].data = NULL; }
    for (int k = 0; k < p->tensors.n; k++) free(I.bufs[k].data);
    free(I.bufs);
    free(I.slots);
    return rc;
}
