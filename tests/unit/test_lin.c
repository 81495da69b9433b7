/* tests/unit/test_lin.c: affine forms (ir/lin.c): arithmetic, overflow to
 * "not affine", substitution, the dims >= 1 non-negativity proof, printing. */
#include <stdio.h>
#include <string.h>
#include "lin.h"

static int fails;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

static const char *nm(void *ctx, int atom)
{
    static const char *dims[] = { "T", "B" }, *vars[] = { "t", "b" };
    (void)ctx;
    return LIN_KIND(atom) == LIN_DIM ? dims[LIN_IDX(atom)] : vars[LIN_IDX(atom)];
}

int main(void)
{
    Lin T = lin_atom(LIN_ATOM(LIN_DIM, 0)), B = lin_atom(LIN_ATOM(LIN_DIM, 1));
    Lin t = lin_atom(LIN_ATOM(LIN_VAR, 0));
    Lin e = lin_sub(lin_sub(T, lin_const(1)), t);            /* T - 1 - t */
    char buf[64];
    lin_format(e, nm, NULL, buf, sizeof buf);
    CHECK(strcmp(buf, "T - t - 1") == 0);
    /* substituting t's upper bound T-1 gives 0: provably >= 0 */
    Lin m = lin_subst(e, t.atom[0], lin_sub(T, lin_const(1)));
    CHECK(lin_is_const(m) && m.c == 0);
    CHECK(lin_nonneg(m));
    CHECK(lin_nonneg(lin_sub(T, lin_const(1))));             /* T >= 1 */
    CHECK(!lin_nonneg(lin_sub(T, lin_const(2))));            /* T = 1 breaks it */
    CHECK(!lin_nonneg(lin_sub(T, B)));                       /* incomparable */
    CHECK(lin_nonneg(lin_sub(lin_add(T, B), B)));
    CHECK(lin_eq(lin_add(T, B), lin_add(B, T)));
    CHECK(!lin_add(lin_const(INT64_MAX), lin_const(1)).ok);  /* overflow: not affine */
    CHECK(!lin_scale(lin_scale(T, INT64_MAX), 2).ok);
    int64_t dims[2] = { 5, 3 }, vars[1] = { 4 }, v = 0;
    CHECK(lin_eval(e, dims, vars, &v) && v == 0);
    lin_format(lin_const(-3), nm, NULL, buf, sizeof buf);
    CHECK(strcmp(buf, "-3") == 0);
    lin_format(lin_scale(B, -2), nm, NULL, buf, sizeof buf);
    CHECK(strcmp(buf, "-2*B") == 0);
    /* bounds of min/max: comparable forms give themselves, others a meet/join
     * valid for every T >= 1 (S - 2 and 0: the meet is -1, the join T - 1) */
    Lin Tm2 = lin_sub(T, lin_const(2)), zero = lin_const(0);
    CHECK(lin_eq(lin_lower_of(T, lin_add(T, B)), T));
    CHECK(lin_eq(lin_upper_of(T, lin_add(T, B)), lin_add(T, B)));
    CHECK(lin_eq(lin_lower_of(Tm2, zero), lin_const(-1)));
    CHECK(lin_eq(lin_upper_of(Tm2, zero), lin_sub(T, lin_const(1))));
    CHECK(lin_eq(lin_lower_of(T, B), lin_const(1)));
    CHECK(lin_eq(lin_upper_of(lin_scale(T, 2), B), lin_sub(lin_add(lin_scale(T, 2), B), lin_const(1))));
    CHECK(!lin_lower_of(t, T).ok);                           /* variables: not a bound */
    CHECK(lin_eq(lin_tighter_lower(Tm2, zero), zero));       /* larger at T = 1 */
    CHECK(lin_eq(lin_tighter_upper(T, lin_add(T, B)), T));
    /* every meet/join is really below/above both, on a grid of dims */
    for (int64_t x = 1; x <= 6; x++)
        for (int64_t y = 1; y <= 6; y++) {
            int64_t d2[2] = { x, y }, va, vb, vl, vu;
            Lin a = lin_add(lin_scale(T, 3), lin_const(-5)), b = lin_sub(lin_scale(B, 2), T);
            CHECK(lin_eval(a, d2, NULL, &va) && lin_eval(b, d2, NULL, &vb));
            CHECK(lin_eval(lin_lower_of(a, b), d2, NULL, &vl) && vl <= va && vl <= vb);
            CHECK(lin_eval(lin_upper_of(a, b), d2, NULL, &vu) && vu >= va && vu >= vb);
        }
    if (fails) { fprintf(stderr, "%d checks failed\n", fails); return 1; }
    puts("test_lin: ok");
    return 0;
}
