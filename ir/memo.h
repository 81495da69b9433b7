/* ir/memo.h: a map from IR nodes (by address) to rewritten nodes, so that a
 * rewriting pass visits each node of a DAG once and shared nodes stay
 * shared. Used by passes/fold.c and passes/simplify.c. */
#ifndef RLF_MEMO_H
#define RLF_MEMO_H
#include "ir.h"

typedef struct { const IrExpr *key; IrExpr *val; } IrMemoEnt;
typedef struct { Arena *a; IrMemoEnt *v; size_t cap, n; } IrMemo;   /* zero-init with an arena */

/* the rewritten node for key, or NULL (then *found is false) */
IrExpr *ir_memo_get(IrMemo *m, const IrExpr *key, bool *found);
void ir_memo_put(IrMemo *m, const IrExpr *key, IrExpr *val);

#endif
