/* passes/schedule.c: how each kernel's loops run (see ir/kir.h).
 * The scan axis (if any) is the outermost loop, run in its direction; the
 * innermost axis is the vector axis (contiguous in the common layouts). The
 * thread split goes over the outermost non-scan axis for plain kernels, and
 * over the vector axis (in chunks that keep whole vectors) for scans, since a
 * scan over T with a short batch has parallelism only across B. A scan with
 * no other axis runs on one thread. Runs after fuse; the last pass.
 * Tests: tests/passes/schedule/. */
#include "pass.h"

#define TASK_ELEMS 16384         /* elements per task, at least */

bool pass_schedule(PassCtx *c)
{
    for (int i = 0; i < c->m->pipelines.n; i++) {
        KirPipeline *kp = c->kir[i];
        for (int j = 0; j < kp->kernels.n; j++) {
            KirKernel *k = kp->kernels.v[j];
            if (k->host >= 0) continue;
            int n = 0;
            if (k->scan_axis >= 0) k->order[n++] = k->scan_axis;
            for (int a = 0; a < k->rank; a++) if (a != k->scan_axis) k->order[n++] = a;
            k->vec_axis = k->rank > 0 && k->order[k->rank - 1] != k->scan_axis ? k->order[k->rank - 1] : -1;
            if (k->rank == 0 || k->segmented) k->par_axis = -1;   /* a segmented pass runs on one thread, in order */
            else if (k->scan_axis >= 0) k->par_axis = k->vec_axis;
            else k->par_axis = k->order[0];
            k->grain = TASK_ELEMS;
        }
    }
    return true;
}
