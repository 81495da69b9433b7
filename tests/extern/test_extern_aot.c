/* tests/extern/test_extern_aot.c: the AOT library of extern.rlf, linked
 * with the program that defines its extern (host.c): the generated code
 * calls value_model between its kernels. */
#include <math.h>
#include <stdio.h>
#include "extern.h"

int main(void)
{
    float obs[3 * 2] = { 1, 2, 3, 4, 5, 6 }, reward[3] = { 1, 1, 1 }, target[3];
    int64_t s2[2] = { 3, 2 }, s1[1] = { 3 };
    DLTensor o = { obs, { kDLCPU, 0 }, 2, { kDLFloat, 32, 1 }, s2, NULL, 0 };
    DLTensor r = { reward, { kDLCPU, 0 }, 1, { kDLFloat, 32, 1 }, s1, NULL, 0 };
    DLTensor t = { target, { kDLCPU, 0 }, 1, { kDLFloat, 32, 1 }, s1, NULL, 0 };
    rlf_values_params p = rlf_values_params_default();
    rlf_error err;
    if (rlf_values(&o, &r, &t, &p, NULL, &err) != 0) { fprintf(stderr, "FAIL: %s\n", err.message); return 1; }
    for (int b = 0; b < 3; b++) {
        float v = 2 * obs[2 * b] * 1 + 2 * obs[2 * b + 1] * 2;
        float want = 1 + 0.5f * v;
        if (fabsf(target[b] - want) > 1e-5f) { fprintf(stderr, "FAIL: target[%d] = %g, want %g\n", b, target[b], want); return 1; }
    }
    puts("extern aot: ok");
    return 0;
}
