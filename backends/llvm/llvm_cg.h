/* backends/llvm/llvm_cg.h: shared state of the LLVM code generator.
 * llvm_kernel.c emits one function per kernel (loop nest, stores) and
 * llvm_expr.c the values (reads, ops, casts, reductions) with the exact
 * semantics of ir/opsem.c. llvm_target.c owns the target machine and the
 * optimisation pipeline; llvm_jit.c and llvm_aot.c drive them.
 * Ownership: the LLVMContext owns every type and value; a module handed to
 * the JIT is owned by it afterwards (see llvm_jit.c). */
#ifndef RLF_LLVM_CG_H
#define RLF_LLVM_CG_H
#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include "../plan.h"

typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMBuilderRef ab;            /* allocas, at the top of the entry block */
    LLVMTypeRef i1, i8, i16, i32, i64, f16, f32, f64, p8, void_t;
    Arena *a;
    const BePlan *bp;
    const KirPipeline *kp;
    const IrPipeline *p;
    const KirKernel *k;
    int variant;                  /* LV_CONTIG, LV_STRIDED, LV_SCAN_INNER */
    int order[IR_MAX_RANK];       /* loop order of this variant */
    int par_axis;
    LLVMValueRef fn, frame;
    LLVMValueRef *dims;           /* i64 per dim */
    LLVMValueRef *params;         /* per scalar param, in its compute type */
    LLVMValueRef *base;           /* per plan tensor: element pointer */
    LLVMValueRef (*stride)[IR_MAX_RANK];
    LLVMValueRef (*extent)[IR_MAX_RANK];
    LLVMValueRef *slot;           /* per slot: alloca of i64, or an override value */
    bool *slot_is_value;
    int nslots;
    int spec;                     /* > 0: inside a lazy side; reads clamp their subscripts */
    const IrExpr **slot_lo, **slot_hi;  /* reduction slots: their range while in the loop */
    LLVMValueRef *at_point;       /* per plan tensor: its value stored at the current point, or NULL */
    LLVMValueRef md_store, md_self;     /* alias scopes: this point's stores, reads of earlier points */
    unsigned md_scope_kind, md_noalias_kind;
    bool scope_points;            /* attach the scopes in this kernel variant */
    bool scan_interior;           /* past the scan's first step: a read of the previous
                                     step of this kernel's stores is in range */
} Cg;

/* llvm_expr.c */
LLVMTypeRef cg_type(Cg *g, IrType t);             /* SSA representation */
LLVMTypeRef cg_mem_type(Cg *g, IrType t);         /* in memory */
LLVMValueRef cg_expr(Cg *g, const IrExpr *e);
LLVMValueRef cg_cast(Cg *g, IrType from, IrType to, LLVMValueRef v);
LLVMValueRef cg_lin(Cg *g, Lin l);                /* i64 value of a form over dims */
LLVMValueRef cg_addr(Cg *g, int plan_tensor, LLVMValueRef const *idx);
LLVMValueRef cg_to_mem(Cg *g, IrType t, LLVMValueRef v);
LLVMValueRef cg_from_mem(Cg *g, IrType t, LLVMValueRef v);
LLVMValueRef cg_alloca_i64(Cg *g, const char *name);
LLVMValueRef cg_call(Cg *g, const char *name, LLVMTypeRef ret, LLVMValueRef *args, int n);
LLVMValueRef cg_math(Cg *g, const char *name, LLVMValueRef *args, int n);   /* libm, without memory effects */
/* a counted loop over [lo, hi) (down: from hi-1 to lo) storing its index in slot */
typedef void (*CgBody)(Cg *g, void *ud);
LLVMValueRef cg_loop(Cg *g, LLVMValueRef slot, LLVMValueRef lo, LLVMValueRef hi, bool down, CgBody body, void *ud);  /* the latch */
/* lets LLVM vectorise the loop of this latch even where that reorders
 * floating-point additions (reductions) */
void cg_loop_vectorize(Cg *g, LLVMValueRef latch, int width);   /* width 0: LLVM's choice */

LLVMValueRef cg_binary(Cg *g, IrOp op, IrType ty, LLVMValueRef a, LLVMValueRef b);

/* llvm_kernel.c: stores [s0, s1) of the kernel at the point in the slots; each
 * stored value stays visible to later reads of that point until
 * cg_leave_point (call it before leaving the block the values live in) */
void cg_stores(Cg *g, int s0, int s1);
void cg_leave_point(Cg *g);

/* llvm_scan_lanes.c: the body of a scan kernel's scan-inner variant with rows
 * in vector lanes; false (and nothing emitted) when the kernel does not fit */
bool llvm_emit_scan_lanes(Cg *g, LLVMValueRef lo, LLVMValueRef hi);

/* llvm_rows.c: a kernel of row sums run with the rows innermost, for
 * layouts where the summed axis is the slower one (checked at run time by
 * the condition llvm_rows_interchange builds) */
bool llvm_rows_fit(const KirKernel *k);
LLVMValueRef llvm_rows_interchange(Cg *g);
void llvm_emit_rows(Cg *g, LLVMValueRef lo, LLVMValueRef hi);

/* llvm_segment.c: the one-pass body of a segmented kernel */
bool llvm_emit_segment(Cg *g);

/* llvm_kernel.c: the variants of every kernel:
 *   LV_CONTIG      every tensor C-contiguous: strides from the extents
 *   LV_STRIDED     strides from the frame, the scheduled loop order
 *   LV_SCAN_INNER  strides from the frame, the axis be_inner_axis names
 *                  innermost (with stride 1) and threads over the outermost
 *                  other axis: for batch-major layouts, where the scan axis
 *                  (or axis 0 of a kernel without scan) is contiguous */
enum { LV_CONTIG, LV_STRIDED, LV_SCAN_INNER, LV_COUNT };
/* emits the variants in the bit set `variants` (1 << LV_CONTIG | ...) */
bool llvm_emit_kernels(LLVMContextRef ctx, LLVMModuleRef mod, Arena *a, const BePlan *bp, const char *prefix, unsigned variants);
#define LV_ALL ((1u << LV_COUNT) - 1)
bool llvm_kernel_has_variant(const KirPipeline *kp, const KirKernel *k, int variant);
const char *llvm_kernel_symbol(Arena *a, const char *prefix, const KirKernel *k, int variant);

/* llvm_target.c */
LLVMTargetMachineRef llvm_host_machine(char *err, size_t errlen);
bool llvm_optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, int opt, char *err, size_t errlen);

#endif
