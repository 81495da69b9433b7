/* frontend/ast.h: the syntax tree the parser builds, with a byte-offset span
 * on every node. Sema (frontend/sema*.c) reads it and produces the IR; nothing
 * after sema sees the AST. Tests: tests/errors/ (syntax), tests/run/. */
#ifndef RLF_AST_H
#define RLF_AST_H
#include "../ir/ir.h"

typedef enum {
    E_INT, E_FLOAT, E_BOOL,   /* literals */
    E_NAME,                   /* x */
    E_INDEX,                  /* x[i, j] */
    E_CALL,                   /* f(a, b, k = v) and reductions op(e for i where c) */
    E_UNARY, E_BINARY,        /* op is an IrOp */
    E_IF,                     /* if c then a else b */
} ExprKind;

typedef struct Expr Expr;
typedef VEC(Expr *) ExprList;

typedef struct {
    const char *name;
    Span span;
    Expr *lo, *hi;            /* `i in lo..hi`; NULL: inferred */
} GenVar;

typedef struct {
    const char *name;
    Span span;
    Expr *value;
} Kwarg;

typedef struct {
    Expr *body;
    VEC(GenVar) vars;
    Expr *where;              /* NULL: unmasked */
    VEC(Kwarg) kw;            /* options written among the items (ddof = 1) */
    Span span;
} Gen;

#define AST_MAX_DEPTH 1000     /* deeper expressions are rejected by the parser,
                                  so every recursive walk after it is bounded */

struct Expr {
    ExprKind kind;
    Span span;
    int depth;                /* 1 for leaves */
    union {
        int64_t ival;
        double fval;
        bool bval;
        struct { const char *name; } name;
        struct { const char *name; Span name_span; ExprList idx; } index;
        struct { const char *name; Span name_span; ExprList args; VEC(Kwarg) kw; Gen *gen; } call;
        struct { IrOp op; Expr *a; } un;
        struct { IrOp op; Expr *a, *b; } bin;
        struct { Expr *c, *a, *b; } cond;
    } u;
};

/* a type in a signature: f32, f32[T, B], i32[B] in 0..A, dim */
typedef struct {
    Span span;
    bool is_dim;
    IrType ty;
    bool has_shape;
    ExprList shape;
    Expr *range_lo, *range_hi;
} TypeAst;

typedef struct {
    const char *name;
    Span span;
    TypeAst type;
    Expr *deflt;
} ParamAst;

typedef VEC(ParamAst) ParamList;

/* statement: lhs[idx] = rhs, lhs = rhs, or a, b = ext(args) */
typedef struct {
    Span span;
    VEC(const char *) names;
    VEC(Span) name_spans;
    bool has_idx;
    ExprList idx;
    Expr *rhs;
} StmtAst;

typedef enum { D_IMPORT, D_CONST, D_FN, D_PIPELINE, D_EXTERN } DeclKind;

typedef struct {
    DeclKind kind;
    Span span;
    const char *name;         /* import: dotted module path */
    Span name_span;
    Expr *value;              /* const */
    ParamList params;         /* fn, pipeline, extern */
    ParamList outs;           /* pipeline, extern outputs */
    TypeAst ret;              /* fn */
    Expr *body;               /* fn */
    VEC(StmtAst) stmts;       /* pipeline */
} DeclAst;

typedef struct {
    int file;
    VEC(DeclAst) decls;
} FileAst;

Expr *ast_expr(Arena *a, ExprKind k, Span sp);

/* frontend/parse_driver.c: parse one file; errors go to d. Returns NULL only
 * when nothing usable was parsed. */
FileAst *parse_file(Arena *a, DiagCtx *d, int file);

#endif
