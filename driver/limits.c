/* driver/limits.c: the limits rlfc enforces on what the user asks for, before
 * acting on it: every integer on the command line is parsed by one strict
 * helper (the whole text, range checked, an error naming the option), and
 * every tensor rlfc allocates for run and bench is sized with overflow checks
 * and refused, with a message, when the total exceeds this machine's memory.
 * Tests: tests/cli/ (groups usage, bench, run). */
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>
#include "driver.h"

bool drv_parse_int(const char *what, const char *text, int64_t lo, int64_t hi, int64_t *out)
{
    RtVal v;
    IrParse got = ir_parse_scalar(text, TY_I64, &v);
    if (got == IR_PARSE_SYNTAX) {
        fprintf(stderr, "rlfc: %s: '%s' is not an integer\n", what, text);
        return false;
    }
    if (got == IR_PARSE_RANGE || v.i < lo || v.i > hi) {
        if (hi != INT64_MAX) fprintf(stderr, "rlfc: %s: '%s' is outside %lld..%lld\n", what, text, (long long)lo, (long long)hi);
        else if (got == IR_PARSE_RANGE || v.i > hi) fprintf(stderr, "rlfc: %s: '%s' is too large\n", what, text);
        else fprintf(stderr, "rlfc: %s: '%s' must be at least %lld\n", what, text, (long long)lo);
        return false;
    }
    *out = v.i;
    return true;
}

bool drv_tensor_shape(const IrPipeline *p, const IrTensor *t, const int64_t *dims, RtArray *a, uint64_t *total)
{
    a->dtype = ir_type_to_dtype(t->ty);
    a->ndim = t->rank;
    uint64_t n = rt_dtype_size(a->dtype);
    bool ok = true;
    for (int ax = 0; ax < t->rank; ax++) {
        int64_t e = 0;
        ok &= lin_eval(t->extent[ax], dims, NULL, &e) && e >= 0;
        a->shape[ax] = e;
        ok &= !__builtin_mul_overflow(n, (uint64_t)(e > 0 ? e : 0), &n);
    }
    if (!ok) {
        char dimstr[512];
        int q = 0;
        for (int d = 0; d < p->dims.n && q < (int)sizeof dimstr; d++)
            q += snprintf(dimstr + q, sizeof dimstr - (size_t)q, "%s%s = %lld", d ? ", " : "", p->dims.v[d].name, (long long)dims[d]);
        fprintf(stderr, "rlfc: tensor '%s' of '%s' is too large to exist at %s\n", t->name, p->name, dimstr);
        return false;
    }
    if (__builtin_add_overflow(*total, n, total)) *total = UINT64_MAX;   /* more than any memory */
    return true;
}

/* the most this process can hope to allocate: physical memory, or less
 * under an address-space limit */
static uint64_t memory_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    uint64_t lim = pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : UINT64_MAX;
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (uint64_t)rl.rlim_cur < lim) lim = (uint64_t)rl.rlim_cur;
    return lim;
}

bool drv_fits_memory(const char *what, uint64_t total)
{
    uint64_t lim = memory_limit();
    if (total <= lim) return true;
    fprintf(stderr, "rlfc: %s need %.4g GB, more than this machine's %.4g GB of memory\n",
            what, (double)total * 1e-9, (double)lim * 1e-9);
    return false;
}
