/* frontend/parse_ctx.h: state shared by the reentrant scanner (lexer.l) and
 * the pure parser (parser.y): the arena, diagnostics, byte offset and the
 * newline-insertion state. */
#ifndef RLF_PARSE_CTX_H
#define RLF_PARSE_CTX_H
#include "ast.h"

typedef struct { uint32_t lo, hi; } Loc;

typedef struct {
    Arena *arena;
    DiagCtx *diag;
    int file;
    FileAst *out;
    uint32_t off;             /* byte offset of the next character */
    int depth;                /* open ( and [: newlines inside are ignored */
    bool can_end;             /* the last token may end a statement */
    bool eof_newline_sent;
    bool comment_newline;     /* a block comment spanned a line break */
    uint32_t comment_start;
    bool too_deep;            /* reported once per file */
    uint32_t lex_err_until;   /* a lexical error was reported before this offset (end of its line): no syntax error there */
} ParseCtx;

#define SPAN_OF(ctx, loc) ((Span){ (ctx)->file, (loc).lo, (loc).hi })

#endif
