/* ir/memo.c: see memo.h. Open addressing over a power-of-two table. */
#include "memo.h"

static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33;
    return (size_t)x;
}

static IrMemoEnt *slot(IrMemo *m, const IrExpr *key)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t nc = m->cap ? 2 * m->cap : 256;
        IrMemoEnt *nv = arena_alloc(m->a, nc * sizeof *nv);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i].key) continue;
            size_t j = ptr_hash(m->v[i].key) & (nc - 1);
            while (nv[j].key) j = (j + 1) & (nc - 1);
            nv[j] = m->v[i];
        }
        m->v = nv; m->cap = nc;
    }
    size_t j = ptr_hash(key) & (m->cap - 1);
    while (m->v[j].key && m->v[j].key != key) j = (j + 1) & (m->cap - 1);
    return &m->v[j];
}

IrExpr *ir_memo_get(IrMemo *m, const IrExpr *key, bool *found)
{
    IrMemoEnt *e = slot(m, key);
    *found = e->key != NULL;
    return e->val;
}

void ir_memo_put(IrMemo *m, const IrExpr *key, IrExpr *val)
{
    IrMemoEnt *e = slot(m, key);
    if (!e->key) m->n++;
    e->key = key;
    e->val = val;
}
