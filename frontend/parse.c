/* frontend/parse.c: runs the scanner and parser over one source file.
 * Called by the compile driver for the main file and every import.
 * Tests: tests/errors/, tests/fuzz/fuzz_parser.c. */
#include "parse_ctx.h"
#include "parser.h"
#define YYSTYPE RLF_YYSTYPE
#define YYLTYPE RLF_YYLTYPE
#include "lexer.h"

Expr *ast_expr(Arena *a, ExprKind k, Span sp)
{
    Expr *e = arena_alloc(a, sizeof *e);
    e->kind = k;
    e->span = sp;
    e->depth = 1;
    return e;
}

FileAst *parse_file(Arena *a, DiagCtx *d, int file)
{
    const SrcFile *f = &d->files.v[file];
    FileAst *out = arena_alloc(a, sizeof *out);
    out->file = file;
    ParseCtx ctx = { .arena = a, .diag = d, .file = file, .out = out };
    yyscan_t sc;
    if (rlf_yylex_init_extra(&ctx, &sc) != 0) {
        diag_error(d, SPAN_NONE, "cannot start the scanner");
        return NULL;
    }
    YY_BUFFER_STATE b = rlf_yy_scan_bytes(f->text, (int)f->len, sc);
    rlf_yyparse(sc, &ctx);
    rlf_yy_delete_buffer(b, sc);
    rlf_yylex_destroy(sc);
    return out;
}
