/* tests/concurrent/concurrent_calls.h: the body shared by the concurrency
 * tests (test_concurrent_jit.c, test_concurrent_aot.c): gae and whiten of
 * stdlib/advantages.rlf, called from NTHREADS threads at once, many times,
 * each call on one of three layouts of the same [T, B] inputs: C-contiguous,
 * batch-major (a transposed view: the scan-inner and transposed variants)
 * and every other element of a wider buffer (the strided variants). The
 * threads start together at a barrier and take the layouts in different
 * orders, so the first calls of each lazily compiled JIT variant race. Every
 * result must equal the one a single call on contiguous inputs gave before
 * the threads started. The ThreadSanitizer build (CMake preset tsan) runs
 * these tests to find data races; every other build runs them too. */
#ifndef RLF_TEST_CONCURRENT_CALLS_H
#define RLF_TEST_CONCURRENT_CALLS_H
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rlf.h"

/* the entry functions with NULL params (the defaults) */
typedef int (*GaeFn)(const DLTensor *reward, const DLTensor *value, const DLTensor *value_next,
                     const DLTensor *terminated, const DLTensor *done, DLTensor *adv,
                     DLTensor *ret, rlf_error *err);
typedef int (*WhitenFn)(const DLTensor *x, const DLTensor *mask, DLTensor *y, rlf_error *err);

enum { CC_T = 48, CC_B = 200, CC_N = CC_T * CC_B, CC_THREADS = 4, CC_ITERS = 12, CC_LAYOUTS = 3 };

typedef struct {
    float *f[4];          /* reward, value, value_next, whiten's x */
    uint8_t *u[2];        /* terminated, done (whiten's mask) */
} CcInputs;

static GaeFn cc_gae;
static WhitenFn cc_whiten;
static CcInputs cc_in[CC_LAYOUTS];
static float cc_ref[3][CC_N];     /* adv, ret, y from the first contiguous call */
static pthread_barrier_t cc_start;
static int cc_failures[CC_THREADS];

static int64_t cc_shape[2] = { CC_T, CC_B };
static int64_t cc_strides[CC_LAYOUTS][2] = { { CC_B, 1 }, { 1, CC_T }, { 2 * CC_B, 2 } };
static const char *const cc_layout_name[CC_LAYOUTS] = { "contiguous", "batch-major", "strided" };

/* element (t, b) of layout l */
static size_t cc_at(int l, int t, int b)
{
    return (size_t)(t * cc_strides[l][0] + b * cc_strides[l][1]);
}

static size_t cc_cap(int l) { return l == 2 ? 2 * (size_t)CC_N : (size_t)CC_N; }

static DLTensor cc_tensor(void *data, int l, uint8_t code, uint8_t bits)
{
    DLTensor t = { data, { kDLCPU, 0 }, 2, { code, bits, 1 }, cc_shape, l == 0 ? NULL : cc_strides[l], 0 };
    return t;
}

static int cc_call(int l, float *adv, float *ret, float *y, rlf_error *err)
{
    const CcInputs *in = &cc_in[l];
    DLTensor r = cc_tensor(in->f[0], l, kDLFloat, 32), v = cc_tensor(in->f[1], l, kDLFloat, 32),
             vn = cc_tensor(in->f[2], l, kDLFloat, 32), x = cc_tensor(in->f[3], l, kDLFloat, 32),
             term = cc_tensor(in->u[0], l, kDLUInt, 8), done = cc_tensor(in->u[1], l, kDLUInt, 8),
             ta = cc_tensor(adv, l, kDLFloat, 32), tr = cc_tensor(ret, l, kDLFloat, 32), ty = cc_tensor(y, l, kDLFloat, 32);
    int rc = cc_gae(&r, &v, &vn, &term, &done, &ta, &tr, err);
    return rc ? rc : cc_whiten(&x, &done, &ty, err);
}

static int cc_close(float got, float want)
{
    return fabsf(got - want) <= 1e-5f * (1.0f + fabsf(want));
}

static void *cc_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    float *out[CC_LAYOUTS][3];
    for (int l = 0; l < CC_LAYOUTS; l++)
        for (int k = 0; k < 3; k++) out[l][k] = calloc(cc_cap(l), sizeof(float));
    pthread_barrier_wait(&cc_start);
    for (int it = 0; it < CC_ITERS; it++) {
        int l = (it + id) % CC_LAYOUTS;
        rlf_error err = { 0, "" };
        int rc = cc_call(l, out[l][0], out[l][1], out[l][2], &err);
        if (rc) {
            if (cc_failures[id]++ < 5) fprintf(stderr, "FAIL thread %d, %s: call returned %d: %s\n", id, cc_layout_name[l], rc, err.message);
            continue;
        }
        int bad = 0;
        for (int t = 0; t < CC_T; t++)
            for (int b = 0; b < CC_B; b++)
                for (int k = 0; k < 3; k++) {
                    float got = out[l][k][cc_at(l, t, b)], want = cc_ref[k][t * CC_B + b];
                    if (!cc_close(got, want) && bad++ < 3)
                        fprintf(stderr, "FAIL thread %d, %s: %s[%d, %d] = %g, want %g\n", id, cc_layout_name[l],
                                k == 0 ? "adv" : k == 1 ? "ret" : "y", t, b, got, want);
                }
        if (bad) cc_failures[id]++;
        for (int k = 0; k < 3; k++) memset(out[l][k], 0, cc_cap(l) * sizeof(float));
    }
    for (int l = 0; l < CC_LAYOUTS; l++)
        for (int k = 0; k < 3; k++) free(out[l][k]);
    return NULL;
}

/* runs the test on the given entry functions; returns the exit status */
static int cc_run(const char *what, GaeFn gae, WhitenFn whiten)
{
    cc_gae = gae;
    cc_whiten = whiten;
    if (!getenv("RLF_NUM_THREADS")) rlf_set_num_threads(3);   /* the pool too, whatever the machine */
    unsigned s = 2024;
    for (int l = 0; l < CC_LAYOUTS; l++) {
        for (int k = 0; k < 4; k++) cc_in[l].f[k] = calloc(cc_cap(l), sizeof(float));
        for (int k = 0; k < 2; k++) cc_in[l].u[k] = calloc(cc_cap(l), 1);
    }
    for (int t = 0; t < CC_T; t++)
        for (int b = 0; b < CC_B; b++) {
            float f[4];
            uint8_t u[2];
            for (int k = 0; k < 4; k++) { s = s * 1103515245u + 12345u; f[k] = (float)((s >> 8) % 2000) / 1000.0f - 1.0f; }
            s = s * 1103515245u + 12345u; u[0] = (s >> 8) % 17 == 0;
            s = s * 1103515245u + 12345u; u[1] = u[0] || (s >> 8) % 3 == 0;
            for (int l = 0; l < CC_LAYOUTS; l++) {
                for (int k = 0; k < 4; k++) cc_in[l].f[k][cc_at(l, t, b)] = f[k];
                for (int k = 0; k < 2; k++) cc_in[l].u[k][cc_at(l, t, b)] = u[k];
            }
        }
    rlf_error err = { 0, "" };
    if (cc_call(0, cc_ref[0], cc_ref[1], cc_ref[2], &err)) {
        fprintf(stderr, "FAIL %s: the reference call failed: %s\n", what, err.message);
        return 1;
    }
    pthread_barrier_init(&cc_start, NULL, CC_THREADS);
    pthread_t th[CC_THREADS];
    for (int i = 0; i < CC_THREADS; i++) pthread_create(&th[i], NULL, cc_thread, (void *)(intptr_t)i);
    int fails = 0;
    for (int i = 0; i < CC_THREADS; i++) {
        pthread_join(th[i], NULL);
        fails += cc_failures[i];
    }
    pthread_barrier_destroy(&cc_start);
    for (int l = 0; l < CC_LAYOUTS; l++) {
        for (int k = 0; k < 4; k++) free(cc_in[l].f[k]);
        for (int k = 0; k < 2; k++) free(cc_in[l].u[k]);
    }
    if (fails) { fprintf(stderr, "%s: %d failed calls\n", what, fails); return 1; }
    printf("%s: ok (%d threads x %d calls per pipeline)\n", what, CC_THREADS, CC_ITERS);
    return 0;
}

#endif
