/* runtime/rt_pool.c: a small fixed thread pool for CPU kernels. Work is a
 * range of task indices handed out through an atomic counter; results never
 * depend on which thread ran a task (kernels split only independent work),
 * so outputs are bitwise identical for every thread count.
 * Threads: rlf_set_num_threads, else RLF_NUM_THREADS, else all cores; an
 * RLF_NUM_THREADS that is not a thread count fails every call (rlf.h).
 * Tests: tests/run/ on cpu with RLF_NUM_THREADS=1 and 3 (tests/CMakeLists.txt),
 * tests/aot/test_abi.c (bad values), tests/concurrent/. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "rt_plan.h"

#define MAX_THREADS 256

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;      /* one parallel region at a time */
static pthread_mutex_t wmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER, done_cv = PTHREAD_COND_INITIALIZER;
static int nthreads_wanted;          /* 0: not decided yet */
static int nworkers;                 /* started workers (threads besides the caller) */
static uint64_t generation;
static void (*job_fn)(void *, int64_t);
static void *job_ctx;
static int64_t job_n;
static atomic_llong next_task;
static int active;

static char env_error[160];          /* why RLF_NUM_THREADS was refused; "" when it was not */

/* under wmu: RLF_NUM_THREADS if it is a whole number >= 1 (at most
 * MAX_THREADS are used), else all cores; another value is remembered in
 * env_error, which every call then reports */
static int default_threads(void)
{
    const char *e = getenv("RLF_NUM_THREADS");
    if (e && *e) {
        long long v = 0;
        const char *q = e;
        for (; *q >= '0' && *q <= '9'; q++) v = v > MAX_THREADS ? v : v * 10 + (*q - '0');
        if (!*q && v >= 1) return v > MAX_THREADS ? MAX_THREADS : (int)v;
        snprintf(env_error, sizeof env_error, "RLF_NUM_THREADS='%.40s' is not a number of threads (a whole number from 1; unset means all cores)", e);
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

int rlf_num_threads(void)
{
    pthread_mutex_lock(&wmu);
    if (!nthreads_wanted) nthreads_wanted = default_threads();
    int n = nthreads_wanted;
    pthread_mutex_unlock(&wmu);
    return n;
}

bool rt_threads_env_error(char *msg, size_t n)
{
    pthread_mutex_lock(&wmu);
    if (!nthreads_wanted) nthreads_wanted = default_threads();
    bool bad = env_error[0] != 0;
    if (bad) snprintf(msg, n, "%s", env_error);
    pthread_mutex_unlock(&wmu);
    return bad;
}

void rlf_set_num_threads(int n)
{
    pthread_mutex_lock(&wmu);
    nthreads_wanted = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
    env_error[0] = 0;                /* the program chose: the variable no longer matters */
    pthread_mutex_unlock(&wmu);
}

static void run_tasks(void)
{
    for (;;) {
        int64_t i = atomic_fetch_add(&next_task, 1);
        if (i >= job_n) break;
        job_fn(job_ctx, i);
    }
}

static void *worker(void *arg)
{
    (void)arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&wmu);
    for (;;) {
        while (generation == seen) pthread_cond_wait(&wake, &wmu);
        seen = generation;
        pthread_mutex_unlock(&wmu);
        run_tasks();
        pthread_mutex_lock(&wmu);
        if (--active == 0) pthread_cond_signal(&done_cv);
    }
    return NULL;
}

void rt_parallel(int64_t n, void (*fn)(void *ctx, int64_t i), void *ctx)
{
    if (n <= 0) return;
    int want = rlf_num_threads();
    if (n == 1 || want == 1) {
        for (int64_t i = 0; i < n; i++) fn(ctx, i);
        return;
    }
    pthread_mutex_lock(&mu);
    pthread_mutex_lock(&wmu);
    while (nworkers < want - 1) {
        pthread_t th;
        if (pthread_create(&th, NULL, worker, NULL) != 0) break;
        pthread_detach(th);
        nworkers++;
    }
    job_fn = fn; job_ctx = ctx; job_n = n;
    atomic_store(&next_task, 0);
    /* every started worker wakes; the extra ones find no tasks left */
    active = nworkers;
    generation++;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&wmu);
    run_tasks();
    pthread_mutex_lock(&wmu);
    while (active > 0) pthread_cond_wait(&done_cv, &wmu);
    pthread_mutex_unlock(&wmu);
    pthread_mutex_unlock(&mu);
}
