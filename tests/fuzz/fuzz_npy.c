/* tests/fuzz/fuzz_npy.c: the libFuzzer target for the .npy reader and writer
 * (runtime/rt_npy.c). Each input is one file image. It is read from memory
 * (rt_npy_read_mem) and, written to a scratch file, from disk (rt_npy_read):
 * both readers must agree, on failure as on success, byte for byte. A
 * successful read must have a valid shape, survive the Fortran-order copy,
 * and round-trip: written back with rt_npy_write (every dtype but bf16, which
 * .npy lacks) and read again, it is the same array. A crash, a sanitizer
 * report, a leak, or a disagreement (the target prints it and aborts) is a
 * finding. Built and run by tests/fuzz/CMakeLists.txt (test fuzz.npy). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rt_npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...) do { fprintf(stderr, "fuzz_npy: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

static char in_path[64], out_path[64];

static void scratch_paths(void)
{
    if (in_path[0]) return;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(in_path, sizeof in_path, "%s/rlf_fuzz_npy_%ld_in.npy", dir, (long)getpid());
    snprintf(out_path, sizeof out_path, "%s/rlf_fuzz_npy_%ld_out.npy", dir, (long)getpid());
}

static size_t nbytes(const RtArray *a)
{
    int64_t n = rt_array_numel(a);
    if (n < 0) FAIL("a successful read has an invalid shape");
    return (size_t)n * rt_dtype_size(a->dtype);
}

static void same(const RtArray *x, const RtArray *y, const char *what)
{
    if (x->dtype != y->dtype || x->ndim != y->ndim || x->fortran != y->fortran
        || memcmp(x->shape, y->shape, sizeof x->shape) != 0)
        FAIL("%s: dtype, shape or order differ", what);
    if (!x->data || !y->data) FAIL("%s: a successful read has no data", what);
    if (memcmp(x->data, y->data, nbytes(x)) != 0) FAIL("%s: the elements differ", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scratch_paths();

    char err_mem[512] = "", err_file[512] = "";
    RtArray a, b;
    int rc_mem = rt_npy_read_mem(data, size, in_path, &a, err_mem, sizeof err_mem);

    FILE *f = fopen(in_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) FAIL("cannot write %s", in_path);
    int rc_file = rt_npy_read(in_path, &b, err_file, sizeof err_file);
    unlink(in_path);   /* now: a finding aborts, and libFuzzer may _exit */
    if (rc_mem != rc_file)
        FAIL("the memory and file readers disagree: %s | %s", rc_mem ? err_mem : "ok", rc_file ? err_file : "ok");
    if (rc_mem != 0) {
        if (!err_mem[0] || !err_file[0]) FAIL("a failed read without a message");
        if (a.data || b.data) FAIL("a failed read left data behind");
        return 0;
    }
    same(&a, &b, "memory vs file reader");
    rt_array_free(&b);

    if (a.ndim > 1) {
        int64_t strides[RT_MAX_RANK];
        void *fc = rt_array_fortran_copy(&a, strides);
        if (!fc) FAIL("rt_array_fortran_copy failed");
        free(fc);
    }

    char err_w[512] = "";
    int rc_w = rt_npy_write(out_path, &a, err_w, sizeof err_w);
    if (a.dtype == RT_BF16) {
        if (rc_w == 0) FAIL("bfloat16 was written");
    } else {
        if (rc_w != 0) FAIL("cannot write back what was read: %s", err_w);
        int rc_back = rt_npy_read(out_path, &b, err_file, sizeof err_file);
        unlink(out_path);
        if (rc_back != 0) FAIL("cannot read back what was written: %s", err_file);
        /* the writer stores C order: compare against a C-order copy */
        b.fortran = a.fortran;
        same(&a, &b, "write then read");
        rt_array_free(&b);
    }
    rt_array_free(&a);
    return 0;
}
