/* runtime/rlf.h: the C ABI shared by every compiled pipeline (the generated
 * header includes it). Tensors cross the boundary as DLPack DLTensors with any
 * strides; a call returns 0, or an RLF_E_* code with a message in *err and
 * nothing written. The runtime allocates nothing the caller must free.
 * DLPack's header travels with this one (`rlfc build` writes
 * dlpack/dlpack.h beside it; the quoted include finds that copy first).
 * Tests: tests/aot/. */
#ifndef RLF_H
#define RLF_H
#include <stdbool.h>
#include <stdint.h>
#include "dlpack/dlpack.h"

#ifdef __cplusplus
extern "C" {
#endif

/* bool tensors: DLPack's kDLBool (code 6, which DLPack headers before 0.8
 * do not name), 8 bits, 1 lane; kDLUInt with 8 bits is accepted too (what
 * older exporters produce). A nonzero byte reads as true; outputs hold 0 or 1. */
#define RLF_DL_BOOL 6

typedef void *rlf_stream;                 /* CUstream for CUDA pipelines; NULL on the CPU */

enum {
    RLF_OK = 0,
    RLF_E_ARG = 1,                        /* NULL tensor or shape, no data, wrong device, an
                                             output that overlaps another argument or itself,
                                             sizes that overflow, a bad RLF_NUM_THREADS */
    RLF_E_DTYPE = 2,                      /* dtype differs from the signature */
    RLF_E_SHAPE = 3,                      /* rank or extent differs, or dims disagree */
    RLF_E_RANGE = 4,                      /* a value outside its declared range */
    RLF_E_NOMEM = 5,                      /* scratch memory: not available or too large */
    RLF_E_INTERNAL = 6,                   /* the JIT could not compile a kernel */
};

/* every dimension of a call is at least 1 and at most RLF_DIM_MAX (2^48):
 * the bounds proofs rely on index arithmetic over dims not overflowing int64 */
#define RLF_DIM_MAX ((int64_t)1 << 48)

typedef struct {
    int code;
    char message[256];
} rlf_error;

/* threads used by CPU pipelines: rlf_set_num_threads(n) if called (n is
 * clamped to 1..256), else RLF_NUM_THREADS (a whole number 1..256; larger
 * numbers mean 256), else all cores. Any other RLF_NUM_THREADS value
 * makes every call fail with RLF_E_ARG naming it, until
 * rlf_set_num_threads is called; rlf_num_threads() then answers all cores. */
int rlf_num_threads(void);
void rlf_set_num_threads(int n);

#ifdef __cplusplus
}
#endif
#endif
