/* ir/diag.c: collecting and printing diagnostics (see diag.h). */
#include "diag.h"
#include <stdarg.h>
#include <stdlib.h>

void diag_init(DiagCtx *d, Arena *a)
{
    memset(d, 0, sizeof *d);
    d->arena = a;
    d->max_errors = 50;
}

int diag_add_file(DiagCtx *d, const char *path, const char *text, size_t len)
{
    SrcFile f = { arena_strdup(d->arena, path), text, len };
    vec_push(d->arena, &d->files, f);
    return d->files.n - 1;
}

static void vadd(DiagCtx *d, DiagLevel lv, Span sp, const char *fmt, va_list ap)
{
    if (lv == DIAG_ERROR && d->nerrors++ >= d->max_errors) return;
    if (lv == DIAG_NOTE && d->nerrors > d->max_errors) return;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *m = arena_alloc(d->arena, (size_t)(n < 0 ? 0 : n) + 1);
    if (n > 0) vsnprintf(m, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    Diagnostic dg = { lv, sp, m };
    vec_push(d->arena, &d->list, dg);
}

#define DIAG_FN(name, lv) \
    void name(DiagCtx *d, Span sp, const char *fmt, ...) \
    { va_list ap; va_start(ap, fmt); vadd(d, lv, sp, fmt, ap); va_end(ap); }
DIAG_FN(diag_error, DIAG_ERROR)
DIAG_FN(diag_note, DIAG_NOTE)
DIAG_FN(diag_warning, DIAG_WARNING)

void diag_line_col(const DiagCtx *d, Span sp, int *line, int *col)
{
    *line = 0; *col = 0;
    if (sp.file < 0 || sp.file >= d->files.n) return;
    const SrcFile *f = &d->files.v[sp.file];
    size_t lo = sp.lo <= f->len ? sp.lo : f->len;
    int l = 1, c = 1;
    for (size_t i = 0; i < lo; i++) {
        if (f->text[i] == '\n') { l++; c = 1; } else c++;
    }
    *line = l; *col = c;
}

const char *diag_span_text(DiagCtx *d, Span sp)
{
    if (sp.file < 0 || sp.file >= d->files.n) return "";
    const SrcFile *f = &d->files.v[sp.file];
    if (sp.lo > sp.hi || sp.hi > f->len) return "";
    return arena_strndup(d->arena, f->text + sp.lo, sp.hi - sp.lo);
}

Span span_join(Span a, Span b)
{
    if (a.file < 0) return b;
    if (b.file < 0 || b.file != a.file) return a;
    Span s = a;
    if (b.lo < s.lo) s.lo = b.lo;
    if (b.hi > s.hi) s.hi = b.hi;
    return s;
}

static void print_one(const DiagCtx *d, const Diagnostic *dg, FILE *out)
{
    static const char *lvname[] = { "error", "note", "warning" };
    if (dg->span.file < 0 || dg->span.file >= d->files.n) {
        fprintf(out, "rlf: %s: %s\n", lvname[dg->level], dg->msg);
        return;
    }
    const SrcFile *f = &d->files.v[dg->span.file];
    int line, col;
    diag_line_col(d, dg->span, &line, &col);
    fprintf(out, "%s:%d:%d: %s: %s\n", f->path, line, col, lvname[dg->level], dg->msg);
    /* the source line, then a caret under the span (clipped to that line) */
    size_t lo = dg->span.lo <= f->len ? dg->span.lo : f->len;
    size_t bol = lo, eol = lo;
    while (bol > 0 && f->text[bol - 1] != '\n') bol--;
    while (eol < f->len && f->text[eol] != '\n') eol++;
    if (eol - bol > 400) return;        /* minified or binary input: no excerpt */
    fputs("    ", out);
    for (size_t i = bol; i < eol; i++) {
        unsigned char ch = (unsigned char)f->text[i];
        if (ch >= 0x80) {
            /* copy a valid UTF-8 sequence; anything else becomes '?' */
            size_t n = ch >= 0xF0 && ch <= 0xF4 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC2 && ch <= 0xDF ? 2 : 0;
            bool ok = n && i + n <= eol;
            for (size_t k = 1; ok && k < n; k++) ok = ((unsigned char)f->text[i + k] & 0xC0) == 0x80;
            if (ok) { fwrite(f->text + i, 1, n, out); i += n - 1; }
            else fputc('?', out);
            continue;
        }
        fputc(ch == '\t' ? ' ' : (ch < 32 || ch == 127) ? '?' : ch, out);
    }
    fputs("\n    ", out);
    for (size_t i = bol; i < lo; i++)
        if (((unsigned char)f->text[i] & 0xC0) != 0x80) fputc(' ', out);   /* one column per character */
    size_t hi = dg->span.hi;
    if (hi > eol) hi = eol;
    fputc('^', out);
    for (size_t i = lo + 1; i < hi; i++) fputc('~', out);
    fputc('\n', out);
}

void diag_print(const DiagCtx *d, FILE *out)
{
    for (int i = 0; i < d->list.n; i++) print_one(d, &d->list.v[i], out);
    if (d->nerrors > d->max_errors)
        fprintf(out, "rlf: %d more errors not shown\n", d->nerrors - d->max_errors);
}

void rlf_ice(const char *file, int line, const char *msg)
{
    fprintf(stderr, "rlf: internal error at %s:%d: %s\n", file, line, msg);
    abort();
}
