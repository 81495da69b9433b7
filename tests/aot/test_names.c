/* tests/aot/test_names.c: a user of the header generated from
 * tests/aot/names.rlf, whose pipeline, parameter, dimension and tensor names
 * are C and C++ keywords or names of the headers. The same file is compiled
 * as C11 and as C++ (tests/aot/run_names.sh): the header must compile in
 * both with -Wall -Werror, and the renamed fields (a trailing '_') must
 * reach the right parameters. */
#include <stdio.h>
#include <string.h>
#include "names.h"

enum { N = 4, D = 3 };

static DLTensor tensor(void *data, int64_t *shape, uint8_t code, uint8_t bits)
{
    DLTensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.device.device_type = kDLCPU;
    t.ndim = 1;
    t.dtype.code = code;
    t.dtype.bits = bits;
    t.dtype.lanes = 1;
    t.shape = shape;
    return t;
}

int main(void)
{
    float cls[N] = { 1, 2, 3, 4 }, prm[N] = { 10, 20, 30, 40 }, prm2[N] = { 100, 200, 300, 400 }, er[N] = { 2, 4, 6, 8 };
    int32_t st[N] = { 1, 0, 1, 0 };
    float th[N], vi[D], un[N];
    int64_t n[1] = { N }, d[1] = { D };
    DLTensor tc = tensor(cls, n, kDLFloat, 32), tp = tensor(prm, n, kDLFloat, 32), tp2 = tensor(prm2, n, kDLFloat, 32);
    DLTensor ts = tensor(st, n, kDLInt, 32), te = tensor(er, n, kDLFloat, 32);
    DLTensor tth = tensor(th, n, kDLFloat, 32), tvi = tensor(vi, d, kDLFloat, 32), tun = tensor(un, n, kDLFloat, 32);
    rlf_int_params p = rlf_int_params_default();
    int fails = 0;
    if (p.return_ != 2 || p.new_ != 3 || p.int64_t_ != 0.5f || p.DLTensor_ != 0.25f) { fprintf(stderr, "FAIL: defaults\n"); fails++; }
    p.template_ = 0.5f;
    p.delete_ = D;
    rlf_error err;
    int rc = rlf_int(&tc, &tp, &tp2, &ts, &te, &tth, &tvi, &tun, &p, NULL, &err);
    if (rc != 0) { fprintf(stderr, "FAIL: rlf_int: %s\n", err.message); return 1; }
    for (int i = 0; i < N; i++) {
        float want = cls[i] * 2 + prm[i] + (float)(st[i] * 3) + er[i] * 0.5f + prm2[i];
        if (th[i] != want || un[i] != cls[i]) { fprintf(stderr, "FAIL: this[%d] = %g, want %g\n", i, th[i], want); fails++; }
    }
    for (int i = 0; i < D; i++)
        if (vi[i] != (float)i * 0.5f + 0.25f) { fprintf(stderr, "FAIL: virtual[%d] = %g\n", i, vi[i]); fails++; }
    float y[N];
    DLTensor ty = tensor(y, n, kDLFloat, 32);
    rc = rlf_gae(&tc, &ty, NULL, NULL, &err);
    if (rc != 0 || y[3] != 5) { fprintf(stderr, "FAIL: rlf_gae: %d %s\n", rc, err.message); fails++; }
    return fails != 0;
}
