/* ir/lin.c: affine forms (see lin.h). */
#include "lin.h"
#include <stdio.h>
#include <string.h>

Lin lin_const(int64_t c) { Lin l = { .ok = true, .c = c }; return l; }
Lin lin_bad(void) { Lin l = { .ok = false }; return l; }
Lin lin_atom(int atom) { Lin l = { .ok = true, .n = 1 }; l.atom[0] = atom; l.k[0] = 1; return l; }

Lin lin_add(Lin a, Lin b)
{
    if (!a.ok || !b.ok) return lin_bad();
    Lin r = { .ok = true };
    if (__builtin_add_overflow(a.c, b.c, &r.c)) return lin_bad();
    int i = 0, j = 0;
    while (i < a.n || j < b.n) {
        int at; int64_t k;
        if (j >= b.n || (i < a.n && a.atom[i] < b.atom[j])) { at = a.atom[i]; k = a.k[i++]; }
        else if (i >= a.n || b.atom[j] < a.atom[i]) { at = b.atom[j]; k = b.k[j++]; }
        else {
            at = a.atom[i];
            if (__builtin_add_overflow(a.k[i], b.k[j], &k)) return lin_bad();
            i++; j++;
        }
        if (k == 0) continue;
        if (r.n == LIN_MAX) return lin_bad();
        r.atom[r.n] = at; r.k[r.n++] = k;
    }
    return r;
}

Lin lin_scale(Lin a, int64_t k)
{
    if (!a.ok) return a;
    if (k == 0) return lin_const(0);
    Lin r = a;
    if (__builtin_mul_overflow(a.c, k, &r.c)) return lin_bad();
    for (int i = 0; i < a.n; i++)
        if (__builtin_mul_overflow(a.k[i], k, &r.k[i])) return lin_bad();
    return r;
}

Lin lin_sub(Lin a, Lin b)
{
    if (b.ok && b.c == INT64_MIN) return lin_bad();
    return lin_add(a, lin_scale(b, -1));
}

bool lin_eq(Lin a, Lin b)
{
    if (!a.ok || !b.ok || a.n != b.n || a.c != b.c) return false;
    for (int i = 0; i < a.n; i++)
        if (a.atom[i] != b.atom[i] || a.k[i] != b.k[i]) return false;
    return true;
}

bool lin_is_const(Lin a) { return a.ok && a.n == 0; }

int64_t lin_coef(Lin a, int atom)
{
    for (int i = 0; i < a.n; i++) if (a.atom[i] == atom) return a.k[i];
    return 0;
}

bool lin_has_kind(Lin a, int kind)
{
    for (int i = 0; i < a.n; i++) if (LIN_KIND(a.atom[i]) == kind) return true;
    return false;
}

Lin lin_subst(Lin a, int atom, Lin r)
{
    int64_t k = lin_coef(a, atom);
    if (!a.ok || k == 0) return a;
    Lin rest = lin_sub(a, lin_scale(lin_atom(atom), k));
    return lin_add(rest, lin_scale(r, k));
}

bool lin_nonneg(Lin a)
{
    if (!a.ok) return false;
    /* with every dim >= 1, c + sum k_i d_i >= 0 holds for all dims iff
     * every k_i >= 0 and the value at d = 1 is >= 0 */
    int64_t at1 = a.c;
    for (int i = 0; i < a.n; i++) {
        if (LIN_KIND(a.atom[i]) != LIN_DIM || a.k[i] < 0) return false;
        if (__builtin_add_overflow(at1, a.k[i], &at1)) return false;
    }
    return at1 >= 0;
}

static bool dims_only(Lin a)
{
    if (!a.ok) return false;
    for (int i = 0; i < a.n; i++) if (LIN_KIND(a.atom[i]) != LIN_DIM) return false;
    return true;
}

/* the value at every dim = 1 */
static bool at_ones(Lin a, int64_t *v)
{
    *v = a.c;
    for (int i = 0; i < a.n; i++)
        if (__builtin_add_overflow(*v, a.k[i], v)) return false;
    return true;
}

/* sign < 0: the meet (a form <= a and <= b); sign > 0: the join. Each dim
 * gets the smaller (larger) coefficient; the constant then makes the form
 * touch the lower (upper) of the two where their difference is smallest,
 * which is at every dim = 1 since the difference's coefficients all have the
 * same sign. */
static Lin bound_of(Lin a, Lin b, int sign)
{
    if (!dims_only(a) || !dims_only(b)) return lin_bad();
    if (lin_nonneg(lin_sub(b, a))) return sign < 0 ? a : b;       /* a <= b */
    if (lin_nonneg(lin_sub(a, b))) return sign < 0 ? b : a;
    Lin r = lin_const(0);
    int i = 0, j = 0;
    while (i < a.n || j < b.n) {
        int at; int64_t ka = 0, kb = 0;
        if (j >= b.n || (i < a.n && a.atom[i] < b.atom[j])) { at = a.atom[i]; ka = a.k[i++]; }
        else if (i >= a.n || b.atom[j] < a.atom[i]) { at = b.atom[j]; kb = b.k[j++]; }
        else { at = a.atom[i]; ka = a.k[i++]; kb = b.k[j++]; }
        int64_t k = sign < 0 ? (ka < kb ? ka : kb) : (ka > kb ? ka : kb);
        r = lin_add(r, lin_scale(lin_atom(at), k));
    }
    /* r - a and r - b have coefficients of one sign; shift r by the extreme
     * of their values at dims = 1 */
    int64_t da, db;
    if (!r.ok || !at_ones(lin_sub(a, r), &da) || !at_ones(lin_sub(b, r), &db)) return lin_bad();
    return lin_add(r, lin_const(sign < 0 ? (da < db ? da : db) : (da > db ? da : db)));
}

Lin lin_lower_of(Lin a, Lin b) { return bound_of(a, b, -1); }
Lin lin_upper_of(Lin a, Lin b) { return bound_of(a, b, +1); }

static Lin tighter(Lin a, Lin b, int sign)
{
    if (!a.ok) return b;
    if (!b.ok) return a;
    if (lin_nonneg(lin_sub(b, a))) return sign < 0 ? b : a;       /* a <= b */
    if (lin_nonneg(lin_sub(a, b))) return sign < 0 ? a : b;
    int64_t va, vb;
    if (!at_ones(a, &va) || !at_ones(b, &vb)) return a;
    return (sign < 0) == (va >= vb) ? a : b;
}

Lin lin_tighter_lower(Lin a, Lin b) { return tighter(a, b, -1); }
Lin lin_tighter_upper(Lin a, Lin b) { return tighter(a, b, +1); }

bool lin_eval(Lin a, const int64_t *dims, const int64_t *vars, int64_t *out)
{
    if (!a.ok) return false;
    int64_t v = a.c;
    for (int i = 0; i < a.n; i++) {
        int kind = LIN_KIND(a.atom[i]), idx = LIN_IDX(a.atom[i]);
        int64_t x;
        if (kind == LIN_DIM && dims) x = dims[idx];
        else if (kind == LIN_VAR && vars) x = vars[idx];
        else return false;
        int64_t t;
        if (__builtin_mul_overflow(a.k[i], x, &t) || __builtin_add_overflow(v, t, &v)) return false;
    }
    *out = v;
    return true;
}

void lin_format(Lin a, LinNamer name, void *ctx, char *buf, int len)
{
    if (len <= 0) return;
    buf[0] = 0;
    if (!a.ok) { snprintf(buf, (size_t)len, "?"); return; }
    int p = 0;
#define PUT(...) do { if (p < len) p += snprintf(buf + p, (size_t)(len - p), __VA_ARGS__); } while (0)
    bool first = true;
    for (int i = 0; i < a.n; i++) {
        int64_t k = a.k[i];
        const char *nm = name(ctx, a.atom[i]);
        if (first) { if (k < 0) PUT("-"); }
        else PUT(k < 0 ? " - " : " + ");
        int64_t ak = k < 0 ? -k : k;
        if (ak != 1) PUT("%lld*", (long long)ak);
        PUT("%s", nm);
        first = false;
    }
    if (first) PUT("%lld", (long long)a.c);
    else if (a.c > 0) PUT(" + %lld", (long long)a.c);
    else if (a.c < 0) PUT(" - %lld", -(long long)a.c);
#undef PUT
}
