/* backends/llvm/llvm_aot.c: ahead-of-time artifacts (`rlfc build`).
 * For FILE.rlf, DIR receives
 *   <base>.h             the C API: per pipeline a params struct, its
 *                        defaults function and the entry function
 *   lib<base>.so         kernels + glue + the runtime: link with -l<base>
 *   <base>.o             kernels + glue, to link with librlf_runtime.a
 *   librlf_runtime.a     the runtime, for static linking
 *   rlf.h                the ABI header <base>.h includes
 *   dlpack/dlpack.h      DLPack's header (Apache-2.0), which rlf.h includes
 * Kernels come from LLVM as an object file; the glue (the plan tables and
 * the entry functions) is C printed from the same in-memory plan the JIT
 * uses, compiled and linked with the system C compiler.
 * Tests: tests/aot/. */
#include "llvm.h"
#include "llvm_cg.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void print_lin(FILE *f, const RtLin *l)
{
    fprintf(f, "{ %lldLL, %d, { %d, %d, %d, %d }, { %lldLL, %lldLL, %lldLL, %lldLL } }", (long long)l->c, l->n,
            l->dim[0], l->dim[1], l->dim[2], l->dim[3], (long long)l->k[0], (long long)l->k[1], (long long)l->k[2], (long long)l->k[3]);
}

static void c_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* C names of the header. A pipeline P is the function rlf_P, the struct
 * rlf_P_params and the function rlf_P_params_default; two pipelines whose
 * names collide there, or a pipeline named like the runtime's own rlf_error,
 * rlf_stream, rlf_num_threads or rlf_set_num_threads, are an error. A
 * parameter field or tensor argument keeps its name unless it is reserved in
 * C or C++ (a keyword, or a name rlf.h, dlpack.h, <stdint.h>, <stddef.h> or
 * <stdbool.h> define or may define: see reserved()), or, for an argument,
 * params, stream or err: then it gets a trailing '_', and more while it
 * equals an earlier name of the same struct or function. docs/cli.md states
 * the rule. Kernel symbols and the glue's tables use the prefixes rlfk<i>_
 * and rlfg<i>_, which no rlf_ name can equal. */
typedef struct {
    const char *entry, *ptype, *pdefault;
    const char **field;           /* scalar params, then dims (non-param dims: NULL) */
    const char **arg;             /* plan arguments */
} AotNames;

static bool reserved(const char *s)
{
    static const char *const words[] = {
        /* C11 and C23 */
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto",
        "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
        "typedef", "union", "unsigned", "void", "volatile", "while", "alignas", "alignof", "bool", "constexpr", "false", "nullptr",
        "static_assert", "thread_local", "true", "typeof", "typeof_unqual",
        /* C++ (to C++23), GNU C */
        "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t", "char16_t", "char32_t", "class", "co_await", "co_return",
        "co_yield", "compl", "concept", "const_cast", "consteval", "constinit", "decltype", "delete", "dynamic_cast", "explicit",
        "export", "friend", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "operator", "or", "or_eq", "private",
        "protected", "public", "reinterpret_cast", "requires", "static_cast", "template", "this", "throw", "try", "typeid",
        "typename", "using", "virtual", "wchar_t", "xor", "xor_eq",
        /* macros of the included headers */
        "NULL", "offsetof",
    };
    static const char *const prefixes[] = { "_", "DL", "kDL", "rlf_", "RLF_", "INT", "UINT", "SIZE_", "PTRDIFF_", "WCHAR_", "WINT_", "SIG_ATOMIC_" };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) if (!strcmp(s, words[i])) return true;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) if (!strncmp(s, prefixes[i], strlen(prefixes[i]))) return true;
    size_t n = strlen(s);
    return n >= 2 && !strcmp(s + n - 2, "_t");          /* <stdint.h>, <stddef.h> and POSIX types */
}

/* name, made a usable C identifier unique among taken[0, n) */
static const char *c_member(Arena *a, const char *name, const char *const *taken, int n)
{
    const char *s = be_c_ident(a, name);
    if (reserved(s)) s = arena_printf(a, "%s_", s);
    for (bool again = true; again;) {
        again = false;
        for (int i = 0; i < n; i++)
            if (taken[i] && !strcmp(taken[i], s)) { s = arena_printf(a, "%s_", s); again = true; break; }
    }
    return s;
}

static bool aot_names(Arena *a, BePlan *const *bps, int n, AotNames *names, DiagCtx *d)
{
    static const char *const runtime[] = { "rlf_error", "rlf_stream", "rlf_num_threads", "rlf_set_num_threads" };
    int ng = 3 * n;
    const char **global = arena_alloc(a, (size_t)(ng + 1) * sizeof *global);
    for (int k = 0; k < n; k++) {
        const IrPipeline *p = bps[k]->kp->p;
        AotNames *nm = &names[k];
        const char *c = be_c_ident(a, p->name);
        nm->entry = global[3 * k] = arena_printf(a, "rlf_%s", c);
        nm->ptype = global[3 * k + 1] = arena_printf(a, "rlf_%s_params", c);
        nm->pdefault = global[3 * k + 2] = arena_printf(a, "rlf_%s_params_default", c);
    }
    for (int g = 0; g < ng; g++) {
        const IrPipeline *p = bps[g / 3]->kp->p;
        static const char *const what[] = { "function", "params struct", "defaults function" };
        for (size_t r = 0; r < sizeof runtime / sizeof *runtime; r++)
            if (!strcmp(global[g], runtime[r])) {
                diag_error(d, p->span, "pipeline '%s' cannot be built: its C %s %s is a name of the runtime (rlf.h); rename the pipeline", p->name, what[g % 3], global[g]);
                return false;
            }
        for (int h = 0; h < g; h++)
            if (!strcmp(global[g], global[h])) {
                const IrPipeline *q = bps[h / 3]->kp->p;
                diag_error(d, p->span, "pipelines '%s' and '%s' cannot be built together: the C %s of '%s' and the %s of '%s' are both named %s; rename one",
                           q->name, p->name, what[h % 3], q->name, what[g % 3], p->name, global[g]);
                return false;
            }
    }
    for (int k = 0; k < n; k++) {
        const BePlan *bp = bps[k];
        const IrPipeline *p = bp->kp->p;
        AotNames *nm = &names[k];
        int nf = p->params.n + p->dims.n;
        nm->field = arena_alloc(a, (size_t)(nf + 1) * sizeof *nm->field);
        for (int i = 0; i < p->params.n; i++) nm->field[i] = c_member(a, p->params.v[i].name, nm->field, i);
        for (int di = 0; di < p->dims.n; di++)
            nm->field[p->params.n + di] = p->dims.v[di].is_param ? c_member(a, p->dims.v[di].name, nm->field, p->params.n + di) : NULL;
        /* the prototype's own parameters come last and keep their names */
        int na = bp->plan.nargs;
        nm->arg = arena_alloc(a, (size_t)(na + 3) * sizeof *nm->arg);
        const char *own[] = { "params", "stream", "err" };
        for (int i = 0; i < na; i++) {
            const char *s = be_c_ident(a, bp->tensors[i].name);
            bool clash = false;
            for (int o = 0; o < 3; o++) clash |= !strcmp(s, own[o]);
            nm->arg[i] = c_member(a, clash ? arena_printf(a, "%s_", s) : s, nm->arg, i);
        }
    }
    return true;
}

/* the entry function; the glue's definition names its parameters rlfa<i>,
 * rlfp, rlfs, rlfe, which no argument name shadows */
static void entry_decl(FILE *f, Arena *a, const BePlan *bp, const AotNames *nm, bool proto)
{
    fprintf(f, "int %s(", nm->entry);
    for (int i = 0; i < bp->plan.nargs; i++) {
        const RtTensorSpec *ts = &bp->tensors[i];
        const char *an = proto ? nm->arg[i] : arena_printf(a, "rlfa%d", i);
        fprintf(f, "%sDLTensor *%s%s", ts->role == RT_ROLE_INPUT ? "const " : "", an, proto ? ",\n        " : ", ");
    }
    if (proto) fprintf(f, "const %s *params, rlf_stream stream, rlf_error *err)", nm->ptype);
    else fprintf(f, "const %s *rlfp, rlf_stream rlfs, rlf_error *rlfe)", nm->ptype);
}

static void write_header(FILE *f, Arena *a, const char *guard, BePlan *const *bps, const AotNames *names, int n)
{
    fprintf(f, "/* generated by rlfc: the C API of the pipelines below, for C11 and C++.\n"
               " * Link with lib<name>.so (or <name>.o and librlf_runtime.a); rlf.h and\n"
               " * dlpack/dlpack.h come with this file. Tensors are DLPack DLTensors with\n"
               " * any strides, in CPU memory; bool tensors are kDLBool (RLF_DL_BOOL) or\n"
               " * kDLUInt, 8 bits. Outputs must not overlap each other or any input.\n"
               " * A call returns 0, or an RLF_E_* code with a message in *err and\n"
               " * nothing written. Names: pipeline P is rlf_P, rlf_P_params and\n"
               " * rlf_P_params_default; a field or argument named like a C or C++\n"
               " * keyword or a name of the included headers (or params, stream, err)\n"
               " * gets a trailing '_'. */\n");
    fprintf(f, "#ifndef %s\n#define %s\n#include \"rlf.h\"\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n", guard, guard);
    for (int k = 0; k < n; k++) {
        const BePlan *bp = bps[k];
        const AotNames *nm = &names[k];
        const IrPipeline *p = bp->kp->p;
        fprintf(f, "\n/* pipeline %s\n", p->name);
        for (int i = 0; i < bp->plan.nargs; i++) {
            const IrTensor *t = p->tensors.v[bp->tensor_of[i]];
            fprintf(f, " *   %-6s %s: %s[", i < p->inputs.n ? "in" : "out", nm->arg[i], ir_types[t->ty].name);
            for (int ax = 0; ax < t->rank; ax++) {
                char d[128];
                lin_format(t->extent[ax], ir_dim_namer, (void *)p, d, sizeof d);
                fprintf(f, "%s%s", ax ? ", " : "", d);
            }
            fprintf(f, "]\n");
        }
        fprintf(f, " */\ntypedef struct {\n");
        int fields = 0;
        for (int i = 0; i < p->params.n; i++, fields++) {
            const IrParam *pr = &p->params.v[i];
            fprintf(f, "    %s %s;", be_param_ctype(pr->ty), nm->field[i]);
            if (pr->has_default) {
                if (ty_is_float(pr->ty)) fprintf(f, "   /* default %.9g */", pr->fdef);
                else fprintf(f, "   /* default %lld */", (long long)pr->idef);
            } else fprintf(f, "   /* required */");
            fputc('\n', f);
        }
        for (int di = 0; di < p->dims.n; di++)
            if (p->dims.v[di].is_param) { fprintf(f, "    int64_t %s;   /* dimension, required */\n", nm->field[p->params.n + di]); fields++; }
        if (!fields) fprintf(f, "    char unused;\n");
        fprintf(f, "} %s;\n\n", nm->ptype);
        fprintf(f, "%s %s(void);\n", nm->ptype, nm->pdefault);
        entry_decl(f, a, bp, nm, true);
        fprintf(f, ";\n");
    }
    fprintf(f, "\n#ifdef __cplusplus\n}\n#endif\n#endif\n");
}

static const char *kernel_prefix(Arena *a, int k) { return arena_printf(a, "rlfk%d", k); }

static void write_glue(FILE *f, Arena *a, const char *header, BePlan *const *bps, const AotNames *names, int n)
{
    fprintf(f, "/* generated by rlfc: plan tables and entry functions */\n#include <string.h>\n#include \"rt_plan.h\"\n#include \"%s\"\n", header);
    for (int k = 0; k < n; k++) {
        const BePlan *bp = bps[k];
        const AotNames *an = &names[k];
        const KirPipeline *kp = bp->kp;
        const IrPipeline *p = kp->p;
        const char *nm = arena_printf(a, "rlfg%d", k);
        const char *prefix = kernel_prefix(a, k);
        fprintf(f, "\n/* ---- %s ---- */\n", p->name);
        for (int i = 0; i < kp->kernels.n; i++)
            for (int v = 0; v < LV_COUNT; v++)
                if (kp->kernels.v[i]->host < 0 && llvm_kernel_has_variant(kp, kp->kernels.v[i], v))
                    fprintf(f, "void %s(const RtFrame *, int64_t, int64_t);\n", llvm_kernel_symbol(a, prefix, kp->kernels.v[i], v));
        for (int i = 0; i < kp->kernels.n; i++) {
            const RtKernelSpec *ks = &bp->kernels[i];
            if (!ks->nhost) continue;
            fprintf(f, "int %s(const DLTensor *const *, rlf_error *);\n", llvm_kernel_symbol(a, prefix, kp->kernels.v[i], LV_CONTIG));
            fprintf(f, "static const int32_t %s_host%d[] = { ", nm, i);
            for (int q = 0; q < ks->nhost; q++) fprintf(f, "%d, ", ks->host_tensors[q]);
            fprintf(f, "0 };\n");
        }
        fprintf(f, "static const RtTensorSpec %s_tensors[] = {\n", nm);
        for (int i = 0; i < bp->plan.ntensors; i++) {
            const RtTensorSpec *ts = &bp->tensors[i];
            fprintf(f, "    { ");
            c_string(f, ts->name);
            fprintf(f, ", %d, %d, %d, {", ts->dtype, ts->rank, ts->role);
            for (int ax = 0; ax < RT_MAX_RANK_PLAN; ax++) { fputs(ax ? ", " : " ", f); print_lin(f, &ts->extent[ax]); }
            fprintf(f, " }, %d, ", ts->has_range);
            print_lin(f, &ts->vlo);
            fputs(", ", f);
            print_lin(f, &ts->vhi);
            fprintf(f, " },\n");
        }
        fprintf(f, "};\nstatic const RtKernelSpec %s_kernels[] = {\n", nm);
        for (int i = 0; i < kp->kernels.n; i++) {
            const RtKernelSpec *ks = &bp->kernels[i];
            if (ks->nhost) {
                fprintf(f, "    { .host = %s, .nhost = %d, .host_tensors = %s_host%d, .host_name = ", llvm_kernel_symbol(a, prefix, kp->kernels.v[i], LV_CONTIG),
                        ks->nhost, nm, i);
                c_string(f, ks->host_name);
                fprintf(f, " },\n");
                continue;
            }
            fprintf(f, "    { %s, %s, %d, ", llvm_kernel_symbol(a, prefix, kp->kernels.v[i], LV_CONTIG), llvm_kernel_symbol(a, prefix, kp->kernels.v[i], LV_STRIDED), ks->parallel);
            print_lin(f, &ks->par_extent);
            fputs(", ", f);
            print_lin(f, &ks->work);
            fprintf(f, ", %lldLL, %lldLL, %s, 0x%llxULL, %d, ", (long long)ks->grain, (long long)ks->align,
                    llvm_kernel_has_variant(kp, kp->kernels.v[i], LV_SCAN_INNER) ? llvm_kernel_symbol(a, prefix, kp->kernels.v[i], LV_SCAN_INNER) : "0",
                    (unsigned long long)ks->unit, ks->unit_axis);
            print_lin(f, &ks->inner_extent);
            fputs(", ", f);
            print_lin(f, &ks->inner_work);
            fputs(" },\n", f);
        }
        fprintf(f, "};\n");
        const RtPlan *pl = &bp->plan;
        int nd = pl->ndims;
        fprintf(f, "static const char *const %s_dim_names[] = { ", nm);
        for (int d = 0; d < nd; d++) { c_string(f, pl->dim_names[d]); fputs(", ", f); }
        fprintf(f, "0 };\nstatic const int32_t %s_dim_tensor[] = { ", nm);
        for (int d = 0; d < nd; d++) fprintf(f, "%d, ", pl->dim_tensor[d]);
        fprintf(f, "0 };\nstatic const int32_t %s_dim_axis[] = { ", nm);
        for (int d = 0; d < nd; d++) fprintf(f, "%d, ", pl->dim_tensor[d] >= 0 ? pl->dim_axis[d] : 0);
        fprintf(f, "0 };\nstatic const int64_t %s_dim_offset[] = { ", nm);
        for (int d = 0; d < nd; d++) fprintf(f, "%lldLL, ", pl->dim_tensor[d] >= 0 ? (long long)pl->dim_offset[d] : 0LL);
        fprintf(f, "0 };\nstatic const int32_t %s_dim_param_offset[] = { ", nm);
        for (int d = 0; d < nd; d++) fprintf(f, "%d, ", pl->dim_param_offset[d]);
        fprintf(f, "0 };\n");
        fprintf(f, "static const RtPlan %s_plan = { ", nm);
        c_string(f, p->name);
        fprintf(f, ", %d, %s_dim_names, %s_dim_tensor, %s_dim_axis, %s_dim_offset, %s_dim_param_offset, %d, %d, %s_tensors, %d, %s_kernels };\n",
                nd, nm, nm, nm, nm, nm, pl->ntensors, pl->nargs, nm, pl->nkernels, nm);
        /* defaults */
        fprintf(f, "%s %s(void)\n{\n    %s p;\n    memset(&p, 0, sizeof p);\n", an->ptype, an->pdefault, an->ptype);
        for (int i = 0; i < p->params.n; i++) {
            const IrParam *pr = &p->params.v[i];
            if (!pr->has_default) continue;
            if (ty_is_float(pr->ty)) fprintf(f, "    p.%s = %.17g;\n", an->field[i], pr->fdef);
            else fprintf(f, "    p.%s = %lld;\n", an->field[i], (long long)pr->idef);
        }
        fprintf(f, "    return p;\n}\n\n");
        entry_decl(f, a, bp, an, false);
        fprintf(f, "\n{\n    (void)rlfs;\n    const DLTensor *rlfargs[] = { ");
        for (int i = 0; i < pl->nargs; i++) fprintf(f, "rlfa%d, ", i);
        fprintf(f, "0 };\n    %s rlfdefaults;\n", an->ptype);
        fprintf(f, "    if (!rlfp) {\n");
        if (bp->has_required) {
            fprintf(f, "        if (rlfe) { rlfe->code = RLF_E_ARG; strcpy(rlfe->message, ");
            c_string(f, arena_printf(a, "pipeline '%s' has required parameters: pass a params struct", p->name));
            fprintf(f, "); }\n        return RLF_E_ARG;\n");
        } else
            fprintf(f, "        rlfdefaults = %s();\n        rlfp = &rlfdefaults;\n", an->pdefault);
        fprintf(f, "    }\n    (void)rlfdefaults;\n    return rt_plan_run(&%s_plan, rlfargs, rlfp, rlfe);\n}\n", nm);
    }
}

static int run(DiagCtx *d, char *const argv[])
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) { diag_error(d, SPAN_NONE, "cannot start %s: %s", argv[0], strerror(errno)); return -1; }
    if (pid == 0) { execvp(argv[0], argv); fprintf(stderr, "rlfc: cannot run %s: %s\n", argv[0], strerror(errno)); _exit(127); }
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char cmd[2048] = "";
        for (int i = 0; argv[i] && strlen(cmd) < 1800; i++) { strcat(cmd, argv[i]); strcat(cmd, " "); }
        diag_error(d, SPAN_NONE, "this command failed (exit %d): %s", WIFEXITED(st) ? WEXITSTATUS(st) : -1, cmd);
        return -1;
    }
    return 0;
}

static bool copy_file(const char *from, const char *to, DiagCtx *d)
{
    FILE *in = fopen(from, "rb");
    if (!in) { diag_error(d, SPAN_NONE, "cannot read %s: %s", from, strerror(errno)); return false; }
    FILE *out = fopen(to, "wb");
    if (!out) { int e = errno; fclose(in); diag_error(d, SPAN_NONE, "cannot write %s: %s", to, strerror(e)); return false; }
    char buf[65536];
    size_t n;
    bool ok = true;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) if (fwrite(buf, 1, n, out) != n) ok = false;
    fclose(in);
    if (fclose(out) != 0) ok = false;
    if (!ok) diag_error(d, SPAN_NONE, "cannot write %s", to);
    return ok;
}

bool llvm_build_aot(Arena *a, KirPipeline *const *kps, int n, const char *base, const LlvmAotOptions *o, DiagCtx *d)
{
    BePlan **bps = arena_alloc(a, (size_t)(n + 1) * sizeof *bps);
    for (int k = 0; k < n; k++) if (!(bps[k] = be_plan_build(a, kps[k], d))) return false;
    AotNames *names = arena_alloc(a, (size_t)(n + 1) * sizeof *names);
    if (!aot_names(a, bps, n, names, d)) return false;
    char err[1024];
    LLVMTargetMachineRef tm = llvm_host_machine(err, sizeof err);
    if (!tm) { diag_error(d, SPAN_NONE, "%s", err); return false; }
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext(base, ctx);
    bool ok = true;
    for (int k = 0; k < n && ok; k++) ok = llvm_emit_kernels(ctx, mod, a, bps[k], kernel_prefix(a, k), LV_ALL);
    if (ok && !llvm_optimize(mod, tm, o->opt, err, sizeof err)) { diag_error(d, SPAN_NONE, "%s", err); ok = false; }
    const char *dir = o->out_dir;
    const char *kobj = arena_printf(a, "%s/%s.kernels.o", dir, base);
    if (ok) {
        char *msg = NULL;
        if (LLVMTargetMachineEmitToFile(tm, mod, (char *)kobj, LLVMObjectFile, &msg)) {
            diag_error(d, SPAN_NONE, "LLVM cannot write %s: %s", kobj, msg ? msg : "");
            ok = false;
        }
        LLVMDisposeMessage(msg);
    }
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    LLVMDisposeTargetMachine(tm);
    if (!ok) return false;
    const char *hname = arena_printf(a, "%s.h", base);
    const char *hpath = arena_printf(a, "%s/%s", dir, hname);
    const char *gpath = arena_printf(a, "%s/%s.glue.c", dir, base);
    FILE *f = fopen(hpath, "w");
    if (!f) { diag_error(d, SPAN_NONE, "cannot write %s: %s", hpath, strerror(errno)); return false; }
    char *guard = arena_printf(a, "RLF_GENERATED_%s_H", base);
    for (char *q = guard; *q; q++) if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9'))) *q = (*q >= 'a' && *q <= 'z') ? (char)(*q - 32) : '_';
    write_header(f, a, guard, bps, names, n);
    if (fclose(f) != 0) { diag_error(d, SPAN_NONE, "cannot write %s", hpath); return false; }
    f = fopen(gpath, "w");
    if (!f) { diag_error(d, SPAN_NONE, "cannot write %s: %s", gpath, strerror(errno)); return false; }
    write_glue(f, a, hname, bps, names, n);
    if (fclose(f) != 0) { diag_error(d, SPAN_NONE, "cannot write %s", gpath); return false; }
    if (!copy_file(arena_printf(a, "%s/rlf.h", o->runtime_include), arena_printf(a, "%s/rlf.h", dir), d)) return false;
    const char *dldir = arena_printf(a, "%s/dlpack", dir);
    if (mkdir(dldir, 0777) != 0 && errno != EEXIST) { diag_error(d, SPAN_NONE, "cannot create %s: %s", dldir, strerror(errno)); return false; }
    if (!copy_file(arena_printf(a, "%s/dlpack/dlpack.h", o->runtime_include), arena_printf(a, "%s/dlpack.h", dldir), d)) return false;
    if (!copy_file(o->runtime_lib, arena_printf(a, "%s/librlf_runtime.a", dir), d)) return false;
    const char *gobj = arena_printf(a, "%s/%s.glue.o", dir, base);
    char *cc_glue[] = { (char *)o->cc, "-O2", "-fPIC", "-std=c11", "-I", (char *)o->runtime_include, "-I", (char *)dir, "-c", (char *)gpath, "-o", (char *)gobj, NULL };
    if (run(d, cc_glue)) return false;
    char *ld_obj[] = { (char *)o->cc, "-r", "-nostdlib", "-o", arena_printf(a, "%s/%s.o", dir, base), (char *)kobj, (char *)gobj, NULL };
    if (run(d, ld_obj)) return false;
    char *ld_so[] = { (char *)o->cc, "-shared", "-o", arena_printf(a, "%s/lib%s.so", dir, base), (char *)kobj, (char *)gobj,
                      (char *)o->runtime_lib, "-lm", "-lpthread", NULL };
    if (run(d, ld_so)) return false;
    remove(kobj);
    remove(gobj);
    return true;
}
