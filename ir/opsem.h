/* ir/opsem.h: the scalar semantics of every op in ops.def, written once.
 * Values are RtVal: f for float types (already rounded to the type), i for
 * integer and bool types (already wrapped to the type). Used by the reference
 * interpreter and by constant folding; backends must agree with it.
 * Tests: tests/run/math_*.rlf, tests/unit/test_opsem.c. */
#ifndef RLF_OPSEM_H
#define RLF_OPSEM_H
#include "ir.h"

typedef union { double f; int64_t i; } RtVal;

double opsem_round(IrType ty, double x);             /* to f32 / f16 / bf16 precision */
int64_t opsem_wrap(IrType ty, int64_t x);            /* to i32 / u8 / bool range */
RtVal opsem_cast(IrType from, IrType to, RtVal v);
/* ty is the operands' type (after promotion); the result is in the node's type */
RtVal opsem_unary(IrOp op, IrType ty, RtVal a);
RtVal opsem_binary(IrOp op, IrType ty, RtVal a, RtVal b);
RtVal opsem_clamp(IrType ty, RtVal x, RtVal lo, RtVal hi);
RtVal opsem_type_max(IrType ty);                     /* +inf or the integer maximum */
RtVal opsem_type_min(IrType ty);

#endif
