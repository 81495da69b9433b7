/* ir/segment.h: recognising segmented reductions,
 *     mu[g] = op(body(n) for n where key(n) == g [and rest(n)])
 * where neither key, body nor rest depends on g. Evaluated naively this is
 * O(N * G); as one pass over n that accumulates into slot key(n) it is
 * O(N + G). The interpreter and the fuse pass both use it (the CPU backend
 * emits the one-pass loop). Tests: tests/run/segmean.rlf, std_baselines
 * (grpo_ragged), tests/run/segment_ops.rlf. */
#ifndef RLF_SEGMENT_H
#define RLF_SEGMENT_H
#include "ir.h"

typedef struct {
    const IrExpr *reduce;      /* the REDUCE node */
    const IrExpr *key;         /* integer, over the reduction variable */
    const IrExpr *rest;        /* further mask, or NULL */
    IrType out_ty;             /* the tensor's type (a cast may follow the reduction) */
    int var_slot;              /* the reduction variable */
} IrSegment;

/* true when tensor t (rank 1, axis slot 0) is a segmented reduction whose
 * op has a one-pass form: sum, prod, mean, var, std, count, min, max, any, all */
bool ir_match_segment(const IrTensor *t, IrSegment *out);
/* the same test on an expression whose index variable for g is gslot */
bool ir_match_segment_expr(const IrExpr *body, int gslot, IrType out_ty, IrSegment *out);
bool ir_expr_uses_slot(const IrExpr *e, int slot);

#endif
