/* ir/diag.h: source files, byte-offset spans and user diagnostics.
 * Every front-end and IR node carries a Span; errors are collected here and
 * printed as `FILE:LINE:COL: error: MESSAGE`, the source line and a caret
 * under the span. Compiler bugs are not diagnostics: they go through
 * RLF_ICE (internal error at file:line). Tests: tests/errors/. */
#ifndef RLF_DIAG_H
#define RLF_DIAG_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "arena.h"

typedef struct {
    int file;                 /* index into DiagCtx.files; -1: no location */
    uint32_t lo, hi;          /* byte offsets, half-open */
} Span;

#define SPAN_NONE ((Span){ -1, 0, 0 })

typedef struct {
    const char *path;         /* as given by the user, used in messages */
    const char *text;         /* NUL-terminated contents */
    size_t len;
} SrcFile;

typedef enum { DIAG_ERROR, DIAG_NOTE, DIAG_WARNING } DiagLevel;

typedef struct {
    DiagLevel level;
    Span span;
    char *msg;
} Diagnostic;

typedef struct {
    Arena *arena;
    VEC(SrcFile) files;
    VEC(Diagnostic) list;
    int nerrors;
    int max_errors;           /* further errors are counted but not stored */
} DiagCtx;

void diag_init(DiagCtx *d, Arena *a);
int  diag_add_file(DiagCtx *d, const char *path, const char *text, size_t len);
void diag_error(DiagCtx *d, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(DiagCtx *d, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(DiagCtx *d, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_print(const DiagCtx *d, FILE *out);
/* The source text a span covers (for messages that quote the user's code). */
const char *diag_span_text(DiagCtx *d, Span sp);
void diag_line_col(const DiagCtx *d, Span sp, int *line, int *col);
Span span_join(Span a, Span b);

_Noreturn void rlf_ice(const char *file, int line, const char *msg);
#define RLF_ICE(msg) rlf_ice(__FILE__, __LINE__, (msg))
#define RLF_ASSERT(c) do { if (!(c)) rlf_ice(__FILE__, __LINE__, "assertion failed: " #c); } while (0)

#endif
