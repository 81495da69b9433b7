/* tests/unit/test_npy.c: checks the .npy reader/writer of runtime/rt_npy.c
 * (and rt_dtype.c): round trips of every writable dtype at ranks 0..3,
 * byte-exact agreement with np.save, hand-built v1/v2/v3, Fortran-order and
 * big-endian files, a list of malformed inputs with their exact complaints,
 * every truncation of a valid file, and byte-corruption fuzzing (meant to run
 * under ASan+UBSan). Standalone: exits nonzero and names each failure. */
#define _POSIX_C_SOURCE 200809L
#include "rt_half.h"
#include "rt_npy.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
static char tmpdir[256];

#define CHECK(cond, ...) do { \
        if (!(cond)) { \
            if (failures++ < 80) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
        } \
    } while (0)

/* Builds a .npy image in a buffer of exactly the right size, so that any
 * read past its end is caught by ASan. */
static uint8_t *mk(int major, const char *hdr, const void *data, size_t dlen, size_t *len)
{
    size_t hl = strlen(hdr), pre = major == 1 ? 10 : 12;
    *len = pre + hl + dlen;
    uint8_t *b = malloc(*len);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (uint8_t)major;
    b[7] = 0;
    for (size_t i = 8; i < pre; i++) b[i] = (uint8_t)(hl >> (8 * (i - 8)));
    memcpy(b + pre, hdr, hl);
    if (dlen) memcpy(b + pre + hl, data, dlen);
    return b;
}

static int read_buf(const uint8_t *b, size_t len, RtArray *a, char *err, size_t errlen)
{
    return rt_npy_read_mem(b, len, "t.npy", a, err, errlen);
}

/* Reads hdr+data and expects success with the given dtype and shape. */
static int expect_ok(int major, const char *hdr, const void *data, size_t dlen, RtDtype dt,
                     int ndim, const int64_t *shape, RtArray *a)
{
    size_t len;
    char err[512] = "";
    uint8_t *b = mk(major, hdr, data, dlen, &len);
    int rc = read_buf(b, len, a, err, sizeof err);
    free(b);
    CHECK(rc == 0, "expected success for %s, got: %s", hdr, err);
    if (rc) return -1;
    int good = a->dtype == dt && a->ndim == ndim && a->data;
    for (int i = 0; good && i < ndim; i++) good = a->shape[i] == shape[i];
    CHECK(good, "wrong dtype/shape for %s", hdr);
    return good ? 0 : -1;
}

static void expect_err_buf(const uint8_t *b, size_t len, const char *want, const char *what)
{
    RtArray a;
    char err[512] = "";
    memset(&a, 0x5a, sizeof a);
    int rc = read_buf(b, len, &a, err, sizeof err);
    CHECK(rc == -1, "%s: expected an error, got success", what);
    CHECK(a.data == NULL && a.ndim == 0, "%s: output not zeroed on error", what);
    CHECK(strncmp(err, "t.npy: ", 7) == 0, "%s: message lacks the name: '%s'", what, err);
    CHECK(strstr(err, want) != NULL, "%s: wanted '%s' in '%s'", what, want, err);
    if (rc == 0) rt_array_free(&a);
}

static void expect_err(int major, const char *hdr, const void *data, size_t dlen, const char *want)
{
    size_t len;
    uint8_t *b = mk(major, hdr, data, dlen, &len);
    expect_err_buf(b, len, want, hdr);
    free(b);
}

static void fill(RtArray *a, int64_t n)
{
    size_t esz = rt_dtype_size(a->dtype);
    a->data = malloc(n ? (size_t)n * esz : 1);
    for (int64_t i = 0; i < n; i++) {
        uint8_t *p = (uint8_t *)a->data + (size_t)i * esz;
        switch (a->dtype) {
        case RT_BOOL: *p = (uint8_t)(i % 3 == 0); break;
        case RT_U8: *p = (uint8_t)(i * 37 + 1); break;
        case RT_I32: { int32_t v = (int32_t)(i * -1000003); memcpy(p, &v, 4); break; }
        case RT_I64: { int64_t v = i * -1000000000007LL; memcpy(p, &v, 8); break; }
        case RT_F16: { uint16_t v = rt_f32_to_f16((float)i * 0.25f - 3.0f); memcpy(p, &v, 2); break; }
        case RT_F32: { float v = (float)i / 7.0f - 1.5f; memcpy(p, &v, 4); break; }
        case RT_F64: { double v = (double)i / 3.0 - 2.0; memcpy(p, &v, 8); break; }
        default: break;
        }
    }
}

static void test_dtype(void)
{
    static const size_t sizes[] = { 1, 1, 4, 8, 2, 2, 4, 8 };
    static const char *names[] = { "bool", "u8", "i32", "i64", "f16", "bf16", "f32", "f64" };
    for (int t = 0; t < RT_DTYPE_COUNT; t++) {
        CHECK(rt_dtype_size((RtDtype)t) == sizes[t], "size of dtype %d", t);
        CHECK(strcmp(rt_dtype_name((RtDtype)t), names[t]) == 0, "name of dtype %d", t);
    }
    CHECK(rt_dtype_size(RT_DTYPE_COUNT) == 0 && strcmp(rt_dtype_name(RT_DTYPE_COUNT), "?") == 0, "invalid dtype");
}

static void test_roundtrip(void)
{
    static const int64_t shapes[][3] = { { 0 }, { 5 }, { 2, 3 }, { 2, 3, 4 }, { 0 }, { 3, 0 } };
    static const int ranks[] = { 0, 1, 2, 3, 1, 2 };
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/rt.npy", tmpdir);
    for (int t = 0; t < RT_DTYPE_COUNT; t++) {
        if (t == RT_BF16) continue;
        for (size_t s = 0; s < sizeof ranks / sizeof ranks[0]; s++) {
            RtArray a = { (RtDtype)t, ranks[s], { 0 }, NULL, 0 }, b;
            memcpy(a.shape, shapes[s], sizeof shapes[s]);
            int64_t n = rt_array_numel(&a);
            fill(&a, n);
            int rc = rt_npy_write(path, &a, err, sizeof err);
            CHECK(rc == 0, "write %s rank %d: %s", rt_dtype_name(a.dtype), a.ndim, err);
            rc = rc ? rc : rt_npy_read(path, &b, err, sizeof err);
            CHECK(rc == 0, "read back %s rank %d: %s", rt_dtype_name(a.dtype), a.ndim, err);
            if (rc == 0) {
                int same = b.dtype == a.dtype && b.ndim == a.ndim && b.data &&
                           memcmp(b.shape, a.shape, sizeof a.shape) == 0 &&
                           (n == 0 || memcmp(a.data, b.data, (size_t)n * rt_dtype_size(a.dtype)) == 0);
                CHECK(same, "round trip differs: %s rank %d", rt_dtype_name(a.dtype), a.ndim);
                rt_array_free(&b);
                CHECK(b.data == NULL, "rt_array_free leaves data");
            }
            rt_array_free(&a);
        }
    }
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *b = malloc(1 << 16);
    *len = fread(b, 1, 1 << 16, f);
    fclose(f);
    return b;
}

/* np.save(np.arange(6, dtype='<i4').reshape(2, 3)), byte for byte. */
static void test_numpy_bytes(void)
{
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/exact.npy", tmpdir);
    int32_t v[6] = { 0, 1, 2, 3, 4, 5 };
    RtArray a = { RT_I32, 2, { 2, 3 }, v, 0 };
    CHECK(rt_npy_write(path, &a, err, sizeof err) == 0, "write exact: %s", err);
    uint8_t want[128 + 24];
    memcpy(want, "\x93NUMPY\x01\x00\x76\x00", 10);
    const char *d = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
    memset(want + 10, ' ', 118);
    memcpy(want + 10, d, strlen(d));
    want[127] = '\n';
    for (int i = 0; i < 6; i++) memcpy(want + 128 + 4 * i, "\0\0\0\0", 4), want[128 + 4 * i] = (uint8_t)i;
    size_t len = 0;
    uint8_t *got = slurp(path, &len);
    CHECK(got && len == sizeof want && memcmp(got, want, sizeof want) == 0, "file differs from np.save output");
    free(got);
    /* Overwriting an existing file goes through the same rename. */
    v[0] = 42;
    CHECK(rt_npy_write(path, &a, err, sizeof err) == 0, "overwrite: %s", err);
    RtArray b;
    CHECK(rt_npy_read(path, &b, err, sizeof err) == 0 && ((int32_t *)b.data)[0] == 42, "overwrite read back");
    rt_array_free(&b);
}

static void test_write_errors(void)
{
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/bf.npy", tmpdir);
    uint16_t h[2] = { 0x3f80, 0 };
    RtArray a = { RT_BF16, 1, { 2 }, h, 0 };
    CHECK(rt_npy_write(path, &a, err, sizeof err) == -1 && strstr(err, "bf16") && strncmp(err, path, strlen(path)) == 0,
          "bf16 write: '%s'", err);
    CHECK(access(path, F_OK) != 0, "bf16 write left a file");
    snprintf(path, sizeof path, "%s/no/such/dir.npy", tmpdir);
    a.dtype = RT_F16;
    CHECK(rt_npy_write(path, &a, err, sizeof err) == -1 && strstr(err, "No such file"), "missing dir: '%s'", err);
    a.ndim = 9;
    CHECK(rt_npy_write(path, &a, err, sizeof err) == -1 && strstr(err, "rank 9"), "rank 9 write: '%s'", err);
    a.ndim = 1;
    a.shape[0] = -2;
    CHECK(rt_npy_write(path, &a, err, sizeof err) == -1 && strstr(err, "invalid shape"), "negative write: '%s'", err);

    RtArray b;
    snprintf(path, sizeof path, "%s/absent.npy", tmpdir);
    CHECK(rt_npy_read(path, &b, err, sizeof err) == -1 && strstr(err, "No such file") &&
          strncmp(err, path, strlen(path)) == 0, "missing file: '%s'", err);
    CHECK(rt_npy_read(tmpdir, &b, err, sizeof err) == -1, "reading a directory should fail");
}

static void test_handbuilt(void)
{
    RtArray a;
    float f3[3] = { 1.5f, -2.0f, 0.25f };
    int64_t s3[] = { 3 }, s22[] = { 2, 2 }, s23[] = { 2, 3 }, s234[] = { 2, 3, 4 }, s03[] = { 0, 3 };
    if (!expect_ok(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }          \n", f3, 12, RT_F32, 1, s3, &a)) {
        CHECK(memcmp(a.data, f3, 12) == 0, "v1 data");
        rt_array_free(&a);
    }
    int64_t i4[4] = { 1, -2, 3, INT64_MIN };
    if (!expect_ok(2, "{ \"shape\" : ( 2 , 2 , ) ,'fortran_order':False,\t'descr':'<i8' , }   \n", i4, 32, RT_I64, 2, s22, &a)) {
        CHECK(memcmp(a.data, i4, 32) == 0, "v2 data");
        rt_array_free(&a);
    }
    if (!expect_ok(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,)}\n", f3, 12, RT_F32, 1, s3, &a)) rt_array_free(&a);
    if (!expect_ok(1, "{'descr':'<f4','fortran_order':False,'shape':()}", f3, 4, RT_F32, 0, NULL, &a)) {
        CHECK(((float *)a.data)[0] == 1.5f, "0-d value");
        rt_array_free(&a);
    }
    if (!expect_ok(1, "{'descr':'<f8','fortran_order':True,'shape':(0, 3)}", NULL, 0, RT_F64, 2, s03, &a)) {
        CHECK(rt_array_numel(&a) == 0, "zero-size numel");
        rt_array_free(&a);
    }
    /* Fortran order: element (i, j) sits at i + 2j in the file. */
    float f6[6] = { 0, 1, 2, 3, 4, 5 }, c6[6] = { 0, 2, 4, 1, 3, 5 };
    if (!expect_ok(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", f6, 24, RT_F32, 2, s23, &a)) {
        CHECK(memcmp(a.data, c6, 24) == 0, "fortran 2-d transpose");
        rt_array_free(&a);
    }
    int32_t f24[24];
    for (int i = 0; i < 24; i++) f24[i] = i;
    uint8_t be24[96];
    for (int i = 0; i < 24; i++) be24[4 * i] = be24[4 * i + 1] = be24[4 * i + 2] = 0, be24[4 * i + 3] = (uint8_t)i;
    if (!expect_ok(1, "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3, 4), }\n", be24, 96, RT_I32, 3, s234, &a)) {
        int good = 1;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    good &= ((int32_t *)a.data)[(i * 3 + j) * 4 + k] == f24[i + 2 * j + 6 * k];
        CHECK(good, "fortran 3-d big-endian transpose");
        rt_array_free(&a);
    }
    uint8_t bef4[12] = { 0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0, 0x7f, 0x80, 0, 0 };
    float nat[3] = { 1.0f, -2.5f, 0 };
    uint32_t inf = 0x7f800000u;
    memcpy(&nat[2], &inf, 4);
    if (!expect_ok(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", bef4, 12, RT_F32, 1, s3, &a)) {
        CHECK(memcmp(a.data, nat, 12) == 0, "big-endian f4");
        rt_array_free(&a);
    }
    uint8_t bei8[16] = { 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
    int64_t s2[] = { 2 };
    if (!expect_ok(1, "{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }", bei8, 16, RT_I64, 1, s2, &a)) {
        CHECK(((int64_t *)a.data)[0] == 1 && ((int64_t *)a.data)[1] == -2, "big-endian i8");
        rt_array_free(&a);
    }
    uint8_t bef2[4] = { 0x3c, 0x00, 0xc0, 0x00 };
    if (!expect_ok(1, "{'descr': '>f2', 'fortran_order': False, 'shape': (2,), }", bef2, 4, RT_F16, 1, s2, &a)) {
        CHECK(((uint16_t *)a.data)[0] == 0x3c00 && ((uint16_t *)a.data)[1] == 0xc000, "big-endian f2");
        rt_array_free(&a);
    }
    uint16_t natf2[2] = { 0x3c00, 0x7bff };
    if (!expect_ok(1, "{'descr': '=f2', 'fortran_order': False, 'shape': (2,), }", natf2, 4, RT_F16, 1, s2, &a)) {
        CHECK(memcmp(a.data, natf2, 4) == 0, "native f2");
        rt_array_free(&a);
    }
    uint8_t u3[3] = { 0, 1, 255 }, b3[3] = { 1, 0, 1 };
    const char *u1h[] = { "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                          "{'descr': '<u1', 'fortran_order': False, 'shape': (3,), }" };
    for (int i = 0; i < 2; i++)
        if (!expect_ok(1, u1h[i], u3, 3, RT_U8, 1, s3, &a)) {
            CHECK(memcmp(a.data, u3, 3) == 0, "u1 data");
            rt_array_free(&a);
        }
    if (!expect_ok(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", b3, 3, RT_BOOL, 1, s3, &a)) {
        CHECK(memcmp(a.data, b3, 3) == 0, "b1 data");
        rt_array_free(&a);
    }
}

#define H(descr, fo, shape) "{'descr': " descr ", 'fortran_order': " fo ", 'shape': " shape ", }\n"

static void test_malformed(void)
{
    static uint8_t z[64];
    size_t len;
    expect_err_buf((const uint8_t *)"", 0, "empty file", "empty");
    expect_err_buf((const uint8_t *)"\x93NUMPZ\x01\x00\x00\x00", 10, "bad magic", "magic");
    expect_err_buf((const uint8_t *)"PK\x03\x04", 4, "bad magic", "zip");
    expect_err_buf((const uint8_t *)"\x93NUMPY\x04\x00\x00\x00\x00\x00", 12, "unsupported .npy format version 4.0", "v4");
    expect_err_buf((const uint8_t *)"\x93NUMPY\x01\x01\x00\x00", 10, "version 1.1", "v1.1");
    expect_err_buf((const uint8_t *)"\x93NUMPY\x01\x00\xff\x00{}", 12, "truncated header: expected 255 bytes, found 2", "short hdr");
    expect_err_buf((const uint8_t *)"\x93NUMPY\x02\x00\xff\xff\xff\xff", 12, "exceeds the limit", "huge hdr");
    expect_err(1, "['descr', '<f4']", NULL, 0, "not a dict");
    expect_err(1, "", NULL, 0, "not a dict");
    expect_err(1, "{'descr': '<f4', 'fortran_order': False}", NULL, 0, "missing key 'shape'");
    expect_err(1, "{'shape': (), 'fortran_order': False}", NULL, 0, "missing key 'descr'");
    expect_err(1, "{'shape': (), 'descr': '<f4'}", NULL, 0, "missing key 'fortran_order'");
    expect_err(1, H("'<c8'", "False", "(2,)"), z, 16,
               "unsupported dtype '<c8' (complex64); rlf reads bool, u8, i32, i64, f16, f32, f64");
    expect_err(1, H("'|O'", "False", "(2,)"), z, 16, "unsupported dtype '|O' (object)");
    expect_err(1, H("'<i2'", "False", "(2,)"), z, 4, "'<i2' (int16)");
    expect_err(1, H("'<u8'", "False", "(2,)"), z, 16, "'<u8' (uint64)");
    expect_err(1, H("'<U3'", "False", "(2,)"), z, 24, "(unicode string)");
    expect_err(1, H("'|V2'", "False", "(2,)"), z, 4, "(void/structured)");
    expect_err(1, H("'<f4x'", "False", "(2,)"), z, 8, "unsupported dtype '<f4x'");
    expect_err(1, H("[('a', '<f4'), ('b', '<i4')]", "False", "(2,)"), z, 16, "structured dtypes are not supported");
    expect_err(1, H("'<f4'", "False", "(-1,)"), NULL, 0, "negative dimension -1");
    expect_err(1, H("'<f4'", "False", "(2.5,)"), NULL, 0, "non-integer shape entry");
    expect_err(1, H("'<f4'", "False", "(2e3,)"), NULL, 0, "non-integer shape entry");
    expect_err(1, H("'<f4'", "False", "('a',)"), NULL, 0, "shape entries must be non-negative integers");
    expect_err(1, H("'<f4'", "False", "(,)"), NULL, 0, "shape entries must be non-negative integers");
    expect_err(1, H("'<f4'", "False", "[3]"), NULL, 0, "must be a tuple");
    expect_err(1, H("'<f4'", "False", "(3 4)"), NULL, 0, "expected ',' or ')'");
    expect_err(1, H("'<f4'", "False", "(3,"), NULL, 0, "shape entries must be");
    expect_err(1, H("'<f4'", "False", "(1, 1, 1, 1, 1, 1, 1, 1, 1)"), NULL, 0, "rank 9 exceeds the maximum of 8");
    expect_err(1, H("'<f4'", "False", "(4294967296, 4294967296)"), NULL, 0, "overflows");
    expect_err(1, H("'<f8'", "False", "(2305843009213693952,)"), NULL, 0, "overflows");
    /* a zero extent does not make a too-large shape valid (as in NumPy):
     * before, it was read as empty, but rt_array_numel said -1 and the
     * Fortran strides of such an array overflowed */
    expect_err(1, H("'>u1'", "True", "(9223372036854775807, 2, 0)"), NULL, 0, "overflows");
    expect_err(1, H("'<f4'", "False", "(0, 4294967296, 4294967296)"), NULL, 0, "overflows");
    {
        RtArray e = { RT_F32, 3, { 9223372036854775807, 2, 0 }, NULL, 0 };
        CHECK(rt_array_numel(&e) == -1, "numel of an overflowing shape with a zero extent");
        RtArray z0 = { RT_F32, 3, { 4, 0, 5 }, NULL, 0 };
        CHECK(rt_array_numel(&z0) == 0, "numel of an empty shape");
    }
    expect_err(1, H("'<f4'", "False", "(99999999999999999999,)"), NULL, 0, "shape entry too large");
    expect_err(1, H("'<f4'", "False", "(3,)"), z, 8, "truncated data: expected 12 bytes, found 8");
    expect_err(1, H("'|b1'", "False", "(3,)"), "\x01\x02\x00", 3, "invalid bool value 0x02 at element 1");
    expect_err(1, H("'<f4'", "'yes'", "(3,)"), NULL, 0, "must be True or False");
    expect_err(1, H("'<f4'", "Truex", "(3,)"), NULL, 0, "must be True or False");
    expect_err(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'foo': 1}", NULL, 0, "unexpected key 'foo'");
    expect_err(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", NULL, 0, "duplicate key 'descr'");
    expect_err(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", NULL, 0, "unexpected characters after the dict");
    expect_err(1, "{'descr': '<f4, 'fortran_order': False, 'shape': ()}", NULL, 0, "unsupported dtype '<f4, '");
    expect_err(1, "{'descr': '<f4', 'fortran_order': False, 'shape", NULL, 0, "unterminated string");
    expect_err(1, "{'descr' '<f4'}", NULL, 0, "expected ':'");
    expect_err(1, "{'descr': '<f4' 'fortran_order': False}", NULL, 0, "expected ',' or '}'");
    expect_err(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()", NULL, 0, "expected ',' or '}'");
    expect_err(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), ", NULL, 0, "expected a string key");
    expect_err(1, "{'descr': 5, 'fortran_order': False, 'shape': ()}", NULL, 0, "'descr' must be a string");
    expect_err(1, "{'descr': 'a\\tb', 'fortran_order': False, 'shape': ()}", NULL, 0, "escape sequences");
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': ()}   \n";
    uint8_t *b = mk(1, dict, z, 4, &len);
    b[10 + strlen(dict) - 2] = 0;     /* a NUL inside the padding */
    expect_err_buf(b, len, "unexpected characters", "NUL in header");
    free(b);
}

/* Every proper prefix of a valid file must be refused, from memory and from
 * disk; random corruption must never crash. */
static void test_truncation_and_fuzz(void)
{
    float v[2] = { 1, 2 };
    size_t len;
    char err[512], path[300];
    uint8_t *good = mk(1, H("'<f4'", "False", "(2,)"), v, 8, &len);
    snprintf(path, sizeof path, "%s/trunc.npy", tmpdir);
    for (size_t n = 0; n < len; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, good, n);
        RtArray a;
        err[0] = 0;
        CHECK(rt_npy_read_mem(n ? p : NULL, n, "t.npy", &a, err, sizeof err) == -1 && strncmp(err, "t.npy: ", 7) == 0,
              "prefix %zu accepted or unnamed: '%s'", n, err);
        FILE *f = fopen(path, "wb");
        fwrite(p, 1, n, f);
        fclose(f);
        CHECK(rt_npy_read(path, &a, err, sizeof err) == -1 && strncmp(err, path, strlen(path)) == 0,
              "file prefix %zu accepted or unnamed: '%s'", n, err);
        free(p);
    }
    remove(path);
    static const char subst[] = " (),'\"09-x{}]:\n\0\x80L";
    uint8_t *p = malloc(len);
    for (size_t i = 0; i < len; i++)
        for (size_t s = 0; s < sizeof subst; s++) {
            memcpy(p, good, len);
            p[i] = (uint8_t)subst[s];
            RtArray a;
            if (rt_npy_read_mem(p, len, "t.npy", &a, err, sizeof err) == 0) rt_array_free(&a);
        }
    unsigned seed = 1;
    for (int it = 0; it < 20000; it++) {
        memcpy(p, good, len);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            p[(seed >> 8) % len] = (uint8_t)(seed >> 20);
        }
        seed = seed * 1103515245u + 12345u;
        RtArray a;
        if (rt_npy_read_mem(p, len - (seed >> 16) % 3, "t.npy", &a, err, sizeof err) == 0) rt_array_free(&a);
    }
    free(p);
    free(good);
}

/* A successful or failed write must leave no temporary file behind. */
static void check_and_clean_dir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char path[600];
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        CHECK(!strcmp(e->d_name, "rt.npy") || !strcmp(e->d_name, "exact.npy"), "stray file '%s'", e->d_name);
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        remove(path);
    }
    if (d) closedir(d);
    rmdir(tmpdir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/rlf_test_npy_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("test_npy: cannot create a temporary directory\n");
        return 1;
    }
    test_dtype();
    test_roundtrip();
    test_numpy_bytes();
    test_write_errors();
    test_handbuilt();
    test_malformed();
    test_truncation_and_fuzz();
    check_and_clean_dir();
    if (failures) {
        printf("test_npy: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_npy: ok\n");
    return 0;
}
