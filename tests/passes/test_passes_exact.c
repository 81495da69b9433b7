/* tests/passes/test_passes_exact.c: the IR optimisation passes change no
 * result, bit for bit. Each FILE.rlf is compiled twice; one copy runs the
 * pass pipeline up to --after PASS (default cse) and must pass ir_verify;
 * then every pipeline without extern steps runs in the reference
 * interpreter on both copies, on random dims, inputs and parameters
 * (special values included: -0.0, infinities, NaN, integer extremes), and
 * every output must be identical (floats bitwise). A line
 *     # nodes NAME: N
 * in a file also checks that tensor NAME's main definition holds N distinct
 * nodes after the passes, when they include cse (what cse shares, which the
 * printed IR cannot show).
 *
 * usage: test_passes_exact [--stdlib DIR] [--after PASS] [--trials N] [-v] FILE.rlf...
 * Registered in tests/passes/CMakeLists.txt over tests/passes/ and tests/run/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"
#include "interp.h"
#include "pass.h"
#include "rt_half.h"

static int fails;
static bool verbose;

/* ---- deterministic random values ----------------------------------------- */

#define RNG_SEED 0x9e3779b97f4a7c15ULL
static uint64_t rng = RNG_SEED;
static uint64_t next(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}
static int64_t uniform(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo)); }   /* [lo, hi) */

static double rand_float(void)
{
    static const double special[] = { 0.0, -0.0, 1.0, -1.0, INFINITY, -INFINITY, NAN, 0.5, 1e30, -1e-30, 65504.0, 3.0 };
    if (next() % 3 == 0) return special[next() % (sizeof special / sizeof special[0])];
    return (double)uniform(-4000, 4000) / 1000.0 + (double)(next() % 1000) * 1e-7;
}

static int64_t rand_int(IrType ty)
{
    static const int64_t special[] = { 0, 1, -1, 2, -2, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX, 255, 7, -7 };
    int64_t v = next() % 3 == 0 ? special[next() % (sizeof special / sizeof special[0])] : uniform(-6, 7);
    return opsem_wrap(ty, v);
}

/* ---- inputs -------------------------------------------------------------- */

static void store(RtArray *a, int64_t i, IrType ty, RtVal v)
{
    switch (ty) {
    case TY_BOOL: case TY_U8: ((uint8_t *)a->data)[i] = (uint8_t)v.i; break;
    case TY_I32: ((int32_t *)a->data)[i] = (int32_t)v.i; break;
    case TY_I64: ((int64_t *)a->data)[i] = v.i; break;
    case TY_F16: ((uint16_t *)a->data)[i] = rt_f32_to_f16((float)v.f); break;
    case TY_BF16: ((uint16_t *)a->data)[i] = rt_f32_to_bf16((float)v.f); break;
    case TY_F32: ((float *)a->data)[i] = (float)v.f; break;
    default: ((double *)a->data)[i] = v.f; break;
    }
}

/* random inputs for p under dims; false if some shape is empty or invalid */
static bool make_inputs(const IrPipeline *p, const int64_t *dims, RtArray *in)
{
    for (int k = 0; k < p->inputs.n; k++) {
        const IrTensor *t = p->tensors.v[p->inputs.v[k]];
        RtArray *a = &in[k];
        a->dtype = ir_type_to_dtype(t->ty);
        a->ndim = t->rank;
        for (int ax = 0; ax < t->rank; ax++)
            if (!lin_eval(t->extent[ax], dims, NULL, &a->shape[ax]) || a->shape[ax] < 0) return false;
        int64_t n = rt_array_numel(a);
        if (n < 0 || n > 100000) return false;
        a->data = calloc((size_t)(n ? n : 1), 8);
        if (!a->data) return false;
        int64_t lo = 0, hi = 0;
        bool ranged = t->has_vrange && lin_eval(t->vlo, dims, NULL, &lo) && lin_eval(t->vhi, dims, NULL, &hi);
        if (ranged && hi <= lo) return false;
        for (int64_t i = 0; i < n; i++) {
            RtVal v;
            if (ranged) v.i = uniform(lo, hi);
            else if (ty_is_float(t->ty)) v.f = opsem_round(t->ty, rand_float());
            else v.i = rand_int(t->ty);
            store(a, i, t->ty, v);
        }
    }
    return true;
}

static const char *param_text(const IrParam *pr, char *buf, size_t len)
{
    if (pr->has_default && next() % 3 == 0) return NULL;
    if (pr->ty == TY_BOOL) return next() % 2 ? "true" : "false";
    if (ty_is_float(pr->ty)) {
        double v = rand_float();
        if (isnan(v)) return "nan";
        if (isinf(v)) return v < 0 ? "-inf" : "inf";
        snprintf(buf, len, "%.17g", v);
    } else snprintf(buf, len, "%lld", (long long)rand_int(pr->ty));
    return buf;
}

/* ---- comparing ----------------------------------------------------------- */

static bool same_outputs(const IrPipeline *p, const RtArray *x, const RtArray *y, char *why, size_t len)
{
    for (int k = 0; k < p->outputs.n; k++) {
        const char *nm = p->tensors.v[p->outputs.v[k]]->name;
        if (x[k].dtype != y[k].dtype || x[k].ndim != y[k].ndim) { snprintf(why, len, "output '%s': dtype or rank differs", nm); return false; }
        for (int ax = 0; ax < x[k].ndim; ax++)
            if (x[k].shape[ax] != y[k].shape[ax]) { snprintf(why, len, "output '%s': shape differs", nm); return false; }
        size_t es = rt_dtype_size(x[k].dtype);
        int64_t n = rt_array_numel(&x[k]);
        for (int64_t i = 0; i < n; i++) {
            const char *a = (const char *)x[k].data + (size_t)i * es, *b = (const char *)y[k].data + (size_t)i * es;
            if (memcmp(a, b, es) == 0) continue;
            double fa = 0, fb = 0;
            switch (x[k].dtype) {
            case RT_F32: fa = *(const float *)a; fb = *(const float *)b; break;
            case RT_F64: fa = *(const double *)a; fb = *(const double *)b; break;
            case RT_I32: fa = *(const int32_t *)a; fb = *(const int32_t *)b; break;
            case RT_I64: fa = (double)*(const int64_t *)a; fb = (double)*(const int64_t *)b; break;
            default: fa = (unsigned char)*a; fb = (unsigned char)*b; break;
            }
            snprintf(why, len, "output '%s' element %lld: %.17g without the passes, %.17g with them", nm, (long long)i, fa, fb);
            return false;
        }
    }
    return true;
}

static bool has_extern(const IrPipeline *p)
{
    for (int s = 0; s < p->steps.n; s++) if (p->steps.v[s].kind == STEP_EXTERN) return true;
    return false;
}

/* one random call of pipeline index pi on both modules; -1 skipped, 0 ok, 1 failed */
static int trial(const char *file, const IrModule *ref, const IrModule *opt, int pi, int round)
{
    const IrPipeline *p = ref->pipelines.v[pi], *q = opt->pipelines.v[pi];
    int nd = p->dims.n, nin = p->inputs.n, np = p->params.n, no = p->outputs.n;
    int64_t dims[64];
    if (nd > 64) return -1;
    for (int d = 0; d < nd; d++) dims[d] = round == 0 ? 3 : round == 1 ? 1 : uniform(1, 6);
    char dbuf[64][32], pbuf[256][64];
    const char *dtext[64] = { 0 }, *ptext[256] = { 0 };
    if (np > 256) return -1;
    for (int d = 0; d < nd; d++)
        if (p->dims.v[d].is_param) { snprintf(dbuf[d], sizeof dbuf[d], "%lld", (long long)dims[d]); dtext[d] = dbuf[d]; }
    for (int k = 0; k < np; k++) ptext[k] = param_text(&p->params.v[k], pbuf[k], sizeof pbuf[k]);
    RtArray *in = calloc((size_t)nin + 1, sizeof *in);
    RtArray *ox = calloc((size_t)no + 1, sizeof *ox), *oy = calloc((size_t)no + 1, sizeof *oy);
    int result = -1;
    Arena *a = arena_new();
    IrBinding bx, by;
    char ex[512] = "", ey[512] = "", why[512];
    if (!in || !ox || !oy || !make_inputs(p, dims, in)) goto done;
    if (ir_bind(a, p, in, ptext, dtext, &bx, ex, sizeof ex) != 0) goto done;   /* shapes this program rejects */
    if (ir_bind(a, q, in, ptext, dtext, &by, ey, sizeof ey) != 0) {
        fprintf(stderr, "FAIL %s: pipeline '%s': binding differs after the passes: %s\n", file, p->name, ey);
        result = 1;
        goto done;
    }
    int rx = ir_interp_run(ref, p, &bx, in, ox, NULL, NULL, ex, sizeof ex);
    int ry = ir_interp_run(opt, q, &by, in, oy, NULL, NULL, ey, sizeof ey);
    if (rx != ry) {
        fprintf(stderr, "FAIL %s: pipeline '%s' (round %d): %s without the passes, %s with them\n", file, p->name, round,
                rx ? ex : "ran", ry ? ey : "ran");
        result = 1;
    } else if (rx == 0 && !same_outputs(p, ox, oy, why, sizeof why)) {
        fprintf(stderr, "FAIL %s: pipeline '%s' (round %d): %s\n", file, p->name, round, why);
        result = 1;
    } else result = rx == 0 ? 0 : -1;
done:
    if (in) for (int k = 0; k < nin; k++) rt_array_free(&in[k]);
    if (ox) for (int k = 0; k < no; k++) rt_array_free(&ox[k]);
    if (oy) for (int k = 0; k < no; k++) rt_array_free(&oy[k]);
    free(in); free(ox); free(oy);
    arena_free(a);
    return result;
}

/* ---- node counts --------------------------------------------------------- */

typedef struct { const IrExpr **v; int n, cap; } Seen;

static void count_nodes(const IrExpr *e, Seen *s)
{
    if (!e) return;
    for (int k = 0; k < s->n; k++) if (s->v[k] == e) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, (size_t)s->cap * sizeof *s->v);
        if (!s->v) { fputs("out of memory\n", stderr); exit(2); }
    }
    s->v[s->n++] = e;
    for (int k = 0; k < e->nargs; k++) count_nodes(e->args[k], s);
    if (e->op == IR_REDUCE)
        for (int k = 0; k < e->u.red->nvars; k++) { count_nodes(e->u.red->lo[k], s); count_nodes(e->u.red->hi[k], s); }
}

static void check_node_counts(const char *file, const IrModule *m)
{
    FILE *f = fopen(file, "r");
    if (!f) return;
    char line[512];
    int no = 0;
    while (fgets(line, sizeof line, f)) {
        no++;
        char name[128];
        int want;
        const char *at = strstr(line, "# nodes ");
        if (!at || sscanf(at, "# nodes %127[^:]: %d", name, &want) != 2) continue;
        const IrTensor *t = NULL;
        for (int i = 0; i < m->pipelines.n && !t; i++) {
            int k = ir_find_tensor(m->pipelines.v[i], name);
            if (k >= 0) t = m->pipelines.v[i]->tensors.v[k];
        }
        if (!t || !t->def) { fprintf(stderr, "FAIL %s:%d: no defined tensor '%s'\n", file, no, name); fails++; continue; }
        Seen s = { 0 };
        count_nodes(t->def->body, &s);
        if (s.n != want) { fprintf(stderr, "FAIL %s:%d: '%s' has %d distinct nodes, expected %d\n", file, no, name, s.n, want); fails++; }
        else if (verbose) printf("ok   %s: '%s' has %d distinct nodes\n", file, name, s.n);
        free(s.v);
    }
    fclose(f);
}

/* ---- driver -------------------------------------------------------------- */

static void check_file(const char *file, const char *stdlib, const char *after, bool counts, int trials)
{
    /* each file draws the same calls whichever files come before it: a new
     * test file must not change the others' (an integer parameter of
     * INT32_MAX bounding a loop can make a call run for minutes) */
    rng = RNG_SEED;
    RlfCompileOptions o = { stdlib };
    RlfCompilation *ref = rlf_compile_file(file, &o), *opt = rlf_compile_file(file, &o);
    if (!ref || !opt || !ref->module || !opt->module) {
        fprintf(stderr, "FAIL %s: does not compile\n", file);
        if (ref) diag_print(&ref->diag, stderr);
        fails++;
        goto done;
    }
    PassCtx pc = { opt->module, opt->arena, &opt->diag, NULL, 0 };
    PassOptions po = { 2, after, NULL, false };
    char why[512];
    if (!pass_run_all(&pc, &po)) { diag_print(&opt->diag, stderr); fprintf(stderr, "FAIL %s: the passes failed\n", file); fails++; goto done; }
    if (!ir_verify(opt->module, why, sizeof why)) { fprintf(stderr, "FAIL %s: invalid IR after '%s': %s\n", file, after, why); fails++; goto done; }
    if (counts) check_node_counts(file, opt->module);
    for (int i = 0; i < ref->module->pipelines.n; i++) {
        const IrPipeline *p = ref->module->pipelines.v[i];
        if (has_extern(p)) continue;
        int ran = 0, bad = 0;
        for (int r = 0; r < trials && !bad; r++) {
            int k = trial(file, ref->module, opt->module, i, r);
            if (k == 0) ran++;
            if (k == 1) bad++;
        }
        fails += bad;
        if (!bad && ran == 0) { fprintf(stderr, "FAIL %s: pipeline '%s' never ran (no valid random call)\n", file, p->name); fails++; }
        else if (!bad && verbose) printf("ok   %s: pipeline '%s', %d calls identical\n", file, p->name, ran);
    }
done:
    if (ref) rlf_compilation_free(ref);
    if (opt) rlf_compilation_free(opt);
}

int main(int argc, char **argv)
{
    const char *stdlib = NULL, *after = "cse";
    int trials = 24, nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stdlib") && i + 1 < argc) stdlib = argv[++i];
        else if (!strcmp(argv[i], "--after") && i + 1 < argc) after = argv[++i];
        else if (!strcmp(argv[i], "--trials") && i + 1 < argc) trials = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-v")) verbose = true;
    }
    /* node counts describe the IR after cse: checked when cse has run */
    bool known = false, counts = false, cse_ran = false;
    for (int k = 0; k < pass_count && !known; k++) {
        cse_ran |= !strcmp(pass_list[k].name, "cse");
        if (!strcmp(pass_list[k].name, after) && pass_list[k].is_ir) { known = true; counts = cse_ran; }
    }
    if (!known) { fprintf(stderr, "test_passes_exact: '%s' is not an IR pass\n", after); return 2; }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--stdlib") || !strcmp(argv[i], "--after") || !strcmp(argv[i], "--trials")) { i++; continue; }
        if (argv[i][0] == '-') continue;
        check_file(argv[i], stdlib, after, counts, trials);
        nfiles++;
    }
    printf("%s: %d file%s after '%s', %d failure%s\n", fails ? "FAIL" : "ok", nfiles, nfiles == 1 ? "" : "s", after, fails, fails == 1 ? "" : "s");
    return fails ? 1 : 0;
}
