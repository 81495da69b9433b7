/* frontend/compile.c: loads the main file and its imports (`import std.x`
 * resolves to <stdlib>/x.rlf; `import a.b` to a/b.rlf next to the importing
 * file), parses each once, then runs sema. Tests: tests/run/import_*.rlf,
 * tests/errors/import_*.rlf. */
#include "compile.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sema.h"

#define MAX_FILE_BYTES (64u << 20)

static char *read_file(Arena *a, const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno)); return NULL; }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) { fclose(f); snprintf(err, errlen, "'%s' is a directory", path); return NULL; }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) { fclose(f); snprintf(err, errlen, "out of memory"); return NULL; }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= MAX_FILE_BYTES) { free(buf); fclose(f); snprintf(err, errlen, "'%s' is larger than %u MiB", path, MAX_FILE_BYTES >> 20); return NULL; }
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); fclose(f); snprintf(err, errlen, "out of memory"); return NULL; }
            buf = nb; cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) { free(buf); snprintf(err, errlen, "cannot read '%s'", path); return NULL; }
    char *out = arena_strndup(a, buf, n);
    free(buf);
    *len = n;
    return out;
}

static const char *stdlib_dir(const RlfCompileOptions *opt)
{
    if (opt && opt->stdlib_dir) return opt->stdlib_dir;
    const char *e = getenv("RLF_STDLIB");
    if (e && *e) return e;
    return NULL;
}

/* candidates for the standard library when nothing names it: next to the
 * binary (build/stdlib, <prefix>/share/rlf/stdlib) and the source tree */
static bool find_std(Arena *a, const char *mod, const RlfCompileOptions *opt, char **out)
{
    const char *dirs[4] = { stdlib_dir(opt), NULL, NULL, NULL };
    char exe[4096];
    ssize_t n = -1;
#ifdef __linux__
    extern ssize_t readlink(const char *, char *, size_t);
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
#endif
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        dirs[1] = arena_printf(a, "%s/../stdlib", exe);
        dirs[2] = arena_printf(a, "%s/../share/rlf/stdlib", exe);
    }
    dirs[3] = "stdlib";
    for (int i = 0; i < 4; i++) {
        if (!dirs[i]) continue;
        char *p = arena_printf(a, "%s/%s.rlf", dirs[i], mod);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) { *out = p; return true; }
        if (i == 0) break;                 /* an explicit directory is the only place */
    }
    return false;
}

typedef struct { const char *path; FileAst *ast; } Loaded;

static RlfCompilation *compile(RlfCompilation *c, const char *name, const char *text, size_t len, const RlfCompileOptions *opt)
{
    Arena *a = c->arena;
    VEC(Loaded) files = { 0 };
    int f0 = diag_add_file(&c->diag, name, text, len);
    Loaded l0 = { name, parse_file(a, &c->diag, f0) };
    vec_push(a, &files, l0);
    /* breadth-first over imports; each file once */
    for (int i = 0; i < files.n; i++) {
        FileAst *fa = files.v[i].ast;
        if (!fa) continue;
        for (int k = 0; k < fa->decls.n; k++) {
            DeclAst *d = &fa->decls.v[k];
            if (d->kind != D_IMPORT) continue;
            char *path = NULL;
            if (strncmp(d->name, "std.", 4) == 0) {
                if (!find_std(a, d->name + 4, opt, &path)) {
                    diag_error(&c->diag, d->name_span, "cannot find module '%s' (looked for %s.rlf in %s)", d->name, d->name + 4,
                               stdlib_dir(opt) ? stdlib_dir(opt) : "RLF_STDLIB, the directory next to rlfc and ./stdlib");
                    continue;
                }
            } else {
                const char *base = files.v[i].path;
                const char *slash = strrchr(base, '/');
                char *rel = arena_strdup(a, d->name);
                for (char *q = rel; *q; q++) if (*q == '.') *q = '/';
                path = slash ? arena_printf(a, "%.*s/%s.rlf", (int)(slash - base), base, rel) : arena_printf(a, "%s.rlf", rel);
            }
            bool seen = false;
            for (int j = 0; j < files.n; j++) if (strcmp(files.v[j].path, path) == 0) seen = true;
            if (seen) continue;
            char err[512];
            size_t n;
            char *src = read_file(a, path, &n, err, sizeof err);
            if (!src) { diag_error(&c->diag, d->name_span, "cannot import '%s': %s", d->name, err); continue; }
            int fi = diag_add_file(&c->diag, path, src, n);
            Loaded ln = { path, parse_file(a, &c->diag, fi) };
            vec_push(a, &files, ln);
        }
    }
    if (!c->diag.nerrors && l0.ast && l0.ast->decls.n == 0)
        diag_error(&c->diag, (Span){ f0, 0, 0 }, "nothing to compile: the file declares no pipeline, fn, const or extern");
    if (c->diag.nerrors) return c;
    FileAst **asts = arena_alloc(a, (size_t)files.n * sizeof *asts);
    for (int i = 0; i < files.n; i++) asts[i] = files.v[i].ast;
    IrModule *m = arena_alloc(a, sizeof *m);
    m->arena = a;
    Sema s = { .a = a, .d = &c->diag, .m = m };
    if (sema_module(&s, asts, files.n, 0)) {
        char why[512], msg[600];
        if (!ir_verify(m, why, sizeof why)) {
            /* a compiler bug, never the input's fault: abort as every internal error does */
            snprintf(msg, sizeof msg, "the IR failed verification after sema: %s", why);
            RLF_ICE(msg);
        }
        c->module = m;
    }
    return c;
}

RlfCompilation *rlf_compile_source(const char *name, const char *text, size_t len, const RlfCompileOptions *opt)
{
    RlfCompilation *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->arena = arena_new();
    diag_init(&c->diag, c->arena);
    char *copy = arena_strndup(c->arena, text, len);
    return compile(c, name, copy, len, opt);
}

RlfCompilation *rlf_compile_file(const char *path, const RlfCompileOptions *opt)
{
    RlfCompilation *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->arena = arena_new();
    diag_init(&c->diag, c->arena);
    char err[512];
    size_t n;
    char *src = read_file(c->arena, path, &n, err, sizeof err);
    if (!src) { diag_error(&c->diag, SPAN_NONE, "%s", err); return c; }
    return compile(c, path, src, n, opt);
}

void rlf_compilation_free(RlfCompilation *c)
{
    if (!c) return;
    arena_free(c->arena);
    free(c);
}
