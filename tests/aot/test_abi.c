/* tests/aot/test_abi.c: the argument checks of the C ABI (runtime/rt_plan.c),
 * through the ahead-of-time entry points of tests/aot/abi.rlf. Every bad
 * call must return its RLF_E_* code with a message and write nothing (the
 * outputs keep a sentinel): NULL shape, NULL data, element counts and byte
 * extents that do not fit in 64 bits, stride-0 outputs, outputs that overlap
 * each other or an input (negative strides included), a value-range bound
 * that overflows, a scratch size that overflows. Good calls around them
 * check that the rules reject nothing valid.
 * `test_abi threads` instead checks RLF_NUM_THREADS as the environment of
 * the process sets it (run_abi.sh runs it with good and bad values).
 * Run by tests/aot/run_abi.sh (ctest aot.abi). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi.h"

static int fails;
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); fails++; } } while (0)

#define SENTINEL (-12345.0f)
enum { N = 8 };

static DLTensor f32(void *data, int ndim, int64_t *shape, int64_t *strides)
{
    DLTensor t = { data, { kDLCPU, 0 }, ndim, { kDLFloat, 32, 1 }, shape, strides, 0 };
    return t;
}

static void fill(float *p, int n, float v) { for (int i = 0; i < n; i++) p[i] = v; }
static bool all(const float *p, int n, float v) { for (int i = 0; i < n; i++) if (p[i] != v) return false; return true; }

/* a failing call: its code, a message containing `want`, and untouched outputs */
static void expect_fail(int line, int rc, const rlf_error *err, int code, const char *want, const float *out, int nout)
{
    if (rc != code || err->code != code || !strstr(err->message, want) || (out && !all(out, nout, SENTINEL))) {
        fprintf(stderr, "FAIL %s:%d: rc %d (want %d), message \"%s\" (want \"%s\")%s\n", __FILE__, line, rc, code, err->message, want,
                out && !all(out, nout, SENTINEL) ? ", and an output was written" : "");
        fails++;
    }
}
#define EXPECT_FAIL(rc, code, want, out, nout) expect_fail(__LINE__, rc, &err, code, want, out, nout)

/* affine's arguments: x = i - 3, s = 0.5, y = buf[0, N), z = buf[N, 2N),
 * every output float of buf a sentinel */
static float x[N], s = 0.5f, buf[3 * N];
static float out[4], small[16];             /* the other pipelines' outputs; a fake large input */
static int64_t shape[1] = { N };
static DLTensor tx, ts, ty, tz;
static rlf_error err;

static void fixture(void)
{
    for (int i = 0; i < N; i++) x[i] = (float)i - 3.0f;
    fill(buf, 3 * N, SENTINEL);
    fill(out, 4, SENTINEL);
    tx = f32(x, 1, shape, NULL);
    ts = f32(&s, 0, NULL, NULL);
    ty = f32(buf, 1, shape, NULL);
    tz = f32(buf + N, 1, shape, NULL);
}

static void good_call(void)
{
    float *y = buf, *z = buf + N;
    int rc = rlf_affine(&tx, &ts, &ty, &tz, NULL, NULL, &err);
    CHECK(rc == 0, "good call failed: %s", err.message);
    for (int i = 0; i < N; i++) CHECK(y[i] == x[i] * 2 + s && z[i] == x[i] + 1, "y[%d] = %g, z[%d] = %g", i, y[i], i, z[i]);
    /* inputs may share memory with each other: s aliases x[0] */
    DLTensor ts_alias = f32(&x[0], 0, NULL, NULL);
    fill(buf, 3 * N, SENTINEL);
    rc = rlf_affine(&tx, &ts_alias, &ty, &tz, NULL, NULL, &err);
    CHECK(rc == 0 && y[1] == x[1] * 2 + x[0], "inputs sharing memory: rc %d %s", rc, err.message);
}

static void null_shape(void)
{
    DLTensor bad = f32(x, 1, NULL, NULL);
    int rc = rlf_affine(&bad, &ts, &ty, &tz, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'x' has no shape", buf, 3 * N);
    bad = f32(buf + N, 1, NULL, NULL);
    rc = rlf_affine(&tx, &ts, &ty, &bad, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'z' has no shape", buf, 3 * N);
}

/* NULL data: a rank-0 tensor has one element */
static void null_data(void)
{
    DLTensor bad = f32(NULL, 0, NULL, NULL);
    int rc = rlf_affine(&tx, &bad, &ty, &tz, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 's' has no data", buf, 3 * N);
    bad = f32(NULL, 1, shape, NULL);
    rc = rlf_affine(&tx, &ts, &ty, &bad, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'z' has no data", buf, 3 * N);
}

/* an output with stride 0 writes every element to one place */
static void stride0_output(void)
{
    int64_t zero[1] = { 0 };
    DLTensor bad = f32(buf + N, 1, shape, zero);
    int rc = rlf_affine(&tx, &ts, &ty, &bad, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "output 'z' has stride 0 on axis 1", buf, 3 * N);
}

/* outputs overlapping each other in whole or in part, also through the
 * byte offset */
static void outputs_overlap(void)
{
    DLTensor same = f32(buf, 1, shape, NULL);
    int rc = rlf_affine(&tx, &ts, &ty, &same, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "output 'z' overlaps output 'y'", buf, 3 * N);
    DLTensor half = f32(buf + N / 2, 1, shape, NULL);
    rc = rlf_affine(&tx, &ts, &ty, &half, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "output 'z' overlaps output 'y'", buf, 3 * N);
    DLTensor shifted = f32(buf, 1, shape, NULL);             /* z at buf + N - 1 floats shares y's last */
    shifted.byte_offset = (N - 1) * sizeof(float);
    rc = rlf_affine(&tx, &ts, &ty, &shifted, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "output 'z' overlaps output 'y'", buf, 3 * N);
}

static void output_overlaps_input(void)
{
    float xin[2 * N];
    memcpy(xin, x, sizeof x);
    fill(xin + N, N, SENTINEL);
    DLTensor tx2 = f32(xin, 1, shape, NULL), over = f32(xin + N - 1, 1, shape, NULL);
    int rc = rlf_affine(&tx2, &ts, &over, &tz, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "output 'y' overlaps input 'x'", buf, 3 * N);
    CHECK(all(xin + N, N, SENTINEL), "an overlapping output was written");
    DLTensor onx = f32(xin, 1, shape, NULL);
    rc = rlf_affine(&tx2, &ts, &ty, &onx, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "output 'z' overlaps input 'x'", buf, 3 * N);
    CHECK(!memcmp(xin, x, sizeof x), "an input was written");
}

/* a negative stride reaches below the first element: y reversed from
 * buf[2N-1] covers buf[N, 2N), which z at buf + N/2 overlaps and z at
 * buf + 0 does not */
static void negative_stride(void)
{
    int64_t back[1] = { -1 };
    DLTensor rev = f32(buf + 2 * N - 1, 1, shape, back), half = f32(buf + N / 2, 1, shape, NULL), low = f32(buf, 1, shape, NULL);
    int rc = rlf_affine(&tx, &ts, &rev, &half, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "output 'z' overlaps output 'y'", buf, 3 * N);
    rc = rlf_affine(&tx, &ts, &rev, &low, NULL, NULL, &err);
    CHECK(rc == 0, "reversed output next to another failed: %s", err.message);
    for (int i = 0; i < N; i++) CHECK(buf[2 * N - 1 - i] == x[i] * 2 + s && buf[i] == x[i] + 1, "reversed y[%d] = %g", i, buf[2 * N - 1 - i]);
}

/* strides or offsets whose byte extent does not fit in 64 bits */
static void extent_overflow(void)
{
    int64_t huge[1] = { INT64_MAX / 4 }, neg[1] = { INT64_MIN / 4 };
    DLTensor bad = f32(buf + N, 1, shape, huge);
    int rc = rlf_affine(&tx, &ts, &ty, &bad, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'z': its strides and offset reach beyond", buf, 3 * N);
    bad = f32(buf + N, 1, shape, neg);
    rc = rlf_affine(&tx, &ts, &ty, &bad, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'z': its strides and offset reach beyond", buf, 3 * N);
    bad = f32(buf + N, 1, shape, NULL);
    bad.byte_offset = UINT64_MAX - 8;
    rc = rlf_affine(&tx, &ts, &ty, &bad, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'z': its strides and offset reach beyond", buf, 3 * N);
}

/* NULL data with an element count that wraps to 0 in 64 bits */
static void count_wraps(void)
{
    int64_t wrap[2] = { INT64_C(1) << 32, INT64_C(1) << 32 }, rshape[1] = { INT64_C(1) << 32 };
    DLTensor x = f32(NULL, 2, wrap, NULL), r = f32(out, 1, rshape, NULL);
    int rc = rlf_rowsum(&x, &r, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'x': shape [4294967296, 4294967296] has more elements than fit in 64 bits", out, 4);
}

/* dims within the cap (2^48) whose strides reach past 64 bits of bytes:
 * 2^47 rows 2^20 elements apart are 2^69 bytes; an output of 2^40 elements
 * 2^30 apart is 2^72 bytes */
static void huge_shapes(void)
{
    int64_t big[2] = { INT64_C(1) << 47, 1 }, bstride[2] = { INT64_C(1) << 20, 1 }, bshape[1] = { INT64_C(1) << 47 };
    DLTensor x = f32(small, 2, big, bstride), r = f32(out, 1, bshape, NULL);
    int rc = rlf_rowsum(&x, &r, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'x': its strides and offset reach beyond", out, 4);
    int64_t mid[2] = { INT64_C(1) << 40, 1 }, mshape[1] = { INT64_C(1) << 40 }, rstride[1] = { INT64_C(1) << 30 };
    x = f32(small, 2, mid, NULL);
    r = f32(out, 1, mshape, rstride);
    rc = rlf_rowsum(&x, &r, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'r': its strides and offset reach beyond", out, 4);
    /* a dim above the cap is refused by name, whatever the strides */
    int64_t over[2] = { (INT64_C(1) << 48) + 1, 1 }, oshape[1] = { (INT64_C(1) << 48) + 1 };
    x = f32(small, 2, over, NULL);
    r = f32(out, 1, oshape, NULL);
    rc = rlf_rowsum(&x, &r, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_SHAPE, "dimension 'T' = 281474976710657 from argument x; every dimension must be at least 1 and at most 2^48", out, 4);
}

/* a value range whose upper bound 2^62 * A overflows for A = 4 */
static void range_bound_overflows(void)
{
    float q[4] = { 1, 2, 3, 4 };
    int32_t action[1] = { 0 };
    int64_t qshape[2] = { 1, 4 }, ashape[1] = { 1 };
    DLTensor tq = f32(q, 2, qshape, NULL), ta = { action, { kDLCPU, 0 }, 1, { kDLInt, 32, 1 }, ashape, NULL, 0 }, tv = f32(out, 1, ashape, NULL);
    int rc = rlf_pick(&tq, &ta, &tv, NULL, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_ARG, "argument 'action': the bounds of its declared range overflow", out, 4);
    qshape[1] = 1;                                 /* A = 1: the bound fits, the call runs */
    rc = rlf_pick(&tq, &ta, &tv, NULL, NULL, &err);
    CHECK(rc == 0 && out[0] == 1, "pick with A = 1: rc %d, %g: %s", rc, out[0], err.message);
}

/* ragged groups: G = 2^61 + 1 counts of 8 bytes would wrap the scratch
 * size; the cap on dims refuses G first */
static void scratch_overflows(void)
{
    float reward[4] = { 2, 4, 6, 9 };
    int32_t group[4] = { 0, 0, 1, 1 };
    int64_t nshape[1] = { 4 };
    DLTensor tr = f32(reward, 1, nshape, NULL), tg = { group, { kDLCPU, 0 }, 1, { kDLInt, 32, 1 }, nshape, NULL, 0 }, tadv = f32(out, 1, nshape, NULL);
    rlf_center_params p = rlf_center_params_default();
    p.G = (INT64_C(1) << 61) + 1;
    int rc = rlf_center(&tr, &tg, &tadv, &p, NULL, &err);
    EXPECT_FAIL(rc, RLF_E_SHAPE, "dimension 'G' = 2305843009213693953; every dimension must be at least 1 and at most 2^48", out, 4);
    p.G = 2;
    rc = rlf_center(&tr, &tg, &tadv, &p, NULL, &err);
    CHECK(rc == 0 && out[0] == 1 && out[1] == 2 && out[2] == 3 && out[3] == 4.5f, "center with G = 2: rc %d: %s", rc, err.message);
}

/* RLF_NUM_THREADS as the environment sets it: a whole number >= 1 is used
 * (capped at 256); anything else fails every call with a message naming the
 * variable and its value, until the program sets the count itself */
static int threads_case(void)
{
    const char *e = getenv("RLF_NUM_THREADS");
    float *y = buf, *z = buf + N;
    int rc = rlf_affine(&tx, &ts, &ty, &tz, NULL, NULL, &err);
    bool good = e && *e && strspn(e, "0123456789") == strlen(e) && strtoll(e, NULL, 10) >= 1;
    if (!e || !*e || good) {
        CHECK(rc == 0, "RLF_NUM_THREADS='%s': %s", e ? e : "(unset)", err.message);
        if (good) {
            long long v = strtoll(e, NULL, 10);
            CHECK(rlf_num_threads() == (v > 256 ? 256 : v), "RLF_NUM_THREADS='%s' gives %d threads", e, rlf_num_threads());
        }
    } else {
        char want[64];
        snprintf(want, sizeof want, "RLF_NUM_THREADS='%s'", e);
        EXPECT_FAIL(rc, RLF_E_ARG, want, y, N);
        CHECK(all(z, N, SENTINEL), "z written");
        rc = rlf_affine(&tx, &ts, &ty, &tz, NULL, NULL, &err);
        EXPECT_FAIL(rc, RLF_E_ARG, want, y, N);              /* every call, not only the first */
        rlf_set_num_threads(2);
        rc = rlf_affine(&tx, &ts, &ty, &tz, NULL, NULL, &err);
        CHECK(rc == 0 && rlf_num_threads() == 2 && y[3] == x[3] * 2 + s, "after rlf_set_num_threads(2): rc %d: %s", rc, err.message);
    }
    return fails != 0;
}

static const struct { const char *name; void (*fn)(void); } cases[] = {
    { "good_call", good_call }, { "null_shape", null_shape }, { "null_data", null_data }, { "stride0_output", stride0_output },
    { "outputs_overlap", outputs_overlap }, { "output_overlaps_input", output_overlaps_input }, { "negative_stride", negative_stride },
    { "extent_overflow", extent_overflow }, { "count_wraps", count_wraps }, { "huge_shapes", huge_shapes },
    { "range_bound_overflows", range_bound_overflows }, { "scratch_overflows", scratch_overflows },
};

/* each case in a child process, so that one that crashes is reported by
 * name and the others still run */
int main(int argc, char **argv)
{
    fixture();
    if (argc > 1 && !strcmp(argv[1], "threads")) return threads_case();
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) { fixture(); cases[i].fn(); _exit(fails != 0); }
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFSIGNALED(st)) fprintf(stderr, "FAIL %s: killed by signal %d\n", cases[i].name, WTERMSIG(st));
        else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fprintf(stderr, "FAIL %s\n", cases[i].name);
        else continue;
        bad++;
    }
    if (bad) fprintf(stderr, "%d of %zu case(s) failed\n", bad, sizeof cases / sizeof *cases);
    return bad != 0;
}
