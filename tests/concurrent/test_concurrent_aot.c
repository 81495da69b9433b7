/* tests/concurrent/test_concurrent_aot.c: the ahead-of-time artifacts of
 * stdlib/advantages.rlf (generated header, object file, static runtime),
 * used from several threads: concurrent_calls.h calls gae and whiten from 4
 * threads at once on three layouts. Built and run by run_concurrent_aot.sh
 * (ctest, label concurrent; under ThreadSanitizer in the tsan preset). */
#include "concurrent_calls.h"
#include "advantages.h"

static int aot_gae(const DLTensor *r, const DLTensor *v, const DLTensor *vn, const DLTensor *term,
                   const DLTensor *done, DLTensor *adv, DLTensor *ret, rlf_error *err)
{
    return rlf_gae(r, v, vn, term, done, adv, ret, NULL, NULL, err);
}

static int aot_whiten(const DLTensor *x, const DLTensor *mask, DLTensor *y, rlf_error *err)
{
    return rlf_whiten(x, mask, y, NULL, NULL, err);
}

int main(void)
{
    return cc_run("test_concurrent_aot", aot_gae, aot_whiten);
}
