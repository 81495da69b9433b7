/* passes/cse.c: common subexpressions. Within one definition body (a
 * tensor's main or boundary definition, reductions included), structurally
 * equal subtrees -- same op, type and payload, equal operands; reductions
 * equal only when their whole structure is, slots and ranges included --
 * become one shared node, so the body becomes a DAG. Evaluation is pure, so
 * sharing never changes a result, even across the lazy sides of select /
 * and / or: a shared node is still evaluated only where some use of it is
 * (tree walkers such as ir/interp.c and ir/print.c see the same tree as
 * before; a code generator that computes a shared node once must likewise
 * not hoist it out of a guarded side). One rule keeps the DAG easy for code generators: a node that
 * reads a reduction's index variable is shared only inside that one
 * reduction, so every use of a shared node sees the same bindings.
 *
 * Hash-consing bottom up: operands are made canonical first, so two nodes
 * are equal when their op, type, payload and operand pointers are; only
 * reductions (whose insides live in their own scope) are compared deeply,
 * with a memo so that is linear too. Every node is visited once, so a DAG
 * in the input costs its size, not its tree size.
 * Runs after simplify, before dce (not at -O0). Tests: tests/passes/cse/
 * (sharing is counted by `# nodes` lines, in tests/passes/test_passes_exact.c). */
#include "pass.h"

typedef struct {
    const IrExpr *key;
    IrExpr *canon;            /* the shared node standing for key */
    uint64_t hash;            /* structural: equal trees hash alike in any scope */
    uint64_t free;            /* bit s: reads index variable s (all bits: s >= 64) */
    uint32_t gen;             /* deep comparison memo: key equals partner in round gen */
    const IrExpr *partner;
} Info;

typedef struct { IrExpr *e; uint64_t hash; int scope; } Ent;
typedef struct { uint64_t bound; int id; } Scope;

typedef struct {
    Arena *a;
    Info *info; size_t icap, in;
    Ent *tab; size_t tcap, tn;
    VEC(Scope) scopes;        /* enclosing reductions, innermost last */
    int nscopes;
    uint32_t gen;
} Cse;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 31; h *= 0xbf58476d1ce4e5b9ULL; h ^= h >> 29;
    return h;
}

static size_t ptr_hash(const void *p) { return (size_t)mix(0, (uint64_t)(uintptr_t)p); }

/* ---- node info, keyed by pointer ----------------------------------------- */

static Info *info_find(const Cse *c, const IrExpr *key)
{
    if (!c->icap) return NULL;
    size_t j = ptr_hash(key) & (c->icap - 1);
    while (c->info[j].key) {
        if (c->info[j].key == key) return &c->info[j];
        j = (j + 1) & (c->icap - 1);
    }
    return NULL;
}

/* the entry for key, created if new; valid until the next info_put */
static Info *info_put(Cse *c, const IrExpr *key)
{
    Info *hit = info_find(c, key);
    if (hit) return hit;
    if (2 * (c->in + 1) > c->icap) {
        size_t nc = c->icap ? 2 * c->icap : 128;
        Info *nv = arena_alloc(c->a, nc * sizeof *nv);
        for (size_t i = 0; i < c->icap; i++) {
            if (!c->info[i].key) continue;
            size_t j = ptr_hash(c->info[i].key) & (nc - 1);
            while (nv[j].key) j = (j + 1) & (nc - 1);
            nv[j] = c->info[i];
        }
        c->info = nv; c->icap = nc;
    }
    size_t j = ptr_hash(key) & (c->icap - 1);
    while (c->info[j].key) j = (j + 1) & (c->icap - 1);
    c->in++;
    c->info[j].key = key;
    return &c->info[j];
}

/* ---- equality ------------------------------------------------------------ */

static bool same_payload(const IrExpr *a, const IrExpr *b)
{
    if (a->op != b->op || a->ty != b->ty || a->nargs != b->nargs) return false;
    switch (a->op) {
    case IR_CONST:
        if (ty_is_float(a->ty)) return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;   /* -0.0 != 0.0 */
        return a->u.i == b->u.i;
    case IR_IVAR: return a->u.slot == b->u.slot;
    case IR_DIM: return a->u.dim == b->u.dim;
    case IR_PARAM: return a->u.param == b->u.param;
    case IR_READ: return a->u.tensor == b->u.tensor;
    case IR_REDUCE: {
        const IrReduce *x = a->u.red, *y = b->u.red;
        if (x->kind != y->kind || x->nvars != y->nvars || x->ddof != y->ddof) return false;
        for (int k = 0; k < x->nvars; k++) if (x->slots[k] != y->slots[k]) return false;
        return (a->args[1] == NULL) == (b->args[1] == NULL);
    }
    default: return true;
    }
}

/* structural equality of two canonical subtrees from different reduction
 * scopes; pairs already found equal in this round are not compared again */
static bool deep_equal(Cse *c, const IrExpr *a, const IrExpr *b)
{
    if (a == b) return true;
    if (!a || !b || !same_payload(a, b)) return false;
    Info *ib = info_find(c, b);
    if (ib && ib->gen == c->gen && ib->partner == a) return true;
    for (int k = 0; k < a->nargs; k++) if (!deep_equal(c, a->args[k], b->args[k])) return false;
    if (a->op == IR_REDUCE)
        for (int k = 0; k < a->u.red->nvars; k++)
            if (!deep_equal(c, a->u.red->lo[k], b->u.red->lo[k]) || !deep_equal(c, a->u.red->hi[k], b->u.red->hi[k])) return false;
    if (ib) { ib->gen = c->gen; ib->partner = a; }
    return true;
}

static bool equal(Cse *c, const IrExpr *a, const IrExpr *b)
{
    if (a->op == IR_REDUCE) {
        c->gen++;
        return deep_equal(c, a, b);
    }
    if (!same_payload(a, b)) return false;
    for (int k = 0; k < a->nargs; k++) if (a->args[k] != b->args[k]) return false;
    return true;
}

/* ---- the table of shared nodes ------------------------------------------- */

static size_t tab_pos(const Cse *c, uint64_t h, int scope)
{
    return (size_t)mix(h, (uint64_t)scope) & (c->tcap - 1);
}

static IrExpr *tab_find(Cse *c, const IrExpr *e, uint64_t h, int scope)
{
    if (!c->tcap) return NULL;
    for (size_t j = tab_pos(c, h, scope); c->tab[j].e; j = (j + 1) & (c->tcap - 1))
        if (c->tab[j].hash == h && c->tab[j].scope == scope && equal(c, c->tab[j].e, e)) return c->tab[j].e;
    return NULL;
}

static void tab_add(Cse *c, IrExpr *e, uint64_t h, int scope)
{
    if (2 * (c->tn + 1) > c->tcap) {
        size_t oc = c->tcap, nc = oc ? 2 * oc : 128;
        Ent *old = c->tab;
        c->tab = arena_alloc(c->a, nc * sizeof *c->tab);
        c->tcap = nc;
        for (size_t i = 0; i < oc; i++) {
            if (!old[i].e) continue;
            size_t j = tab_pos(c, old[i].hash, old[i].scope);
            while (c->tab[j].e) j = (j + 1) & (nc - 1);
            c->tab[j] = old[i];
        }
    }
    size_t j = tab_pos(c, h, scope);
    while (c->tab[j].e) j = (j + 1) & (c->tcap - 1);
    c->tab[j] = (Ent){ e, h, scope };
    c->tn++;
}

/* ---- canonicalisation ---------------------------------------------------- */

static uint64_t slot_bit(int slot) { return slot >= 0 && slot < 64 ? 1ULL << slot : ~0ULL; }

/* the innermost enclosing reduction binding a variable the node reads;
 * 0: none (the node may be shared anywhere in the definition) */
static int scope_of(const Cse *c, uint64_t free)
{
    for (int k = c->scopes.n - 1; k >= 0; k--)
        if (c->scopes.v[k].bound & free) return c->scopes.v[k].id;
    return 0;
}

static uint64_t payload_hash(const IrExpr *e)
{
    uint64_t h = mix(mix(mix(0, (uint64_t)e->op), (uint64_t)e->ty), (uint64_t)e->nargs);
    switch (e->op) {
    case IR_CONST: {
        uint64_t bits;
        if (ty_is_float(e->ty)) memcpy(&bits, &e->u.f, sizeof bits); else bits = (uint64_t)e->u.i;
        return mix(h, bits);
    }
    case IR_IVAR: return mix(h, (uint64_t)e->u.slot);
    case IR_DIM: return mix(h, (uint64_t)e->u.dim);
    case IR_PARAM: return mix(h, (uint64_t)e->u.param);
    case IR_READ: return mix(h, (uint64_t)e->u.tensor);
    case IR_REDUCE: {
        const IrReduce *r = e->u.red;
        h = mix(mix(mix(h, (uint64_t)r->kind), (uint64_t)r->nvars), (uint64_t)r->ddof);
        for (int k = 0; k < r->nvars; k++) h = mix(h, (uint64_t)r->slots[k]);
        return h;
    }
    default: return h;
    }
}

static IrExpr *canon(Cse *c, IrExpr *e, uint64_t *hash, uint64_t *free)
{
    *hash = 0; *free = 0;
    if (!e) return NULL;
    Info *seen = info_find(c, e);
    if (seen && seen->canon) { *hash = seen->hash; *free = seen->free; return seen->canon; }
    uint64_t h = payload_hash(e), fr = e->op == IR_IVAR ? slot_bit(e->u.slot) : 0, ch, cf;
    if (e->op == IR_REDUCE) {
        IrReduce *r = e->u.red;
        Scope s = { 0, ++c->nscopes };
        for (int k = 0; k < r->nvars; k++) s.bound |= slot_bit(r->slots[k]);
        vec_push(c->a, &c->scopes, s);
        for (int k = 0; k < r->nvars; k++) {
            r->lo[k] = canon(c, r->lo[k], &ch, &cf); h = mix(h, ch); fr |= cf;
            r->hi[k] = canon(c, r->hi[k], &ch, &cf); h = mix(h, ch); fr |= cf;
        }
        for (int k = 0; k < e->nargs; k++) { e->args[k] = canon(c, e->args[k], &ch, &cf); h = mix(h, ch); fr |= cf; }
        c->scopes.n--;
        /* with a slot past 63 every variable looks read: kept conservative */
        if (s.bound != ~0ULL) fr &= ~s.bound;
    } else {
        for (int k = 0; k < e->nargs; k++) { e->args[k] = canon(c, e->args[k], &ch, &cf); h = mix(h, ch); fr |= cf; }
    }
    int scope = scope_of(c, fr);
    IrExpr *shared = tab_find(c, e, h, scope);
    if (!shared) { tab_add(c, e, h, scope); shared = e; }
    Info *in = info_put(c, e);
    in->canon = shared; in->hash = h; in->free = fr;
    *hash = h; *free = fr;
    return shared;
}

static IrExpr *cse_body(Arena *a, IrExpr *body)
{
    Cse c = { .a = a };
    uint64_t h, fr;
    return canon(&c, body, &h, &fr);
}

bool pass_cse(PassCtx *c)
{
    for (int i = 0; i < c->m->pipelines.n; i++) {
        IrPipeline *p = c->m->pipelines.v[i];
        for (int k = 0; k < p->tensors.n; k++) {
            IrTensor *t = p->tensors.v[k];
            if (t->def) t->def->body = cse_body(c->a, t->def->body);
            for (int b = 0; b < t->bounds.n; b++) t->bounds.v[b]->body = cse_body(c->a, t->bounds.v[b]->body);
        }
    }
    return true;
}
