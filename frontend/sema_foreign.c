/* frontend/sema_foreign.c: the names users of NumPy, PyTorch and JAX type
 * first, and how rlf spells them. One table, read when a call names no rlf
 * function: `clip(...)` says clamp rather than an edit-distance neighbour
 * (ceil), `where(c, a, b)` says select, `np.maximum` says that there are no
 * module prefixes and that the function is max. Runs in sema_expr.c's
 * lower_call. Tests: tests/errors/name_foreign_*.rlf. */
#include "sema.h"

static const struct { const char *name; const char *hint; } foreign[] = {
    /* same meaning, another name */
    { "clip",        "rlf spells it clamp(x, lo, hi)" },
    { "where",       "rlf spells it select(c, a, b), or if c then a else b" },
    { "maximum",     "rlf spells it max(a, b)" },
    { "minimum",     "rlf spells it min(a, b)" },
    { "fmax",        "rlf spells it max(a, b) (NaN if either is NaN)" },
    { "fmin",        "rlf spells it min(a, b) (NaN if either is NaN)" },
    { "amax",        "rlf spells it max(x[i] for i)" },
    { "amin",        "rlf spells it min(x[i] for i)" },
    { "power",       "rlf spells it pow(x, y)" },
    { "pow2",        "write x * x" },
    { "square",      "write x * x" },
    { "absolute",    "rlf spells it abs(x)" },
    { "fabs",        "rlf spells it abs(x)" },
    { "expit",       "rlf spells it sigmoid(x)" },
    { "relu",        "write max(x, 0)" },
    { "softplus",    "write log1p(exp(x)) (or max(x, 0) + log1p(exp(-abs(x))) for large x)" },
    { "log2",        "write log(x) / log(2.0)" },
    { "log10",       "write log(x) / log(10.0)" },
    { "round",       "write floor(x + 0.5)" },
    { "trunc",       "convert with i32(x) or i64(x) (truncates toward zero)" },
    { "float",       "convert with f32(x) or f64(x)" },
    { "int",         "convert with i32(x) or i64(x)" },
    { "float32",     "convert with f32(x)" },
    { "float64",     "convert with f64(x)" },
    { "int32",       "convert with i32(x)" },
    { "int64",       "convert with i64(x)" },
    { "isnan",       "write x != x" },
    { "nansum",      "write sum(x[i] for i where x[i] == x[i])" },
    { "nanmean",     "write mean(x[i] for i where x[i] == x[i])" },
    { "softmax",     "write exp(x[b, a] - logsumexp(x[b, j] for j))" },
    { "log_softmax", "write x[b, a] - logsumexp(x[b, j] for j)" },
    { "matmul",      "write a reduction: c[i, j] = sum(a[i, k] * b[k, j] for k)" },
    { "dot",         "write a reduction: sum(a[i] * b[i] for i)" },
    { "einsum",      "write a reduction: c[i, j] = sum(a[i, k] * b[k, j] for k)" },
    { "take",        "index with a tensor: x[idx[n]] (declare idx with a value range, idx: i32[N] in 0..K)" },
    { "gather",      "index with a tensor: x[b, idx[b]] (declare idx with a value range, idx: i32[B] in 0..A)" },
    { "take_along_axis", "index with a tensor: x[b, idx[b]] (declare idx with a value range, idx: i32[B] in 0..A)" },
    { "scatter_add", "write a segmented reduction: sums[s] = sum(x[n] for n where seg[n] == s)" },
    { "index_add",   "write a segmented reduction: sums[s] = sum(x[n] for n where seg[n] == s)" },
    { "segment_sum", "write a segmented reduction: sums[s] = sum(x[n] for n where seg[n] == s)" },
    { "bincount",    "write a segmented reduction: counts[s] = count(seg[n] == s for n)" },
    { "cumsum",      "write a recurrence: c[t] = c[t-1] + x[t] with the boundary c[-1] = 0" },
    { "cumprod",     "write a recurrence: c[t] = c[t-1] * x[t] with the boundary c[-1] = 1" },
    { "arange",      "use the index variable: f32(t)" },
    /* not in the language (yet) */
    { "sort",        "sorting (sort, argsort, topk) is not available in rlf yet" },
    { "argsort",     "sorting (sort, argsort, topk) is not available in rlf yet" },
    { "topk",        "sorting (sort, argsort, topk) is not available in rlf yet" },
    { "top_k",       "sorting (sort, argsort, topk) is not available in rlf yet" },
    { "median",      "median and quantiles need sorting, which is not available in rlf yet" },
    { "quantile",    "median and quantiles need sorting, which is not available in rlf yet" },
    { "percentile",  "median and quantiles need sorting, which is not available in rlf yet" },
    { "unique",      "unique is not available in rlf yet" },
};

const char *sema_foreign_hint(const char *name)
{
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
        if (strcmp(foreign[i].name, name) == 0) return foreign[i].hint;
    return NULL;
}
