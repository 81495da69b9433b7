/* driver/cmd_run.c: `rlfc run`: reads .npy inputs, checks them against the
 * signature and the outputs' sizes against memory, runs the pipeline on the
 * chosen target and writes one .npy per output, all or none (write_outputs).
 * The cpu target compiles with the LLVM JIT and calls the entry
 * function through libffi, since its signature is known only now.
 * Tests: tests/run/ (interp and cpu), tests/cli/. */
#include <dlfcn.h>
#include <errno.h>
#include <ffi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "driver.h"

int drv_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0) return ENOENT;
    if (n >= sizeof buf) return ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0777) != 0) {
                int e = errno;
                if (e != EEXIST) return e;
            }
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

void drv_pack_params(const IrPipeline *p, const BePlan *bp, const IrBinding *b, unsigned char *params)
{
    /* the params struct: defaults, then what was given */
    memcpy(params, bp->defaults, (size_t)bp->params_size);
    for (int k = 0; k < p->params.n; k++) {
        unsigned char *f = params + bp->field_offset[k];
        RtVal v = b->params[k];
        switch (p->params.v[k].ty) {
        case TY_BOOL: case TY_U8: { uint8_t x = (uint8_t)v.i; memcpy(f, &x, 1); break; }
        case TY_I32: { int32_t x = (int32_t)v.i; memcpy(f, &x, 4); break; }
        case TY_I64: memcpy(f, &v.i, 8); break;
        case TY_F64: memcpy(f, &v.f, 8); break;
        default: { float x = (float)v.f; memcpy(f, &x, 4); break; }
        }
    }
    for (int d = 0; d < p->dims.n; d++)
        if (p->dims.v[d].is_param) memcpy(params + bp->field_offset[p->params.n + d], &b->dims[d], 8);
}

const DLDataType drv_dl_dtype[RT_DTYPE_COUNT] = {
    [RT_BOOL] = { kDLUInt, 8, 1 }, [RT_U8] = { kDLUInt, 8, 1 }, [RT_I32] = { kDLInt, 32, 1 }, [RT_I64] = { kDLInt, 64, 1 },
    [RT_F16] = { kDLFloat, 16, 1 }, [RT_BF16] = { kDLBfloat, 16, 1 }, [RT_F32] = { kDLFloat, 32, 1 }, [RT_F64] = { kDLFloat, 64, 1 } };

int drv_compile_cpu(Args *a, RlfCompilation *c, const IrPipeline *p, LlvmJit **out)
{
    int pi = 0;
    while (c->module->pipelines.v[pi] != p) pi++;
    double t0 = drv_now();
    PassCtx pc = { c->module, c->arena, &c->diag, NULL, 0 };
    PassOptions po = { a->opt, NULL, NULL, a->time_passes };
    if (!pass_run_all(&pc, &po)) { diag_print(&c->diag, stderr); return -1; }
    LlvmJit *j = llvm_jit_compile(c->arena, pc.kir[pi], a->opt, &c->diag);
    if (!j) { diag_print(&c->diag, stderr); return -1; }
    if (a->timing) fprintf(stderr, "rlfc: jit %.3f ms\n", 1e3 * (drv_now() - t0));
    *out = j;
    return 0;
}

/* compile p for the cpu with the JIT and call it through libffi */
static int run_cpu(Args *a, RlfCompilation *c, const IrPipeline *p, const IrBinding *b, const RtArray *inputs,
                   RtArray *outs, char *err, size_t errlen)
{
    err[0] = 0;
    LlvmJit *j;
    if (drv_compile_cpu(a, c, p, &j) != 0) return -1;
    const BePlan *bp = llvm_jit_plan(j);
    int nin = p->inputs.n, nout = p->outputs.n, nargs = nin + nout;
    DLTensor *dl = calloc((size_t)nargs + 1, sizeof *dl);
    void **argv = calloc((size_t)nargs + 4, sizeof *argv);
    void **argp = calloc((size_t)nargs + 4, sizeof *argp);
    ffi_type **types = calloc((size_t)nargs + 4, sizeof *types);
    unsigned char *params = calloc((size_t)bp->params_size + 8, 1);
    void **fdata = calloc((size_t)nin + 1, sizeof *fdata);
    int64_t (*fstrides)[RT_MAX_RANK] = calloc((size_t)nin + 1, sizeof *fstrides);
    int rc = -1;
    if (!dl || !argv || !argp || !types || !params || !fdata || !fstrides) { snprintf(err, errlen, "out of memory"); goto out; }
    for (int k = 0; k < nout; k++) {     /* shapes set and sizes checked by drv_cmd_run */
        int64_t n = rt_array_numel(&outs[k]);
        outs[k].data = malloc((size_t)(n > 0 ? n : 1) * rt_dtype_size(outs[k].dtype));
        if (!outs[k].data) { snprintf(err, errlen, "out of memory"); goto out; }
    }
    /* inputs stored in Fortran order go in as such (transposed strides), as
     * a caller of the C ABI would pass them: the kernels' layout variants */
    for (int k = 0; k < nargs; k++) {
        RtArray *ar = k < nin ? (RtArray *)&inputs[k] : &outs[k - nin];
        dl[k] = (DLTensor){ ar->data, { kDLCPU, 0 }, ar->ndim, drv_dl_dtype[ar->dtype], ar->shape, NULL, 0 };
        if (k < nin && ar->fortran) {
            fdata[k] = rt_array_fortran_copy(ar, fstrides[k]);
            if (!fdata[k]) { snprintf(err, errlen, "out of memory"); goto out; }
            dl[k].data = fdata[k];
            dl[k].strides = fstrides[k];
        }
        argp[k] = &dl[k];
    }
    drv_pack_params(p, bp, b, params);
    rlf_error rerr = { 0, "" };
    void *stream = NULL;
    void *pp = params, *ep = &rerr;
    for (int k = 0; k < nargs + 3; k++) types[k] = &ffi_type_pointer;
    for (int k = 0; k < nargs; k++) argv[k] = &argp[k];
    argv[nargs] = &pp; argv[nargs + 1] = &stream; argv[nargs + 2] = &ep;
    ffi_cif cif;
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)nargs + 3, &ffi_type_sint, types) != FFI_OK) {
        snprintf(err, errlen, "libffi cannot prepare a call with %d arguments", nargs + 3);
        goto out;
    }
    ffi_sarg ret = 0;
    double t2 = drv_now();
    ffi_call(&cif, FFI_FN(llvm_jit_entry(j)), &ret, argv);
    double t3 = drv_now();
    if (a->timing) fprintf(stderr, "rlfc: call %.3f ms\n", 1e3 * (t3 - t2));
    if (ret != 0) { snprintf(err, errlen, "%s", rerr.message); goto out; }
    rc = 0;
out:
    if (rc != 0) for (int k = 0; k < nout; k++) { free(outs[k].data); outs[k].data = NULL; }
    for (int k = 0; fdata && k < nin; k++) free(fdata[k]);
    free(dl); free(argv); free(argp); free(types); free(params); free(fdata); free(fstrides);
    llvm_jit_free(j);
    return rc;
}

/* externs: `int NAME(const DLTensor *in..., DLTensor *out..., rlf_error *err)`
 * from the --extern-lib libraries (loaded globally, so the JIT finds them
 * too) or this process; the interpreter calls them through libffi */
typedef struct { void *h[16]; int n; } Libs;

static void *find_host(const Libs *L, const char *name)
{
    for (int i = 0; i < L->n; i++) { void *f = dlsym(L->h[i], name); if (f) return f; }
    return dlsym(RTLD_DEFAULT, name);
}

static int host_call(void *user, const IrExternDecl *x, const RtArray *in, RtArray *out, char *err, size_t errlen)
{
    const Libs *L = user;
    void *fn = find_host(L, x->name);
    if (!fn) { snprintf(err, errlen, "no function '%s' found; pass the library that defines it with --extern-lib PATH.so", x->name); return -1; }
    int n = x->nin + x->nout;
    DLTensor dl[32];
    void *ptrs[33], *argv[33];
    ffi_type *types[33];
    if (n > 32) { snprintf(err, errlen, "too many tensors"); return -1; }
    for (int k = 0; k < x->nout; k++) {
        int64_t m = rt_array_numel(&out[k]);
        out[k].data = calloc((size_t)(m > 0 ? m : 1), rt_dtype_size(out[k].dtype));
        if (!out[k].data) { snprintf(err, errlen, "out of memory"); return -1; }
    }
    for (int k = 0; k < n; k++) {
        const RtArray *ar = k < x->nin ? &in[k] : &out[k - x->nin];
        dl[k] = (DLTensor){ ar->data, { kDLCPU, 0 }, ar->ndim, drv_dl_dtype[ar->dtype], (int64_t *)ar->shape, NULL, 0 };
        ptrs[k] = &dl[k];
        argv[k] = &ptrs[k];
        types[k] = &ffi_type_pointer;
    }
    rlf_error e = { 0, "" };
    void *ep = &e;
    argv[n] = &ep;
    types[n] = &ffi_type_pointer;
    ffi_cif cif;
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)n + 1, &ffi_type_sint, types) != FFI_OK) { snprintf(err, errlen, "libffi cannot prepare the call"); return -1; }
    ffi_sarg rc = 0;
    ffi_call(&cif, FFI_FN(fn), &rc, argv);
    if (rc != 0) { snprintf(err, errlen, "returned %d: %s", (int)rc, e.message); return -1; }
    return 0;
}

/* Every output goes to a temporary in DIR first; only when all are written
 * are they renamed into place, so a failure leaves DIR as it was: no
 * temporaries, no file replaced. (A rename itself failing after the checks
 * below, an I/O error, can still leave the earlier outputs renamed.) */
static int write_outputs(const IrPipeline *p, const char *dir, const RtArray *outs)
{
    int n = p->outputs.n, rc = -1;
    size_t dl = strlen(dir), tl = dl + 32;
    char **tmp = calloc((size_t)n + 1, sizeof *tmp), **dst = calloc((size_t)n + 1, sizeof *dst);
    char err[1024];
    if (!tmp || !dst) { fputs("rlfc: out of memory\n", stderr); goto out; }
    for (int k = 0; k < n; k++) {
        const char *nm = p->tensors.v[p->outputs.v[k]]->name;
        size_t len = dl + strlen(nm) + 6;
        dst[k] = malloc(len);
        tmp[k] = malloc(tl);
        if (!dst[k] || !tmp[k]) { fputs("rlfc: out of memory\n", stderr); goto out; }
        snprintf(dst[k], len, "%s/%s.npy", dir, nm);
        if (rt_npy_write_temp(dir, dst[k], &outs[k], tmp[k], tl, err, sizeof err) != 0) { fprintf(stderr, "rlfc: %s\n", err); goto out; }
    }
    /* rename() onto a directory fails: find that before the first rename */
    for (int k = 0; k < n; k++) {
        struct stat st;
        if (lstat(dst[k], &st) == 0 && S_ISDIR(st.st_mode)) { fprintf(stderr, "rlfc: cannot write %s: it is a directory\n", dst[k]); goto out; }
    }
    for (int k = 0; k < n; k++) {
        if (rename(tmp[k], dst[k]) != 0) {
            int e = errno;
            fprintf(stderr, "rlfc: cannot write %s: %s\n", dst[k], strerror(e));
            goto out;
        }
        tmp[k][0] = 0;
    }
    rc = 0;
out:
    for (int k = 0; k < n; k++) {
        if (tmp && tmp[k] && tmp[k][0]) unlink(tmp[k]);
        if (tmp) free(tmp[k]);
        if (dst) free(dst[k]);
    }
    free(tmp);
    free(dst);
    return rc;
}

const IrPipeline *drv_entry(Args *a, RlfCompilation *c)
{
    const IrModule *m = c->module;
    if (!a->entry) {
        if (m->pipelines.n == 1) a->entry = m->pipelines.v[0]->name;
        else {
            fprintf(stderr, "rlfc: --entry NAME is required; %s defines:", a->file);
            for (int i = 0; i < m->pipelines.n; i++) fprintf(stderr, " %s", m->pipelines.v[i]->name);
            fputc('\n', stderr);
            return NULL;
        }
    }
    const IrPipeline *p = ir_find_pipeline(m, a->entry);
    if (!p) {
        fprintf(stderr, "rlfc: no pipeline '%s' in %s; it defines:", a->entry, a->file);
        for (int i = 0; i < m->pipelines.n; i++) fprintf(stderr, " %s", m->pipelines.v[i]->name);
        fputc('\n', stderr);
    }
    return p;
}

int drv_cmd_run(Args *a, RlfCompilation *c)
{
    const IrModule *m = c->module;
    const IrPipeline *p = drv_entry(a, c);
    if (!p) return 1;
    const char *target = a->target ? a->target : "cpu";
    if (strcmp(target, "interp") != 0 && strcmp(target, "cpu") != 0) {
        fprintf(stderr, "rlfc: unknown target '%s' (available: cpu, interp)\n", target);
        return 1;
    }
    if (!a->out) return drv_die("run: --out DIR is required%s", "");
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
    /* what the outputs will need, known before anything runs */
    uint64_t total = 0;
    for (int k = 0; k < p->outputs.n; k++) {
        const IrTensor *t = p->tensors.v[p->outputs.v[k]];
        if (t->ty == TY_BF16) { fprintf(stderr, "rlfc: output '%s' is bf16, which .npy cannot hold; declare it f32\n", t->name); goto done; }
        if (!drv_tensor_shape(p, t, b.dims, &outs[k], &total)) goto done;
    }
    if (!drv_fits_memory("run: the outputs", total)) goto done;
    double t0 = drv_now();
    static Libs libs;
    libs.n = 0;
    for (int i = 0; i < a->nlibs; i++) {
        void *h = dlopen(a->libs[i], RTLD_NOW | RTLD_GLOBAL);
        if (!h) { fprintf(stderr, "rlfc: cannot load --extern-lib %s: %s\n", a->libs[i], dlerror()); goto done; }
        libs.h[libs.n++] = h;
    }
    for (int i = 0; i < m->externs.n; i++)
        if (!find_host(&libs, m->externs.v[i]->name)) {
            bool used = false;
            for (int s = 0; s < p->steps.n; s++) used |= p->steps.v[s].kind == STEP_EXTERN && p->steps.v[s].ext == i;
            if (used) {
                fprintf(stderr, "rlfc: extern '%s' is not defined: pass the library that defines it with --extern-lib PATH.so\n", m->externs.v[i]->name);
                goto done;
            }
        }
    int ran = !strcmp(target, "interp") ? ir_interp_run(m, p, &b, inputs, outs, host_call, &libs, err, sizeof err)
                                        : run_cpu(a, c, p, &b, inputs, outs, err, sizeof err);
    if (ran != 0) { if (err[0]) fprintf(stderr, "rlfc: %s\n", err); goto done; }
    double t1 = drv_now();
    if (a->timing) fprintf(stderr, "rlfc: run (%s) %.3f ms\n", target, 1e3 * (t1 - t0));
    int md = drv_mkdirs(a->out);
    if (md != 0) { fprintf(stderr, "rlfc: cannot create output directory '%s': %s\n", a->out, strerror(md)); goto done; }
    if (write_outputs(p, a->out, outs) != 0) goto done;
    rc = 0;
done:
    if (inputs) for (int j = 0; j < nin; j++) rt_array_free(&inputs[j]);
    if (outs) for (int k = 0; k < p->outputs.n; k++) rt_array_free(&outs[k]);
    free(inputs); free(outs); free(ptext); free(dtext);
    return rc;
}

