/* backends/plan.h: what every backend derives from a scheduled pipeline:
 * the runtime plan (runtime/rt_plan.h) — tensor table, dim binding, kernel
 * table — and the layout of the params struct of the C ABI. Built once in
 * memory; the JIT uses it directly, the AOT writer prints it as C.
 * Tests: tests/aot/, tests/run/ on cpu. */
#ifndef RLF_BE_PLAN_H
#define RLF_BE_PLAN_H
#include "../ir/kir.h"
#include "rt_plan.h"

typedef struct {
    const KirPipeline *kp;
    RtPlan plan;
    RtTensorSpec *tensors;
    RtKernelSpec *kernels;
    int *index;                   /* IR tensor id -> plan tensor, -1 when inlined */
    int *tensor_of;               /* plan tensor -> IR tensor id */
    int ntensors;
    /* the params struct: scalar params in order, then dim params (int64) */
    int nfields;
    int *field_offset;            /* per scalar param, then per dim param */
    int params_size, params_align;
    unsigned char *defaults;      /* params_size bytes: the defaults */
    bool has_required;            /* a parameter without default: NULL params is an error */
} BePlan;

BePlan *be_plan_build(Arena *a, const KirPipeline *kp, DiagCtx *d);
/* the axis a kernel's inner variant runs innermost, or -1 when it has none:
 * the scan axis of a scan (batch-major layouts), axis 0 of other kernels of
 * rank >= 2 (transposed layouts, where axis 0 is the contiguous one) */
int be_inner_axis(const KirPipeline *kp, const KirKernel *k);
uint64_t be_scan_unit(const BePlan *b, const KirKernel *k);
/* the C type of a param field in the ABI struct */
const char *be_param_ctype(IrType t);
int be_param_size(IrType t);
/* name used for a tensor in generated code (a valid C identifier) */
const char *be_c_ident(Arena *a, const char *name);

#endif
