/* runtime/rt_plan.c: checking a call's arguments against a plan and running
 * its kernels (see rt_plan.h). Every check happens before the first kernel
 * runs, so a failing call writes nothing; sizes go through rt_checked.h.
 * Tests: tests/aot/test_abi.c (the checks), tests/concurrent/,
 * tests/run/ on the cpu target. */
#include "rt_plan.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt_checked.h"
#include "rt_dtype.h"

static int fail(rlf_error *err, int code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* the one evaluator of an affine form over dims: false on overflow */
static bool eval(const RtLin *l, const int64_t *dims, int64_t *out)
{
    int64_t v = l->c;
    for (int i = 0; i < l->n; i++) {
        int64_t t;
        if (!rt_mul(l->k[i], dims[l->dim[i]], &t) || !rt_add(v, t, &v)) return false;
    }
    *out = v;
    return true;
}

static bool dtype_matches(DLDataType d, int32_t want)
{
    if (d.lanes != 1) return false;
    switch (want) {
    case RT_BOOL: return (d.code == RLF_DL_BOOL || d.code == kDLUInt) && d.bits == 8;
    case RT_U8: return d.code == kDLUInt && d.bits == 8;
    case RT_I32: return d.code == kDLInt && d.bits == 32;
    case RT_I64: return d.code == kDLInt && d.bits == 64;
    case RT_F16: return d.code == kDLFloat && d.bits == 16;
    case RT_BF16: return d.code == kDLBfloat && d.bits == 16;
    case RT_F32: return d.code == kDLFloat && d.bits == 32;
    case RT_F64: return d.code == kDLFloat && d.bits == 64;
    default: return false;
    }
}

static const char *dl_name(DLDataType d, char *buf, size_t n)
{
    static const char *codes[] = { "int", "uint", "float", "handle", "bfloat", "complex", "bool" };
    snprintf(buf, n, "%s%u%s", d.code < 7 ? codes[d.code] : "?", d.bits, d.lanes != 1 ? "xN" : "");
    return buf;
}

static void shape_text(const int64_t *shape, int rank, char *buf, size_t n)
{
    int p = snprintf(buf, n, "[");
    for (int k = 0; k < rank && p < (int)n; k++) p += snprintf(buf + p, n - (size_t)p, "%s%lld", k ? ", " : "", (long long)shape[k]);
    if (p < (int)n) snprintf(buf + p, n - (size_t)p, "]");
}

static int64_t elem_int(const void *base, int32_t dtype, int64_t off)
{
    switch (dtype) {
    case RT_BOOL: case RT_U8: return ((const uint8_t *)base)[off];
    case RT_I32: return ((const int32_t *)base)[off];
    case RT_I64: return ((const int64_t *)base)[off];
    default: return 0;
    }
}

/* visits every element offset of a strided tensor */
static int check_range(const RtTensorSpec *ts, const DLTensor *t, const void *base, const int64_t *st, int64_t lo, int64_t hi, rlf_error *err)
{
    int64_t idx[RT_MAX_RANK_PLAN] = { 0 };
    int rank = ts->rank;
    for (int k = 0; k < rank; k++) if (t->shape[k] == 0) return 0;
    for (;;) {
        int64_t off = 0;
        for (int k = 0; k < rank; k++) off += idx[k] * st[k];
        int64_t v = elem_int(base, ts->dtype, off);
        if (v < lo || v >= hi) {
            char where[160];
            shape_text(idx, rank, where, sizeof where);
            return fail(err, RLF_E_RANGE, "argument '%s': value %lld at %s is outside its declared range %lld..%lld (exclusive)",
                        ts->name, (long long)v, where, (long long)lo, (long long)hi);
        }
        int k = rank - 1;
        for (; k >= 0; k--) { if (++idx[k] < t->shape[k]) break; idx[k] = 0; }
        if (k < 0) return 0;
    }
}

typedef struct { const RtKernelSpec *ks; RtKernelFn fn; const RtFrame *frame; int64_t n, per_task; } Job;

static void run_task(void *ctx, int64_t i)
{
    Job *j = ctx;
    int64_t lo = i * j->per_task;                 /* < n: i < ceil(n / per) */
    int64_t hi = j->n - lo < j->per_task ? j->n : lo + j->per_task;
    j->fn(j->frame, lo, hi);
}

/* the axis order (outermost first) of the first argument of this rank that
 * is not C-contiguous, by decreasing stride (ties: C order); C order if none */
static void layout_order(const RtPlan *plan, const DLTensor *const *args, int rank, int *order)
{
    for (int k = 0; k < rank; k++) order[k] = k;
    for (int i = 0; i < plan->nargs && rank >= 2; i++) {
        const DLTensor *t = args[i];
        if (t->ndim != rank || !t->strides) continue;
        bool c = true;
        int64_t s = 1;
        for (int k = rank - 1; k >= 0; k--) {
            if (t->strides[k] != s && t->shape[k] != 1) c = false;
            if (!rt_mul(s, t->shape[k], &s)) s = INT64_MAX;     /* only with a zero extent */
        }
        if (c) continue;
        for (int a = 1; a < rank; a++)              /* insertion sort, stable */
            for (int b = a; b > 0 && t->strides[order[b]] > t->strides[order[b - 1]]; b--) {
                int x = order[b]; order[b] = order[b - 1]; order[b - 1] = x;
            }
        return;
    }
}

/* Scratch memory is kept per calling thread between calls, so a pipeline
 * called at every training step allocates (and faults in) its scratch
 * tensors once. A nested call on the same thread (an extern that calls a
 * pipeline) gets a block of its own. The cache holds the largest block a
 * thread has used until the thread exits, when the destructor of
 * scratch_key frees it (tests/concurrent/ calls from threads that exit). */
static _Thread_local struct { char *p; size_t n; bool busy; } scratch_cache;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static bool scratch_key_ok;

static void scratch_key_init(void) { scratch_key_ok = pthread_key_create(&scratch_key, free) == 0; }

static char *scratch_get(size_t n, bool *own)
{
    if (scratch_cache.busy) { *own = true; return aligned_alloc(64, n); }
    if (n > scratch_cache.n) {
        pthread_once(&scratch_once, scratch_key_init);
        free(scratch_cache.p);
        scratch_cache.p = aligned_alloc(64, n);
        scratch_cache.n = scratch_cache.p ? n : 0;
        if (scratch_key_ok) pthread_setspecific(scratch_key, scratch_cache.p);
    }
    scratch_cache.busy = scratch_cache.p != NULL;
    *own = false;
    return scratch_cache.p;
}

static void scratch_put(char *p, bool own)
{
    if (own) free(p);
    else if (p) scratch_cache.busy = false;
}

/* The bytes a strided tensor can touch: [lo, hi) from data + byte_offset,
 * its extents and strides (negative strides reach below the start). A
 * tensor with no elements touches nothing (lo == hi). False when an offset
 * or address does not fit in 64 bits. */
typedef struct { uintptr_t lo, hi; } Span;

static bool byte_span(const DLTensor *t, const int64_t *st, int64_t count, size_t esize, Span *out)
{
    uintptr_t start = (uintptr_t)t->data;
    if (__builtin_add_overflow(start, t->byte_offset, &start)) return false;
    if (count == 0) { out->lo = out->hi = start; return true; }
    int64_t neg = 0, pos = 0;                     /* element offsets of the lowest and highest element */
    for (int k = 0; k < t->ndim; k++) {
        int64_t reach;
        if (!rt_mul(t->shape[k] - 1, st[k], &reach)) return false;
        if (!rt_add(reach < 0 ? neg : pos, reach, reach < 0 ? &neg : &pos)) return false;
    }
    int64_t nbytes, pbytes;
    if (!rt_mul(neg, (int64_t)esize, &nbytes) || !rt_mul(pos, (int64_t)esize, &pbytes) || !rt_add(pbytes, (int64_t)esize, &pbytes)) return false;
    /* nbytes <= 0 < pbytes */
    if ((uintptr_t)0 - (uintptr_t)nbytes > start) return false;
    out->lo = start - ((uintptr_t)0 - (uintptr_t)nbytes);
    return !__builtin_add_overflow(start, (uintptr_t)pbytes, &out->hi);
}

/* Everything about the arguments that can be wrong, checked before any
 * kernel runs: fills dims, each tensor's first element and strides (in
 * elements), and whether every argument is C-contiguous. */
static int check_args(const RtPlan *plan, const DLTensor *const *args, const void *params, int64_t *dims, void **base, int64_t *strides,
                      bool *contiguous, rlf_error *err)
{
    int nt = plan->ntensors;
    char b1[64], b2[160], b3[160];
    int64_t count[64];
    for (int i = 0; i < plan->nargs; i++) {
        const RtTensorSpec *ts = &plan->tensors[i];
        const DLTensor *t = args[i];
        if (!t) return fail(err, RLF_E_ARG, "argument '%s' is NULL", ts->name);
        if (t->device.device_type != kDLCPU && t->device.device_type != kDLCUDAHost)
            return fail(err, RLF_E_ARG, "argument '%s' is not in CPU memory (device type %d)", ts->name, (int)t->device.device_type);
        if (!dtype_matches(t->dtype, ts->dtype))
            return fail(err, RLF_E_DTYPE, "argument '%s': expected %s, got %s", ts->name, rt_dtype_name(ts->dtype), dl_name(t->dtype, b1, sizeof b1));
        if (t->ndim != ts->rank) return fail(err, RLF_E_SHAPE, "argument '%s': expected rank %d, got %d", ts->name, ts->rank, t->ndim);
        if (!t->shape && ts->rank > 0) return fail(err, RLF_E_ARG, "argument '%s' has no shape (NULL) for rank %d", ts->name, ts->rank);
        for (int k = 0; k < ts->rank; k++)
            if (t->shape[k] < 0) {
                shape_text(t->shape, t->ndim, b3, sizeof b3);
                return fail(err, RLF_E_SHAPE, "argument '%s': shape %s has a negative extent (axis %d)", ts->name, b3, k + 1);
            }
        if (!rt_count(t->shape, ts->rank, &count[i])) {
            shape_text(t->shape, t->ndim, b3, sizeof b3);
            return fail(err, RLF_E_ARG, "argument '%s': shape %s has more elements than fit in 64 bits", ts->name, b3);
        }
        if (!t->data && count[i] > 0)
            return fail(err, RLF_E_ARG, "argument '%s' has no data (NULL) but %lld element%s", ts->name, (long long)count[i], count[i] == 1 ? "" : "s");
    }
    for (int d = 0; d < plan->ndims; d++) {
        if (plan->dim_tensor[d] < 0) {
            if (!params) return fail(err, RLF_E_ARG, "dimension '%s' is a parameter, but no params were given", plan->dim_names[d]);
            memcpy(&dims[d], (const char *)params + plan->dim_param_offset[d], sizeof(int64_t));
        } else if (!rt_add(args[plan->dim_tensor[d]]->shape[plan->dim_axis[d]], -plan->dim_offset[d], &dims[d]))
            return fail(err, RLF_E_ARG, "dimension '%s' overflows 64 bits", plan->dim_names[d]);
        if (dims[d] < 1 || dims[d] > RLF_DIM_MAX)
            return fail(err, RLF_E_SHAPE, "dimension '%s' = %lld%s%s; every dimension must be at least 1 and at most 2^48", plan->dim_names[d], (long long)dims[d],
                        plan->dim_tensor[d] >= 0 ? " from argument " : "", plan->dim_tensor[d] >= 0 ? plan->tensors[plan->dim_tensor[d]].name : "");
    }
    Span span[64];
    *contiguous = true;
    for (int i = 0; i < nt; i++) {
        const RtTensorSpec *ts = &plan->tensors[i];
        int64_t *st = &strides[i * RT_MAX_RANK_PLAN];
        int64_t shape[RT_MAX_RANK_PLAN];
        for (int k = 0; k < ts->rank; k++) {
            if (!eval(&ts->extent[k], dims, &shape[k])) return fail(err, RLF_E_ARG, "the shape of '%s' overflows 64 bits (axis %d)", ts->name, k + 1);
            if (shape[k] < 0) return fail(err, RLF_E_SHAPE, "the shape of '%s' is negative (%lld, axis %d) for these dims", ts->name, (long long)shape[k], k + 1);
        }
        if (i < plan->nargs) {
            const DLTensor *t = args[i];
            for (int k = 0; k < ts->rank; k++)
                if (shape[k] != t->shape[k]) {
                    shape_text(shape, ts->rank, b2, sizeof b2);
                    shape_text(t->shape, t->ndim, b3, sizeof b3);
                    return fail(err, RLF_E_SHAPE, "argument '%s': expected shape %s, got %s (axis %d)", ts->name, b2, b3, k + 1);
                }
            int64_t s = 1;
            for (int k = ts->rank - 1; k >= 0; k--) {
                st[k] = t->strides ? t->strides[k] : s;
                if (st[k] != s && shape[k] != 1) *contiguous = false;
                if (!rt_mul(s, shape[k], &s)) s = INT64_MAX;     /* only with a zero extent: nothing is read */
            }
            if (ts->role == RT_ROLE_OUTPUT && count[i] > 1)
                for (int k = 0; k < ts->rank; k++)
                    if (st[k] == 0 && shape[k] > 1)
                        return fail(err, RLF_E_ARG, "output '%s' has stride 0 on axis %d (extent %lld): its elements would overlap", ts->name, k + 1,
                                    (long long)shape[k]);
            if (!byte_span(t, st, count[i], rt_dtype_size(ts->dtype), &span[i]))
                return fail(err, RLF_E_ARG, "argument '%s': its strides and offset reach beyond the 64-bit address space", ts->name);
            base[i] = (char *)t->data + t->byte_offset;
        } else {
            /* scratch: in the axis order of the arguments of its rank, so
             * that kernels see one layout (batch-major in, batch-major
             * scratch); its size is checked with the scratch block */
            int order[RT_MAX_RANK_PLAN];
            layout_order(plan, args, ts->rank, order);
            int64_t s = 1;
            for (int k = ts->rank - 1; k >= 0; k--) {
                st[order[k]] = s;
                if (!rt_mul(s, shape[order[k]], &s)) return fail(err, RLF_E_NOMEM, "scratch tensor '%s' has more elements than fit in 64 bits", ts->name);
            }
            base[i] = NULL;
        }
    }
    /* outputs are written while inputs are read: no output may share a
     * byte with another argument (inputs may share with each other); the
     * arguments before an output are the inputs and the earlier outputs */
    for (int i = 0; i < plan->nargs; i++) {
        if (plan->tensors[i].role != RT_ROLE_OUTPUT || span[i].lo == span[i].hi) continue;
        for (int j = 0; j < i; j++) {
            if (span[j].lo == span[j].hi) continue;
            if (span[i].lo < span[j].hi && span[j].lo < span[i].hi)
                return fail(err, RLF_E_ARG, "output '%s' overlaps %s '%s' in memory", plan->tensors[i].name,
                            plan->tensors[j].role == RT_ROLE_OUTPUT ? "output" : "input", plan->tensors[j].name);
        }
    }
    for (int i = 0; i < plan->nargs; i++) {
        const RtTensorSpec *ts = &plan->tensors[i];
        if (!ts->has_range) continue;
        int64_t lo, hi;
        if (!eval(&ts->vlo, dims, &lo) || !eval(&ts->vhi, dims, &hi))
            return fail(err, RLF_E_ARG, "argument '%s': the bounds of its declared range overflow 64 bits for these dims", ts->name);
        int rc = check_range(ts, args[i], base[i], &strides[i * RT_MAX_RANK_PLAN], lo, hi, err);
        if (rc) return rc;
    }
    /* the kernels' iteration counts, so that no kernel starts on sizes
     * that a later one cannot represent */
    for (int k = 0; k < plan->nkernels; k++) {
        const RtKernelSpec *ks = &plan->kernels[k];
        int64_t v;
        if (ks->host) continue;
        if (!eval(&ks->par_extent, dims, &v) || !eval(&ks->work, dims, &v) || !eval(&ks->inner_extent, dims, &v) || !eval(&ks->inner_work, dims, &v))
            return fail(err, RLF_E_ARG, "pipeline '%s': the iteration space of kernel %d overflows 64 bits for these dims", plan->name, k);
    }
    return 0;
}

int rt_plan_run(const RtPlan *plan, const DLTensor *const *args, const void *params, rlf_error *err)
{
    if (err) { err->code = 0; err->message[0] = 0; }
    int nt = plan->ntensors;
    int64_t dims[64];
    void *base[64];
    int64_t strides[64 * RT_MAX_RANK_PLAN];
    bool contiguous = true;
    if (plan->ndims > 64 || nt > 64) return fail(err, RLF_E_ARG, "pipeline '%s' is too large for this runtime", plan->name);
    char threads[200];
    if (rt_threads_env_error(threads, sizeof threads)) return fail(err, RLF_E_ARG, "%s", threads);
    int rc = check_args(plan, args, params, dims, base, strides, &contiguous, err);
    if (rc) return rc;
    /* scratch buffers: one block, each tensor cache-line aligned (threads
     * own disjoint slices, such as columns of a scan's accumulators, which
     * then share no line) */
    size_t off[64], total = 0;
    for (int i = plan->nargs; i < nt; i++) {
        const RtTensorSpec *ts = &plan->tensors[i];
        int64_t shape[RT_MAX_RANK_PLAN], n;
        for (int k = 0; k < ts->rank; k++) eval(&ts->extent[k], dims, &shape[k]);    /* checked in check_args */
        size_t bytes;
        if (!rt_count(shape, ts->rank, &n) || !rt_mul_size((size_t)(n ? n : 1), rt_dtype_size(ts->dtype), &bytes) || !rt_add_size(bytes, 63, &bytes))
            return fail(err, RLF_E_NOMEM, "scratch tensor '%s' needs more bytes than fit in 64 bits", ts->name);
        off[i] = total;
        if (!rt_add_size(total, bytes / 64 * 64, &total)) return fail(err, RLF_E_NOMEM, "the scratch tensors of '%s' need more bytes than fit in 64 bits", plan->name);
    }
    bool own = false;
    char *block = nt > plan->nargs ? scratch_get(total, &own) : NULL;
    if (nt > plan->nargs && !block) rc = fail(err, RLF_E_NOMEM, "out of memory for %zu bytes of scratch tensors", total);
    for (int i = plan->nargs; i < nt && !rc; i++) base[i] = block + off[i];
    if (!rc) {
        RtFrame frame = { dims, base, strides, params };
        for (int k = 0; k < plan->nkernels; k++) {
            const RtKernelSpec *ks = &plan->kernels[k];
            if (ks->host) {
                /* DLTensor views of the tensors the host function takes */
                DLTensor views[16];
                const DLTensor *vp[16];
                int64_t shapes[16][RT_MAX_RANK_PLAN];
                int nh = ks->nhost < 16 ? ks->nhost : 16;
                static const DLDataType dl[] = {
                    [RT_BOOL] = { RLF_DL_BOOL, 8, 1 }, [RT_U8] = { kDLUInt, 8, 1 }, [RT_I32] = { kDLInt, 32, 1 }, [RT_I64] = { kDLInt, 64, 1 },
                    [RT_F16] = { kDLFloat, 16, 1 }, [RT_BF16] = { kDLBfloat, 16, 1 }, [RT_F32] = { kDLFloat, 32, 1 }, [RT_F64] = { kDLFloat, 64, 1 } };
                for (int q = 0; q < nh; q++) {
                    int ti = ks->host_tensors[q];
                    const RtTensorSpec *ts = &plan->tensors[ti];
                    for (int ax = 0; ax < ts->rank; ax++) eval(&ts->extent[ax], dims, &shapes[q][ax]);
                    views[q] = (DLTensor){ base[ti], { kDLCPU, 0 }, ts->rank, dl[ts->dtype], shapes[q], &strides[ti * RT_MAX_RANK_PLAN], 0 };
                    vp[q] = &views[q];
                }
                rlf_error herr = { 0, "" };
                int hr = ks->host(vp, &herr);
                if (hr != 0) {
                    rc = fail(err, hr > 0 ? hr : RLF_E_ARG, "extern '%s' failed (%d): %s", ks->host_name, hr, herr.message);
                    break;
                }
                continue;
            }
            bool inner = !contiguous && ks->unit;
            for (int i = 0; inner && i < nt; i++)
                if ((ks->unit >> i & 1) && strides[i * RT_MAX_RANK_PLAN + ks->unit_axis] != 1) inner = false;
            RtKernelFn fn = contiguous ? ks->contig : __atomic_load_n(inner ? &ks->scan_inner : &ks->strided, __ATOMIC_ACQUIRE);
            if (!fn && plan->resolve) fn = plan->resolve(plan->resolve_ctx, k, inner ? 2 : 1);
            if (!fn) {
                rc = fail(err, RLF_E_INTERNAL, "pipeline '%s': no code for kernel %d in this layout", plan->name, k);
                break;
            }
            if (!ks->parallel) { fn(&frame, 0, 1); continue; }
            int64_t n = 0, work = 1, total_work;
            eval(inner ? &ks->inner_extent : &ks->par_extent, dims, &n);      /* checked in check_args */
            eval(inner ? &ks->inner_work : &ks->work, dims, &work);
            if (work < 1) work = 1;
            if (!rt_mul(n, work, &total_work)) total_work = INT64_MAX;          /* only compared with the grain */
            int64_t per = ks->grain / work;
            if (per < 1) per = 1;
            /* split into at least as many tasks as threads when the work allows */
            int th = rlf_num_threads();
            if (n / per < th && total_work >= 2 * ks->grain) per = n / th + (n % th != 0);
            if (ks->align > 0 && !inner) {
                int64_t tasks = n / ks->align + (n % ks->align != 0);
                if (tasks > th) tasks = th;
                if (total_work < 2 * ks->grain) tasks = 1;
                if (tasks < 1) tasks = 1;
                per = n / tasks + (n % tasks != 0);
                if (per > INT64_MAX - ks->align) per = INT64_MAX - ks->align;
                per = (per + ks->align - 1) / ks->align * ks->align;
            }
            if (per < 1) per = 1;
            Job j = { ks, fn, &frame, n, per };
            rt_parallel(n / per + (n % per != 0), run_task, &j);
        }
    }
    scratch_put(block, own);
    return rc;
}
