/* tests/aot/test_aot.c: the ahead-of-time artifacts of stdlib/advantages.rlf,
 * used from C with nothing but the generated header, the library and
 * DLPack. Checks gae against a reference loop written here, on contiguous
 * inputs and on transposed (batch-major, strided) views, the defaults
 * function, whiten, and that a wrong-shape call fails and writes nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "advantages.h"

static int fails;
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); fails++; } } while (0)

enum { T = 37, B = 13 };

static DLTensor tensor(void *data, int64_t *shape, int64_t *strides, uint8_t code, uint8_t bits)
{
    DLTensor t = { data, { kDLCPU, 0 }, 2, { code, bits, 1 }, shape, strides, 0 };
    return t;
}

/* reference GAE, written from the formula: delta = r + g (1 - term) vn - v;
 * A[t] = delta + g l (1 - done) A[t+1]; A[T] = 0; ret = A + v */
static void ref_gae(const float *r, const float *v, const float *vn, const uint8_t *term, const uint8_t *done,
                    float g, float l, double *adv, double *ret)
{
    for (int b = 0; b < B; b++) {
        double a = 0;
        for (int t = T - 1; t >= 0; t--) {
            int i = t * B + b;
            double delta = (double)r[i] + (double)g * (1 - term[i]) * (double)vn[i] - (double)v[i];
            a = delta + (double)g * (double)l * (1 - done[i]) * a;
            adv[i] = a;
            ret[i] = a + (double)v[i];
        }
    }
}

int main(void)
{
    static float r[T * B], v[T * B], vn[T * B], adv[T * B], ret[T * B];
    static uint8_t term[T * B], done[T * B];
    static double radv[T * B], rret[T * B];
    unsigned s = 12345;
    for (int i = 0; i < T * B; i++) {
        s = s * 1103515245u + 12345u; r[i] = (float)((s >> 8) % 2000) / 1000.0f - 1.0f;
        s = s * 1103515245u + 12345u; v[i] = (float)((s >> 8) % 2000) / 1000.0f - 1.0f;
        s = s * 1103515245u + 12345u; vn[i] = (float)((s >> 8) % 2000) / 1000.0f - 1.0f;
        s = s * 1103515245u + 12345u; term[i] = (s >> 8) % 17 == 0;
        s = s * 1103515245u + 12345u; done[i] = term[i] || (s >> 8) % 11 == 0;
    }
    rlf_gae_params p = rlf_gae_params_default();
    CHECK(fabsf(p.gamma - 0.99f) < 1e-7f && fabsf(p.lambda - 0.95f) < 1e-7f, "defaults %g %g", p.gamma, p.lambda);
    p.gamma = 0.9f;
    p.lambda = 0.8f;
    ref_gae(r, v, vn, term, done, p.gamma, p.lambda, radv, rret);

    /* contiguous time-major [T, B] */
    int64_t shape[2] = { T, B };
    DLTensor tr = tensor(r, shape, NULL, kDLFloat, 32), tv = tensor(v, shape, NULL, kDLFloat, 32), tvn = tensor(vn, shape, NULL, kDLFloat, 32);
    DLTensor tt = tensor(term, shape, NULL, kDLUInt, 8), td = tensor(done, shape, NULL, kDLUInt, 8);
    DLTensor ta = tensor(adv, shape, NULL, kDLFloat, 32), tre = tensor(ret, shape, NULL, kDLFloat, 32);
    rlf_error err;
    int rc = rlf_gae(&tr, &tv, &tvn, &tt, &td, &ta, &tre, &p, NULL, &err);
    CHECK(rc == 0, "contiguous call failed: %s", err.message);
    for (int i = 0; i < T * B; i++) {
        CHECK(fabs(adv[i] - radv[i]) <= 1e-4 * (1 + fabs(radv[i])), "adv[%d] = %g, want %g", i, adv[i], radv[i]);
        CHECK(fabs(ret[i] - rret[i]) <= 1e-4 * (1 + fabs(rret[i])), "ret[%d] = %g, want %g", i, ret[i], rret[i]);
    }

    /* batch-major storage [B, T], passed as a [T, B] view with strides (1, T) */
    static float rb[T * B], vb[T * B], vnb[T * B], advb[T * B], retb[T * B];
    static uint8_t termb[T * B], doneb[T * B];
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            rb[b * T + t] = r[t * B + b]; vb[b * T + t] = v[t * B + b]; vnb[b * T + t] = vn[t * B + b];
            termb[b * T + t] = term[t * B + b]; doneb[b * T + t] = done[t * B + b];
        }
    int64_t st[2] = { 1, T };
    DLTensor sr = tensor(rb, shape, st, kDLFloat, 32), sv = tensor(vb, shape, st, kDLFloat, 32), svn = tensor(vnb, shape, st, kDLFloat, 32);
    DLTensor stt = tensor(termb, shape, st, kDLUInt, 8), sd = tensor(doneb, shape, st, kDLUInt, 8);
    DLTensor sa = tensor(advb, shape, st, kDLFloat, 32), sre = tensor(retb, shape, st, kDLFloat, 32);
    rc = rlf_gae(&sr, &sv, &svn, &stt, &sd, &sa, &sre, &p, NULL, &err);
    CHECK(rc == 0, "strided call failed: %s", err.message);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            CHECK(advb[b * T + t] == adv[t * B + b], "strided adv[%d, %d] = %g, contiguous %g", t, b, advb[b * T + t], adv[t * B + b]);

    /* a wrong shape: an error that names the argument, and nothing written */
    int64_t bad[2] = { T, B - 1 };
    DLTensor tbad = tensor(vn, bad, NULL, kDLFloat, 32);
    for (int i = 0; i < T * B; i++) adv[i] = ret[i] = -7.0f;
    rc = rlf_gae(&tr, &tv, &tbad, &tt, &td, &ta, &tre, &p, NULL, &err);
    CHECK(rc == RLF_E_SHAPE, "wrong shape returned %d", rc);
    CHECK(strstr(err.message, "value_next") != NULL, "message does not name the argument: %s", err.message);
    for (int i = 0; i < T * B; i++) CHECK(adv[i] == -7.0f && ret[i] == -7.0f, "wrote output %d on error", i);
    /* a wrong dtype */
    DLTensor tf64 = tensor(r, shape, NULL, kDLFloat, 64);
    rc = rlf_gae(&tf64, &tv, &tvn, &tt, &td, &ta, &tre, &p, NULL, &err);
    CHECK(rc == RLF_E_DTYPE && strstr(err.message, "reward"), "wrong dtype: %d %s", rc, err.message);
    /* NULL params: the defaults */
    rc = rlf_gae(&tr, &tv, &tvn, &tt, &td, &ta, &tre, NULL, NULL, &err);
    CHECK(rc == 0, "defaults call failed: %s", err.message);

    /* whiten: masked mean / unbiased variance */
    DLTensor mask = tensor(done, shape, NULL, kDLUInt, 8), y = tensor(ret, shape, NULL, kDLFloat, 32);
    rlf_whiten_params wp = rlf_whiten_params_default();
    rc = rlf_whiten(&tr, &mask, &y, &wp, NULL, &err);
    CHECK(rc == 0, "whiten failed: %s", err.message);
    double sum = 0, cnt = 0, sq = 0;
    for (int i = 0; i < T * B; i++) if (done[i]) { sum += r[i]; cnt++; }
    double mu = sum / cnt;
    for (int i = 0; i < T * B; i++) if (done[i]) sq += (r[i] - mu) * (r[i] - mu);
    double sd_ = sqrt(sq / (cnt - 1) + wp.eps);
    for (int i = 0; i < T * B; i++) {
        double want = done[i] ? (r[i] - mu) / sd_ : 0.0;
        CHECK(fabs(ret[i] - want) <= 1e-4 * (1 + fabs(want)), "whiten y[%d] = %g, want %g", i, ret[i], want);
    }
    if (fails) { fprintf(stderr, "%d checks failed\n", fails); return 1; }
    puts("test_aot: ok");
    return 0;
}
