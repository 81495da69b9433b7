/* tests/extern/host.c: a host function called from a pipeline through
 * `extern fn value_model(obs: f32[B, D]) -> f32[B]`: a linear value model
 * v[b] = sum_d w[d] obs[b, d] with w[d] = d + 1. Strides may be any. */
#include <stdio.h>
#include "rlf.h"

int value_model(const DLTensor *obs, DLTensor *v, rlf_error *err)
{
    if (obs->ndim != 2 || v->ndim != 1 || obs->shape[0] != v->shape[0]) {
        snprintf(err->message, sizeof err->message, "value_model: bad shapes");
        return 3;
    }
    int64_t B = obs->shape[0], D = obs->shape[1];
    int64_t s0 = obs->strides ? obs->strides[0] : D, s1 = obs->strides ? obs->strides[1] : 1;
    int64_t vs = v->strides ? v->strides[0] : 1;
    const float *o = obs->data;
    float *out = v->data;
    for (int64_t b = 0; b < B; b++) {
        float acc = 0;
        for (int64_t d = 0; d < D; d++) acc += (float)(d + 1) * o[b * s0 + d * s1];
        out[b * vs] = acc;
    }
    return 0;
}

int failing_model(const DLTensor *obs, DLTensor *v, rlf_error *err)
{
    (void)obs; (void)v;
    snprintf(err->message, sizeof err->message, "the model server is down");
    return 7;
}
