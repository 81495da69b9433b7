/* ir/arena.h: one bump allocator per compilation; everything allocated in it
 * dies together (style rule 6: the compiler runs inside training processes and
 * must not leak). Used by every compiler module. Tests: tests/unit/test_lin.c
 * exercises it indirectly; the sanitizer build of the whole suite checks leaks. */
#ifndef RLF_ARENA_H
#define RLF_ARENA_H
#include <stddef.h>
#include <string.h>

typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t n);              /* zeroed, 16-byte aligned */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Growable arrays whose storage lives in the arena. Old storage is simply
 * abandoned on growth: arrays here are small and short-lived. */
#define VEC(T) struct { T *v; int n, cap; }
#define vec_push(arena, vec, x) do { \
        if ((vec)->n == (vec)->cap) { \
            int nc_ = (vec)->cap ? 2 * (vec)->cap : 4; \
            void *nv_ = arena_alloc((arena), (size_t)nc_ * sizeof *(vec)->v); \
            if ((vec)->n) memcpy(nv_, (vec)->v, (size_t)(vec)->n * sizeof *(vec)->v); \
            (vec)->v = nv_; (vec)->cap = nc_; \
        } \
        (vec)->v[(vec)->n++] = (x); \
    } while (0)

#endif
