/* runtime/rt_npy.h: reading and writing NumPy .npy files, the format in which
 * tensors (weights, inputs, reference outputs) enter and leave rlf programs
 * and the test suite. Reading accepts format versions 1.0-3.0, either byte
 * order and Fortran order, and always yields C-order native data; every
 * malformed input is reported as "PATH: message", never a crash.
 * Tests: tests/unit/test_npy.c. */
#ifndef RLF_RT_NPY_H
#define RLF_RT_NPY_H
#include <stddef.h>
#include <stdint.h>
#include "rt_dtype.h"

#define RT_MAX_RANK 8

/* data: C-order contiguous, native byte order, malloc'd (non-NULL after a
 * successful read, even for zero elements). fortran: the file stored it in
 * Fortran order (callers that pass arrays on as views may keep that layout,
 * see rt_array_fortran_copy). */
typedef struct {
    RtDtype dtype;
    int ndim;
    int64_t shape[RT_MAX_RANK];
    void *data;
    int fortran;
} RtArray;

/* All return 0 on success, -1 on error with the message in err (which may be
 * NULL). On error *out is left zeroed, owning nothing. */
int rt_npy_read(const char *path, RtArray *out, char *err, size_t errlen);
int rt_npy_read_mem(const void *buf, size_t len, const char *name, RtArray *out,
                    char *err, size_t errlen);   /* name is used in messages */
/* Writes through a temporary file in the same directory and renames it, so a
 * failed write leaves the destination untouched. RT_BF16 is refused: .npy has
 * no bfloat16, the caller converts first. */
int rt_npy_write(const char *path, const RtArray *a, char *err, size_t errlen);
/* The first half of rt_npy_write, for callers that commit several files
 * together: writes a to a new file DIR/.rlf-XXXXXX (DIR "" is the current
 * folder), whose path it puts in tmp (tmplen >= strlen(DIR) + 32 suffices);
 * the caller renames or unlinks it. On error no file is left and tmp is "".
 * Messages start with NAME, the destination the caller intends. */
int rt_npy_write_temp(const char *dir, const char *name, const RtArray *a, char *tmp, size_t tmplen,
                      char *err, size_t errlen);

void rt_array_free(RtArray *a);                  /* frees data, zeroes *a */
/* a malloc'd copy of a's elements in Fortran order, and its element strides;
 * NULL when out of memory */
void *rt_array_fortran_copy(const RtArray *a, int64_t *strides);
int64_t rt_array_numel(const RtArray *a);        /* 1 for rank 0; -1 if an extent is negative or the
                                                  * product of the nonzero extents overflows (as in NumPy) */

#endif
