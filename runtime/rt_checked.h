/* runtime/rt_checked.h: overflow-checked integer arithmetic for everything
 * the runtime computes from run-time sizes (dims, shapes, strides, byte
 * extents, scratch sizes). Each helper returns false on overflow and then
 * leaves *out unspecified; callers turn that into an RLF_E_* error, never a
 * wrapped value. Tests: tests/aot/test_abi.c. */
#ifndef RLF_RT_CHECKED_H
#define RLF_RT_CHECKED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool rt_add(int64_t a, int64_t b, int64_t *out) { return !__builtin_add_overflow(a, b, out); }
static inline bool rt_mul(int64_t a, int64_t b, int64_t *out) { return !__builtin_mul_overflow(a, b, out); }
static inline bool rt_add_size(size_t a, size_t b, size_t *out) { return !__builtin_add_overflow(a, b, out); }
static inline bool rt_mul_size(size_t a, size_t b, size_t *out) { return !__builtin_mul_overflow(a, b, out); }

/* the number of elements of an extent list, as NumPy counts them: a zero
 * extent makes it 0, but the product of the other extents must still fit an
 * int64 (so every partial product, Fortran strides included, does); false
 * when it does not, or for a negative extent */
static inline bool rt_count(const int64_t *shape, int rank, int64_t *out)
{
    int64_t n = 1;
    bool empty = false;
    for (int k = 0; k < rank; k++) {
        if (shape[k] < 0) return false;
        if (shape[k] == 0) { empty = true; continue; }
        if (!rt_mul(n, shape[k], &n)) return false;
    }
    *out = empty ? 0 : n;
    return true;
}

#endif
