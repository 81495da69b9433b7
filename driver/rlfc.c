/* driver/rlfc.c: the rlfc command line (check, emit, run) over the library.
 * The contract other tools rely on is in docs/cli.md; tests: tests/cli/. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "driver.h"

static const char *usage =
    "usage: rlfc <command> FILE.rlf [options]\n"
    "\n"
    "commands:\n"
    "  check FILE.rlf                          exit 0 if FILE compiles, else print diagnostics\n"
    "  emit FILE.rlf --ir|--kernels|--llvm [--entry NAME] [--after PASS]\n"
    "                                          print the IR (after PASS) or the kernels\n"
    "  run FILE.rlf --entry NAME --in ARG=PATH.npy ... [--param P=VALUE ...]\n"
    "      [--target cpu|interp] --out DIR      run a pipeline on .npy inputs; writes DIR/<output>.npy\n"
    "  build FILE.rlf --target cpu -o DIR      ahead of time: DIR/<file>.h, lib<file>.so, <file>.o\n"
    "  bench FILE.rlf --entry NAME --dims T=2048,B=64 [--layout time-major|batch-major]\n"
    "      [--repeat N] [--json]                time the compiled pipeline on random inputs\n"
    "\n"
    "options:\n"
    "  --stdlib DIR     where `import std.x` looks (default: RLF_STDLIB, then next to rlfc)\n"
    "  --extern-lib SO  a shared library defining extern functions (run; repeatable)\n"
    "  --time           print timings of each phase to stderr\n"
    "  --time-passes    print the time of each optimisation pass\n"
    "  -O0, -O2         optimisation level (default -O2)\n"
    "  -h, --help       this help\n";

double drv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int drv_die(const char *fmt, const char *a)
{
    fprintf(stderr, "rlfc: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    return 1;
}

static bool split_kv(const char *s, KV *kv)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s || eq - s >= (ptrdiff_t)sizeof kv->name) return false;
    memcpy(kv->name, s, (size_t)(eq - s));
    kv->name[eq - s] = 0;
    kv->value = eq + 1;
    return true;
}

static int parse_args(int argc, char **argv, Args *a)
{
    if (argc < 2) { fputs(usage, stderr); return 1; }
    a->cmd = argv[1];
    if (!strcmp(a->cmd, "-h") || !strcmp(a->cmd, "--help") || !strcmp(a->cmd, "help")) { fputs(usage, stdout); exit(0); }
    if (strcmp(a->cmd, "check") && strcmp(a->cmd, "emit") && strcmp(a->cmd, "run") && strcmp(a->cmd, "bench") && strcmp(a->cmd, "build"))
        return drv_die("unknown command '%s' (expected check, emit, run, build or bench; see rlfc --help)", a->cmd);
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED() do { if (!val) return drv_die("option '%s' needs a value", o); i++; } while (0)
        if (!strcmp(o, "--entry")) { NEED(); a->entry = val; }
        else if (!strcmp(o, "--out") || !strcmp(o, "-o")) { NEED(); a->out = val; }
        else if (!strcmp(o, "--target")) { NEED(); a->target = val; }
        else if (!strcmp(o, "--stdlib")) { NEED(); a->stdlib = val; }
        else if (!strcmp(o, "--in")) {
            NEED();
            if (a->nin == 256) return drv_die("too many --in options%s", "");
            if (!split_kv(val, &a->in[a->nin++])) return drv_die("--in expects ARG=PATH.npy, got '%s'", val);
        } else if (!strcmp(o, "--param")) {
            NEED();
            if (a->nprm == 256) return drv_die("too many --param options%s", "");
            if (!split_kv(val, &a->prm[a->nprm++])) return drv_die("--param expects NAME=VALUE, got '%s'", val);
        } else if (!strcmp(o, "--ir")) a->emit_ir = true;
        else if (!strcmp(o, "--kernels")) a->emit_kernels = true;
        else if (!strcmp(o, "--llvm")) a->emit_llvm = true;
        else if (!strcmp(o, "--dims")) { NEED(); a->dims = val; }
        else if (!strcmp(o, "--extern-lib")) {
            NEED();
            if (a->nlibs == 16) return drv_die("too many --extern-lib options%s", "");
            a->libs[a->nlibs++] = val;
        }
        else if (!strcmp(o, "--layout")) { NEED(); a->layout = val; }
        else if (!strcmp(o, "--repeat")) {
            NEED();
            int64_t r;
            if (!drv_parse_int("--repeat", val, 1, 1000000, &r)) return 1;
            a->repeat = (int)r;
        }
        else if (!strcmp(o, "--json")) a->json = true;
        else if (!strcmp(o, "--after")) { NEED(); a->after = val; }
        else if (!strcmp(o, "--time-passes")) a->time_passes = true;
        else if (!strcmp(o, "-O0")) a->opt = 0;
        else if (!strcmp(o, "-O2") || !strcmp(o, "-O3") || !strcmp(o, "-O")) a->opt = 2;
        else if (!strcmp(o, "--time")) a->timing = true;
        else if (!strcmp(o, "-h") || !strcmp(o, "--help")) { fputs(usage, stdout); exit(0); }
        else if (o[0] == '-' && o[1]) return drv_die("unknown option '%s' (see rlfc --help)", o);
        else if (!a->file) a->file = o;
        else return drv_die("unexpected argument '%s' (one FILE.rlf per call)", o);
#undef NEED
    }
    if (!a->file) return drv_die("%s: missing FILE.rlf", a->cmd);
    return 0;
}

int main(int argc, char **argv)
{
    Args a = { 0 };
    a.opt = 2;
    if (parse_args(argc, argv, &a) != 0) return 1;
    if (!strcmp(a.cmd, "emit") && !a.emit_ir && !a.emit_kernels && !a.emit_llvm) return drv_die("emit: choose a form: --ir, --kernels or --llvm%s", "");
    if (a.after) {
        bool known = false;
        for (int i = 0; i < pass_count; i++) known |= !strcmp(pass_list[i].name, a.after);
        if (!known) {
            fprintf(stderr, "rlfc: unknown pass '%s'; the passes are:", a.after);
            for (int i = 0; i < pass_count; i++) fprintf(stderr, " %s", pass_list[i].name);
            fputc('\n', stderr);
            return 1;
        }
    }
    RlfCompileOptions opt = { a.stdlib };
    double t0 = drv_now();
    RlfCompilation *c = rlf_compile_file(a.file, &opt);
    if (!c) { fputs("rlfc: out of memory\n", stderr); return 1; }
    double t1 = drv_now();
    diag_print(&c->diag, stderr);
    if (a.timing) fprintf(stderr, "rlfc: compile %.3f ms\n", 1e3 * (t1 - t0));
    int rc = 0;
    if (!c->module) rc = 1;
    else if (!strcmp(a.cmd, "emit") && a.emit_llvm) {
        const IrPipeline *p = drv_entry(&a, c);
        PassCtx pc = { c->module, c->arena, &c->diag, NULL, 0 };
        PassOptions po = { a.opt, NULL, NULL, a.time_passes };
        int pi = 0;
        while (p && c->module->pipelines.v[pi] != p) pi++;
        if (!p || !pass_run_all(&pc, &po) || !llvm_emit_ir(c->arena, pc.kir[pi], a.opt, stdout, &c->diag)) { diag_print(&c->diag, stderr); rc = 1; }
    } else if (!strcmp(a.cmd, "emit") && (a.after || a.emit_kernels)) {
        PassCtx pc = { c->module, c->arena, &c->diag, NULL, 0 };
        const IrPipeline *only = a.entry ? drv_entry(&a, c) : NULL;
        PassOptions po = { a.opt, a.after ? a.after : "schedule", only ? NULL : stdout, a.time_passes };
        if (a.entry && !only) rc = 1;
        else if (!pass_run_all(&pc, &po)) { diag_print(&c->diag, stderr); rc = 1; }
        else if (only) {
            int pi = 0;
            while (c->module->pipelines.v[pi] != only) pi++;
            bool ir_form = false;
            for (int i = 0; i < pass_count; i++) if (!strcmp(pass_list[i].name, po.stop_after)) ir_form = pass_list[i].is_ir;
            if (ir_form) ir_print_pipeline(only, c->module, stdout);
            else kir_print(pc.kir[pi], stdout);
        }
    } else if (!strcmp(a.cmd, "emit")) {
        if (a.entry) {
            const IrPipeline *p = ir_find_pipeline(c->module, a.entry);
            if (!p) { fprintf(stderr, "rlfc: no pipeline '%s'\n", a.entry); rc = 1; }
            else ir_print_pipeline(p, c->module, stdout);
        } else ir_print_module(c->module, stdout);
    } else if (!strcmp(a.cmd, "run")) rc = drv_cmd_run(&a, c);
    else if (!strcmp(a.cmd, "bench")) rc = drv_cmd_bench(&a, c);
    else if (!strcmp(a.cmd, "build")) rc = drv_cmd_build(&a, c);
    rlf_compilation_free(c);
    return rc;
}
