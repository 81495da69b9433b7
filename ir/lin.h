/* ir/lin.h: affine integer forms c + sum k_i * atom_i.
 * They describe shapes (T+1), storage extents, subscripts (t+1, T-1-t) and
 * the bounds facts sema proves about them. An atom is a dimension symbol
 * (always >= 1 at run time), an index variable, or an opaque integer
 * subexpression (a gather index) whose range is tracked separately.
 * A form that overflows or grows past LIN_MAX terms becomes !ok ("not
 * affine"), which every consumer treats as "unknown". Tests: tests/unit/test_lin.c. */
#ifndef RLF_LIN_H
#define RLF_LIN_H
#include <stdbool.h>
#include <stdint.h>

#define LIN_MAX 8
enum { LIN_DIM = 0, LIN_VAR = 1, LIN_OPAQUE = 2 };
#define LIN_ATOM(kind, idx) (((kind) << 24) | (idx))
#define LIN_KIND(a) ((a) >> 24)
#define LIN_IDX(a) ((a) & 0xffffff)

typedef struct {
    bool ok;
    int n;
    int64_t c;
    int atom[LIN_MAX];
    int64_t k[LIN_MAX];       /* never 0; atoms sorted ascending */
} Lin;

Lin lin_const(int64_t c);
Lin lin_atom(int atom);
Lin lin_bad(void);
Lin lin_add(Lin a, Lin b);
Lin lin_sub(Lin a, Lin b);
Lin lin_scale(Lin a, int64_t k);
bool lin_eq(Lin a, Lin b);
bool lin_is_const(Lin a);
int64_t lin_coef(Lin a, int atom);
bool lin_has_kind(Lin a, int kind);
/* Replace atom by the form r (used to substitute a variable's bound). */
Lin lin_subst(Lin a, int atom, Lin r);
/* Proves a >= 0 for every assignment of dims >= 1; only dim atoms allowed. */
bool lin_nonneg(Lin a);
/* Bounds of min(a, b) and max(a, b) over dims-only forms, for every
 * assignment of dims >= 1: lin_lower_of gives a form <= both a and b (a or b
 * itself when one provably is the smaller, else their meet: the smaller
 * coefficient of each dim, the constant lowered to make up for it);
 * lin_upper_of a form >= both. lin_tighter_lower picks, of two valid lower
 * bounds of the same value, the provably larger one (else the larger at all
 * dims = 1); lin_tighter_upper the smaller of two upper bounds. !ok on
 * overflow or when a form has a non-dim atom. */
Lin lin_lower_of(Lin a, Lin b);
Lin lin_upper_of(Lin a, Lin b);
Lin lin_tighter_lower(Lin a, Lin b);
Lin lin_tighter_upper(Lin a, Lin b);
/* Evaluate with dims[] giving each dim atom's value; vars[] each var's. */
bool lin_eval(Lin a, const int64_t *dims, const int64_t *vars, int64_t *out);
/* Print into buf using name(atom) for atoms: "T + 1", "T - 1 - t". */
typedef const char *(*LinNamer)(void *ctx, int atom);
void lin_format(Lin a, LinNamer name, void *ctx, char *buf, int len);

#endif
