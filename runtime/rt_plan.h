/* runtime/rt_plan.h: what a compiled pipeline hands the runtime: a table of
 * its tensors (arguments, then scratch buffers) with their dtypes and shapes
 * as affine forms over dims, how each dim is read off the arguments, and its
 * kernels in order. rt_plan_run checks every argument, binds dims, allocates
 * scratch, and runs the kernels on the thread pool; on any error nothing is
 * written. Produced by backends/llvm (in memory for JIT, as C for AOT).
 * Tests: tests/aot/, tests/run/ on the cpu target. */
#ifndef RLF_RT_PLAN_H
#define RLF_RT_PLAN_H
#include <stddef.h>
#include "rlf.h"

#define RT_LIN_MAX 4
#define RT_MAX_RANK_PLAN 8

typedef struct { int64_t c; int32_t n; int32_t dim[RT_LIN_MAX]; int64_t k[RT_LIN_MAX]; } RtLin;

enum { RT_ROLE_INPUT = 0, RT_ROLE_OUTPUT = 1, RT_ROLE_SCRATCH = 2 };

typedef struct {
    const char *name;
    int32_t dtype;                /* RtDtype */
    int32_t rank;
    int32_t role;
    RtLin extent[RT_MAX_RANK_PLAN];
    int32_t has_range;            /* inputs declared `in lo..hi` */
    RtLin vlo, vhi;
} RtTensorSpec;

/* what a kernel sees: dims, each tensor's first element and its strides (in
 * elements, RT_MAX_RANK_PLAN per tensor), and the params struct */
typedef struct {
    const int64_t *dims;
    void *const *base;
    const int64_t *strides;
    const void *params;
} RtFrame;

typedef void (*RtKernelFn)(const RtFrame *f, int64_t lo, int64_t hi);
/* a call of a host function (an extern) with whole tensors: a trampoline
 * that passes args[0..n) to the user's int NAME(DLTensor *..., rlf_error *) */
typedef int (*RtHostFn)(const DLTensor *const *args, rlf_error *err);

typedef struct {
    RtKernelFn contig;            /* every tensor C-contiguous */
    RtKernelFn strided;           /* any strides */
    int32_t parallel;             /* split [0, par_extent) across threads */
    RtLin par_extent;
    RtLin work;                   /* elements per par iteration (for the task size) */
    int64_t grain;                /* elements per task, at least */
    int64_t align;                /* > 0: one task per thread, chunks a multiple of this
                                     (scans split their vector axis: keep rows long) */
    /* scans: a variant with the scan axis innermost, used when every plan
     * tensor in the bit set `unit` has stride 1 along `unit_axis` (a
     * batch-major layout: the code takes that stride as the constant 1); it
     * splits [0, inner_extent) across threads, inner_work elements per
     * iteration */
    RtKernelFn scan_inner;
    uint64_t unit;
    int32_t unit_axis;
    RtLin inner_extent, inner_work;
    /* a host step instead of a kernel: host != NULL */
    RtHostFn host;
    int32_t nhost;                /* tensors passed: inputs, then outputs */
    const int32_t *host_tensors;  /* plan tensor indices */
    const char *host_name;
} RtKernelSpec;

typedef struct {
    const char *name;
    int32_t ndims;
    const char *const *dim_names;
    const int32_t *dim_tensor;    /* per dim: the argument it is read from, or -1: a dim parameter */
    const int32_t *dim_axis;
    const int64_t *dim_offset;    /* dim = extent - offset */
    const int32_t *dim_param_offset;  /* dim parameters: byte offset of an int64 in params */
    int32_t ntensors, nargs;      /* arguments are tensors [0, nargs): inputs, then outputs */
    const RtTensorSpec *tensors;
    int32_t nkernels;
    const RtKernelSpec *kernels;
    /* JIT plans compile the strided and inner variants on first use: a NULL
     * kernel pointer is then asked of resolve (variant 1: strided, 2: inner),
     * which fills it in. Ahead-of-time plans have every pointer and no resolve. */
    RtKernelFn (*resolve)(void *ctx, int32_t kernel, int32_t variant);
    void *resolve_ctx;
} RtPlan;

int rt_plan_run(const RtPlan *plan, const DLTensor *const *args, const void *params, rlf_error *err);

/* true when RLF_NUM_THREADS cannot be used, with a message naming it and
 * its value in msg: rt_plan_run fails with it before anything else */
bool rt_threads_env_error(char *msg, size_t n);

/* the thread pool: runs fn(ctx, i) for i in [0, n), in any order, and waits */
void rt_parallel(int64_t n, void (*fn)(void *ctx, int64_t i), void *ctx);

#endif
