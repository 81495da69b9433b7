/* ir/kir.c: printing the kernel IR (`rlfc emit --kernels`). */
#include "kir.h"
#include <stdio.h>

static const char *axis_names[IR_MAX_RANK] = { "i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7" };

void kir_print(const KirPipeline *k, FILE *o)
{
    const IrPipeline *p = k->p;
    static const char *bufname[] = { "input", "output", "scratch", "inline" };
    fprintf(o, "pipeline %s: %d kernel%s\n", p->name, k->kernels.n, k->kernels.n == 1 ? "" : "s");
    for (int i = 0; i < p->tensors.n; i++)
        if (k->buf[i] == KB_SCRATCH) fprintf(o, "  buffer %s (%s)\n", p->tensors.v[i]->name, bufname[k->buf[i]]);
    for (int j = 0; j < k->kernels.n; j++) {
        const KirKernel *kk = k->kernels.v[j];
        if (kk->host >= 0) {
            fprintf(o, "  host %s: ", kk->name);
            for (int q = 0; q < kk->nhost_out; q++) fprintf(o, "%s%s", q ? ", " : "", p->tensors.v[kk->host_out[q]]->name);
            fprintf(o, " = extern %s(", k->m->externs.v[kk->host]->name);
            for (int q = 0; q < kk->nhost_in; q++) fprintf(o, "%s%s", q ? ", " : "", p->tensors.v[kk->host_in[q]]->name);
            fputs(")\n", o);
            continue;
        }
        const char *names[64];
        for (int s = 0; s < 64; s++) names[s] = s < IR_MAX_RANK ? axis_names[s] : "r";
        char rbuf[64][8];
        for (int s = IR_MAX_RANK; s < 64; s++) { snprintf(rbuf[s], sizeof rbuf[s], "r%d", s); names[s] = rbuf[s]; }
        fprintf(o, "  kernel %s over [", kk->name);
        for (int a = 0; a < kk->rank; a++) {
            char d[128];
            lin_format(kk->extent[a], ir_dim_namer, (void *)p, d, sizeof d);
            fprintf(o, "%s%s: %s", a ? ", " : "", axis_names[a], d);
        }
        fputs("]", o);
        if (kk->scan_axis >= 0) fprintf(o, " scan(%s, %s)", axis_names[kk->scan_axis], kk->scan_dir < 0 ? "reverse" : "forward");
        if (kk->rank) {
            fputs(" order(", o);
            for (int a = 0; a < kk->rank; a++) fprintf(o, "%s%s", a ? ", " : "", axis_names[kk->order[a]]);
            fputs(")", o);
        }
        if (kk->segmented) fputs(" segmented", o);
        if (kk->par_axis >= 0) fprintf(o, " threads(%s)", axis_names[kk->par_axis]);
        if (kk->vec_axis >= 0) fprintf(o, " vector(%s)", axis_names[kk->vec_axis]);
        fputc('\n', o);
        for (int s = 0; s < kk->stores.n; s++) {
            const IrTensor *t = p->tensors.v[kk->stores.v[s].tensor];
            fprintf(o, "    %s[", t->name);
            if (kk->stores.v[s].accum) fputs(axis_names[1 - kk->scan_axis], o);
            else for (int a = 0; a < t->rank; a++) fprintf(o, "%s%s", a ? ", " : "", axis_names[a]);
            fputs(kk->stores.v[s].accum ? "] <- (carried) " : "] = ", o);
            ir_print_expr(p, names, 64 > kk->nslots ? 64 : kk->nslots, kk->stores.v[s].value, o);
            fputc('\n', o);
        }
    }
    for (int b = 0; b < k->bounds.n; b++) {
        const KirBound *kb = &k->bounds.v[b];
        const IrTensor *t = p->tensors.v[kb->tensor];
        fprintf(o, "  boundary %s axis %d cell %lld = ", t->name, kb->axis + 1, (long long)kb->cell);
        ir_print_expr(p, NULL, 0, kb->value, o);
        fputc('\n', o);
    }
}

bool kir_row_read(const KirKernel *k, const IrExpr *e, int64_t off)
{
    if (e->op != IR_READ || e->nargs != k->rank) return false;
    for (int a = 0; a < k->rank; a++) {
        const IrExpr *ix = e->args[a];
        if (a != k->scan_axis || off == 0) {
            if (ix->op != IR_IVAR || ix->u.slot != a) return false;
            continue;
        }
        if ((ix->op != IR_ADD && ix->op != IR_SUB) || ix->args[0]->op != IR_IVAR || ix->args[0]->u.slot != a || ix->args[1]->op != IR_CONST)
            return false;
        if ((ix->op == IR_ADD ? ix->args[1]->u.i : -ix->args[1]->u.i) != off) return false;
    }
    return true;
}
