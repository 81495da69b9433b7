/* frontend/compile.h: the library entry point of the compiler front half:
 * read a .rlf file and its imports, parse, analyse and lower to the IR.
 * Used by the rlfc driver and by hosts that compile in-process.
 * Never exits or aborts on user errors: they are diagnostics in c->diag. */
#ifndef RLF_COMPILE_H
#define RLF_COMPILE_H
#include "../ir/ir.h"

typedef struct {
    Arena *arena;
    DiagCtx diag;
    IrModule *module;          /* NULL when there were errors */
} RlfCompilation;

typedef struct {
    const char *stdlib_dir;    /* where `import std.x` looks; NULL: RLF_STDLIB or next to the binary */
} RlfCompileOptions;

RlfCompilation *rlf_compile_file(const char *path, const RlfCompileOptions *opt);
RlfCompilation *rlf_compile_source(const char *name, const char *text, size_t len, const RlfCompileOptions *opt);
void rlf_compilation_free(RlfCompilation *c);

#endif
