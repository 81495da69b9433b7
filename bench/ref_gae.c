/* bench/ref_gae.c: hand-written C references for the benchmark suite, and a
 * streaming-copy bandwidth probe. Float32 throughout, the same semantics as
 * stdlib/advantages.rlf (gae, whiten) and stdlib/baselines.rlf (grpo, rloo):
 *
 *   gae          delta = r + (term ? 0 : gamma*vn) - v
 *                adv[t] = delta + (done ? 0 : gamma*lambda*adv[t+1]), adv[T] = 0
 *                ret = adv + v
 *   gae_whiten   gae, then adv over the masked elements: two-pass mean and unbiased
 *                variance (sums in double), adv = mask ? (adv-mu)/sqrt(var+eps) : 0
 *   grpo         dev = r - r[g,0]; A = sd == 0 ? 0 : (dev - mean)/(sd + eps), ddof 1
 *   rloo         dev = r - r[g,0]; A = K == 1 ? 0 : (dev - mean)*K/(K-1)
 *
 * Layouts of the [T, B] tensors: time-major (element (t, b) at t*B + b: a reverse
 * loop over t, the inner loop contiguous over b and vectorised; whitening keeps
 * per-column masked sums in that loop) and batch-major (at b*T + t: eight rows
 * at a time in blocks of steps, delta vectorised along t into an L1 buffer, then
 * eight interleaved recurrences, whose independent chains hide the latency).
 * Threads: a persistent pool (the caller plus N-1 spinning workers); the work is
 * cut into as many chunks as threads, along B (whole 64-byte lines) or along G,
 * and the chunks are claimed dynamically (see parallel()).
 *
 * Built twice from this file (bench/build_ref.sh or bench/CMakeLists.txt):
 *   ref_gae        -DREF_MAIN: times one case (or probes the copy bandwidth), JSON out
 *   libref_gae.so  the same functions for bench/peers.py (ctypes), which checks
 *                  every peer and rlf against them before timing anything.
 * Usage: ref_gae PIPELINE --dims T=2048,B=64 [--layout time-major|batch-major]
 *                [--threads N] [--min-time S]     (the interface of rlfc bench)
 *        ref_gae --probe [--threads N]             (the copy bandwidth)
 *   threads default to RLF_NUM_THREADS, else all cores. Inputs are random as in
 *   rlfc bench: floats uniform in [-1, 1), flags true with probability 0.02. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXT 64
#define LINE_F32 16 /* floats per 64-byte cache line */

/* ---------------------------------------------------------------- thread pool */

typedef void (*ChunkFn)(void *ctx, int chunk, int nchunks);

/* Chunks are claimed from a ticket that carries the region's generation in its
 * high half, so a worker that wakes late can neither run a chunk of a region
 * with the arguments of another nor hold the caller up: whatever chunk nobody
 * has claimed yet, the caller runs itself (a worker preempted by another
 * process then costs nothing unless it is in the middle of a chunk). */
static int pool_n = 1;                 /* threads, the caller included */
static pthread_t pool_th[MAXT];
static atomic_ullong pool_ticket;      /* generation << 32 | next chunk */
static atomic_int pool_done;           /* chunks finished in this region */
static atomic_int pool_quit;
static ChunkFn pool_fn;
static void *pool_ctx;
static int pool_chunks;
static unsigned pool_gen;

/* the next chunk of generation gen, or -1 */
static int claim(unsigned gen, int nchunks)
{
    unsigned long long t = atomic_load_explicit(&pool_ticket, memory_order_acquire);
    for (;;) {
        if ((unsigned)(t >> 32) != gen || (int)(t & 0xffffffffu) >= nchunks) return -1;
        if (atomic_compare_exchange_weak_explicit(&pool_ticket, &t, t + 1, memory_order_acq_rel, memory_order_acquire))
            return (int)(t & 0xffffffffu);
    }
}

static void *pool_worker(void *arg)
{
    (void)arg;
    unsigned seen = 0;
    for (;;) {
        unsigned long long t;
        int spins = 0;
        while ((unsigned)((t = atomic_load_explicit(&pool_ticket, memory_order_acquire)) >> 32) == seen) {
            if (atomic_load_explicit(&pool_quit, memory_order_relaxed)) return NULL;
            if (++spins < 4096) __builtin_ia32_pause();
            else { sched_yield(); spins = 0; }
        }
        seen = (unsigned)(t >> 32);
        /* the arguments were written before the ticket was published */
        ChunkFn fn = pool_fn;
        void *ctx = pool_ctx;
        int n = pool_chunks;
        for (int c; (c = claim(seen, n)) >= 0;) {
            fn(ctx, c, n);
            atomic_fetch_add_explicit(&pool_done, 1, memory_order_release);
        }
    }
}

void ref_set_threads(int n)
{
    if (n < 1) n = 1;
    if (n > MAXT) n = MAXT;
    if (pool_n > 1) {                  /* stop the old workers */
        atomic_store(&pool_quit, 1);
        for (int i = 1; i < pool_n; i++) pthread_join(pool_th[i], NULL);
        atomic_store(&pool_quit, 0);
    }
    pool_n = n;
    for (int i = 1; i < n; i++) pthread_create(&pool_th[i], NULL, pool_worker, NULL);
}

int ref_threads(void) { return pool_n; }

/* runs fn(ctx, c, nchunks) for every c < nchunks, on the caller and the workers */
static void parallel(int nchunks, ChunkFn fn, void *ctx)
{
    if (nchunks <= 1 || pool_n == 1) {
        for (int c = 0; c < nchunks; c++) fn(ctx, c, nchunks);
        return;
    }
    /* a worker still reading the previous region's arguments has finished all its
     * chunks (the caller waited for them), so overwriting them here is safe: it
     * cannot claim a chunk of the new generation with the old ones (see claim) */
    pool_fn = fn;
    pool_ctx = ctx;
    pool_chunks = nchunks;
    atomic_store_explicit(&pool_done, 0, memory_order_relaxed);
    unsigned gen = ++pool_gen;
    if (gen == 0) gen = ++pool_gen;    /* 0 is the workers' initial "seen" */
    atomic_store_explicit(&pool_ticket, (unsigned long long)gen << 32, memory_order_release);
    int mine = 0;
    for (int c; (c = claim(gen, nchunks)) >= 0; mine++) fn(ctx, c, nchunks);
    /* spin, but let a preempted worker have this core when the machine is busy */
    for (int spins = 0; atomic_load_explicit(&pool_done, memory_order_acquire) + mine < nchunks;)
        if (++spins < 1024) __builtin_ia32_pause();
        else { sched_yield(); spins = 0; }
}

/* [lo, hi) of chunk c when n items are cut into nchunks, boundaries multiples of align */
static void chunk_range(int64_t n, int64_t align, int c, int nchunks, int64_t *lo, int64_t *hi)
{
    int64_t units = (n + align - 1) / align;
    *lo = units * c / nchunks * align;
    *hi = units * (c + 1) / nchunks * align;
    if (*lo > n) *lo = n;
    if (*hi > n) *hi = n;
}

/* chunks: one per thread, fewer when a chunk would be smaller than `align` items */
static int nchunks_for(int64_t n, int64_t align)
{
    int64_t units = (n + align - 1) / align;
    return units < pool_n ? (int)units : pool_n;
}

/* -------------------------------------------------------------------- GAE */

typedef struct {
    int64_t T, B;
    const float *r, *v, *vn;
    const uint8_t *term, *done, *mask;
    float *adv, *ret;
    float gamma, lambda;
    int batch_major;
    /* whitening: per-chunk partial sums, then the statistics */
    double part[MAXT][2];
    int64_t cnt[MAXT];
    float mu, inv;
} Gae;

/* time-major, columns [b0, b1): reverse over t, contiguous inner loop, and the
 * masked sum and count of adv (for whitening), kept per column
 * in the same vector loop (no reduction inside a row) and folded into doubles
 * every FOLD rows. Columns in blocks of CB, so the per-column sums stay on the
 * stack. */
#define CB 1024
#define FOLD 256
static void gae_tm_sum(const Gae *g, int64_t b0, int64_t b1, double *sum, int64_t *cnt)
{
    const int64_t T = g->T, B = g->B;
    const float gamma = g->gamma, gl = g->gamma * g->lambda;
    float as[CB] __attribute__((aligned(64))), ac[CB] __attribute__((aligned(64)));
    double s = 0, c = 0;
    for (int64_t c0 = b0; c0 < b1; c0 += CB) {
        const int64_t n = b1 - c0 < CB ? b1 - c0 : CB;
        for (int64_t b = 0; b < n; b++) as[b] = ac[b] = 0;
        for (int64_t t = T - 1; t >= 0; t--) {
            const int64_t o = t * B + c0;
            const float *restrict r = g->r + o, *restrict v = g->v + o, *restrict vn = g->vn + o;
            const uint8_t *restrict term = g->term + o, *restrict done = g->done + o;
            const uint8_t *restrict m = g->mask + o;
            float *restrict adv = g->adv + o, *restrict ret = g->ret + o;
            float *restrict ps = as, *restrict pc = ac;
            if (t == T - 1) {              /* the row past the end reads as 0 (adv[T] = 0) */
#pragma omp simd
                for (int64_t b = 0; b < n; b++) {
                    const float nv = gamma * vn[b];
                    const float a = r[b] + (term[b] ? 0.0f : nv) - v[b];
                    adv[b] = a;
                    ret[b] = a + v[b];
                    ps[b] += m[b] ? a : 0.0f;
                    pc[b] += m[b] ? 1.0f : 0.0f;
                }
            } else {
                const float *restrict an = g->adv + o + B;
#pragma omp simd
                for (int64_t b = 0; b < n; b++) {
                    const float nv = gamma * vn[b], na = gl * an[b];
                    const float a = r[b] + (term[b] ? 0.0f : nv) - v[b] + (done[b] ? 0.0f : na);
                    adv[b] = a;
                    ret[b] = a + v[b];
                    ps[b] += m[b] ? a : 0.0f;
                    pc[b] += m[b] ? 1.0f : 0.0f;
                }
            }
            if (t == 0 || (T - t) % FOLD == 0)   /* per-column float sums stay short */
                for (int64_t b = 0; b < n; b++) { s += as[b]; c += ac[b]; as[b] = ac[b] = 0; }
        }
    }
    *sum = s;
    *cnt = (int64_t)c;
}

/* time-major GAE alone: the same loops without the sums or the column blocks */
static void gae_tm_plain(const Gae *g, int64_t b0, int64_t b1)
{
    const int64_t T = g->T, B = g->B, n = b1 - b0;
    const float gamma = g->gamma, gl = g->gamma * g->lambda;
    for (int64_t t = T - 1; t >= 0; t--) {
        const int64_t o = t * B + b0;
        const float *restrict r = g->r + o, *restrict v = g->v + o, *restrict vn = g->vn + o;
        const uint8_t *restrict term = g->term + o, *restrict done = g->done + o;
        float *restrict adv = g->adv + o, *restrict ret = g->ret + o;
        if (t == T - 1) {
#pragma omp simd
            for (int64_t b = 0; b < n; b++) {
                const float nv = gamma * vn[b];
                const float a = r[b] + (term[b] ? 0.0f : nv) - v[b];
                adv[b] = a;
                ret[b] = a + v[b];
            }
        } else {
            const float *restrict an = g->adv + o + B;
#pragma omp simd
            for (int64_t b = 0; b < n; b++) {
                const float nv = gamma * vn[b], na = gl * an[b];
                const float a = r[b] + (term[b] ? 0.0f : nv) - v[b] + (done[b] ? 0.0f : na);
                adv[b] = a;
                ret[b] = a + v[b];
            }
        }
    }
}

static void gae_tm_cols(const Gae *g, int64_t b0, int64_t b1, double *sum, int64_t *cnt)
{
    if (sum) gae_tm_sum(g, b0, b1, sum, cnt);
    else gae_tm_plain(g, b0, b1);
}

/* batch-major, rows [b0, b1): each row is contiguous in t. Eight rows at a time,
 * in blocks of BT steps: (1) per row, delta and the done flags, vectorised along
 * t into an L1 buffer; (2) the recurrence with the eight rows interleaved (eight
 * independent chains hide the latency); (3) per row, adv and ret written out
 * contiguously (and the masked sums for whitening). Going row by row through
 * the inputs keeps the streams few: eight rows at once with a power-of-two T
 * would put every stream in the same cache set. */
#define BT 256
static void gae_bm_rows(const Gae *g, int64_t b0, int64_t b1, double *sum, int64_t *cnt)
{
    const int64_t T = g->T;
    const float gamma = g->gamma, gl = g->gamma * g->lambda;
    float dl[8][BT] __attribute__((aligned(64)));
    uint8_t dm[8][BT] __attribute__((aligned(64)));
    double s = 0;
    int64_t c = 0;
    for (int64_t b = b0; b < b1; b += 8) {
        const int nr = b1 - b < 8 ? (int)(b1 - b) : 8;
        float an[8] = { 0 };
        for (int64_t t1 = T; t1 > 0; t1 -= BT) {
            const int64_t t0 = t1 > BT ? t1 - BT : 0;
            const int n = (int)(t1 - t0);
            for (int j = 0; j < nr; j++) {
                const int64_t o = (b + j) * T + t0;
                const float *restrict r = g->r + o, *restrict v = g->v + o, *restrict vn = g->vn + o;
                const uint8_t *restrict term = g->term + o, *restrict done = g->done + o;
                float *restrict d = dl[j];
                uint8_t *restrict m = dm[j];
#pragma omp simd
                for (int k = 0; k < n; k++) {
                    const float nv = gamma * vn[k];
                    d[k] = r[k] + (term[k] ? 0.0f : nv) - v[k];
                    m[k] = done[k];
                }
            }
            for (int k = n - 1; k >= 0; k--)
                for (int j = 0; j < nr; j++) {
                    const float na = gl * an[j];
                    an[j] = dl[j][k] + (dm[j][k] ? 0.0f : na);
                    dl[j][k] = an[j];
                }
            for (int j = 0; j < nr; j++) {
                const int64_t o = (b + j) * T + t0;
                const float *restrict v = g->v + o, *restrict d = dl[j];
                float *restrict adv = g->adv + o, *restrict ret = g->ret + o;
#pragma omp simd
                for (int k = 0; k < n; k++) {
                    adv[k] = d[k];
                    ret[k] = d[k] + v[k];
                }
                if (sum) {
                    const uint8_t *restrict mk = g->mask + o;
                    float rs = 0;
                    int64_t rc = 0;
#pragma omp simd reduction(+ : rs, rc)
                    for (int k = 0; k < n; k++) {
                        rs += mk[k] ? d[k] : 0.0f;
                        rc += mk[k] != 0;
                    }
                    s += rs;
                    c += rc;
                }
            }
        }
    }
    if (sum) { *sum = s; *cnt = c; }
}

static void gae_chunk(void *ctx, int ch, int nch)
{
    Gae *g = ctx;
    int64_t lo, hi;
    double *sum = g->mask ? &g->part[ch][0] : NULL;
    if (g->batch_major) {
        chunk_range(g->B, 8, ch, nch, &lo, &hi);
        gae_bm_rows(g, lo, hi, sum, &g->cnt[ch]);
    } else {
        chunk_range(g->B, LINE_F32, ch, nch, &lo, &hi);
        gae_tm_cols(g, lo, hi, sum, &g->cnt[ch]);
    }
}

static int gae_chunks(const Gae *g)
{
    return g->batch_major ? nchunks_for(g->B, 8) : nchunks_for(g->B, LINE_F32);
}

void ref_gae(int64_t T, int64_t B, const float *r, const float *v, const float *vn, const uint8_t *term,
             const uint8_t *done, float *adv, float *ret, float gamma, float lambda, int batch_major)
{
    Gae g = { T, B, r, v, vn, term, done, NULL, adv, ret, gamma, lambda, batch_major, { { 0 } }, { 0 }, 0, 0 };
    parallel(gae_chunks(&g), gae_chunk, &g);
}

/* whitening passes 2 and 3 see the T*B elements as one flat array: both
 * layouts store adv and mask the same way, so the element order does not matter */
static void var_chunk(void *ctx, int ch, int nch)
{
    Gae *g = ctx;
    int64_t lo, hi;
    chunk_range(g->T * g->B, LINE_F32, ch, nch, &lo, &hi);
    const float *restrict a = g->adv;
    const uint8_t *restrict m = g->mask;
    const float mu = g->mu;
    double s = 0;
    for (int64_t i0 = lo; i0 < hi; i0 += 4096) {
        int64_t i1 = i0 + 4096 < hi ? i0 + 4096 : hi;
        float bs = 0;
#pragma omp simd reduction(+ : bs)
        for (int64_t i = i0; i < i1; i++) {
            float d = a[i] - mu;
            bs += m[i] ? d * d : 0.0f;
        }
        s += bs;
    }
    g->part[ch][1] = s;
}

static void norm_chunk(void *ctx, int ch, int nch)
{
    Gae *g = ctx;
    int64_t lo, hi;
    chunk_range(g->T * g->B, LINE_F32, ch, nch, &lo, &hi);
    float *restrict a = g->adv;
    const uint8_t *restrict m = g->mask;
    const float mu = g->mu, inv = g->inv;
#pragma omp simd
    for (int64_t i = lo; i < hi; i++) a[i] = m[i] ? (a[i] - mu) * inv : 0.0f;
}

void ref_gae_whiten(int64_t T, int64_t B, const float *r, const float *v, const float *vn, const uint8_t *term,
                    const uint8_t *done, const uint8_t *mask, float *adv, float *ret, float gamma, float lambda,
                    float eps, int batch_major)
{
    Gae g = { T, B, r, v, vn, term, done, mask, adv, ret, gamma, lambda, batch_major, { { 0 } }, { 0 }, 0, 0 };
    int nch = gae_chunks(&g);
    parallel(nch, gae_chunk, &g);
    double s = 0;
    int64_t n = 0;
    for (int c = 0; c < nch; c++) { s += g.part[c][0]; n += g.cnt[c]; }
    if (n == 0) {                      /* nothing masked: every output is 0 */
        memset(adv, 0, (size_t)(T * B) * sizeof(float));
        return;
    }
    g.mu = (float)(s / (double)n);
    int nf = nchunks_for(T * B, 4096);
    parallel(nf, var_chunk, &g);
    double q = 0;
    for (int c = 0; c < nf; c++) q += g.part[c][1];
    float var = n > 1 ? (float)(q / (double)(n - 1)) : 0.0f;
    g.inv = 1.0f / sqrtf(var + eps);
    parallel(nf, norm_chunk, &g);
}

/* ------------------------------------------------------------ GRPO and RLOO */

typedef struct { int64_t G, K; const float *r; float *adv; float eps; int rloo; } Grp;

/* one group; K a compile-time constant where the caller can make it one */
static inline __attribute__((always_inline)) void group_stats(const float *restrict r, float *restrict a, int64_t K, float eps, int rloo)
{
    const float r0 = r[0];
    float s = 0;
    for (int64_t k = 0; k < K; k++) s += r[k] - r0;
    const float mu = s / (float)K;
    if (rloo) {
        const float f = K == 1 ? 0.0f : (float)K / (float)(K - 1);
        for (int64_t k = 0; k < K; k++) a[k] = (r[k] - r0 - mu) * f;
        return;
    }
    float q = 0;
    for (int64_t k = 0; k < K; k++) { float d = r[k] - r0 - mu; q += d * d; }
    const float sd = K > 1 ? sqrtf(q / (float)(K - 1)) : 0.0f;
    const float inv = sd == 0.0f ? 0.0f : 1.0f / (sd + eps);
    for (int64_t k = 0; k < K; k++) a[k] = (r[k] - r0 - mu) * inv;
}

static void grp_chunk(void *ctx, int ch, int nch)
{
    const Grp *p = ctx;
    int64_t lo, hi;
    /* whole cache lines per chunk: 16 floats hold 16/K groups */
    int64_t align = p->K >= LINE_F32 ? 1 : LINE_F32 / p->K;
    chunk_range(p->G, align, ch, nch, &lo, &hi);
    const int64_t K = p->K;
    if (K == 8)
        for (int64_t g = lo; g < hi; g++) group_stats(p->r + g * 8, p->adv + g * 8, 8, p->eps, p->rloo);
    else if (K == 16)
        for (int64_t g = lo; g < hi; g++) group_stats(p->r + g * 16, p->adv + g * 16, 16, p->eps, p->rloo);
    else
        for (int64_t g = lo; g < hi; g++) group_stats(p->r + g * K, p->adv + g * K, K, p->eps, p->rloo);
}

static void grp_run(Grp *p)
{
    int64_t align = p->K >= LINE_F32 ? 1 : LINE_F32 / p->K;
    parallel(nchunks_for(p->G, align * 64), grp_chunk, p);
}

void ref_grpo(int64_t G, int64_t K, const float *r, float *adv, float eps)
{
    Grp p = { G, K, r, adv, eps, 0 };
    grp_run(&p);
}

void ref_rloo(int64_t G, int64_t K, const float *r, float *adv)
{
    Grp p = { G, K, r, adv, 0, 1 };
    grp_run(&p);
}

/* ------------------------------------------------------- bandwidth probe */

typedef struct { float *dst; const float *src; int64_t n; int use_memcpy; } Copy;

/* a plain read+write loop: the pattern the compiler must not turn into memcpy */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void copy_loop(float *restrict d, const float *restrict s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) d[i] = s[i];
}

static void copy_chunk(void *ctx, int ch, int nch)
{
    const Copy *c = ctx;
    int64_t lo, hi;
    chunk_range(c->n, 1024, ch, nch, &lo, &hi);
    if (c->use_memcpy) memcpy(c->dst + lo, c->src + lo, (size_t)(hi - lo) * sizeof(float));
    else copy_loop(c->dst + lo, c->src + lo, hi - lo);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* best of `reps` copies of 256 MiB; bytes counted = read + written (2n), as rlfc bench */
double ref_copy_gbps(int use_memcpy, int threaded, int reps)
{
    const int64_t n = ((int64_t)256 << 20) / (int64_t)sizeof(float);
    float *a = aligned_alloc(64, (size_t)n * sizeof(float)), *b = aligned_alloc(64, (size_t)n * sizeof(float));
    if (!a || !b) { free(a); free(b); return 0; }
    memset(a, 1, (size_t)n * sizeof(float));
    memset(b, 2, (size_t)n * sizeof(float));
    Copy c = { b, a, n, use_memcpy };
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        parallel(threaded ? pool_n : 1, copy_chunk, &c);
        double t = now() - t0;
        if (t < best) best = t;
    }
    volatile float sink = b[n - 1];
    (void)sink;
    free(a);
    free(b);
    return 2.0 * (double)n * sizeof(float) / best * 1e-9;
}

#ifdef REF_MAIN
/* ------------------------------------------------------------------ timing */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double unif(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

static void *alloc(size_t bytes)
{
    if (bytes > ((size_t)1 << 40)) { fprintf(stderr, "ref_gae: size overflow\n"); exit(1); }
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) { fprintf(stderr, "ref_gae: out of memory\n"); exit(1); }
    memset(p, 0, bytes);               /* first touch before timing */
    return p;
}
static float *rand_f32(int64_t n) { float *p = alloc((size_t)n * 4); for (int64_t i = 0; i < n; i++) p[i] = (float)(unif() * 2 - 1); return p; }
static uint8_t *rand_bool(int64_t n, double p1) { uint8_t *p = alloc((size_t)n); for (int64_t i = 0; i < n; i++) p[i] = unif() < p1; return p; }

static int cmp_d(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return a < b ? -1 : a > b; }

static double min_time = 0.25;

typedef void (*RunFn)(void *);
/* warm-up, then repeats worth min_time (10..2000); median and best */
static void time_it(RunFn f, void *ctx, double *med, double *best, int *reps)
{
    double t0 = now();
    f(ctx);
    double one = now() - t0;
    for (int w = 0; w < 3; w++) f(ctx);
    int n = (int)(min_time / (one > 1e-7 ? one : 1e-7));
    n = n < 10 ? 10 : n > 2000 ? 2000 : n;
    double *ts = malloc((size_t)n * sizeof *ts);
    for (int i = 0; i < n; i++) { double a = now(); f(ctx); ts[i] = now() - a; }
    qsort(ts, (size_t)n, sizeof *ts, cmp_d);
    *med = ts[n / 2];
    *best = ts[0];
    *reps = n;
    free(ts);
}

typedef struct { int64_t T, B; float *r, *v, *vn, *adv, *ret; uint8_t *term, *done, *mask; int bm; } GaeCase;
static void run_gae(void *c_) { GaeCase *c = c_; ref_gae(c->T, c->B, c->r, c->v, c->vn, c->term, c->done, c->adv, c->ret, 0.99f, 0.95f, c->bm); }
static void run_gaew(void *c_) { GaeCase *c = c_; ref_gae_whiten(c->T, c->B, c->r, c->v, c->vn, c->term, c->done, c->mask, c->adv, c->ret, 0.99f, 0.95f, 1e-8f, c->bm); }
typedef struct { int64_t G, K; float *r, *adv; } GrpCase;
static void run_grpo(void *c_) { GrpCase *c = c_; ref_grpo(c->G, c->K, c->r, c->adv, 1e-6f); }
static void run_rloo(void *c_) { GrpCase *c = c_; ref_rloo(c->G, c->K, c->r, c->adv); }

static void emit(const char *pipe, const char *dims, const char *layout, double bytes, double med, double best, int reps)
{
    printf("{\"impl\": \"c\", \"pipeline\": \"%s\", \"dims\": \"%s\", \"layout\": \"%s\", \"threads\": %d, "
           "\"median_s\": %.9g, \"best_s\": %.9g, \"repeats\": %d, \"bytes\": %.0f, \"gbps\": %.4g}\n",
           pipe, dims, layout, pool_n, med, best, reps, bytes, bytes / med * 1e-9);
    fflush(stdout);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: ref_gae PIPELINE --dims T=2048,B=64 [--layout time-major|batch-major] [--threads N] [--min-time S]\n"
            "       ref_gae --probe [--threads N] [--reps R]\n"
            "  PIPELINE: gae, gae_whiten (dims T, B) or grpo, rloo (dims G, K); one JSON line out\n");
    return 2;
}

/* "T=2048,B=64" -> the two values, in the order the names are given */
static int parse_dims(const char *s, const char *n0, const char *n1, int64_t *v0, int64_t *v1)
{
    *v0 = *v1 = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq) return 0;
        *eq = 0;
        while (*tok == ' ') tok++;
        if (!strcmp(tok, n0)) *v0 = atoll(eq + 1);
        else if (!strcmp(tok, n1)) *v1 = atoll(eq + 1);
        else return 0;
    }
    return *v0 > 0 && *v1 > 0;
}

int main(int argc, char **argv)
{
    int threads = 0, probe = 0, preps = 5, bm = 0;
    const char *pipe = NULL, *dimstr = NULL;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--threads") && v) threads = atoi(argv[++i]);
        else if (!strcmp(o, "--probe")) probe = 1;
        else if (!strcmp(o, "--reps") && v) preps = atoi(argv[++i]);
        else if (!strcmp(o, "--dims") && v) dimstr = argv[++i];
        else if (!strcmp(o, "--layout") && v) {
            i++;
            if (!strcmp(v, "batch-major")) bm = 1;
            else if (strcmp(v, "time-major")) return usage();
        } else if (!strcmp(o, "--min-time") && v) min_time = atof(argv[++i]);
        else if (o[0] != '-' && !pipe) pipe = o;
        else return usage();
    }
    if (threads < 1) {
        const char *e = getenv("RLF_NUM_THREADS");
        threads = e && atoi(e) > 0 ? atoi(e) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    }
    ref_set_threads(threads);

    if (probe) {
        double m1 = ref_copy_gbps(1, 0, preps), mt = ref_copy_gbps(1, 1, preps);
        double l1 = ref_copy_gbps(0, 0, preps), lt = ref_copy_gbps(0, 1, preps);
        printf("{\"impl\": \"c\", \"probe\": \"copy\", \"threads\": %d, \"bytes\": %lld, "
               "\"memcpy_1t_gbps\": %.4g, \"memcpy_gbps\": %.4g, \"loop_1t_gbps\": %.4g, \"loop_gbps\": %.4g}\n",
               pool_n, (long long)2 * (256 << 20), m1, mt, l1, lt);
        ref_set_threads(1);
        return 0;
    }
    if (!pipe || !dimstr) return usage();
    char dims[96];
    double med, best;
    int reps;
    if (!strcmp(pipe, "gae") || !strcmp(pipe, "gae_whiten")) {
        int64_t T, B;
        if (!parse_dims(dimstr, "T", "B", &T, &B)) return usage();
        int64_t n = T * B;
        GaeCase c = { T, B, rand_f32(n), rand_f32(n), rand_f32(n), alloc((size_t)n * 4), alloc((size_t)n * 4),
                      rand_bool(n, 0.02), rand_bool(n, 0.02), rand_bool(n, 0.02), bm };
        snprintf(dims, sizeof dims, "T=%lld, B=%lld", (long long)T, (long long)B);
        int w = !strcmp(pipe, "gae_whiten");
        time_it(w ? run_gaew : run_gae, &c, &med, &best, &reps);
        emit(pipe, dims, bm ? "batch-major" : "time-major", (double)n * (w ? 23 : 22), med, best, reps);
        free(c.r); free(c.v); free(c.vn); free(c.adv); free(c.ret); free(c.term); free(c.done); free(c.mask);
    } else if (!strcmp(pipe, "grpo") || !strcmp(pipe, "rloo")) {
        int64_t G, K;
        if (!parse_dims(dimstr, "G", "K", &G, &K)) return usage();
        int64_t n = G * K;
        GrpCase c = { G, K, rand_f32(n), alloc((size_t)n * 4) };
        snprintf(dims, sizeof dims, "G=%lld, K=%lld", (long long)G, (long long)K);
        int rl = !strcmp(pipe, "rloo");
        time_it(rl ? run_rloo : run_grpo, &c, &med, &best, &reps);
        emit(pipe, dims, "row-major", (double)n * 8, med, best, reps);
        free(c.r); free(c.adv);
    } else return usage();
    ref_set_threads(1);
    return 0;
}
#endif
