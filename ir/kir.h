/* ir/kir.h: the kernel IR, the only input of the backends.
 *
 * A pipeline becomes a sequence of kernels run in order. A kernel is a loop
 * nest over a domain (one axis per extent) that computes one or more
 * materialised tensors at every point, in order ("stores"). A store of a
 * tensor of lower rank r (an "outer" store, such as a group's mean ahead of
 * the group's elements) is computed once per point of the first r axes,
 * before the inner loops; such kernels have no scan and keep their axes in
 * order, so those r axes are the outermost loops. Store values are
 * IR expressions whose index variables 0..rank-1 are the domain axes (higher
 * slots belong to reductions inside the value); every read names a
 * materialised tensor (an input, an output or a scratch buffer). Reads of a
 * recurrence past its extent fall back to its boundary definitions, so no
 * tensor needs padding cells. Schedule fields say how the nest runs:
 *   order      loop order, outer to inner (the scan axis first when any)
 *   scan_axis  the axis carried by a recurrence, run in scan_dir order
 *   par_axis   the axis split into chunks across threads (-1: one thread)
 *   vec_axis   the innermost axis, the one the backend vectorises
 * Produced by passes/fuse.c and passes/schedule.c; printed by
 * `rlfc emit --kernels`; consumed by backends/llvm (and later backends/cuda).
 */
#ifndef RLF_KIR_H
#define RLF_KIR_H
#include "ir.h"

/* accum: the tensor is carried along the kernel's scan: its axes are the
 * kernel's other axes, in order (so its rank is one less); it is zero before
 * the first step of the scan and, at each point, takes the store's value,
 * which may read the carried values (its own and those of the accumulators
 * stored before it, already updated at this point). Column sums of a scan's
 * results, such as whitening's statistics of GAE's advantages, run inside
 * the scan kernel this way. Only kernels of rank 2 carry accumulators. */
typedef struct {
    int tensor;
    IrExpr *value;
    bool accum;
} KirStore;

typedef struct {
    const char *name;
    int rank;
    Lin extent[IR_MAX_RANK];
    int nslots;
    VEC(KirStore) stores;
    int scan_axis, scan_dir;
    int order[IR_MAX_RANK];
    int par_axis;
    int vec_axis;
    int64_t grain;               /* par_axis iterations per task, at least */
    bool segmented;              /* one store, a segmented reduction (ir/segment.h): the
                                    backend runs it as one pass over its variable */
    int host;                    /* >= 0: not a loop nest but a call of extern `host`
                                    (module extern index) with whole tensors */
    int nhost_in, nhost_out;
    int *host_in, *host_out;     /* IR tensor ids */
} KirKernel;

typedef enum { KB_INPUT, KB_OUTPUT, KB_SCRATCH, KB_INLINE } KirBufKind;

/* the value of tensor `tensor` at a cell past its extent on `axis`: cell
 * c >= 0 is index extent + c, c < 0 is index c; the value's index
 * variables are axis_slot[k] for the other axes */
typedef struct {
    int tensor, axis;
    int64_t cell;
    int axis_slot[IR_MAX_RANK];
    int nslots;
    IrExpr *value;
} KirBound;

typedef struct {
    const IrModule *m;
    const IrPipeline *p;
    KirBufKind *buf;              /* per IR tensor */
    VEC(KirKernel *) kernels;
    VEC(KirBound) bounds;
} KirPipeline;

void kir_print(const KirPipeline *k, FILE *out);
/* is e a read of the point's own row at scan offset off (its subscript on
 * the scan axis i_scan + off, every other one the point's axis variable)? */
bool kir_row_read(const KirKernel *k, const IrExpr *e, int64_t off);
/* the scan offset of the previous step: +1 for a reverse scan, else -1 */
static inline int64_t kir_prev_step(const KirKernel *k) { return k->scan_dir < 0 ? 1 : -1; }

#endif
