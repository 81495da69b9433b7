/* bench/ab_gae.c: A/B of rlf against the C reference in one process, for the
 * cases where rlf trails: the ahead-of-time build of the pipeline (rlfc build)
 * and ref_gae.c are called one after the other on the same buffers, many
 * times, and the best and median of each are compared. Alternating the two
 * calls makes the ratio robust to other jobs on the machine, which a sequence
 * of separate processes (bench/run.sh) is not.
 * Built and run by bench/ab.sh; checks the two outputs agree before timing.
 * Usage: ab_gae PIPELINE T B [threads] [time-major|batch-major]
 *   PIPELINE: gae, gae_whiten, grpo or rloo (T, B are then G, K) */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "advantages.h"
#include "baselines.h"
#include "gae_whiten.h"

void ref_set_threads(int n);
void ref_gae(int64_t T, int64_t B, const float *r, const float *v, const float *vn, const uint8_t *term,
             const uint8_t *done, float *adv, float *ret, float gamma, float lambda, int batch_major);
void ref_gae_whiten(int64_t T, int64_t B, const float *r, const float *v, const float *vn, const uint8_t *term,
                    const uint8_t *done, const uint8_t *mask, float *adv, float *ret, float gamma, float lambda,
                    float eps, int batch_major);
void ref_grpo(int64_t G, int64_t K, const float *r, float *adv, float eps);
void ref_rloo(int64_t G, int64_t K, const float *r, float *adv);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static float unif(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float)((double)(rng >> 11) * (1.0 / 9007199254740992.0));
}

static void *alloc(size_t n) { void *p = aligned_alloc(64, (n + 63) / 64 * 64); if (!p) exit(1); memset(p, 0, n); return p; }

typedef struct {
    const char *pipe;
    int64_t T, B;
    int bm;
    float *r, *v, *vn, *adv, *ret, *adv2, *ret2;
    uint8_t *term, *done, *mask;
    DLTensor t_r, t_v, t_vn, t_term, t_done, t_mask, t_adv, t_ret;
    int64_t shape[2], strides[2];
} Case;

static DLTensor tensor(Case *c, void *data, int boolean)
{
    DLTensor t = { data, { kDLCPU, 0 }, 2, { boolean ? kDLUInt : kDLFloat, boolean ? 8 : 32, 1 }, c->shape, c->strides, 0 };
    return t;
}

static int run_rlf(Case *c)
{
    rlf_error e;
    int rc;
    if (!strcmp(c->pipe, "gae")) {
        rlf_gae_params p = rlf_gae_params_default();
        rc = rlf_gae(&c->t_r, &c->t_v, &c->t_vn, &c->t_term, &c->t_done, &c->t_adv, &c->t_ret, &p, NULL, &e);
    } else if (!strcmp(c->pipe, "gae_whiten")) {
        rlf_gae_whiten_params p = rlf_gae_whiten_params_default();
        rc = rlf_gae_whiten(&c->t_r, &c->t_v, &c->t_vn, &c->t_term, &c->t_done, &c->t_mask, &c->t_adv, &c->t_ret, &p, NULL, &e);
    } else if (!strcmp(c->pipe, "grpo")) {
        rlf_grpo_params p = rlf_grpo_params_default();
        rc = rlf_grpo(&c->t_r, &c->t_adv, &p, NULL, &e);
    } else {
        rlf_rloo_params p = rlf_rloo_params_default();
        rc = rlf_rloo(&c->t_r, &c->t_adv, &p, NULL, &e);
    }
    if (rc) { fprintf(stderr, "ab_gae: rlf: %s\n", e.message); exit(1); }
    return rc;
}

static void run_c(Case *c)
{
    if (!strcmp(c->pipe, "gae"))
        ref_gae(c->T, c->B, c->r, c->v, c->vn, c->term, c->done, c->adv2, c->ret2, 0.99f, 0.95f, c->bm);
    else if (!strcmp(c->pipe, "gae_whiten"))
        ref_gae_whiten(c->T, c->B, c->r, c->v, c->vn, c->term, c->done, c->mask, c->adv2, c->ret2, 0.99f, 0.95f, 1e-8f, c->bm);
    else if (!strcmp(c->pipe, "grpo"))
        ref_grpo(c->T, c->B, c->r, c->adv2, 1e-6f);
    else
        ref_rloo(c->T, c->B, c->r, c->adv2);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: ab_gae gae|gae_whiten|grpo|rloo T B [threads] [time-major|batch-major]\n");
        return 2;
    }
    Case c = { 0 };
    c.pipe = argv[1];
    c.T = atoll(argv[2]);
    c.B = atoll(argv[3]);
    int threads = argc > 4 ? atoi(argv[4]) : 1;
    c.bm = argc > 5 && !strcmp(argv[5], "batch-major");
    int group = !strcmp(c.pipe, "grpo") || !strcmp(c.pipe, "rloo");
    if (group) c.bm = 0;
    rlf_set_num_threads(threads);
    ref_set_threads(threads);
    size_t n = (size_t)(c.T * c.B);
    c.r = alloc(n * 4); c.v = alloc(n * 4); c.vn = alloc(n * 4);
    c.adv = alloc(n * 4); c.ret = alloc(n * 4); c.adv2 = alloc(n * 4); c.ret2 = alloc(n * 4);
    c.term = alloc(n); c.done = alloc(n); c.mask = alloc(n);
    for (size_t i = 0; i < n; i++) {
        c.r[i] = unif() * 2 - 1; c.v[i] = unif() * 2 - 1; c.vn[i] = unif() * 2 - 1;
        c.term[i] = unif() < 0.02f; c.done[i] = unif() < 0.02f; c.mask[i] = unif() < 0.9f;
    }
    /* the C reference takes the batch-major buffers as [B, T]; rlf sees [T, B] with strides (1, T) */
    c.shape[0] = c.T; c.shape[1] = c.B;
    c.strides[0] = c.bm ? 1 : c.B;
    c.strides[1] = c.bm ? c.T : 1;
    c.t_r = tensor(&c, c.r, 0); c.t_v = tensor(&c, c.v, 0); c.t_vn = tensor(&c, c.vn, 0);
    c.t_term = tensor(&c, c.term, 1); c.t_done = tensor(&c, c.done, 1); c.t_mask = tensor(&c, c.mask, 1);
    c.t_adv = tensor(&c, c.adv, 0); c.t_ret = tensor(&c, c.ret, 0);

    run_rlf(&c);
    run_c(&c);
    double err = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)c.adv[i] - c.adv2[i]);
        if (!group) d = fmax(d, fabs((double)c.ret[i] - c.ret2[i]));
        if (!(d <= err)) err = d;             /* NaN counts */
    }
    if (!(err < 1e-3)) { fprintf(stderr, "ab_gae: rlf and C differ (max abs %g)\n", err); return 1; }

    double one = now();
    run_c(&c);
    one = now() - one;
    int reps = (int)(0.4 / (one > 1e-7 ? one : 1e-7));
    reps = reps < 15 ? 15 : reps > 2000 ? 2000 : reps;
    double *tr = malloc((size_t)reps * sizeof *tr), *tc = malloc((size_t)reps * sizeof *tc);
    for (int w = 0; w < 3; w++) { run_rlf(&c); run_c(&c); }
    for (int i = 0; i < reps; i++) {
        double t0 = now();
        run_rlf(&c);
        double t1 = now();
        run_c(&c);
        double t2 = now();
        tr[i] = t1 - t0;
        tc[i] = t2 - t1;
    }
    qsort(tr, (size_t)reps, sizeof *tr, cmp_d);
    qsort(tc, (size_t)reps, sizeof *tc, cmp_d);
    printf("{\"impl\": \"ab\", \"pipeline\": \"%s\", \"dims\": \"%s=%lld, %s=%lld\", \"layout\": \"%s\", \"threads\": %d, "
           "\"repeats\": %d, \"rlf_median_s\": %.9g, \"rlf_best_s\": %.9g, \"c_median_s\": %.9g, \"c_best_s\": %.9g, "
           "\"ratio_median\": %.4g, \"ratio_best\": %.4g, \"max_abs_diff\": %.3g}\n",
           c.pipe, group ? "G" : "T", (long long)c.T, group ? "K" : "B", (long long)c.B,
           group ? "row-major" : c.bm ? "batch-major" : "time-major", threads, reps,
           tr[reps / 2], tr[0], tc[reps / 2], tc[0], tr[reps / 2] / tc[reps / 2], tr[0] / tc[0], err);
    ref_set_threads(1);
    return 0;
}
