/* runtime/rt_dtype.c: sizes and names of runtime element types (see
 * rt_dtype.h). Tests: tests/unit/test_npy.c. */
#include "rt_dtype.h"

static const struct { size_t size; const char *name; } dtype_info[RT_DTYPE_COUNT] = {
    [RT_BOOL] = { 1, "bool" },
    [RT_U8]   = { 1, "u8" },
    [RT_I32]  = { 4, "i32" },
    [RT_I64]  = { 8, "i64" },
    [RT_F16]  = { 2, "f16" },
    [RT_BF16] = { 2, "bf16" },
    [RT_F32]  = { 4, "f32" },
    [RT_F64]  = { 8, "f64" },
};

/* Callers may hand in values read from files or casts, so out-of-range
 * values are answered rather than trusted. */
size_t rt_dtype_size(RtDtype t)
{
    return (unsigned)t < RT_DTYPE_COUNT ? dtype_info[t].size : 0;
}

const char *rt_dtype_name(RtDtype t)
{
    return (unsigned)t < RT_DTYPE_COUNT ? dtype_info[t].name : "?";
}
