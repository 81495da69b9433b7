/* driver/cmd_build.c: `rlfc build FILE.rlf --target cpu -o DIR`: ahead-of-time
 * artifacts for every pipeline defined in FILE (see backends/llvm/llvm_aot.c).
 * The runtime headers and library are found next to rlfc (../include/rlf,
 * ../lib/librlf_runtime.a); the C compiler is $CC or cc. Tests: tests/aot/. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "driver.h"

static char *exe_dir(Arena *a)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return arena_strdup(a, ".");
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash) *slash = 0;
    return arena_strdup(a, buf);
}

int drv_cmd_build(Args *a, RlfCompilation *c)
{
    const char *target = a->target ? a->target : "cpu";
    if (strcmp(target, "cpu")) { fprintf(stderr, "rlfc: build supports --target cpu in this build (the CUDA backend is not built)\n"); return 1; }
    if (!a->out) return drv_die("build: -o DIR is required%s", "");
    int md = drv_mkdirs(a->out);
    if (md != 0) { fprintf(stderr, "rlfc: cannot create output directory '%s': %s\n", a->out, strerror(md)); return 1; }
    double t0 = drv_now();
    PassCtx pc = { c->module, c->arena, &c->diag, NULL, 0 };
    PassOptions po = { a->opt, NULL, NULL, a->time_passes };
    if (!pass_run_all(&pc, &po)) { diag_print(&c->diag, stderr); return 1; }
    /* the pipelines written in FILE itself (imported ones are inlined where called) */
    KirPipeline **kps = arena_alloc(c->arena, (size_t)(c->module->pipelines.n + 1) * sizeof *kps);
    int n = 0;
    for (int i = 0; i < c->module->pipelines.n; i++) {
        const IrPipeline *p = c->module->pipelines.v[i];
        if (p->span.file == 0 && (!a->entry || !strcmp(a->entry, p->name))) kps[n++] = pc.kir[i];
    }
    if (!n) { fprintf(stderr, "rlfc: %s defines no pipeline%s%s\n", a->file, a->entry ? " named " : "", a->entry ? a->entry : ""); return 1; }
    const char *slash = strrchr(a->file, '/');
    char *base = arena_strdup(c->arena, slash ? slash + 1 : a->file);
    char *dot = strrchr(base, '.');
    if (dot) *dot = 0;
    for (char *q = base; *q; q++) if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_')) *q = '_';
    char *dir = exe_dir(c->arena);
    const char *cc = getenv("CC");
    LlvmAotOptions o = { a->out, arena_printf(c->arena, "%s/../include/rlf", dir), arena_printf(c->arena, "%s/../lib/librlf_runtime.a", dir),
                         cc && *cc ? cc : "cc", a->opt };
    struct stat st;
    if (stat(o.runtime_lib, &st) != 0) { fprintf(stderr, "rlfc: cannot find the runtime library next to rlfc (%s)\n", o.runtime_lib); return 1; }
    if (!llvm_build_aot(c->arena, kps, n, base, &o, &c->diag)) { diag_print(&c->diag, stderr); return 1; }
    if (a->timing) fprintf(stderr, "rlfc: build %.3f ms\n", 1e3 * (drv_now() - t0));
    fprintf(stderr, "rlfc: wrote %s/%s.h, %s/lib%s.so, %s/%s.o (%d pipeline%s)\n", a->out, base, a->out, base, a->out, base, n, n == 1 ? "" : "s");
    return 0;
}
