/* runtime/rt_dtype.h: the element types the runtime moves between files,
 * host buffers and kernels. Used by the .npy reader/writer and by anything
 * that sizes or names tensor storage. Tests: tests/unit/test_npy.c. */
#ifndef RLF_RT_DTYPE_H
#define RLF_RT_DTYPE_H
#include <stddef.h>

typedef enum { RT_BOOL, RT_U8, RT_I32, RT_I64, RT_F16, RT_BF16, RT_F32, RT_F64, RT_DTYPE_COUNT } RtDtype;

size_t rt_dtype_size(RtDtype t);          /* bytes per element; 0 for an invalid value */
const char *rt_dtype_name(RtDtype t);     /* "bool","u8","i32","i64","f16","bf16","f32","f64"; "?" if invalid */

#endif
