/* driver/rlfc.c: the rlfc command line (check, emit, run) over the library.
 * The contract other tools rely on is in docs/cli.md; tests: tests/cli/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "compile.h"
#include "interp.h"
#include "pass.h"

static const char *usage =
    "usage: rlfc <command> FILE.rlf [options]\n"
    "\n"
    "commands:\n"
    "  check FILE.rlf                          exit 0 if FILE compiles, else print diagnostics\n"
    "  emit FILE.rlf --ir|--kernels [--entry NAME] [--after PASS]\n"
    "                                          print the IR (after PASS) or the kernels\n"
    "  run FILE.rlf --entry NAME --in ARG=PATH.npy ... [--param P=VALUE ...]\n"
    "      [--target interp] --out DIR          run a pipeline on .npy inputs; writes DIR/<output>.npy\n"
    "\n"
    "options:\n"
    "  --stdlib DIR     where `import std.x` looks (default: RLF_STDLIB, then next to rlfc)\n"
    "  --time           print timings of each phase to stderr\n"
    "  --time-passes    print the time of each optimisation pass\n"
    "  -O0, -O2         optimisation level (default -O2)\n"
    "  -h, --help       this help\n";

typedef struct { const char *name; const char *value; } KV;

typedef struct {
    const char *cmd, *file, *entry, *out, *target, *stdlib, *after;
    bool emit_ir, emit_kernels, timing, time_passes;
    int opt;
    KV in[256]; int nin;
    KV prm[256]; int nprm;
} Args;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(const char *fmt, const char *a)
{
    fprintf(stderr, "rlfc: ");
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    return 1;
}

static bool split_kv(const char *s, KV *kv)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s) return false;
    char *name = strndup(s, (size_t)(eq - s));
    if (!name) return false;
    kv->name = name;
    kv->value = eq + 1;
    return true;
}

static int parse_args(int argc, char **argv, Args *a)
{
    if (argc < 2) { fputs(usage, stderr); return 1; }
    a->cmd = argv[1];
    if (!strcmp(a->cmd, "-h") || !strcmp(a->cmd, "--help") || !strcmp(a->cmd, "help")) { fputs(usage, stdout); exit(0); }
    if (strcmp(a->cmd, "check") && strcmp(a->cmd, "emit") && strcmp(a->cmd, "run"))
        return die("unknown command '%s' (expected check, emit or run; see rlfc --help)", a->cmd);
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED() do { if (!val) return die("option '%s' needs a value", o); i++; } while (0)
        if (!strcmp(o, "--entry")) { NEED(); a->entry = val; }
        else if (!strcmp(o, "--out")) { NEED(); a->out = val; }
        else if (!strcmp(o, "--target")) { NEED(); a->target = val; }
        else if (!strcmp(o, "--stdlib")) { NEED(); a->stdlib = val; }
        else if (!strcmp(o, "--in")) {
            NEED();
            if (a->nin == 256) return die("too many --in options%s", "");
            if (!split_kv(val, &a->in[a->nin++])) return die("--in expects ARG=PATH.npy, got '%s'", val);
        } else if (!strcmp(o, "--param")) {
            NEED();
            if (a->nprm == 256) return die("too many --param options%s", "");
            if (!split_kv(val, &a->prm[a->nprm++])) return die("--param expects NAME=VALUE, got '%s'", val);
        } else if (!strcmp(o, "--ir")) a->emit_ir = true;
        else if (!strcmp(o, "--kernels")) a->emit_kernels = true;
        else if (!strcmp(o, "--after")) { NEED(); a->after = val; }
        else if (!strcmp(o, "--time-passes")) a->time_passes = true;
        else if (!strcmp(o, "-O0")) a->opt = 0;
        else if (!strcmp(o, "-O2") || !strcmp(o, "-O3") || !strcmp(o, "-O")) a->opt = 2;
        else if (!strcmp(o, "--time")) a->timing = true;
        else if (!strcmp(o, "-h") || !strcmp(o, "--help")) { fputs(usage, stdout); exit(0); }
        else if (o[0] == '-' && o[1]) return die("unknown option '%s' (see rlfc --help)", o);
        else if (!a->file) a->file = o;
        else return die("unexpected argument '%s' (one FILE.rlf per call)", o);
#undef NEED
    }
    if (!a->file) return die("%s: missing FILE.rlf", a->cmd);
    return 0;
}

static int mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int cmd_run(Args *a, RlfCompilation *c)
{
    const IrModule *m = c->module;
    if (!a->entry) {
        if (m->pipelines.n == 1) a->entry = m->pipelines.v[0]->name;
        else {
            fprintf(stderr, "rlfc: --entry NAME is required; %s defines:", a->file);
            for (int i = 0; i < m->pipelines.n; i++) fprintf(stderr, " %s", m->pipelines.v[i]->name);
            fputc('\n', stderr);
            return 1;
        }
    }
    const IrPipeline *p = ir_find_pipeline(m, a->entry);
    if (!p) {
        fprintf(stderr, "rlfc: no pipeline '%s' in %s; it defines:", a->entry, a->file);
        for (int i = 0; i < m->pipelines.n; i++) fprintf(stderr, " %s", m->pipelines.v[i]->name);
        fputc('\n', stderr);
        return 1;
    }
    const char *target = a->target ? a->target : "interp";
    if (strcmp(target, "interp") != 0) {
        fprintf(stderr, "rlfc: target '%s' is not available in this build (available: interp)\n", target);
        return 1;
    }
    if (!a->out) return die("run: --out DIR is required%s", "");
    /* match named arguments to the signature */
    int nin = p->inputs.n;
    RtArray *inputs = calloc((size_t)nin + 1, sizeof *inputs);
    const char **ptext = calloc((size_t)p->params.n + 1, sizeof *ptext);
    const char **dtext = calloc((size_t)p->dims.n + 1, sizeof *dtext);
    RtArray *outs = calloc((size_t)p->outputs.n + 1, sizeof *outs);
    int rc = 1;
    char err[1024];
    if (!inputs || !ptext || !dtext || !outs) { fputs("rlfc: out of memory\n", stderr); goto done; }
    for (int i = 0; i < a->nin; i++) {
        int k = -1;
        for (int j = 0; j < nin; j++) if (!strcmp(p->tensors.v[p->inputs.v[j]]->name, a->in[i].name)) k = j;
        if (k < 0) {
            fprintf(stderr, "rlfc: pipeline '%s' has no tensor input '%s'; its inputs are:", p->name, a->in[i].name);
            for (int j = 0; j < nin; j++) fprintf(stderr, " %s", p->tensors.v[p->inputs.v[j]]->name);
            fputc('\n', stderr);
            goto done;
        }
        if (inputs[k].data) { fprintf(stderr, "rlfc: input '%s' is given twice\n", a->in[i].name); goto done; }
        if (rt_npy_read(a->in[i].value, &inputs[k], err, sizeof err) != 0) {
            fprintf(stderr, "rlfc: argument '%s': %s\n", a->in[i].name, err);
            goto done;
        }
    }
    for (int j = 0; j < nin; j++)
        if (!inputs[j].data) {
            fprintf(stderr, "rlfc: missing input '%s': pass it with --in %s=PATH.npy\n", p->tensors.v[p->inputs.v[j]]->name, p->tensors.v[p->inputs.v[j]]->name);
            goto done;
        }
    for (int i = 0; i < a->nprm; i++) {
        bool found = false;
        for (int j = 0; j < p->params.n; j++) if (!strcmp(p->params.v[j].name, a->prm[i].name)) { ptext[j] = a->prm[i].value; found = true; }
        for (int j = 0; j < p->dims.n; j++)
            if (!strcmp(p->dims.v[j].name, a->prm[i].name)) {
                if (!p->dims.v[j].is_param) {
                    fprintf(stderr, "rlfc: '%s' is a dimension read off the input shapes, not a parameter\n", a->prm[i].name);
                    goto done;
                }
                dtext[j] = a->prm[i].value; found = true;
            }
        if (!found) {
            fprintf(stderr, "rlfc: pipeline '%s' has no parameter '%s'", p->name, a->prm[i].name);
            if (p->params.n) {
                fputs("; its parameters are:", stderr);
                for (int j = 0; j < p->params.n; j++) fprintf(stderr, " %s", p->params.v[j].name);
            }
            fputc('\n', stderr);
            goto done;
        }
    }
    IrBinding b;
    if (ir_bind(c->arena, p, inputs, ptext, dtext, &b, err, sizeof err) != 0) { fprintf(stderr, "rlfc: %s\n", err); goto done; }
    double t0 = now();
    if (ir_interp_run(m, p, &b, inputs, outs, NULL, NULL, err, sizeof err) != 0) { fprintf(stderr, "rlfc: %s\n", err); goto done; }
    double t1 = now();
    if (a->timing) fprintf(stderr, "rlfc: run (%s) %.3f ms\n", target, 1e3 * (t1 - t0));
    if (mkdirs(a->out) != 0) { fprintf(stderr, "rlfc: cannot create output directory '%s': %s\n", a->out, strerror(errno)); goto done; }
    for (int k = 0; k < p->outputs.n; k++) {
        const char *nm = p->tensors.v[p->outputs.v[k]]->name;
        size_t len = strlen(a->out) + strlen(nm) + 8;
        char *path = malloc(len);
        if (!path) goto done;
        snprintf(path, len, "%s/%s.npy", a->out, nm);
        if (outs[k].dtype == RT_BF16) {
            fprintf(stderr, "rlfc: output '%s' is bf16, which .npy cannot hold; declare it f32\n", nm);
            free(path);
            goto done;
        }
        int w = rt_npy_write(path, &outs[k], err, sizeof err);
        free(path);
        if (w != 0) { fprintf(stderr, "rlfc: %s\n", err); goto done; }
    }
    rc = 0;
done:
    if (inputs) for (int j = 0; j < nin; j++) rt_array_free(&inputs[j]);
    if (outs) for (int k = 0; k < p->outputs.n; k++) rt_array_free(&outs[k]);
    free(inputs); free(outs); free(ptext); free(dtext);
    return rc;
}

int main(int argc, char **argv)
{
    Args a = { 0 };
    a.opt = 2;
    if (parse_args(argc, argv, &a) != 0) return 1;
    if (!strcmp(a.cmd, "emit") && !a.emit_ir && !a.emit_kernels) return die("emit: choose a form: --ir or --kernels%s", "");
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
    double t0 = now();
    RlfCompilation *c = rlf_compile_file(a.file, &opt);
    if (!c) { fputs("rlfc: out of memory\n", stderr); return 1; }
    double t1 = now();
    diag_print(&c->diag, stderr);
    if (a.timing) fprintf(stderr, "rlfc: compile %.3f ms\n", 1e3 * (t1 - t0));
    int rc = 0;
    if (!c->module) rc = 1;
    else if (!strcmp(a.cmd, "emit") && (a.after || a.emit_kernels)) {
        PassCtx pc = { c->module, c->arena, &c->diag, NULL, 0 };
        PassOptions po = { a.opt, a.after ? a.after : "schedule", stdout, a.time_passes };
        if (!pass_run_all(&pc, &po)) { diag_print(&c->diag, stderr); rc = 1; }
    } else if (!strcmp(a.cmd, "emit")) {
        if (a.entry) {
            const IrPipeline *p = ir_find_pipeline(c->module, a.entry);
            if (!p) { fprintf(stderr, "rlfc: no pipeline '%s'\n", a.entry); rc = 1; }
            else ir_print_pipeline(p, c->module, stdout);
        } else ir_print_module(c->module, stdout);
    } else if (!strcmp(a.cmd, "run")) rc = cmd_run(&a, c);
    for (int i = 0; i < a.nin; i++) free((char *)a.in[i].name);
    for (int i = 0; i < a.nprm; i++) free((char *)a.prm[i].name);
    rlf_compilation_free(c);
    return rc;
}
