/* runtime/rt_npy.c: NumPy .npy reader and writer (see rt_npy.h). Input files
 * come from users and other tools, so every size read from a file is checked
 * against what is actually there before anything is allocated or indexed.
 * Tests: tests/unit/test_npy.c. */
#define _POSIX_C_SOURCE 200809L
#include "rt_npy.h"
#include "rt_checked.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64
/* NumPy itself refuses headers over 10000 bytes by default; anything near
 * this limit is corrupt, and the cap keeps a bad length from driving a huge
 * allocation. */
#define NPY_MAX_HEADER (1u << 20)
#define SUPPORTED "rlf reads bool, u8, i32, i64, f16, f32, f64"

typedef struct { const char *name; char *err; size_t errlen; } Ctx;

static int fail(const Ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const Ctx *c, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = snprintf(c->err, c->errlen, "%s: ", c->name);
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static int host_little(void)
{
    uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void byteswap(uint8_t *p, size_t n, size_t esz)
{
    if (esz < 2) return;
    for (size_t i = 0; i < n; i++, p += esz)
        for (size_t j = 0; j < esz / 2; j++) {
            uint8_t t = p[j];
            p[j] = p[esz - 1 - j];
            p[esz - 1 - j] = t;
        }
}

typedef struct {
    RtDtype dtype;
    size_t esz;
    int swap, fortran, ndim;
    int64_t shape[RT_MAX_RANK];
    int64_t numel;
    size_t nbytes;
} Hdr;

/* The fixed part: magic, version, header length. Sets *pre to its size. */
static int parse_preamble(const Ctx *c, const uint8_t *p, size_t n, size_t *pre, size_t *hlen)
{
    size_t m = n < NPY_MAGIC_LEN ? n : NPY_MAGIC_LEN;
    if (n == 0) return fail(c, "empty file (not a .npy file)");
    if (memcmp(p, NPY_MAGIC, m) != 0) return fail(c, "not a .npy file (bad magic)");
    if (n < 8) return fail(c, "truncated header: expected at least 10 bytes, found %zu", n);
    unsigned major = p[6], minor = p[7];
    if (major < 1 || major > 3 || minor != 0)
        return fail(c, "unsupported .npy format version %u.%u (rlf reads 1.0, 2.0 and 3.0)", major, minor);
    size_t lb = major == 1 ? 2 : 4;
    if (n < 8 + lb) return fail(c, "truncated header: expected at least %zu bytes, found %zu", 8 + lb, n);
    uint32_t hl = (uint32_t)p[8] | (uint32_t)p[9] << 8;
    if (lb == 4) hl |= (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
    if (hl > NPY_MAX_HEADER)
        return fail(c, "header length %lu exceeds the limit of %u bytes", (unsigned long)hl, NPY_MAX_HEADER);
    *pre = 8 + lb;
    *hlen = hl;
    return 0;
}

/* ---- header dict: a Python literal, parsed just far enough ---- */

typedef struct { const char *p, *e; } Cur;

static void skip_ws(Cur *k)
{
    while (k->p < k->e && (*k->p == ' ' || *k->p == '\t' || *k->p == '\n' || *k->p == '\r')) k->p++;
}

static int peek(const Cur *k) { return k->p < k->e ? (unsigned char)*k->p : -1; }
static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }
static int is_ident(int ch) { return ch == '_' || is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }

static int parse_str(const Ctx *c, Cur *k, const char **s, size_t *n)
{
    int q = peek(k);
    if (q != '\'' && q != '"') return -1;
    const char *st = ++k->p;
    while (k->p < k->e && *k->p != q) {
        if (*k->p == '\\') return fail(c, "escape sequences in header strings are not supported");
        k->p++;
    }
    if (k->p >= k->e) return fail(c, "malformed header: unterminated string");
    *s = st;
    *n = (size_t)(k->p - st);
    k->p++;
    return 0;
}

/* Copy for messages, bounded and printable, so garbage bytes in a corrupt
 * header cannot garble the terminal. */
static void quote(char *dst, size_t cap, const char *s, size_t n)
{
    size_t i = 0;
    for (; i < n && i + 4 < cap; i++) dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (i < n) { memcpy(dst + i, "...", 3); i += 3; }
    dst[i] = 0;
}

/* Names the NumPy type behind an unsupported descr, e.g. " (complex64)". */
static void describe(const char *t, size_t n, char *buf, size_t cap)
{
    static const struct { char kind; const char *name; int sized; } kinds[] = {
        { 'b', "bool", 0 }, { 'i', "int", 1 }, { 'u', "uint", 1 }, { 'f', "float", 1 },
        { 'c', "complex", 1 }, { 'O', "object", 0 }, { 'V', "void/structured", 0 },
        { 'S', "bytes", 0 }, { 'a', "bytes", 0 }, { 'U', "unicode string", 0 },
        { 'M', "datetime64", 0 }, { 'm', "timedelta64", 0 },
    };
    unsigned long bytes = 0;
    for (size_t i = 1; i < n && i < 5 && is_digit((unsigned char)t[i]); i++) bytes = bytes * 10 + (unsigned long)(t[i] - '0');
    buf[0] = 0;
    for (size_t i = 0; n && i < sizeof kinds / sizeof kinds[0]; i++)
        if (t[0] == kinds[i].kind) {
            if (kinds[i].sized && bytes) snprintf(buf, cap, " (%s%lu)", kinds[i].name, bytes * 8);
            else snprintf(buf, cap, " (%s)", kinds[i].name);
        }
}

static int decode_descr(const Ctx *c, const char *s, size_t n, Hdr *h)
{
    static const struct { const char *code; RtDtype dt; } tab[] = {
        { "b1", RT_BOOL }, { "u1", RT_U8 }, { "i4", RT_I32 }, { "i8", RT_I64 },
        { "f2", RT_F16 }, { "f4", RT_F32 }, { "f8", RT_F64 },
    };
    char order = '=';
    const char *t = s;
    size_t tn = n;
    if (tn && (t[0] == '<' || t[0] == '>' || t[0] == '=' || t[0] == '|')) { order = t[0]; t++; tn--; }
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        if (tn == 2 && memcmp(t, tab[i].code, 2) == 0) {
            h->dtype = tab[i].dt;
            h->esz = rt_dtype_size(tab[i].dt);
            int little = host_little();
            h->swap = h->esz > 1 && ((order == '<' && !little) || (order == '>' && little));
            return 0;
        }
    }
    char q[48], what[40];
    quote(q, sizeof q, s, n);
    describe(t, tn, what, sizeof what);
    return fail(c, "unsupported dtype '%s'%s; " SUPPORTED, q, what);
}

static int parse_shape(const Ctx *c, Cur *k, Hdr *h)
{
    if (peek(k) != '(') return fail(c, "malformed header: 'shape' must be a tuple of integers");
    k->p++;
    int n = 0;
    skip_ws(k);
    if (peek(k) == ')') { k->p++; h->ndim = 0; return 0; }
    for (;;) {
        skip_ws(k);
        int neg = 0;
        if (peek(k) == '-') { neg = 1; k->p++; }
        if (!is_digit(peek(k))) return fail(c, "malformed header: shape entries must be non-negative integers");
        int64_t v = 0;
        while (is_digit(peek(k))) {
            int d = *k->p++ - '0';
            if (v > (INT64_MAX - d) / 10) return fail(c, "shape entry too large");
            v = v * 10 + d;
        }
        if (peek(k) == 'L') k->p++;      /* written by Python 2 */
        int ch = peek(k);
        if (ch == '.' || ch == 'e' || ch == 'E' || ch == 'j' || is_ident(ch))
            return fail(c, "malformed header: non-integer shape entry");
        if (neg) return fail(c, "negative dimension -%lld in shape", (long long)v);
        if (n < RT_MAX_RANK) h->shape[n] = v;
        n++;
        skip_ws(k);
        if (peek(k) == ',') {
            k->p++;
            skip_ws(k);
        } else if (peek(k) != ')') {
            return fail(c, "malformed header: expected ',' or ')' in shape");
        }
        if (peek(k) == ')') { k->p++; break; }
    }
    if (n > RT_MAX_RANK) return fail(c, "rank %d exceeds the maximum of %d", n, RT_MAX_RANK);
    h->ndim = n;
    return 0;
}

static int parse_bool(const Ctx *c, Cur *k, int *out)
{
    size_t left = (size_t)(k->e - k->p);
    size_t len = 0;
    if (left >= 4 && memcmp(k->p, "True", 4) == 0) { *out = 1; len = 4; }
    else if (left >= 5 && memcmp(k->p, "False", 5) == 0) { *out = 0; len = 5; }
    if (!len || (left > len && is_ident((unsigned char)k->p[len])))
        return fail(c, "malformed header: 'fortran_order' must be True or False");
    k->p += len;
    return 0;
}

static int parse_header(const Ctx *c, const char *txt, size_t len, Hdr *h)
{
    Cur k = { txt, txt + len };
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0;
    memset(h, 0, sizeof *h);
    skip_ws(&k);
    if (peek(&k) != '{') return fail(c, "malformed header: not a dict");
    k.p++;
    for (;;) {
        skip_ws(&k);
        if (peek(&k) == '}') break;
        const char *key = NULL, *val = NULL;
        size_t kn = 0, vn = 0;
        if (peek(&k) != '\'' && peek(&k) != '"') return fail(c, "malformed header: expected a string key");
        if (parse_str(c, &k, &key, &kn)) return -1;
        char key_name[40];
        quote(key_name, sizeof key_name, key, kn);
        skip_ws(&k);
        if (peek(&k) != ':') return fail(c, "malformed header: expected ':' after key");
        k.p++;
        skip_ws(&k);
        int *seen;
        if (kn == 5 && memcmp(key, "descr", 5) == 0) {
            seen = &seen_descr;
            if (peek(&k) == '[' || peek(&k) == '(')
                return fail(c, "structured dtypes are not supported; " SUPPORTED);
            if (peek(&k) != '\'' && peek(&k) != '"') return fail(c, "malformed header: 'descr' must be a string");
            if (parse_str(c, &k, &val, &vn) || decode_descr(c, val, vn, h)) return -1;
        } else if (kn == 13 && memcmp(key, "fortran_order", 13) == 0) {
            seen = &seen_fortran;
            if (parse_bool(c, &k, &h->fortran)) return -1;
        } else if (kn == 5 && memcmp(key, "shape", 5) == 0) {
            seen = &seen_shape;
            if (parse_shape(c, &k, h)) return -1;
        } else {
            return fail(c, "malformed header: unexpected key '%s'", key_name);
        }
        if (*seen) return fail(c, "malformed header: duplicate key '%s'", key_name);
        *seen = 1;
        skip_ws(&k);
        if (peek(&k) == ',') k.p++;
        else if (peek(&k) != '}') return fail(c, "malformed header: expected ',' or '}'");
    }
    k.p++;
    skip_ws(&k);
    if (k.p != k.e) return fail(c, "malformed header: unexpected characters after the dict");
    if (!seen_descr) return fail(c, "malformed header: missing key 'descr'");
    if (!seen_fortran) return fail(c, "malformed header: missing key 'fortran_order'");
    if (!seen_shape) return fail(c, "malformed header: missing key 'shape'");

    /* A zero extent makes the array empty, but the other extents must still fit (rt_count). */
    int64_t numel;
    if (!rt_count(h->shape, h->ndim, &numel) || !rt_mul_size((size_t)numel, h->esz, &h->nbytes))
        return fail(c, "shape product overflows (array too large)");
    h->numel = numel;
    return 0;
}

/* Takes ownership of raw (h->nbytes bytes) and turns it into *out. */
/* copies n elements between C order and Fortran order (to_fortran: src is
 * in C order), walking the C order and tracking the Fortran offset; fstride
 * gets the Fortran element strides */
static void fortran_walk(const uint8_t *src, uint8_t *dst, size_t esz, int ndim, const int64_t *shape, int64_t n,
                         bool to_fortran, int64_t *fstride)
{
    int64_t s = 1;
    for (int d = 0; d < ndim; d++) { fstride[d] = s; if (!rt_mul(s, shape[d], &s)) s = INT64_MAX; }   /* overflow: only with n == 0 */
    int64_t idx[RT_MAX_RANK] = { 0 }, foff = 0;
    for (int64_t i = 0; i < n; i++) {
        if (to_fortran) memcpy(dst + (size_t)foff * esz, src + (size_t)i * esz, esz);
        else memcpy(dst + (size_t)i * esz, src + (size_t)foff * esz, esz);
        for (int d = ndim - 1; d >= 0; d--) {
            idx[d]++;
            foff += fstride[d];
            if (idx[d] < shape[d]) break;
            foff -= fstride[d] * shape[d];
            idx[d] = 0;
        }
    }
}

static int finish(const Ctx *c, const Hdr *h, uint8_t *raw, RtArray *out)
{
    size_t n = (size_t)h->numel;
    if (h->swap) byteswap(raw, n, h->esz);
    if (h->dtype == RT_BOOL)
        for (size_t i = 0; i < n; i++)
            if (raw[i] > 1) {
                unsigned v = raw[i];
                free(raw);
                return fail(c, "invalid bool value 0x%02x at element %zu (must be 0 or 1)", v, i);
            }
    if (h->fortran && h->ndim > 1 && n > 1) {
        uint8_t *dst = malloc(h->nbytes);
        if (!dst) { free(raw); return fail(c, "out of memory (%zu bytes)", h->nbytes); }
        int64_t fstride[RT_MAX_RANK];
        fortran_walk(raw, dst, h->esz, h->ndim, h->shape, (int64_t)n, false, fstride);
        free(raw);
        raw = dst;
    }
    out->dtype = h->dtype;
    out->ndim = h->ndim;
    out->fortran = h->fortran && h->ndim > 1;
    memcpy(out->shape, h->shape, sizeof out->shape);
    out->data = raw;
    return 0;
}

int rt_npy_read_mem(const void *buf, size_t len, const char *name, RtArray *out, char *err, size_t errlen)
{
    Ctx c = { name ? name : "<memory>", err, errlen };
    if (!out) return fail(&c, "no output array given");
    memset(out, 0, sizeof *out);
    if (!buf && len) return fail(&c, "no buffer given");
    const uint8_t *p = buf;
    size_t pre, hl;
    if (parse_preamble(&c, p, len, &pre, &hl)) return -1;
    if (len - pre < hl) return fail(&c, "truncated header: expected %zu bytes, found %zu", hl, len - pre);
    Hdr h;
    if (parse_header(&c, (const char *)p + pre, hl, &h)) return -1;
    size_t avail = len - pre - hl;
    if (avail < h.nbytes) return fail(&c, "truncated data: expected %zu bytes, found %zu", h.nbytes, avail);
    uint8_t *raw = malloc(h.nbytes ? h.nbytes : 1);
    if (!raw) return fail(&c, "out of memory (%zu bytes)", h.nbytes);
    if (h.nbytes) memcpy(raw, p + pre + hl, h.nbytes);
    return finish(&c, &h, raw, out);
}

/* Reads up to want bytes. Never allocates much more than the file really
 * holds, so a corrupt shape cannot trigger a giant allocation. */
static int read_data(const Ctx *c, FILE *f, size_t want, uint8_t **buf, size_t *got)
{
    struct stat st;
    size_t cap = want < ((size_t)1 << 20) ? want : ((size_t)1 << 20);
    long pos = ftell(f);
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && pos >= 0) {
        uint64_t left = (uint64_t)st.st_size > (uint64_t)pos ? (uint64_t)st.st_size - (uint64_t)pos : 0;
        if (left < want) return fail(c, "truncated data: expected %zu bytes, found %llu", want, (unsigned long long)left);
        cap = want;
    }
    uint8_t *b = malloc(cap ? cap : 1);
    if (!b) return fail(c, "out of memory (%zu bytes)", cap);
    size_t n = 0;
    for (;;) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap || cap == want) break;
        size_t nc = cap > want / 2 ? want : cap * 2;
        uint8_t *nb = realloc(b, nc);
        if (!nb) { free(b); return fail(c, "out of memory (%zu bytes)", nc); }
        b = nb;
        cap = nc;
    }
    if (ferror(f)) { int e = errno; free(b); return fail(c, "read error: %s", strerror(e)); }
    *buf = b;
    *got = n;
    return 0;
}

int rt_npy_read(const char *path, RtArray *out, char *err, size_t errlen)
{
    Ctx c = { path ? path : "<null>", err, errlen };
    if (!out) return fail(&c, "no output array given");
    memset(out, 0, sizeof *out);
    if (!path) return fail(&c, "no path given");
    FILE *f = fopen(path, "rb");
    if (!f) return fail(&c, "cannot open: %s", strerror(errno));
    uint8_t pb[12];
    char *hdr = NULL;
    uint8_t *raw = NULL;
    size_t got = fread(pb, 1, 8, f), pre, hl, n;
    Hdr h;
    int rc = -1;
    /* Read exactly the preamble, so the file position ends at the header. */
    if (got == 8 && pb[6] >= 1 && pb[6] <= 3) got += fread(pb + 8, 1, pb[6] == 1 ? 2 : 4, f);
    if (ferror(f)) { fail(&c, "read error: %s", strerror(errno)); goto done; }
    if (parse_preamble(&c, pb, got, &pre, &hl)) goto done;
    if (!(hdr = malloc(hl ? hl : 1))) { fail(&c, "out of memory"); goto done; }
    n = fread(hdr, 1, hl, f);
    if (ferror(f)) { fail(&c, "read error: %s", strerror(errno)); goto done; }
    if (n < hl) { fail(&c, "truncated header: expected %zu bytes, found %zu", hl, n); goto done; }
    if (parse_header(&c, hdr, hl, &h)) goto done;
    if (read_data(&c, f, h.nbytes, &raw, &n)) goto done;
    if (n < h.nbytes) { fail(&c, "truncated data: expected %zu bytes, found %zu", h.nbytes, n); goto done; }
    rc = finish(&c, &h, raw, out);
    raw = NULL;
done:
    free(raw);
    free(hdr);
    fclose(f);
    return rc;
}

/* ---- writing ---- */

static const char *write_descr(RtDtype t)
{
    switch (t) {
    case RT_BOOL: return "|b1";
    case RT_U8: return "|u1";
    case RT_I32: return "<i4";
    case RT_I64: return "<i8";
    case RT_F16: return "<f2";
    case RT_F32: return "<f4";
    case RT_F64: return "<f8";
    default: return NULL;
    }
}

/* Byte-for-byte what np.save writes, including the spare spaces NumPy leaves
 * so the first axis can grow in place, so files diff cleanly against NumPy's.
 * Returns the total size of preamble + header, 0 if it does not fit. */
static size_t build_header(const RtArray *a, uint8_t *buf, size_t cap)
{
    char shape[RT_MAX_RANK * 24 + 8], dict[sizeof shape + 128];
    size_t sl = 0;
    shape[sl++] = '(';
    for (int i = 0; i < a->ndim; i++)
        sl += (size_t)snprintf(shape + sl, sizeof shape - sl, i ? ", %lld" : "%lld", (long long)a->shape[i]);
    if (a->ndim == 1) shape[sl++] = ',';
    shape[sl++] = ')';
    shape[sl] = 0;
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                      write_descr(a->dtype), shape);
    if (dl < 0 || (size_t)dl >= sizeof dict) return 0;
    size_t grow = 0;
    if (a->ndim > 0) {
        char d0[24];
        int n0 = snprintf(d0, sizeof d0, "%lld", (long long)a->shape[0]);
        grow = n0 < 21 ? (size_t)(21 - n0) : 0;
    }
    size_t hlen = (size_t)dl + grow + 1, pre = 10;
    size_t pad = NPY_ALIGN - (pre + hlen) % NPY_ALIGN;
    if (hlen + pad > 0xffff) {
        pre = 12;
        pad = NPY_ALIGN - (pre + hlen) % NPY_ALIGN;
    }
    size_t total = pre + hlen + pad;
    if (total > cap) return 0;
    memcpy(buf, NPY_MAGIC, NPY_MAGIC_LEN);
    buf[6] = pre == 10 ? 1 : 2;
    buf[7] = 0;
    uint32_t field = (uint32_t)(hlen + pad);
    for (size_t i = 8; i < pre; i++, field >>= 8) buf[i] = (uint8_t)(field & 0xff);
    memcpy(buf + pre, dict, (size_t)dl);
    memset(buf + pre + (size_t)dl, ' ', grow + pad);
    buf[total - 1] = '\n';
    return total;
}

static int write_all(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

static int write_data(FILE *f, const RtArray *a, size_t nbytes, size_t esz)
{
    if (host_little() || esz == 1) return write_all(f, a->data, nbytes);
    uint8_t chunk[1 << 14];
    const uint8_t *src = a->data;
    size_t step = sizeof chunk / esz * esz;
    for (size_t off = 0; off < nbytes; off += step) {
        size_t m = nbytes - off < step ? nbytes - off : step;
        memcpy(chunk, src + off, m);
        byteswap(chunk, m / esz, esz);
        if (write_all(f, chunk, m)) return -1;
    }
    return 0;
}

/* a new file DIR/.rlf-XXXXXX, created exclusively: the name's length does not
 * depend on the destination's, so a name near the file-name limit still has
 * room for its temporary */
static int create_temp(const char *dir, char *tmp, size_t tmplen)
{
    static _Atomic unsigned counter;   /* several threads may save at once */
    uint32_t x = (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(NULL);
    const char *sep = dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "";
    for (int tries = 0; tries < 100; tries++) {
        x = x * 1103515245u + 12345u + counter++;
        if ((size_t)snprintf(tmp, tmplen, "%s%s.rlf-%06x", dir, sep, (unsigned)(x >> 8) & 0xffffffu) >= tmplen) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

int rt_npy_write_temp(const char *dir, const char *name, const RtArray *a, char *tmp, size_t tmplen,
                      char *err, size_t errlen)
{
    Ctx c = { name ? name : "<null>", err, errlen };
    if (tmplen) tmp[0] = 0;
    if (!dir || !tmp) return fail(&c, "no directory given");
    if (!a) return fail(&c, "no array given");
    if (a->dtype == RT_BF16)
        return fail(&c, "cannot write bf16: .npy has no bfloat16 type (convert to f32 first)");
    if (!write_descr(a->dtype)) return fail(&c, "cannot write: invalid dtype %d", (int)a->dtype);
    if (a->ndim < 0 || a->ndim > RT_MAX_RANK)
        return fail(&c, "cannot write: rank %d outside 0..%d", a->ndim, RT_MAX_RANK);
    int64_t numel = rt_array_numel(a);
    size_t esz = rt_dtype_size(a->dtype);
    if (numel < 0 || (uint64_t)numel > SIZE_MAX / esz) return fail(&c, "cannot write: invalid shape");
    size_t nbytes = (size_t)numel * esz;
    if (nbytes && !a->data) return fail(&c, "cannot write: array has no data");

    uint8_t hdr[1024];
    size_t hn = build_header(a, hdr, sizeof hdr);
    if (!hn) return fail(&c, "cannot write: header too large");

    int fd = create_temp(dir, tmp, tmplen);
    if (fd < 0) {
        int e = errno;
        if (tmplen) tmp[0] = 0;
        return fail(&c, "cannot create a temporary file in '%s': %s", dir[0] ? dir : ".", strerror(e));
    }
    FILE *f = fdopen(fd, "wb");
    int bad = 1, e = errno;
    if (!f) {
        close(fd);
    } else {
        bad = write_all(f, hdr, hn) || write_data(f, a, nbytes, esz) || fflush(f) != 0 || fsync(fd) != 0;
        e = errno;
        if (fclose(f) != 0 && !bad) { bad = 1; e = errno; }
    }
    if (bad) {
        unlink(tmp);
        tmp[0] = 0;
        return fail(&c, "write failed: %s", strerror(e));
    }
    return 0;
}

int rt_npy_write(const char *path, const RtArray *a, char *err, size_t errlen)
{
    Ctx c = { path ? path : "<null>", err, errlen };
    if (!path) return fail(&c, "no path given");
    /* the temporary goes in the destination's directory, so rename() is atomic */
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    char *dir = malloc(dl + 1), *tmp = malloc(dl + 32);
    if (!dir || !tmp) { free(dir); free(tmp); return fail(&c, "out of memory"); }
    memcpy(dir, path, dl);
    dir[dl] = 0;
    int rc = rt_npy_write_temp(dir, path, a, tmp, dl + 32, err, errlen);
    if (rc == 0 && rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        rc = fail(&c, "cannot replace: %s", strerror(e));
    }
    free(dir);
    free(tmp);
    return rc;
}

void rt_array_free(RtArray *a)
{
    if (!a) return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

int64_t rt_array_numel(const RtArray *a)
{
    if (!a || a->ndim < 0 || a->ndim > RT_MAX_RANK) return -1;
    int64_t n;
    return rt_count(a->shape, a->ndim, &n) ? n : -1;
}

void *rt_array_fortran_copy(const RtArray *a, int64_t *strides)
{
    int64_t n = rt_array_numel(a);
    size_t esz = rt_dtype_size(a->dtype), bytes;
    if (n < 0 || !rt_mul_size((size_t)(n > 0 ? n : 1), esz, &bytes)) return NULL;
    uint8_t *dst = malloc(bytes);
    if (!dst) return NULL;
    fortran_walk(a->data, dst, esz, a->ndim, a->shape, n, true, strides);
    return dst;
}
