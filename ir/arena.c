/* ir/arena.c: the compilation arena (see arena.h). Chunked bump allocation;
 * allocation failure is fatal because every caller assumes memory. */
#include "arena.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct Chunk { struct Chunk *next; size_t used, cap; _Alignas(16) unsigned char data[]; } Chunk;
struct Arena { Chunk *head; };

static Chunk *chunk_new(size_t cap)
{
    Chunk *c = malloc(sizeof(Chunk) + cap);
    if (!c) { fputs("rlf: out of memory\n", stderr); abort(); }
    c->next = NULL; c->used = 0; c->cap = cap;
    return c;
}

Arena *arena_new(void)
{
    Arena *a = malloc(sizeof *a);
    if (!a) { fputs("rlf: out of memory\n", stderr); abort(); }
    a->head = chunk_new(64 * 1024);
    return a;
}

void arena_free(Arena *a)
{
    if (!a) return;
    for (Chunk *c = a->head, *n; c; c = n) { n = c->next; free(c); }
    free(a);
}

void *arena_alloc(Arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    Chunk *c = a->head;
    if (c->cap - c->used < n) {
        size_t cap = n > 32 * 1024 ? n : 64 * 1024;
        Chunk *nc = chunk_new(cap);
        if (cap == n) {            /* big block: keep the current chunk for small ones */
            nc->next = c->next; c->next = nc;
            nc->used = n;
            memset(nc->data, 0, n);
            return nc->data;
        }
        nc->next = c; a->head = c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(Arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    if (n > 0) vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}
