/* backends/plan.c: building the runtime plan of a scheduled pipeline. */
#include "plan.h"
#include <stdio.h>
#include <string.h>
#include "rt_dtype.h"

static bool to_rtlin(Lin l, RtLin *r)
{
    memset(r, 0, sizeof *r);
    if (!l.ok || l.n > RT_LIN_MAX) return false;
    r->c = l.c;
    r->n = l.n;
    for (int i = 0; i < l.n; i++) { r->dim[i] = LIN_IDX(l.atom[i]); r->k[i] = l.k[i]; }
    return true;
}

const char *be_param_ctype(IrType t)
{
    switch (t) {
    case TY_BOOL: return "bool";
    case TY_U8: return "uint8_t";
    case TY_I32: return "int32_t";
    case TY_I64: return "int64_t";
    case TY_F64: return "double";
    default: return "float";            /* f16/bf16 parameters travel as float */
    }
}

int be_param_size(IrType t)
{
    switch (t) {
    case TY_BOOL: case TY_U8: return 1;
    case TY_I64: case TY_F64: return 8;
    default: return 4;
    }
}

const char *be_c_ident(Arena *a, const char *name)
{
    char *s = arena_strdup(a, name);
    for (char *p = s; *p; p++) if (*p == '.') *p = '_';
    return s;
}

/* the plan tensors of the kernel's rank that its stores and boundary values
 * read or write: the scan-inner variant takes their stride along the scan
 * axis as 1 (the runtime checks it before choosing that variant) */
uint64_t be_scan_unit(const BePlan *b, const KirKernel *k)
{
    const KirPipeline *kp = b->kp;
    uint64_t m = 0;
    for (int i = 0; i < b->ntensors && i < 64; i++) {
        int id = b->tensor_of[i];
        if (kp->p->tensors.v[id]->rank != k->rank) continue;
        bool used = false;
        for (int s = 0; s < k->stores.n && !used; s++)
            used = k->stores.v[s].tensor == id || ir_expr_reads(k->stores.v[s].value, id);
        for (int q = 0; q < kp->bounds.n && !used; q++)
            used = ir_expr_reads(kp->bounds.v[q].value, id);
        if (used) m |= 1ull << i;
    }
    return m;
}

int be_inner_axis(const KirPipeline *kp, const KirKernel *k)
{
    if (k->rank < 2 || k->segmented || k->host >= 0) return -1;
    if (k->scan_axis >= 0) return k->scan_axis;
    for (int s = 0; s < k->stores.n; s++)
        if (kp->p->tensors.v[k->stores.v[s].tensor]->rank != k->rank) return -1;   /* outer stores */
    return 0;
}

BePlan *be_plan_build(Arena *a, const KirPipeline *kp, DiagCtx *d)
{
    const IrPipeline *p = kp->p;
    BePlan *b = arena_alloc(a, sizeof *b);
    b->kp = kp;
    int nt = p->tensors.n;
    b->index = arena_alloc(a, (size_t)(nt + 1) * sizeof(int));
    b->tensor_of = arena_alloc(a, (size_t)(nt + 1) * sizeof(int));
    for (int i = 0; i < nt; i++) b->index[i] = -1;
    int n = 0;
    for (int i = 0; i < p->inputs.n; i++) { b->index[p->inputs.v[i]] = n; b->tensor_of[n++] = p->inputs.v[i]; }
    for (int i = 0; i < p->outputs.n; i++) { b->index[p->outputs.v[i]] = n; b->tensor_of[n++] = p->outputs.v[i]; }
    int nargs = n;
    for (int i = 0; i < nt; i++) if (kp->buf[i] == KB_SCRATCH) { b->index[i] = n; b->tensor_of[n++] = i; }
    b->ntensors = n;
    if (n > 64 || p->dims.n > 64) { diag_error(d, p->span, "pipeline '%s' has too many tensors or dims for the cpu target (limit 64)", p->name); return NULL; }
    b->tensors = arena_alloc(a, (size_t)(n + 1) * sizeof(RtTensorSpec));
    for (int j = 0; j < n; j++) {
        const IrTensor *t = p->tensors.v[b->tensor_of[j]];
        RtTensorSpec *ts = &b->tensors[j];
        ts->name = t->name;
        ts->dtype = (int32_t)t->ty;                 /* IrType and RtDtype share one order */
        ts->rank = t->rank;
        ts->role = j < p->inputs.n ? RT_ROLE_INPUT : j < nargs ? RT_ROLE_OUTPUT : RT_ROLE_SCRATCH;
        for (int k = 0; k < t->rank; k++)
            if (!to_rtlin(t->extent[k], &ts->extent[k])) { diag_error(d, t->span, "the shape of '%s' is too complex for the cpu target", t->name); return NULL; }
        if (t->kind == TK_INPUT && t->has_vrange) {
            ts->has_range = to_rtlin(t->vlo, &ts->vlo) && to_rtlin(t->vhi, &ts->vhi);
        }
    }
    /* params struct layout (natural C alignment) */
    int nf = p->params.n + p->dims.n;
    b->field_offset = arena_alloc(a, (size_t)(nf + 1) * sizeof(int));
    int off = 0, align = 1;
    for (int i = 0; i < p->params.n; i++) {
        int sz = be_param_size(p->params.v[i].ty);
        off = (off + sz - 1) / sz * sz;
        b->field_offset[i] = off;
        off += sz;
        if (sz > align) align = sz;
        if (!p->params.v[i].has_default) b->has_required = true;
    }
    int32_t *dparam = arena_alloc(a, (size_t)(p->dims.n + 1) * sizeof(int32_t));
    for (int di = 0; di < p->dims.n; di++) {
        b->field_offset[p->params.n + di] = -1;
        if (!p->dims.v[di].is_param) continue;
        off = (off + 7) / 8 * 8;
        b->field_offset[p->params.n + di] = off;
        dparam[di] = off;
        off += 8;
        align = 8;
        b->has_required = true;
    }
    b->nfields = nf;
    b->params_size = (off + align - 1) / align * align;
    b->params_align = align;
    b->defaults = arena_alloc(a, (size_t)b->params_size + 8);
    for (int i = 0; i < p->params.n; i++) {
        const IrParam *pr = &p->params.v[i];
        unsigned char *f = b->defaults + b->field_offset[i];
        switch (pr->ty) {
        case TY_BOOL: case TY_U8: { uint8_t v = (uint8_t)pr->idef; memcpy(f, &v, 1); break; }
        case TY_I32: { int32_t v = (int32_t)pr->idef; memcpy(f, &v, 4); break; }
        case TY_I64: memcpy(f, &pr->idef, 8); break;
        case TY_F64: memcpy(f, &pr->fdef, 8); break;
        default: { float v = (float)pr->fdef; memcpy(f, &v, 4); break; }
        }
    }
    /* dims: read off the first argument axis of the form D + c */
    int32_t *dt = arena_alloc(a, (size_t)(p->dims.n + 1) * sizeof(int32_t));
    int32_t *da = arena_alloc(a, (size_t)(p->dims.n + 1) * sizeof(int32_t));
    int64_t *dofs = arena_alloc(a, (size_t)(p->dims.n + 1) * sizeof(int64_t));
    const char **dn = arena_alloc(a, (size_t)(p->dims.n + 1) * sizeof(char *));
    for (int di = 0; di < p->dims.n; di++) {
        dn[di] = p->dims.v[di].name;
        dt[di] = -1;
        for (int j = 0; j < p->inputs.n && dt[di] < 0; j++) {
            const IrTensor *t = p->tensors.v[p->inputs.v[j]];
            for (int k = 0; k < t->rank && dt[di] < 0; k++) {
                Lin e = t->extent[k];
                if (e.n == 1 && e.k[0] == 1 && e.atom[0] == LIN_ATOM(LIN_DIM, di)) { dt[di] = j; da[di] = k; dofs[di] = e.c; }
            }
        }
    }
    b->kernels = arena_alloc(a, (size_t)(kp->kernels.n + 1) * sizeof(RtKernelSpec));
    for (int k = 0; k < kp->kernels.n; k++) {
        const KirKernel *kk = kp->kernels.v[k];
        RtKernelSpec *ks = &b->kernels[k];
        if (kk->host >= 0) {
            int nh = kk->nhost_in + kk->nhost_out;
            int32_t *ts = arena_alloc(a, (size_t)(nh + 1) * sizeof(int32_t));
            for (int q = 0; q < kk->nhost_in; q++) ts[q] = b->index[kk->host_in[q]];
            for (int q = 0; q < kk->nhost_out; q++) ts[kk->nhost_in + q] = b->index[kk->host_out[q]];
            ks->nhost = nh;
            ks->host_tensors = ts;
            ks->host_name = kp->m->externs.v[kk->host]->name;
            if (nh > 16) { diag_error(d, p->span, "extern '%s' takes more than 16 tensors", ks->host_name); return NULL; }
            continue;
        }
        ks->parallel = kk->par_axis >= 0;
        ks->grain = kk->grain;
        ks->align = kk->scan_axis >= 0 && kk->par_axis >= 0 ? 16 : 0;
        int inner = be_inner_axis(kp, kk);
        if (inner >= 0) {
            ks->unit = be_scan_unit(b, kk);
            ks->unit_axis = inner;
            int outer = inner == 0 ? 1 : 0;
            to_rtlin(kk->extent[outer], &ks->inner_extent);
            Lin w = lin_const(1);
            for (int ax = 0; ax < kk->rank; ax++) {
                if (ax == outer) continue;
                Lin e = kk->extent[ax];
                if (lin_is_const(w) && w.c == 1) w = e;
                else if (lin_is_const(e)) w = lin_scale(w, e.c);
                else w = lin_const(kk->grain);
            }
            if (!to_rtlin(w, &ks->inner_work)) to_rtlin(lin_const(kk->grain), &ks->inner_work);
        }
        if (ks->parallel) {
            to_rtlin(kk->extent[kk->par_axis], &ks->par_extent);
            /* elements per par iteration: the product of the other extents,
             * when it is a single dim or constant; else assume a large row */
            Lin w = lin_const(1);
            for (int ax = 0; ax < kk->rank; ax++) {
                if (ax == kk->par_axis) continue;
                Lin e = kk->extent[ax];
                if (lin_is_const(w) && w.c == 1) w = e;
                else if (lin_is_const(e)) w = lin_scale(w, e.c);
                else if (lin_is_const(w)) w = lin_scale(e, w.c);
                else { w = lin_const(kk->grain); break; }
            }
            if (!to_rtlin(w, &ks->work)) to_rtlin(lin_const(kk->grain), &ks->work);
        }
    }
    RtPlan *pl = &b->plan;
    pl->name = p->name;
    pl->ndims = p->dims.n;
    pl->dim_names = dn;
    pl->dim_tensor = dt;
    pl->dim_axis = da;
    pl->dim_offset = dofs;
    pl->dim_param_offset = dparam;
    pl->ntensors = n;
    pl->nargs = nargs;
    pl->tensors = b->tensors;
    pl->nkernels = kp->kernels.n;
    pl->kernels = b->kernels;
    return b;
}
