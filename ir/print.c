/* ir/print.c: the stable textual form of the IR (`rlfc emit --ir`).
 * Expressions print as op.type(args); leaves as names and literals; reads as
 * name[subscripts]. The form is golden-tested: change it deliberately and
 * regenerate tests/ir/ with tests/tools/regen_golden.sh. */
#include "ir.h"
#include <math.h>
#include <stdio.h>

typedef struct { const IrPipeline *p; const IrDef *d; FILE *out; const char *const *names; int nnames; } Pr;

static const char *slot_name(const Pr *pr, int slot)
{
    if (pr->names && slot < pr->nnames) return pr->names[slot];
    if (pr->d && slot < pr->d->nslots && pr->d->slot_names) return pr->d->slot_names[slot];
    return "?";
}

static void pexpr(const Pr *pr, const IrExpr *e)
{
    FILE *o = pr->out;
    switch (e->op) {
    case IR_CONST:
        if (ty_is_float(e->ty)) {
            if (isnan(e->u.f)) fprintf(o, "nan");
            else if (isinf(e->u.f)) fprintf(o, "%sinf", e->u.f < 0 ? "-" : "");
            else fprintf(o, "%.17g", e->u.f);
        } else if (e->ty == TY_BOOL) fprintf(o, "%s", e->u.i ? "true" : "false");
        else fprintf(o, "%lld", (long long)e->u.i);
        fprintf(o, ":%s", ir_types[e->ty].name);
        return;
    case IR_IVAR: fprintf(o, "%s", slot_name(pr, e->u.slot)); return;
    case IR_DIM: fprintf(o, "%s", pr->p->dims.v[e->u.dim].name); return;
    case IR_PARAM: fprintf(o, "%s", pr->p->params.v[e->u.param].name); return;
    case IR_READ:
        fprintf(o, "%s", pr->p->tensors.v[e->u.tensor]->name);
        if (e->nargs) {
            fputc('[', o);
            for (int k = 0; k < e->nargs; k++) { if (k) fputs(", ", o); pexpr(pr, e->args[k]); }
            fputc(']', o);
        }
        return;
    case IR_REDUCE: {
        const IrReduce *r = e->u.red;
        fprintf(o, "%s.%s", ir_reds[r->kind].name, ir_types[e->ty].name);
        if (r->ddof) fprintf(o, "{ddof=%d}", r->ddof);
        fputc('(', o);
        for (int k = 0; k < r->nvars; k++) {
            fprintf(o, "%s%s in ", k ? ", " : "", slot_name(pr, r->slots[k]));
            pexpr(pr, r->lo[k]);
            fputs("..", o);
            pexpr(pr, r->hi[k]);
        }
        fputs(": ", o);
        pexpr(pr, e->args[0]);
        if (e->args[1]) { fputs(" where ", o); pexpr(pr, e->args[1]); }
        fputc(')', o);
        return;
    }
    default:
        fprintf(o, "%s.%s(", ir_ops[e->op].name, ir_types[e->ty].name);
        for (int k = 0; k < e->nargs; k++) { if (k) fputs(", ", o); pexpr(pr, e->args[k]); }
        fputc(')', o);
    }
}

static void plin(const IrPipeline *p, Lin l, FILE *o)
{
    char buf[256];
    lin_format(l, ir_dim_namer, (void *)p, buf, sizeof buf);
    fputs(buf, o);
}

static void ptype(const IrPipeline *p, const IrTensor *t, FILE *o)
{
    fprintf(o, "%s", ir_types[t->ty].name);
    if (t->rank) {
        fputc('[', o);
        for (int k = 0; k < t->rank; k++) { if (k) fputs(", ", o); plin(p, t->extent[k], o); }
        fputc(']', o);
    }
}

static void pdef(const IrPipeline *p, const IrTensor *t, const IrDef *d, FILE *o)
{
    Pr pr = { p, d, o, NULL, 0 };
    fputs("[", o);
    for (int k = 0; k < t->rank; k++) {
        if (k) fputs(", ", o);
        if (d->axis_slot[k] >= 0) fputs(slot_name(&pr, d->axis_slot[k]), o);
        else plin(p, d->fixed[k], o);
    }
    fputs("] = ", o);
    pexpr(&pr, d->body);
    fputc('\n', o);
}

void ir_print_pipeline(const IrPipeline *p, const IrModule *m, FILE *o)
{
    fprintf(o, "pipeline %s(", p->name);
    for (int i = 0; i < p->args.n; i++) {
        if (i) fputs(", ", o);
        IrArg a = p->args.v[i];
        if (a.is_tensor) {
            const IrTensor *t = p->tensors.v[a.id];
            fprintf(o, "%s: ", t->name);
            ptype(p, t, o);
            if (t->has_vrange) { fputs(" in ", o); plin(p, t->vlo, o); fputs("..", o); plin(p, t->vhi, o); }
        } else if (a.id < 0) fprintf(o, "%s: dim", p->dims.v[-1 - a.id].name);
        else {
            const IrParam *pr = &p->params.v[a.id];
            fprintf(o, "%s: %s", pr->name, ir_types[pr->ty].name);
            if (pr->has_default) {
                if (ty_is_float(pr->ty)) fprintf(o, " = %.9g", pr->fdef);
                else fprintf(o, " = %lld", (long long)pr->idef);
            }
        }
    }
    fputs(") -> (", o);
    for (int i = 0; i < p->outputs.n; i++) {
        if (p->outputs.v[i] < 0) continue;
        const IrTensor *t = p->tensors.v[p->outputs.v[i]];
        fprintf(o, "%s%s: ", i ? ", " : "", t->name);
        ptype(p, t, o);
    }
    fputs(")\n", o);
    for (int s = 0; s < p->steps.n; s++) {
        const IrStep *st = &p->steps.v[s];
        if (st->kind == STEP_EXTERN) {
            fputs("  ", o);
            for (int k = 0; k < st->nout; k++) fprintf(o, "%s%%%s", k ? ", " : "", p->tensors.v[st->out[k]]->name);
            fprintf(o, " = extern %s(", m->externs.v[st->ext]->name);
            for (int k = 0; k < st->nin; k++) fprintf(o, "%s%%%s", k ? ", " : "", p->tensors.v[st->in[k]]->name);
            fputs(")\n", o);
            continue;
        }
        const IrTensor *t = p->tensors.v[st->tensor];
        fprintf(o, "  %%%s: ", t->name);
        ptype(p, t, o);
        if (t->scan_axis >= 0)
            fprintf(o, " scan(axis %d, %s%s)", t->scan_axis + 1, t->scan_dir < 0 ? "reverse" : "forward", t->scan_linear ? ", linear" : "");
        for (int k = 0; k < t->rank; k++)
            if (t->lo_pad[k] || t->hi_pad[k]) fprintf(o, " pad(axis %d: %lld, %lld)", k + 1, (long long)t->lo_pad[k], (long long)t->hi_pad[k]);
        if (t->has_vrange) { fputs(" values ", o); plin(p, t->vlo, o); fputs("..", o); plin(p, t->vhi, o); }
        if (t->output >= 0) fprintf(o, " output %d", t->output);
        fputc('\n', o);
        for (int k = 0; k < t->bounds.n; k++) { fputs("    boundary ", o); pdef(p, t, t->bounds.v[k], o); }
        fputs("    ", o);
        pdef(p, t, t->def, o);
    }
}

void ir_print_module(const IrModule *m, FILE *o)
{
    for (int i = 0; i < m->externs.n; i++) {
        const IrExternDecl *x = m->externs.v[i];
        fprintf(o, "extern %s(%d inputs) -> (%d outputs)\n", x->name, x->nin, x->nout);
    }
    for (int i = 0; i < m->pipelines.n; i++) {
        if (i || m->externs.n) fputc('\n', o);
        ir_print_pipeline(m->pipelines.v[i], m, o);
    }
}

void ir_print_expr(const IrPipeline *p, const char *const *slot_names, int nslots, const IrExpr *e, FILE *out)
{
    Pr pr = { p, NULL, out, slot_names, nslots };
    pexpr(&pr, e);
}
