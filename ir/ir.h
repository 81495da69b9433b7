/* ir/ir.h: the tensor dataflow IR and its semantics.
 *
 * A module holds pipelines and extern declarations. A pipeline is a graph of
 * tensors over named dimensions: inputs, and tensors defined pointwise by an
 * expression over index variables (one slot per LHS axis). Reads of other
 * tensors are the edges; a read may be shifted (x[t+1, b]) or gathered
 * (q[b, action[b]]); sema has proven every read in bounds. A tensor that
 * reads itself along one axis is a recurrence (a scan): it is evaluated along
 * scan_axis in scan_dir order, and its boundary definitions fill the padding
 * cells just outside the main extent ([-lo_pad, 0) or [extent, extent+hi_pad)).
 * Reductions are expressions with their own index variables, an optional
 * mask (evaluated first; masked-out elements are skipped) and the empty-domain
 * results listed in ops.def. SELECT evaluates only its taken side and AND/OR
 * short-circuit, so guarded reads are never evaluated out of range.
 * Arithmetic is in the node's type: f32 ops round to f32 after every op; i32
 * wraps; integer // and % floor (x // 0 == 0, x % 0 == 0); float->int casts
 * truncate toward zero and saturate (NaN -> 0). Dimensions are >= 1.
 * Steps run in order: each defines one tensor or calls one extern.
 *
 * Verified by ir/verify.c, printed by ir/print.c, executed by ir/interp.c.
 */
#ifndef RLF_IR_H
#define RLF_IR_H
#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "diag.h"
#include "lin.h"

#define IR_MAX_RANK 8
#define IR_MAX_TENSORS 4096        /* per pipeline, after pipeline calls are inlined */

typedef enum {
#define TY(name, sp, size, fl) TY_##name,
#include "types.def"
#undef TY
    TY_COUNT
} IrType;

enum { TF_BOOL = 1, TF_INT = 2, TF_FLOAT = 4, TF_STORAGE = 8 };

typedef enum {
#define OP(name, sp, ar, cl, fl) IR_##name,
#include "ops.def"
#undef OP
    IR_OP_COUNT
} IrOp;

typedef enum {
#define RED(name, sp, rr) RED_##name,
#include "ops.def"
#undef RED
    RED_KIND_COUNT
} IrRed;

typedef enum { OC_LEAF, OC_ARITH, OC_CMP, OC_LOGIC, OC_FMATH, OC_NMATH, OC_SELECT, OC_CAST, OC_REDUCE } IrOpClass;
enum { OF_COMM = 1, OF_ASSOC = 2, OF_CALL = 4, OF_INT = 8 };
typedef enum { RR_SAME, RR_FLOAT, RR_INDEX, RR_COUNT, RR_BOOL } IrRedRule;

typedef struct { const char *name; int arity; IrOpClass cls; int flags; } IrOpInfo;
typedef struct { const char *name; IrRedRule rule; } IrRedInfo;
typedef struct { const char *name; int size; int flags; } IrTypeInfo;
extern const IrOpInfo ir_ops[IR_OP_COUNT];
extern const IrRedInfo ir_reds[RED_KIND_COUNT];
extern const IrTypeInfo ir_types[TY_COUNT];

static inline bool ty_is_float(IrType t) { return ir_types[t].flags & TF_FLOAT; }
static inline bool ty_is_int(IrType t) { return ir_types[t].flags & TF_INT; }
static inline bool ty_is_bool(IrType t) { return t == TY_BOOL; }
/* the type arithmetic happens in: f16/bf16 compute in f32 */
static inline IrType ty_compute(IrType t) { return (t == TY_F16 || t == TY_BF16) ? TY_F32 : t; }
int ty_from_name(const char *name);          /* -1 if not a type name */
int ir_op_by_call_name(const char *name);    /* OF_CALL ops; -1 if none */
int ir_red_by_name(const char *name);        /* -1 if none */

typedef struct IrExpr IrExpr;
typedef struct IrReduce IrReduce;

struct IrExpr {
    IrOp op;
    IrType ty;
    Span span;
    int nargs;
    IrExpr **args;            /* READ: subscripts; REDUCE: body, mask (or NULL) */
    union {
        double f;             /* CONST of a float type */
        int64_t i;            /* CONST of an integer or bool type */
        int slot;             /* IVAR */
        int dim;              /* DIM */
        int param;            /* PARAM */
        int tensor;           /* READ */
        IrReduce *red;        /* REDUCE */
    } u;
};

struct IrReduce {
    IrRed kind;
    int nvars;
    int *slots;
    IrExpr **lo, **hi;        /* per variable: half-open range, i64 expressions
                                 over dims, params and outer index variables */
    int ddof;                 /* var / std */
};

typedef enum { TK_INPUT, TK_DEF, TK_EXTERN_OUT } IrTensorKind;

typedef struct {
    Span span;
    int nslots;               /* index-variable slots used (LHS first) */
    const char **slot_names;  /* for printing */
    int axis_slot[IR_MAX_RANK];   /* slot of the LHS variable, or -1: fixed */
    Lin fixed[IR_MAX_RANK];       /* fixed subscript (boundary), over dims */
    IrExpr *body;
} IrDef;

typedef struct {
    const char *name;
    Span span;
    IrTensorKind kind;
    IrType ty;
    int rank;
    Lin extent[IR_MAX_RANK];      /* main extent per axis, over dims */
    int64_t lo_pad[IR_MAX_RANK];  /* boundary cells before 0 */
    int64_t hi_pad[IR_MAX_RANK];  /* boundary cells after the extent */
    IrDef *def;                   /* TK_DEF */
    VEC(IrDef *) bounds;          /* boundary definitions */
    int scan_axis;                /* -1: not a recurrence */
    int scan_dir;                 /* +1: increasing index (reads x[t-k]); -1: decreasing */
    bool scan_linear;             /* x[t] = a[t] * x[t -+ 1] + b[t] (passes/classify.c) */
    bool has_vrange;              /* inputs declared `in lo..hi`: checked per call */
    Lin vlo, vhi;                 /* half-open value range, over dims */
    int output;                   /* position among outputs, or -1 */
} IrTensor;

typedef struct {
    const char *name;
    Span span;
    bool is_param;                /* `G: dim`: passed by the caller */
} IrDimSym;

typedef struct {
    const char *name;
    Span span;
    IrType ty;
    bool has_default;
    double fdef;
    int64_t idef;
} IrParam;

typedef enum { STEP_DEF, STEP_EXTERN } IrStepKind;
typedef struct {
    IrStepKind kind;
    Span span;
    int tensor;                   /* STEP_DEF */
    int ext;                      /* STEP_EXTERN: module extern index */
    int nin, nout;
    int *in, *out;                /* tensor ids */
} IrStep;

/* one argument of the signature, in source order */
typedef struct { bool is_tensor; int id; } IrArg;

typedef struct {
    const char *name;
    Span span;
    VEC(IrDimSym) dims;
    VEC(IrParam) params;
    VEC(IrTensor *) tensors;
    VEC(IrArg) args;              /* inputs and scalar params, source order */
    VEC(int) inputs;              /* tensor ids */
    VEC(int) outputs;             /* tensor ids */
    VEC(IrStep) steps;
    int max_slots;
} IrPipeline;

/* `extern fn name(a: f32[B, D]) -> f32[B]`: a host function called with
 * whole tensors between steps. Shapes are over the extern's own dims,
 * unified with the caller's at each call. */
typedef struct {
    const char *name;
    Span span;
    int nin, nout, ndims;
    const char **dim_names;
    const char **in_names, **out_names;
    IrType *in_ty, *out_ty;
    int *in_rank, *out_rank;
    Lin (*in_shape)[IR_MAX_RANK], (*out_shape)[IR_MAX_RANK];
} IrExternDecl;

typedef struct {
    Arena *arena;
    VEC(IrPipeline *) pipelines;
    VEC(IrExternDecl *) externs;
} IrModule;

/* builders (ir/ir.c) */
IrExpr *ir_expr(Arena *a, IrOp op, IrType ty, Span sp, int nargs);
IrExpr *ir_const_i(Arena *a, IrType ty, int64_t v, Span sp);
IrExpr *ir_const_f(Arena *a, IrType ty, double v, Span sp);
IrExpr *ir_cast(Arena *a, IrExpr *e, IrType ty);
IrPipeline *ir_find_pipeline(const IrModule *m, const char *name);
int ir_find_tensor(const IrPipeline *p, const char *name);
const char *ir_dim_namer(void *pipeline, int atom);   /* LinNamer over dims */

/* ir/print.c */
void ir_print_module(const IrModule *m, FILE *out);
void ir_print_pipeline(const IrPipeline *p, const IrModule *m, FILE *out);
void ir_print_expr(const IrPipeline *p, const char *const *slot_names, int nslots, const IrExpr *e, FILE *out);
/* ir/ir.c: structural equality and size of expressions */
bool ir_expr_equal(const IrExpr *a, const IrExpr *b);
int ir_expr_size(const IrExpr *e, int limit);   /* node count, stops counting at limit */
bool ir_expr_reads(const IrExpr *e, int tensor);
/* does e (args, not reduction ranges) contain one of the ops in the bit set
 * (IR_OPS(IR_IVAR) | ...)? */
_Static_assert(IR_OP_COUNT <= 64, "IR_OPS needs one bit per op");
#define IR_OPS(op) (1ull << (op))
bool ir_expr_has_op(const IrExpr *e, uint64_t ops);
static inline bool ir_expr_has_reduce(const IrExpr *e) { return ir_expr_has_op(e, IR_OPS(IR_REDUCE)); }
/* the affine form of an expression over dims and integer constants, if it is one */
Lin ir_dims_lin(const IrExpr *e);
/* ir/verify.c: structural checks; returns false and reports via ICE text */
bool ir_verify(const IrModule *m, char *why, int len);

#endif
