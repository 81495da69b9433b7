/* frontend/sema_names.c: the module-level name tables (fns, consts,
 * externs) as hash maps from a name to its index in Sema's arrays, so that
 * declaring and looking up N names costs O(N), not O(N^2). Open addressing
 * over a power-of-two table in the compilation's arena. Used by sema.c;
 * tested by tests/tools/check_scaling.py (20000 fns) and every program. */
#include "sema.h"

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;              /* FNV-1a */
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ULL; }
    return h;
}

static SemaNameEnt *name_slot(SemaNames *m, const char *name)
{
    size_t j = (size_t)str_hash(name) & (m->cap - 1);
    while (m->v[j].name && strcmp(m->v[j].name, name) != 0) j = (j + 1) & (m->cap - 1);
    return &m->v[j];
}

int sema_names_get(const SemaNames *m, const char *name)
{
    if (!m->cap) return -1;
    SemaNameEnt *e = name_slot((SemaNames *)m, name);
    return e->name ? e->index : -1;
}

void sema_names_put(Arena *a, SemaNames *m, const char *name, int index)
{
    if (2 * (m->n + 1) > m->cap) {
        size_t nc = m->cap ? 2 * m->cap : 64;
        SemaNames g = { arena_alloc(a, nc * sizeof *g.v), nc, 0 };
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].name) { *name_slot(&g, m->v[i].name) = m->v[i]; g.n++; }
        *m = g;
    }
    SemaNameEnt *e = name_slot(m, name);
    if (!e->name) { m->n++; e->name = name; }
    e->index = index;
}
