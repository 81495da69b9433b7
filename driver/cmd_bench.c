/* driver/cmd_bench.c: `rlfc bench`: times a compiled pipeline in-process on
 * random inputs of the given dims, in a time-major (C-contiguous) or
 * batch-major (rank-2 tensors stored transposed, so strided) layout, and
 * reports the median time, the bytes a single pass must move (every input
 * read once, every output written once), the achieved GB/s, and the ratio
 * to that floor at this machine's measured copy bandwidth.
 * Tests: tests/cli/ (group bench: the --dims checks, and a smoke run);
 * numbers belong in bench/ and docs/performance.md. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "driver.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return rng_state;
}
static double unif(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* bytes per second of a large memcpy (read + write counted) */
static double copy_bandwidth(void)
{
    size_t n = (size_t)256 << 20;
    char *a = malloc(n), *b = malloc(n);
    if (!a || !b) { free(a); free(b); return 0; }
    memset(a, 1, n);
    memset(b, 2, n);
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        double t0 = drv_now();
        memcpy(b, a, n);
        double t = drv_now() - t0;
        if (t < best) best = t;
        a[r] = b[n - 1 - (size_t)r];
    }
    free(a);
    free(b);
    return 2.0 * (double)n / best;
}

int drv_cmd_bench(Args *a, RlfCompilation *c)
{
    const IrPipeline *p = drv_entry(a, c);
    if (!p) return 1;
    if (a->target && strcmp(a->target, "cpu")) { fprintf(stderr, "rlfc: bench supports --target cpu\n"); return 1; }
    bool batch_major = a->layout && !strcmp(a->layout, "batch-major");
    if (a->layout && !batch_major && strcmp(a->layout, "time-major")) { fprintf(stderr, "rlfc: --layout is time-major or batch-major\n"); return 1; }
    /* dims from --dims T=2048,B=64; dim parameters too */
    const char **dtext = calloc((size_t)p->dims.n + 1, sizeof *dtext);
    char *dims = a->dims ? strdup(a->dims) : NULL;
    for (char *tok = dims ? strtok(dims, ",") : NULL; tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        int d = -1;
        if (!eq) { fprintf(stderr, "rlfc: --dims expects NAME=VALUE pairs separated by commas, got '%s'\n", tok); free(dims); free(dtext); return 1; }
        *eq = 0;
        for (int k = 0; k < p->dims.n; k++) if (!strcmp(p->dims.v[k].name, tok)) d = k;
        if (d < 0) { fprintf(stderr, "rlfc: --dims: '%s' is not a dimension of '%s'\n", tok, p->name); free(dims); free(dtext); return 1; }
        if (dtext[d]) { fprintf(stderr, "rlfc: --dims gives %s twice\n", tok); free(dims); free(dtext); return 1; }
        dtext[d] = eq + 1;
    }
    int rc = 1;
    int nin = p->inputs.n, nout = p->outputs.n;
    RtArray *ins = calloc((size_t)nin + 1, sizeof *ins), *outs = calloc((size_t)nout + 1, sizeof *outs);
    DLTensor *dl = calloc((size_t)(nin + nout) + 1, sizeof *dl);
    int64_t (*st)[RT_MAX_RANK] = calloc((size_t)(nin + nout) + 1, sizeof *st);
    const DLTensor **args = calloc((size_t)(nin + nout) + 1, sizeof *args);
    IrBinding b = { arena_alloc(c->arena, (size_t)(p->dims.n + 1) * sizeof(int64_t)), arena_alloc(c->arena, (size_t)(p->params.n + 1) * sizeof(RtVal)) };
    for (int d = 0; d < p->dims.n; d++) {
        if (!dtext[d]) { fprintf(stderr, "rlfc: --dims must give %s\n", p->dims.v[d].name); goto out; }
        char what[160];
        snprintf(what, sizeof what, "--dims %s", p->dims.v[d].name);
        if (!drv_parse_int(what, dtext[d], 1, INT64_MAX, &b.dims[d])) goto out;
    }
    for (int k = 0; k < p->params.n; k++) {
        if (!p->params.v[k].has_default) { fprintf(stderr, "rlfc: bench needs defaults for every parameter ('%s' has none)\n", p->params.v[k].name); goto out; }
        if (ty_is_float(p->params.v[k].ty)) b.params[k].f = p->params.v[k].fdef; else b.params[k].i = p->params.v[k].idef;
    }
    /* every size is known, and checked, before anything is allocated */
    uint64_t total = 0;
    for (int k = 0; k < nin + nout; k++) {
        const IrTensor *t = p->tensors.v[k < nin ? p->inputs.v[k] : p->outputs.v[k - nin]];
        if (!drv_tensor_shape(p, t, b.dims, k < nin ? &ins[k] : &outs[k - nin], &total)) goto out;
        if (total < UINT64_MAX - 64) total += 64;      /* the alignment below */
    }
    if (!drv_fits_memory("bench: the inputs and outputs", total)) goto out;
    double bytes = 0;
    for (int k = 0; k < nin + nout; k++) {
        const IrTensor *t = p->tensors.v[k < nin ? p->inputs.v[k] : p->outputs.v[k - nin]];
        RtArray *ar = k < nin ? &ins[k] : &outs[k - nin];
        int64_t n = rt_array_numel(ar);
        size_t es = rt_dtype_size(ar->dtype);
        /* 64-byte aligned, as PyTorch and NumPy allocate large tensors */
        ar->data = aligned_alloc(64, ((size_t)(n ? n : 1) * es + 63) / 64 * 64);
        if (!ar->data) { fprintf(stderr, "rlfc: out of memory\n"); goto out; }
        bytes += (double)n * (double)es;
        int64_t lo = 0, hi = 0;
        bool ranged = t->has_vrange && lin_eval(t->vlo, b.dims, NULL, &lo) && lin_eval(t->vhi, b.dims, NULL, &hi);
        for (int64_t i = 0; i < n; i++) {
            double u = unif();
            switch (ar->dtype) {
            case RT_BOOL: ((uint8_t *)ar->data)[i] = u < 0.02; break;
            case RT_U8: ((uint8_t *)ar->data)[i] = (uint8_t)(u * 256); break;
            case RT_I32: ((int32_t *)ar->data)[i] = ranged ? (int32_t)(lo + (int64_t)(u * (double)(hi - lo))) : (int32_t)(u * 100); break;
            case RT_I64: ((int64_t *)ar->data)[i] = ranged ? lo + (int64_t)(u * (double)(hi - lo)) : (int64_t)(u * 100); break;
            case RT_F64: ((double *)ar->data)[i] = u * 2 - 1; break;
            case RT_F32: ((float *)ar->data)[i] = (float)(u * 2 - 1); break;
            default: ((uint16_t *)ar->data)[i] = 0x3c00; break;
            }
        }
        /* batch-major: a rank-2 [T, B] tensor stored as [B, T] */
        int64_t s = 1;
        for (int ax = t->rank - 1; ax >= 0; ax--) { st[k][ax] = s; s *= ar->shape[ax]; }
        if (batch_major && t->rank == 2) { st[k][1] = ar->shape[0]; st[k][0] = 1; }
        dl[k] = (DLTensor){ ar->data, { kDLCPU, 0 }, ar->ndim, drv_dl_dtype[ar->dtype], ar->shape, st[k], 0 };
        args[k] = &dl[k];
    }
    LlvmJit *j;
    if (drv_compile_cpu(a, c, p, &j) != 0) goto out;
    const BePlan *bp = llvm_jit_plan(j);
    unsigned char *params = calloc((size_t)bp->params_size + 8, 1);
    drv_pack_params(p, bp, &b, params);
    rlf_error err;
    int reps = a->repeat > 0 ? a->repeat : 0;
    /* the first call compiles the layout's kernels if they are not the
     * contiguous ones (the JIT compiles those lazily); time the second */
    if (rt_plan_run(&bp->plan, args, params, &err) != 0) { fprintf(stderr, "rlfc: %s\n", err.message); free(params); llvm_jit_free(j); goto out; }
    double first = drv_now();
    rt_plan_run(&bp->plan, args, params, &err);
    double one = drv_now() - first;
    if (!reps) { reps = (int)(0.5 / (one > 1e-7 ? one : 1e-7)); reps = reps < 10 ? 10 : reps > 2000 ? 2000 : reps; }
    for (int w = 0; w < 3; w++) rt_plan_run(&bp->plan, args, params, &err);
    double *ts = calloc((size_t)reps, sizeof(double));
    for (int r = 0; r < reps; r++) {
        double t0 = drv_now();
        rt_plan_run(&bp->plan, args, params, &err);
        ts[r] = drv_now() - t0;
    }
    qsort(ts, (size_t)reps, sizeof(double), cmp_d);
    double med = ts[reps / 2], best = ts[0];
    double bw = copy_bandwidth();
    double floor_t = bw > 0 ? bytes / bw : 0;
    char dimstr[256];
    int q = 0;
    for (int d = 0; d < p->dims.n && q < (int)sizeof dimstr; d++)
        q += snprintf(dimstr + q, sizeof dimstr - (size_t)q, "%s%s=%lld", d ? ", " : "", p->dims.v[d].name, (long long)b.dims[d]);
    if (a->json)
        printf("{\"pipeline\": \"%s\", \"dims\": \"%s\", \"layout\": \"%s\", \"threads\": %d, \"kernels\": %d, \"repeats\": %d, "
               "\"median_s\": %.9g, \"best_s\": %.9g, \"bytes\": %.0f, \"gbps\": %.4g, \"copy_gbps\": %.4g, \"floor_ratio\": %.4g}\n",
               p->name, dimstr, batch_major ? "batch-major" : "time-major", rlf_num_threads(), bp->plan.nkernels, reps,
               med, best, bytes, bytes / med * 1e-9, bw * 1e-9, floor_t > 0 ? med / floor_t : 0);
    else
        printf("%s [%s] %s, %d thread%s, %d kernel%s: median %.4f ms (best %.4f, %d runs), %.2f MB moved, %.2f GB/s; "
               "copy bandwidth %.2f GB/s, %.2fx the floor\n",
               p->name, dimstr, batch_major ? "batch-major" : "time-major", rlf_num_threads(), rlf_num_threads() == 1 ? "" : "s",
               bp->plan.nkernels, bp->plan.nkernels == 1 ? "" : "s", med * 1e3, best * 1e3, reps, bytes * 1e-6, bytes / med * 1e-9,
               bw * 1e-9, floor_t > 0 ? med / floor_t : 0);
    free(ts);
    free(params);
    llvm_jit_free(j);
    rc = 0;
out:
    for (int k = 0; k < nin; k++) free(ins[k].data);
    for (int k = 0; k < nout; k++) free(outs[k].data);
    free(ins); free(outs); free(dl); free(st); free(args); free(dtext); free(dims);
    return rc;
}
