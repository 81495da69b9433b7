/* tests/aot/test_concurrent.c: one ahead-of-time library called from four
 * threads at once. Each thread has its own inputs (its own sizes; two of
 * them batch-major, strided) and calls rlf_gae and rlf_whiten of
 * stdlib/advantages.rlf many times; every result must equal, bit for bit,
 * what the same call gave when run alone before the threads started. The
 * runtime's thread pool, its per-thread scratch cache and the argument checks
 * are shared by all callers, which is what this exercises; it is meant to
 * run under ThreadSanitizer as well:
 *   rlfc build stdlib/advantages.rlf -o out
 *   cc -std=c11 -fsanitize=thread -I out tests/aot/test_concurrent.c \
 *      out/advantages.o out/librlf_runtime.a -lm -lpthread
 * (a runtime built with -fsanitize=thread catches races inside it too).
 * Run by tests/aot/run_concurrent.sh (ctest aot.concurrent). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "advantages.h"

enum { THREADS = 4, ROUNDS = 40 };

typedef struct {
    int T, B, batch_major;
    float *r, *v, *vn, *adv, *ret, *w;            /* w: whiten's output */
    uint8_t *term, *done;
    float *ref_adv, *ref_ret, *ref_w;
    int64_t shape[2], strides[2];
    int fails;
    char msg[300];
} Job;

static pthread_barrier_t start;

static DLTensor tensor(const Job *j, void *data, uint8_t code, uint8_t bits)
{
    DLTensor t = { data, { kDLCPU, 0 }, 2, { code, bits, 1 }, (int64_t *)j->shape, j->batch_major ? (int64_t *)j->strides : NULL, 0 };
    return t;
}

/* one gae and one whiten call into the job's outputs; 0 or the error */
static int call(Job *j)
{
    DLTensor tr = tensor(j, j->r, kDLFloat, 32), tv = tensor(j, j->v, kDLFloat, 32), tvn = tensor(j, j->vn, kDLFloat, 32);
    DLTensor tt = tensor(j, j->term, RLF_DL_BOOL, 8), td = tensor(j, j->done, kDLUInt, 8);
    DLTensor ta = tensor(j, j->adv, kDLFloat, 32), tre = tensor(j, j->ret, kDLFloat, 32), tw = tensor(j, j->w, kDLFloat, 32);
    rlf_gae_params p = rlf_gae_params_default();
    p.gamma = 0.9f + 0.01f * (float)j->B / 64;
    rlf_error err;
    int rc = rlf_gae(&tr, &tv, &tvn, &tt, &td, &ta, &tre, &p, NULL, &err);
    if (!rc) rc = rlf_whiten(&tre, &td, &tw, NULL, NULL, &err);
    if (rc) snprintf(j->msg, sizeof j->msg, "%s", err.message);
    return rc;
}

static void *worker(void *arg)
{
    Job *j = arg;
    size_t n = (size_t)j->T * (size_t)j->B;
    pthread_barrier_wait(&start);
    for (int round = 0; round < ROUNDS && !j->fails; round++) {
        memset(j->adv, 0, n * sizeof(float));
        memset(j->ret, 0, n * sizeof(float));
        memset(j->w, 0, n * sizeof(float));
        if (call(j)) { j->fails++; break; }
        if (memcmp(j->adv, j->ref_adv, n * sizeof(float)) || memcmp(j->ret, j->ref_ret, n * sizeof(float)) || memcmp(j->w, j->ref_w, n * sizeof(float))) {
            snprintf(j->msg, sizeof j->msg, "round %d differs from the call made alone", round);
            j->fails++;
        }
    }
    return NULL;
}

static float *floats(size_t n) { float *p = calloc(n, sizeof *p); if (!p) abort(); return p; }

int main(void)
{
    static const int sizes[THREADS][3] = { { 256, 64, 0 }, { 100, 33, 1 }, { 512, 16, 0 }, { 77, 200, 1 } };
    Job jobs[THREADS];
    unsigned s = 2024;
    for (int k = 0; k < THREADS; k++) {
        Job *j = &jobs[k];
        memset(j, 0, sizeof *j);
        j->T = sizes[k][0]; j->B = sizes[k][1]; j->batch_major = sizes[k][2];
        j->shape[0] = j->T; j->shape[1] = j->B;
        j->strides[0] = 1; j->strides[1] = j->T;          /* a [T, B] view of [B, T] storage */
        size_t n = (size_t)j->T * (size_t)j->B;
        j->r = floats(n); j->v = floats(n); j->vn = floats(n); j->adv = floats(n); j->ret = floats(n); j->w = floats(n);
        j->ref_adv = floats(n); j->ref_ret = floats(n); j->ref_w = floats(n);
        j->term = calloc(n, 1); j->done = calloc(n, 1);
        if (!j->term || !j->done) abort();
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u; j->r[i] = (float)((s >> 8) % 2000) / 1000.0f - 1.0f;
            s = s * 1103515245u + 12345u; j->v[i] = (float)((s >> 8) % 2000) / 1000.0f - 1.0f;
            s = s * 1103515245u + 12345u; j->vn[i] = (float)((s >> 8) % 2000) / 1000.0f - 1.0f;
            s = s * 1103515245u + 12345u; j->term[i] = (s >> 8) % 17 == 0;
            s = s * 1103515245u + 12345u; j->done[i] = j->term[i] || (s >> 8) % 5 != 0;
        }
        /* the reference: this call, alone */
        if (call(j)) { fprintf(stderr, "FAIL: thread %d's call alone: %s\n", k, j->msg); return 1; }
        memcpy(j->ref_adv, j->adv, n * sizeof(float));
        memcpy(j->ref_ret, j->ret, n * sizeof(float));
        memcpy(j->ref_w, j->w, n * sizeof(float));
    }
    pthread_barrier_init(&start, NULL, THREADS);
    pthread_t th[THREADS];
    for (int k = 0; k < THREADS; k++)
        if (pthread_create(&th[k], NULL, worker, &jobs[k]) != 0) { fprintf(stderr, "FAIL: cannot start a thread\n"); return 1; }
    int fails = 0;
    for (int k = 0; k < THREADS; k++) {
        pthread_join(th[k], NULL);
        if (jobs[k].fails) { fprintf(stderr, "FAIL: thread %d (T=%d, B=%d): %s\n", k, jobs[k].T, jobs[k].B, jobs[k].msg); fails++; }
    }
    pthread_barrier_destroy(&start);
    for (int k = 0; k < THREADS; k++) {
        Job *j = &jobs[k];
        free(j->r); free(j->v); free(j->vn); free(j->adv); free(j->ret); free(j->w);
        free(j->ref_adv); free(j->ref_ret); free(j->ref_w); free(j->term); free(j->done);
    }
    if (fails) return 1;
    puts("test_concurrent: ok");
    return 0;
}
