/* frontend/parser.y: the pure (reentrant) LALR parser with locations and
 * lookahead correction, building the AST of frontend/ast.h. Syntax errors
 * name what was found and what was expected; recovery resumes at the next
 * statement or declaration so that one run reports several errors.
 * Tests: tests/errors/syntax_*.rlf, tests/fuzz/. */
%define api.pure full
%define api.prefix {rlf_yy}
%define api.location.type {Loc}
%define parse.error custom
%define parse.lac full
%locations
%param {void *scanner}
%parse-param {ParseCtx *ctx}
%expect 0

%code requires {
#include "parse_ctx.h"
}

%code provides {
int rlf_yylex(RLF_YYSTYPE *lval, Loc *lloc, void *scanner);
}

%code {
#define YYMAXDEPTH 10000
#include <stdio.h>
#include <string.h>

#define YYLLOC_DEFAULT(Cur, Rhs, N) do { \
        if (N) { (Cur).lo = YYRHSLOC(Rhs, 1).lo; (Cur).hi = YYRHSLOC(Rhs, N).hi; } \
        else { (Cur).lo = (Cur).hi = YYRHSLOC(Rhs, 0).hi; } \
    } while (0)

#define SP(loc) SPAN_OF(ctx, loc)
#define A (ctx->arena)

static void rlf_yyerror(Loc *loc, void *scanner, ParseCtx *ctx, const char *msg)
{
    (void)scanner;
    if (strcmp(msg, "memory exhausted") == 0)
        diag_error(ctx->diag, SP(*loc), "expression nested too deeply (the parser's limit is %d levels)", YYMAXDEPTH);
    else
        diag_error(ctx->diag, SP(*loc), "%s", msg);
}

/* a composite node one level above its deepest child; past the limit it is
 * replaced by a literal so that no later walk recurses without bound */
static Expr *deepen(ParseCtx *ctx, Expr *e, int child_depth)
{
    e->depth = child_depth + 1;
    if (e->depth > AST_MAX_DEPTH) {
        if (!ctx->too_deep) diag_error(ctx->diag, e->span, "expression nested too deeply (more than %d levels)", AST_MAX_DEPTH);
        ctx->too_deep = true;
        Expr *z = ast_expr(A, E_INT, e->span);
        return z;
    }
    return e;
}

static int max_depth(const ExprList *l)
{
    int d = 0;
    for (int i = 0; i < l->n; i++) if (l->v[i]->depth > d) d = l->v[i]->depth;
    return d;
}

static Expr *mk_bin(ParseCtx *ctx, IrOp op, Expr *a, Expr *b, Loc l)
{
    Expr *e = ast_expr(A, E_BINARY, SP(l));
    e->u.bin.op = op; e->u.bin.a = a; e->u.bin.b = b;
    return deepen(ctx, e, a->depth > b->depth ? a->depth : b->depth);
}

static Expr *mk_un(ParseCtx *ctx, IrOp op, Expr *a, Loc l)
{
    Expr *e = ast_expr(A, E_UNARY, SP(l));
    e->u.un.op = op; e->u.un.a = a;
    return deepen(ctx, e, a->depth);
}

/* a generator item list is parsed flat (x, y in 0..N where m, ddof = 1) and
 * split here: loop variables, then keyword arguments */
typedef struct { GenVar var; Kwarg kw; bool is_kw; } GenItem;
}

%union {
    int64_t ival;
    double fval;
    bool bval;
    const char *str;
    Expr *expr;
    ExprList *exprs;
    Gen *gen;
    TypeAst *type;
    ParamList *params;
    ParamAst *param;
    StmtAst *stmt;
    DeclAst *decl;
    struct CallArgs *cargs;
    struct NameList *names;
    struct StmtList *stmts;
}

%code requires {
struct CallArgs { ExprList args; VEC(Kwarg) kw; Gen *gen; };
struct NameList { VEC(const char *) names; VEC(Span) spans; };
struct StmtList { VEC(StmtAst) v; };
}

%token <str> IDENT "name"
%token <ival> INTLIT "integer"
%token <fval> FLOATLIT "number"
%token <bval> BOOLLIT "true or false"
%token NEWLINE "end of line"
%token IMPORT "'import'" CONST "'const'" FN "'fn'" PIPELINE "'pipeline'" EXTERN "'extern'"
%token IF "'if'" THEN "'then'" ELSE "'else'" FOR "'for'" IN "'in'" WHERE "'where'"
%token AND "'and'" OR "'or'" NOT "'not'"
%token ARROW "'->'" DOTDOT "'..'" FLOORDIV "'//'" POWSTAR "'**'" EQEQ "'=='" NEQ "'!='" LE "'<='" GE "'>='"

%type <expr> expr primary
%type <exprs> exprs exprs_opt shape_opt
%type <cargs> call_args arg_items
%type <gen> gen_items
%type <type> type
%type <params> params params_opt outs
%type <param> param
%type <stmt> stmt
%type <decl> decl pipeline_decl
%type <str> dotted qualified call_name
%type <names> names
%type <stmts> stmts body

%precedence IFELSE
%left OR
%left AND
%precedence NOT
%nonassoc EQEQ NEQ '<' LE '>' GE
%left '+' '-'
%left '*' '/' FLOORDIV '%'
%precedence UMINUS
%right POWSTAR

%%

file
    : %empty
    | file NEWLINE
    | file ';'
    | file decl end            { if ($2) vec_push(A, &ctx->out->decls, *$2); }
    | file error end           { yyerrok; }
    ;

end : NEWLINE | ';' ;
nl_opt : %empty | NEWLINE ;

decl
    : IMPORT dotted            { $$ = arena_alloc(A, sizeof *$$); $$->kind = D_IMPORT; $$->name = $2; $$->span = SP(@$); $$->name_span = SP(@2); }
    | CONST IDENT '=' expr     { $$ = arena_alloc(A, sizeof *$$); $$->kind = D_CONST; $$->name = $2; $$->name_span = SP(@2); $$->value = $4; $$->span = SP(@$); }
    | FN IDENT '(' params_opt ')' ARROW type '=' expr {
                                 $$ = arena_alloc(A, sizeof *$$); $$->kind = D_FN; $$->name = $2; $$->name_span = SP(@2);
                                 $$->params = *$4; $$->ret = *$7; $$->body = $9; $$->span = SP(@$); }
    | EXTERN FN IDENT '(' params_opt ')' ARROW outs {
                                 $$ = arena_alloc(A, sizeof *$$); $$->kind = D_EXTERN; $$->name = $3; $$->name_span = SP(@3);
                                 $$->params = *$5; $$->outs = *$8; $$->span = SP(@$); }
    | pipeline_decl
    ;

pipeline_decl
    : PIPELINE IDENT '(' params_opt ')' nl_opt ARROW outs nl_opt '{' body '}' {
                                 $$ = arena_alloc(A, sizeof *$$); $$->kind = D_PIPELINE; $$->name = $2; $$->name_span = SP(@2);
                                 $$->params = *$4; $$->outs = *$8; $$->span = SP(@$);
                                 $$->stmts.v = $11->v.v; $$->stmts.n = $11->v.n; $$->stmts.cap = $11->v.cap; }
    | PIPELINE error '}'       { $$ = NULL; yyerrok; }   /* a broken header: skip to the end of its body */
    ;

outs
    : '(' params_opt ')'       { $$ = $2; }
    | param                    { $$ = arena_alloc(A, sizeof *$$); vec_push(A, $$, *$1); }
    | type                     { $$ = arena_alloc(A, sizeof *$$); ParamAst p = { "result", SP(@1), *$1, NULL }; vec_push(A, $$, p); }
    ;

stmts
    : %empty                   { $$ = arena_alloc(A, sizeof *$$); }
    | stmts NEWLINE            { $$ = $1; }
    | stmts ';'                { $$ = $1; }
    | stmts stmt end           { $$ = $1; vec_push(A, &$$->v, *$2); }
    | stmts error end          { $$ = $1; yyerrok; }
    ;

body                           /* the last statement may close on the same line: { x = 1 } */
    : stmts                    { $$ = $1; }
    | stmts stmt               { $$ = $1; vec_push(A, &$$->v, *$2); }
    ;

stmt
    : IDENT '[' exprs ']' '=' expr {
                                 $$ = arena_alloc(A, sizeof *$$); vec_push(A, &$$->names, $1); vec_push(A, &$$->name_spans, SP(@1));
                                 $$->has_idx = true; $$->idx = *$3; $$->rhs = $6; $$->span = SP(@$); }
    | names '=' expr           { $$ = arena_alloc(A, sizeof *$$);
                                 $$->names.v = $1->names.v; $$->names.n = $1->names.n; $$->names.cap = $1->names.cap;
                                 $$->name_spans.v = $1->spans.v; $$->name_spans.n = $1->spans.n; $$->name_spans.cap = $1->spans.cap;
                                 $$->rhs = $3; $$->span = SP(@$); }
    ;

names
    : IDENT                    { $$ = arena_alloc(A, sizeof *$$); vec_push(A, &$$->names, $1); vec_push(A, &$$->spans, SP(@1)); }
    | names ',' IDENT          { $$ = $1; vec_push(A, &$$->names, $3); vec_push(A, &$$->spans, SP(@3)); }
    ;

dotted
    : IDENT                    { $$ = $1; }
    | dotted '.' IDENT         { $$ = arena_printf(A, "%s.%s", $1, $3); }
    ;

params_opt
    : %empty                   { $$ = arena_alloc(A, sizeof *$$); }
    | params                   { $$ = $1; }
    | params ','               { $$ = $1; }
    ;

params
    : param                    { $$ = arena_alloc(A, sizeof *$$); vec_push(A, $$, *$1); }
    | params ',' param         { $$ = $1; vec_push(A, $$, *$3); }
    ;

param
    : IDENT ':' type           { $$ = arena_alloc(A, sizeof *$$); $$->name = $1; $$->span = SP(@1); $$->type = *$3; }
    | IDENT ':' type '=' expr  { $$ = arena_alloc(A, sizeof *$$); $$->name = $1; $$->span = SP(@1); $$->type = *$3; $$->deflt = $5; }
    ;

type
    : IDENT shape_opt          { $$ = arena_alloc(A, sizeof *$$); $$->span = SP(@$);
                                 if (strcmp($1, "dim") == 0 && !$2) $$->is_dim = true;
                                 else {
                                     int t = ty_from_name($1);
                                     if (t < 0) diag_error(ctx->diag, SP(@1), "unknown type '%s'; expected one of bool, u8, i32, i64, f16, bf16, f32, f64 or dim", $1);
                                     $$->ty = t < 0 ? TY_F32 : (IrType)t;
                                 }
                                 if ($2) { $$->has_shape = true; $$->shape = *$2; } }
    | IDENT shape_opt IN expr DOTDOT expr {
                                 $$ = arena_alloc(A, sizeof *$$); $$->span = SP(@$);
                                 int t = ty_from_name($1);
                                 if (t < 0) diag_error(ctx->diag, SP(@1), "unknown type '%s'", $1);
                                 $$->ty = t < 0 ? TY_I32 : (IrType)t;
                                 if ($2) { $$->has_shape = true; $$->shape = *$2; }
                                 $$->range_lo = $4; $$->range_hi = $6; }
    ;

shape_opt
    : %empty                   { $$ = NULL; }
    | '[' exprs_opt ']'        { $$ = $2; }
    ;

exprs_opt
    : %empty                   { $$ = arena_alloc(A, sizeof *$$); }
    | exprs                    { $$ = $1; }
    ;

exprs
    : expr                     { $$ = arena_alloc(A, sizeof *$$); vec_push(A, $$, $1); }
    | exprs ',' expr           { $$ = $1; vec_push(A, $$, $3); }
    ;

expr
    : primary
    | IF expr THEN expr ELSE expr %prec IFELSE {
                                 $$ = ast_expr(A, E_IF, SP(@$)); $$->u.cond.c = $2; $$->u.cond.a = $4; $$->u.cond.b = $6;
                                 int d = $2->depth > $4->depth ? $2->depth : $4->depth;
                                 $$ = deepen(ctx, $$, d > $6->depth ? d : $6->depth); }
    | expr OR expr             { $$ = mk_bin(ctx, IR_OR, $1, $3, @$); }
    | expr AND expr            { $$ = mk_bin(ctx, IR_AND, $1, $3, @$); }
    | NOT expr                 { $$ = mk_un(ctx, IR_NOT, $2, @$); }
    | expr EQEQ expr           { $$ = mk_bin(ctx, IR_EQ, $1, $3, @$); }
    | expr NEQ expr            { $$ = mk_bin(ctx, IR_NE, $1, $3, @$); }
    | expr '<' expr            { $$ = mk_bin(ctx, IR_LT, $1, $3, @$); }
    | expr LE expr             { $$ = mk_bin(ctx, IR_LE, $1, $3, @$); }
    | expr '>' expr            { $$ = mk_bin(ctx, IR_GT, $1, $3, @$); }
    | expr GE expr             { $$ = mk_bin(ctx, IR_GE, $1, $3, @$); }
    | expr '+' expr            { $$ = mk_bin(ctx, IR_ADD, $1, $3, @$); }
    | expr '-' expr            { $$ = mk_bin(ctx, IR_SUB, $1, $3, @$); }
    | expr '*' expr            { $$ = mk_bin(ctx, IR_MUL, $1, $3, @$); }
    | expr '/' expr            { $$ = mk_bin(ctx, IR_DIV, $1, $3, @$); }
    | expr FLOORDIV expr       { $$ = mk_bin(ctx, IR_FLOORDIV, $1, $3, @$); }
    | expr '%' expr            { $$ = mk_bin(ctx, IR_MOD, $1, $3, @$); }
    | expr POWSTAR expr        { /* what NumPy and PyTorch users type first; parsed (binding
                                    tighter than unary minus, as in Python) so that the rest
                                    of the line is still read */
                                 diag_error(ctx->diag, SP(@2), "rlf has no '**' operator; write pow(a, b)");
                                 $$ = mk_bin(ctx, IR_POW, $1, $3, @$); }
    | '-' expr %prec UMINUS    { $$ = mk_un(ctx, IR_NEG, $2, @$); }
    | '+' expr %prec UMINUS    { $$ = $2; }
    ;

primary
    : INTLIT                   { $$ = ast_expr(A, E_INT, SP(@$)); $$->u.ival = $1; }
    | FLOATLIT                 { $$ = ast_expr(A, E_FLOAT, SP(@$)); $$->u.fval = $1; }
    | BOOLLIT                  { $$ = ast_expr(A, E_BOOL, SP(@$)); $$->u.bval = $1; }
    | IDENT                    { $$ = ast_expr(A, E_NAME, SP(@$)); $$->u.name.name = $1; }
    | IDENT '[' exprs ']'      { $$ = ast_expr(A, E_INDEX, SP(@$)); $$->u.index.name = $1; $$->u.index.name_span = SP(@1); $$->u.index.idx = *$3;
                                 $$ = deepen(ctx, $$, max_depth($3)); }
    | call_name '(' call_args ')' { $$ = ast_expr(A, E_CALL, SP(@$)); $$->u.call.name = $1; $$->u.call.name_span = SP(@1);
                                 $$->u.call.args = $3->args; $$->u.call.kw.v = $3->kw.v; $$->u.call.kw.n = $3->kw.n; $$->u.call.kw.cap = $3->kw.cap;
                                 $$->u.call.gen = $3->gen;
                                 int d = max_depth(&$3->args);
                                 for (int i = 0; i < $3->kw.n; i++) if ($3->kw.v[i].value->depth > d) d = $3->kw.v[i].value->depth;
                                 if ($3->gen) {
                                     Gen *g = $3->gen;
                                     if (g->body->depth > d) d = g->body->depth;
                                     if (g->where && g->where->depth > d) d = g->where->depth;
                                     for (int i = 0; i < g->vars.n; i++) {
                                         if (g->vars.v[i].lo && g->vars.v[i].lo->depth > d) d = g->vars.v[i].lo->depth;
                                         if (g->vars.v[i].hi && g->vars.v[i].hi->depth > d) d = g->vars.v[i].hi->depth;
                                     }
                                 }
                                 $$ = deepen(ctx, $$, d); }
    | '(' expr ')'             { $$ = $2; }
    ;

/* `np.maximum(...)`, `torch.clamp(...)` and NumPy's `where(c, a, b)` are
 * parsed as calls of that name, so that sema can say how rlf spells them
 * (sema_foreign.c) instead of a syntax error at the '.' or the 'where' */
call_name
    : IDENT                    { $$ = $1; }
    | qualified                { $$ = $1; }
    | WHERE                    { $$ = "where"; }
    ;

qualified
    : IDENT '.' IDENT          { $$ = arena_printf(A, "%s.%s", $1, $3); }
    | IDENT '.' WHERE          { $$ = arena_printf(A, "%s.where", $1); }
    | qualified '.' IDENT      { $$ = arena_printf(A, "%s.%s", $1, $3); }
    | qualified '.' WHERE      { $$ = arena_printf(A, "%s.where", $1); }
    ;

call_args
    : %empty                   { $$ = arena_alloc(A, sizeof *$$); }
    | arg_items                { $$ = $1; }
    | expr FOR gen_items       { $$ = arena_alloc(A, sizeof *$$); $$->gen = $3; $3->body = $1; $3->span = SP(@$);
                                 /* keyword items in the generator list are the reduction's options */
                                 for (int i = 0; i < $3->kw.n; i++) vec_push(A, &$$->kw, $3->kw.v[i]); }
    ;

arg_items
    : expr                     { $$ = arena_alloc(A, sizeof *$$); vec_push(A, &$$->args, $1); }
    | IDENT '=' expr           { $$ = arena_alloc(A, sizeof *$$); Kwarg k = { $1, SP(@1), $3 }; vec_push(A, &$$->kw, k); }
    | arg_items ',' expr       { $$ = $1; if ($$->kw.n) diag_error(ctx->diag, SP(@3), "positional argument after a keyword argument"); vec_push(A, &$$->args, $3); }
    | arg_items ',' IDENT '=' expr { $$ = $1; Kwarg k = { $3, SP(@3), $5 }; vec_push(A, &$$->kw, k); }
    ;

gen_items
    : IDENT                    { $$ = arena_alloc(A, sizeof *$$); GenVar g = { $1, SP(@1), NULL, NULL }; vec_push(A, &$$->vars, g); }
    | IDENT IN expr DOTDOT expr { $$ = arena_alloc(A, sizeof *$$); GenVar g = { $1, SP(@$), $3, $5 }; vec_push(A, &$$->vars, g); }
    | gen_items ',' IDENT      { $$ = $1;
                                 if ($$->where || $$->kw.n) diag_error(ctx->diag, SP(@3), "loop variable '%s' must come before 'where' and keyword options", $3);
                                 GenVar g = { $3, SP(@3), NULL, NULL }; vec_push(A, &$$->vars, g); }
    | gen_items ',' IDENT IN expr DOTDOT expr { $$ = $1;
                                 if ($$->where || $$->kw.n) diag_error(ctx->diag, SP(@3), "loop variable '%s' must come before 'where' and keyword options", $3);
                                 Loc l = { @3.lo, @7.hi }; GenVar g = { $3, SP(l), $5, $7 }; vec_push(A, &$$->vars, g); }
    | gen_items ',' IDENT '=' expr { $$ = $1; Kwarg k = { $3, SP(@3), $5 }; vec_push(A, &$$->kw, k); }
    | gen_items WHERE expr     { $$ = $1;
                                 if ($$->where) diag_error(ctx->diag, SP(@2), "a reduction takes one 'where' mask; combine conditions with 'and'");
                                 else $$->where = $3; }
    ;

%%

static const char *tok_name(yysymbol_kind_t k)
{
    return yysymbol_name(k);
}

static int yyreport_syntax_error(const yypcontext_t *pctx, void *scanner, ParseCtx *ctx)
{
    (void)scanner;
    if (yypcontext_location(pctx)->lo < ctx->lex_err_until) return 0;   /* caused by a reported bad character */
    yysymbol_kind_t got = yypcontext_token(pctx);
    yysymbol_kind_t exp[64];
    int n = yypcontext_expected_tokens(pctx, exp, 64);
    char buf[512];
    int p = 0;
    if (got == YYSYMBOL_YYEOF)
        p += snprintf(buf + p, sizeof buf - (size_t)p, "unexpected end of file");
    else
        p += snprintf(buf + p, sizeof buf - (size_t)p, "unexpected %s", tok_name(got));
    /* name what may come next; when an operator could too, name the rest and
     * say so, rather than listing every operator */
    yysymbol_kind_t keep[64];
    int nk = 0;
    bool ops = false;
    bool expr_start = false;
    for (int i = 0; i < n; i++) if (exp[i] == YYSYMBOL_IDENT) expr_start = true;
    for (int i = 0; i < n; i++) {
        const char *t = tok_name(exp[i]);
        /* where(...) starts an expression only to be explained by sema */
        if (expr_start && exp[i] == YYSYMBOL_WHERE) continue;
        static const char *const opnames[] = { "'+'", "'-'", "'*'", "'/'", "'%'", "'<'", "'>'", "'and'", "'or'", "'=='", "'!='",
                                               "'<='", "'>='", "'//'", "'**'", "'for'", "'['", "'('", NULL };
        bool op = false;
        for (int q = 0; n > 6 && opnames[q]; q++) if (!strcmp(t, opnames[q])) op = true;
        if (op) ops = true; else keep[nk++] = exp[i];
    }
    if (nk > 0 && nk <= 6) {
        p += snprintf(buf + p, sizeof buf - (size_t)p, "; expected ");
        for (int i = 0; i < nk && p < (int)sizeof buf; i++)
            p += snprintf(buf + p, sizeof buf - (size_t)p, "%s%s", i == 0 ? "" : i == nk - 1 && !ops ? " or " : ", ", tok_name(keep[i]));
        if (ops && p < (int)sizeof buf) p += snprintf(buf + p, sizeof buf - (size_t)p, " or an operator");
    }
    diag_error(ctx->diag, SP(*yypcontext_location(pctx)), "%s", buf);
    return 0;
}
