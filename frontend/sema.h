/* frontend/sema.h: semantic analysis shared state. Sema resolves names,
 * imports and dims, infers index ranges and types, proves every read in
 * bounds and lowers each pipeline to the IR (ir/ir.h). Split by concept:
 * sema.c (declarations, definitions, recurrences), sema_expr.c (expressions,
 * types, calls, reductions), sema_bounds.c (affine forms, value ranges,
 * guards and the bounds proofs), sema_call.c (extern and pipeline calls),
 * sema_names.c (the name tables), sema_foreign.c (NumPy/PyTorch names and
 * their rlf spelling). Tests: tests/errors/, tests/run/. */
#ifndef RLF_SEMA_H
#define RLF_SEMA_H
#include "ast.h"

#define SEMA_MAX_SLOTS 64
#define SEMA_MAX_GUARDS 64
#define SEMA_MAX_OPAQUE 256

/* module-level names (this file and its imports) */
typedef struct { const char *name; Span span; bool is_float, is_bool; double f; int64_t i; bool ok; } ConstSym;
/* a call from one fn body to another, recorded when the body is checked */
typedef struct { int callee; Span span; } FnCall;
typedef struct FnSym { const char *name; DeclAst *decl; bool bad; bool active; VEC(FnCall) calls; } FnSym;
typedef struct { const char *name; DeclAst *decl; int ext; } ExternSym;

/* an index variable in scope */
typedef struct {
    const char *name;
    Span span;
    int slot;
    Lin lo, hi;               /* inclusive bounds over dims and outer variables */
} VarSym;

/* a lowered expression and whether it is an untyped literal */
/* a lowered expression; weak: an untyped literal; err: the result of an
 * expression already reported, which raises no further errors */
typedef struct { IrExpr *e; bool weak; bool err; } TE;

/* a guard fact g >= 0 (or g != 0 when ne) that holds where it is pushed */
typedef struct { Lin g; bool ne; } Guard;

typedef struct { IrExpr *e; bool has; Lin lo, hi; } Opaque;

/* name -> index into one of Sema's arrays (sema_names.c) */
typedef struct { const char *name; int index; } SemaNameEnt;
typedef struct { SemaNameEnt *v; size_t cap, n; } SemaNames;
int sema_names_get(const SemaNames *m, const char *name);           /* -1: absent */
void sema_names_put(Arena *a, SemaNames *m, const char *name, int index);

/* sema_expr recursion, inlined fn bodies included: every later walk of the
 * lowered IR recurses as deep, so this bounds the stack they need */
#define SEMA_MAX_DEPTH 5000

typedef struct {
    Arena *a;
    DiagCtx *d;
    IrModule *m;
    VEC(ConstSym) consts;
    VEC(FnSym) fns;
    VEC(ExternSym) externs;
    SemaNames const_names, fn_names, extern_names;

    /* the pipeline being lowered */
    IrPipeline *p;
    DeclAst *pdecl;
    IrTensor *self;           /* the tensor whose definition is being lowered */
    bool in_boundary;
    VEC(VarSym) vars;         /* scope stack */
    int nslots;               /* slots used by the current definition */
    VEC(const char *) slot_names;
    Guard guards[SEMA_MAX_GUARDS];
    int nguards;
    Opaque opaque[SEMA_MAX_OPAQUE];
    int nopaque;
    /* self-reads of a recurrence: the offset range along the scan axis */
    int self_axis;
    bool self_fwd, self_bwd;
    Span self_span;
    /* fn inlining: parameters bound to lowered arguments; while a body is
     * checked (fn_checking) calls in it are not inlined but recorded */
    FnSym *fn;
    bool fn_checking;
    Span inline_site;         /* the outermost fn call being inlined */
    bool inline_deep_reported;
    long inline_work;         /* expressions lowered inside it so far */
    const char **fn_pnames;
    TE *fn_args;
    int fn_nargs;
    int depth;
    VEC(int) broken;          /* tensors whose definition failed: reads stay quiet */
    VEC(const char *) failed; /* names whose definition failed before a tensor was made */
    VEC(const char *) unbound_dims;   /* unbound dim names already reported */
    FileAst **files;
    int nfiles;
} Sema;

/* sema.c */
bool sema_module(Sema *s, FileAst **files, int nfiles, int main_file);
int sema_dim_index(Sema *s, const char *name);
ConstSym *sema_const(Sema *s, const char *name);
FnSym *sema_fn(Sema *s, const char *name);
ExternSym *sema_extern(Sema *s, const char *name);
bool sema_is_pending(Sema *s, const char *name, Span *at);
bool sema_is_broken(Sema *s, int tensor);   /* its definition failed (reported) */
bool sema_is_failed(Sema *s, const char *name);   /* a failed definition made no tensor */
Lin sema_shape_lin(Sema *s, Expr *e, bool allow_new_dims);

IrTensor *sema_new_tensor(Sema *s, const char *name, Span sp, IrTensorKind kind, IrType ty, int rank);
bool sema_name_taken(Sema *s, const char *name, Span sp, const char *what);
const char *sema_where(Sema *s, Span sp);        /* "path:line:col" */

/* sema_call.c: statements that call an extern or another pipeline */
bool sema_is_call_stmt(Sema *s, StmtAst *st);
void sema_lower_call_stmt(Sema *s, StmtAst *st);

/* sema_foreign.c: how rlf spells a NumPy/PyTorch/JAX name, or NULL */
const char *sema_foreign_hint(const char *name);

/* sema_expr.c */
IrExpr *sema_lin_expr(Sema *s, Lin l, Span sp);
TE sema_expr(Sema *s, Expr *e);
bool sema_report_unknown_tensors(Sema *s, Expr *e);   /* true if e subscripts a non-tensor */
IrExpr *sema_coerce(Sema *s, TE te, IrType ty, Span sp, const char *what);
IrExpr *sema_store(Sema *s, TE te, IrType ty, Span sp, const char *what);
IrType sema_finish_type(TE te);
bool sema_infer_var(Sema *s, Expr *root, const char *var, Lin *out, Span *at);
bool sema_const_eval(Sema *s, IrExpr *e, double *f, int64_t *i);
int sema_suggest(const char *name, const char **cands, int n);

/* sema_bounds.c */
Lin sema_lin(Sema *s, IrExpr *e);                /* affine form, opaque atoms for the rest */
bool sema_minimize(Sema *s, Lin l, Lin *out);    /* lower bound over dims only */
bool sema_maximize(Sema *s, Lin l, Lin *out);
bool sema_prove_nonneg(Sema *s, Lin l);          /* l >= 0 wherever we are (guards included) */
bool sema_vrange(Sema *s, IrExpr *e, Lin *lo, Lin *hi);
int  sema_push_guards(Sema *s, IrExpr *cond, bool truth);  /* returns how many to pop */
void sema_pop_guards(Sema *s, int n);
void sema_check_read(Sema *s, IrExpr *read, Expr *src);
const char *sema_lin_str(Sema *s, Lin l);

#endif
