/* ir/bind.c: binding host arguments to a pipeline's signature (see interp.h).
 * Shared by every target so that argument errors read the same everywhere.
 * Tests: tests/run/shape_mismatch.rlf, tests/run/gather.rlf, tests/cli/. */
#include "interp.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rlf.h"
#include "rt_half.h"

RtDtype ir_type_to_dtype(IrType t)
{
    static const RtDtype map[TY_COUNT] = {
        [TY_BOOL] = RT_BOOL, [TY_U8] = RT_U8, [TY_I32] = RT_I32, [TY_I64] = RT_I64,
        [TY_F16] = RT_F16, [TY_BF16] = RT_BF16, [TY_F32] = RT_F32, [TY_F64] = RT_F64 };
    return map[t];
}

IrType ir_dtype_to_type(RtDtype d)
{
    for (int t = 0; t < TY_COUNT; t++) if (ir_type_to_dtype((IrType)t) == d) return (IrType)t;
    return TY_F32;
}

static void shape_str(const RtArray *a, char *buf, size_t len)
{
    int p = snprintf(buf, len, "%s[", rt_dtype_name(a->dtype));
    for (int k = 0; k < a->ndim && p < (int)len; k++) p += snprintf(buf + p, len - (size_t)p, "%s%lld", k ? ", " : "", (long long)a->shape[k]);
    if (p < (int)len) snprintf(buf + p, len - (size_t)p, "]");
}

static void decl_str(const IrPipeline *p, const IrTensor *t, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s[", ir_types[t->ty].name);
    for (int k = 0; k < t->rank && n < (int)len; k++) {
        char d[128];
        lin_format(t->extent[k], ir_dim_namer, (void *)p, d, sizeof d);
        n += snprintf(buf + n, len - (size_t)n, "%s%s", k ? ", " : "", d);
    }
    if (n < (int)len) snprintf(buf + n, len - (size_t)n, "]");
}

IrParse ir_parse_scalar(const char *s, IrType ty, RtVal *out)
{
    if (ty == TY_BOOL) {
        if (!strcmp(s, "true") || !strcmp(s, "1")) { out->i = 1; return IR_PARSE_OK; }
        if (!strcmp(s, "false") || !strcmp(s, "0")) { out->i = 0; return IR_PARSE_OK; }
        return IR_PARSE_SYNTAX;
    }
    /* the whole text is the number; strtod and strtoll would skip leading blanks */
    if (!*s || isspace((unsigned char)*s)) return IR_PARSE_SYNTAX;
    char *end;
    errno = 0;
    if (ty_is_float(ty)) {
        double v = strtod(s, &end);
        int e = errno;
        if (*end) return IR_PARSE_SYNTAX;
        /* ERANGE also reports underflow (a subnormal or zero result): that is
         * ordinary rounding; only overflow is out of range */
        if (e == ERANGE && isinf(v)) return IR_PARSE_RANGE;
        double r = opsem_round(ty, v);
        if (isfinite(v) && !isfinite(r)) return IR_PARSE_RANGE;   /* 1e40 as f32, 1e5 as f16 */
        out->f = r;
        return IR_PARSE_OK;
    }
    long long v = strtoll(s, &end, 10);
    int e = errno;
    if (end == s || *end) return IR_PARSE_SYNTAX;
    if (e == ERANGE) return IR_PARSE_RANGE;
    RtVal w = opsem_cast(TY_I64, ty, (RtVal){ .i = v });
    if (w.i != v) return IR_PARSE_RANGE;             /* does not fit the type */
    *out = w;
    return IR_PARSE_OK;
}

static int64_t elem_int(const RtArray *a, int64_t i)
{
    switch (a->dtype) {
    case RT_BOOL: case RT_U8: return ((const uint8_t *)a->data)[i];
    case RT_I32: return ((const int32_t *)a->data)[i];
    case RT_I64: return ((const int64_t *)a->data)[i];
    default: return 0;
    }
}

int ir_bind(Arena *ar, const IrPipeline *p, const RtArray *inputs, const char *const *param_text,
            const char *const *dim_text, IrBinding *out, char *err, size_t errlen)
{
    out->dims = arena_alloc(ar, (size_t)(p->dims.n + 1) * sizeof(int64_t));
    out->params = arena_alloc(ar, (size_t)(p->params.n + 1) * sizeof(RtVal));
    bool *bound = arena_alloc(ar, (size_t)p->dims.n + 1);
    const char **who = arena_alloc(ar, (size_t)(p->dims.n + 1) * sizeof(char *));
    for (int d = 0; d < p->dims.n; d++) {
        if (!p->dims.v[d].is_param) continue;
        const char *txt = dim_text ? dim_text[d] : NULL;
        if (!txt) { snprintf(err, errlen, "dimension '%s' is a parameter: pass it with --param %s=N", p->dims.v[d].name, p->dims.v[d].name); return -1; }
        RtVal v;
        IrParse got = ir_parse_scalar(txt, TY_I64, &v);
        if (got != IR_PARSE_OK || v.i < 1 || v.i > RLF_DIM_MAX) {
            snprintf(err, errlen, "dimension '%s': '%s' is %s", p->dims.v[d].name, txt,
                     got == IR_PARSE_SYNTAX ? "not an integer" : "outside 1..2^48");
            return -1;
        }
        out->dims[d] = v.i; bound[d] = true; who[d] = "--param";
    }
    /* dtype and rank, then dims from axes of the form D + c */
    for (int k = 0; k < p->inputs.n; k++) {
        const IrTensor *t = p->tensors.v[p->inputs.v[k]];
        const RtArray *a = &inputs[k];
        char want[256], have[256];
        decl_str(p, t, want, sizeof want);
        shape_str(a, have, sizeof have);
        if (ir_type_to_dtype(t->ty) != a->dtype || a->ndim != t->rank) {
            snprintf(err, errlen, "argument '%s': expected %s, got %s", t->name, want, have);
            return -1;
        }
        for (int ax = 0; ax < t->rank; ax++) {
            Lin e = t->extent[ax];
            if (e.n == 1 && e.k[0] == 1) {
                int d = LIN_IDX(e.atom[0]);
                int64_t v;
                if (__builtin_sub_overflow(a->shape[ax], e.c, &v)) v = INT64_MAX;
                if (!bound[d]) {
                    if (v < 1 || v > RLF_DIM_MAX) {
                        snprintf(err, errlen, "argument '%s': axis %d has extent %lld, which makes %s = %lld; every dimension must be at least 1 and at most 2^48 (expected %s)",
                                 t->name, ax + 1, (long long)a->shape[ax], p->dims.v[d].name, (long long)v, want);
                        return -1;
                    }
                    out->dims[d] = v; bound[d] = true; who[d] = t->name;
                }
            }
        }
    }
    for (int d = 0; d < p->dims.n; d++)
        if (!bound[d]) { snprintf(err, errlen, "dimension '%s' is not bound by any argument", p->dims.v[d].name); return -1; }
    for (int k = 0; k < p->inputs.n; k++) {
        const IrTensor *t = p->tensors.v[p->inputs.v[k]];
        const RtArray *a = &inputs[k];
        for (int ax = 0; ax < t->rank; ax++) {
            int64_t v;
            if (!lin_eval(t->extent[ax], out->dims, NULL, &v) || v != a->shape[ax]) {
                char want[256], have[256], dn[128];
                decl_str(p, t, want, sizeof want);
                shape_str(a, have, sizeof have);
                lin_format(t->extent[ax], ir_dim_namer, (void *)p, dn, sizeof dn);
                int d = t->extent[ax].n ? LIN_IDX(t->extent[ax].atom[0]) : -1;
                snprintf(err, errlen, "argument '%s': expected %s, got %s: axis %d should be %s = %lld%s%s%s",
                         t->name, want, have, ax + 1, dn, (long long)v,
                         d >= 0 ? " (" : "", d >= 0 ? p->dims.v[d].name : "", d >= 0 ? arena_printf(ar, " = %lld from '%s')", (long long)out->dims[d], who[d]) : "");
                return -1;
            }
        }
    }
    for (int k = 0; k < p->params.n; k++) {
        const IrParam *pr = &p->params.v[k];
        const char *txt = param_text ? param_text[k] : NULL;
        if (!txt) {
            if (!pr->has_default) { snprintf(err, errlen, "parameter '%s' (%s) has no default: pass it with --param %s=VALUE", pr->name, ir_types[pr->ty].name, pr->name); return -1; }
            if (ty_is_float(pr->ty)) out->params[k].f = pr->fdef; else out->params[k].i = pr->idef;
            continue;
        }
        IrParse got = ir_parse_scalar(txt, pr->ty, &out->params[k]);
        if (got != IR_PARSE_OK) {
            snprintf(err, errlen, "parameter '%s': '%s' is %s %s", pr->name, txt,
                     got == IR_PARSE_RANGE ? "outside the range of" : "not a valid", ir_types[pr->ty].name);
            return -1;
        }
    }
    /* declared value ranges, checked before anything runs */
    for (int k = 0; k < p->inputs.n; k++) {
        const IrTensor *t = p->tensors.v[p->inputs.v[k]];
        if (!t->has_vrange) continue;
        int64_t lo, hi;
        if (!lin_eval(t->vlo, out->dims, NULL, &lo) || !lin_eval(t->vhi, out->dims, NULL, &hi)) continue;
        int64_t n = rt_array_numel(&inputs[k]);
        for (int64_t i = 0; i < n; i++) {
            int64_t v = elem_int(&inputs[k], i);
            if (v < lo || v >= hi) {
                char idx[160]; int q = 0; int64_t rem = i;
                int64_t sub[RT_MAX_RANK];
                for (int ax = inputs[k].ndim - 1; ax >= 0; ax--) { sub[ax] = inputs[k].shape[ax] ? rem % inputs[k].shape[ax] : 0; rem = inputs[k].shape[ax] ? rem / inputs[k].shape[ax] : 0; }
                for (int ax = 0; ax < inputs[k].ndim && q < (int)sizeof idx; ax++) q += snprintf(idx + q, sizeof idx - (size_t)q, "%s%lld", ax ? ", " : "", (long long)sub[ax]);
                snprintf(err, errlen, "argument '%s': value %lld at [%s] is outside its declared range %lld..%lld (exclusive)",
                         t->name, (long long)v, idx, (long long)lo, (long long)hi);
                return -1;
            }
        }
    }
    return 0;
}

void ir_output_shape(const IrPipeline *p, int out_index, const IrBinding *b, RtArray *a)
{
    const IrTensor *t = p->tensors.v[p->outputs.v[out_index]];
    a->dtype = ir_type_to_dtype(t->ty);
    a->ndim = t->rank;
    for (int k = 0; k < t->rank; k++) {
        int64_t v = 0;
        lin_eval(t->extent[k], b->dims, NULL, &v);
        a->shape[k] = v;
    }
}
