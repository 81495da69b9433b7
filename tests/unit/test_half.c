/* tests/unit/test_half.c: checks the software f16/bf16 conversions of
 * runtime/rt_half.c: exhaustive round trips over every 16-bit pattern, an
 * independent decoding reference, rounding at every f16 midpoint, and known
 * values. Standalone: exits nonzero and names each failure. */
#include "rt_half.h"
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...) do { \
        if (!(cond)) { \
            if (failures++ < 50) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
        } \
    } while (0)

static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static float from_bits(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static int is_nan(float f) { return f != f; }

/* 2^e by repeated exact multiplication, to stay independent of libm. */
static float pow2(int e)
{
    float r = 1.0f;
    for (; e > 0; e--) r *= 2.0f;
    for (; e < 0; e++) r *= 0.5f;
    return r;
}

/* Decodes binary16 arithmetically rather than by bit shuffling. */
static float f16_reference(uint16_t h)
{
    int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v = exp ? (float)(mant + 1024) * pow2(exp - 25) : (float)mant * pow2(-24);
    return (h & 0x8000) ? -v : v;
}

static void test_f16_exhaustive(void)
{
    for (uint32_t i = 0; i < 65536; i++) {
        uint16_t h = (uint16_t)i;
        float f = rt_f16_to_f32(h);
        int h_nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
        if (h_nan) {
            CHECK(is_nan(f), "f16 %04x should decode to NaN", h);
            CHECK(bits(f) & 0x00400000u, "f16 %04x should decode to a quiet NaN", h);
            uint16_t back = rt_f32_to_f16(f);
            CHECK((back & 0x7c00) == 0x7c00 && (back & 0x3ff), "NaN %04x came back as %04x", h, back);
            CHECK((back & 0x8000) == (h & 0x8000), "NaN %04x lost its sign", h);
            continue;
        }
        if ((h & 0x7fff) == 0x7c00) {
            CHECK(bits(f) == ((h & 0x8000u) << 16 | 0x7f800000u), "f16 %04x should be inf, got %08x", h, bits(f));
        } else {
            float r = f16_reference(h);
            CHECK(bits(f) == bits(r), "f16 %04x decodes to %08x, reference %08x", h, bits(f), bits(r));
        }
        uint16_t back = rt_f32_to_f16(f);
        CHECK(back == h, "f16 %04x -> f32 %08x -> f16 %04x", h, bits(f), back);
    }
}

/* Between every two adjacent finite f16 values the f32 midpoint must go to
 * the even one, and its f32 neighbours to the nearer one. */
static void test_f16_midpoints(void)
{
    for (uint32_t h = 0; h < 0x7bff; h++) {
        for (uint32_t sign = 0; sign <= 0x8000; sign += 0x8000) {
            float a = rt_f16_to_f32((uint16_t)(h | sign)), b = rt_f16_to_f32((uint16_t)((h + 1) | sign));
            float mid = (float)(((double)a + (double)b) / 2);
            uint16_t even = (uint16_t)(((h & 1) ? h + 1 : h) | sign);
            CHECK(rt_f32_to_f16(mid) == even, "midpoint after %04x -> %04x, want %04x", h | sign, rt_f32_to_f16(mid), even);
            uint32_t m = bits(mid);
            CHECK(rt_f32_to_f16(from_bits(m - 1)) == (h | sign), "below midpoint after %04x", h | sign);
            CHECK(rt_f32_to_f16(from_bits(m + 1)) == ((h + 1) | sign), "above midpoint after %04x", h | sign);
        }
    }
}

static void test_f16_known(void)
{
    static const struct { float f; uint16_t h; } cases[] = {
        { 1.0f, 0x3c00 }, { -2.0f, 0xc000 }, { 0.0f, 0x0000 }, { -0.0f, 0x8000 },
        { 65504.0f, 0x7bff }, { -65504.0f, 0xfbff },
        { 65519.99f, 0x7bff },                     /* just below the overflow tie */
        { 65520.0f, 0x7c00 }, { -65520.0f, 0xfc00 }, /* tie, rounds to inf */
        { 1e10f, 0x7c00 }, { 3.4028235e38f, 0x7c00 },
        { 0x1p-24f, 0x0001 },           /* smallest subnormal */
        { 0x1p-25f, 0x0000 },           /* tie between 0 and 2^-24 -> 0 */
        { 0x1.000002p-25f, 0x0001 },    /* just above that tie */
        { 0x1.8p-24f, 0x0002 },         /* 1.5 * 2^-24: tie -> even 2 */
        { 0x1.4p-23f, 0x0002 },         /* 2.5 * 2^-24: tie -> even 2 */
        { 0x1p-14f, 0x0400 },           /* smallest normal */
        { 0x1.ffcp-15f, 0x0400 },       /* 2^-14 - 2^-25: tie -> even 0x400 */
        { 0x1.002p0f, 0x3c00 },         /* 1 + 2^-11: tie -> 1.0 */
        { 0x1.006p0f, 0x3c02 },         /* 1 + 3*2^-11: tie -> even 0x3c02 */
        { 1e-10f, 0x0000 }, { 0.33325195f, 0x3555 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint16_t h = rt_f32_to_f16(cases[i].f);
        CHECK(h == cases[i].h, "f32 %.9g -> f16 %04x, want %04x", (double)cases[i].f, h, cases[i].h);
    }
    CHECK(rt_f16_to_f32(0x0001) == pow2(-24), "smallest subnormal");
    CHECK(rt_f16_to_f32(0x7bff) == 65504.0f, "max f16");
    CHECK(rt_f32_to_f16(from_bits(0x7f800000u)) == 0x7c00, "+inf");
    CHECK(rt_f32_to_f16(from_bits(0xff800000u)) == 0xfc00, "-inf");
    /* Signalling NaN whose payload lives only in the low bits must not
     * collapse to infinity. */
    uint16_t n = rt_f32_to_f16(from_bits(0x7f800001u));
    CHECK((n & 0x7c00) == 0x7c00 && (n & 0x200), "sNaN -> %04x, want quiet NaN", n);
    n = rt_f32_to_f16(from_bits(0xffc00000u));
    CHECK(n == 0xfe00, "negative qNaN -> %04x", n);
}

static void test_bf16(void)
{
    for (uint32_t i = 0; i < 65536; i++) {
        uint16_t h = (uint16_t)i;
        float f = rt_bf16_to_f32(h);
        if ((h & 0x7f80) == 0x7f80 && (h & 0x7f)) {
            CHECK(is_nan(f) && (bits(f) & 0x00400000u), "bf16 %04x should be a quiet NaN", h);
            uint16_t back = rt_f32_to_bf16(f);
            CHECK((back & 0x7f80) == 0x7f80 && (back & 0x7f) && (back & 0x8000) == (h & 0x8000),
                  "bf16 NaN %04x came back as %04x", h, back);
            continue;
        }
        CHECK(bits(f) == (uint32_t)h << 16, "bf16 %04x decodes to %08x", h, bits(f));
        CHECK(rt_f32_to_bf16(f) == h, "bf16 %04x round trip gave %04x", h, rt_f32_to_bf16(f));
        /* Midpoint to the next value (skip the top finite value: next is inf,
         * checked separately). */
        if ((h & 0x7fff) < 0x7f7f) {
            uint32_t mid = (uint32_t)h << 16 | 0x8000u;
            uint16_t even = (h & 1) ? (uint16_t)(h + 1) : h;
            CHECK(rt_f32_to_bf16(from_bits(mid)) == even, "bf16 tie after %04x", h);
            CHECK(rt_f32_to_bf16(from_bits(mid - 1)) == h, "bf16 below tie after %04x", h);
            CHECK(rt_f32_to_bf16(from_bits(mid + 1)) == (uint16_t)(h + 1), "bf16 above tie after %04x", h);
        }
    }
    CHECK(rt_f32_to_bf16(1.0f) == 0x3f80, "bf16 1.0");
    CHECK(rt_f32_to_bf16(1.00390625f) == 0x3f80, "bf16 1+2^-8 tie -> even");
    CHECK(rt_f32_to_bf16(1.01171875f) == 0x3f82, "bf16 1+3*2^-8 tie -> even");
    CHECK(rt_f32_to_bf16(from_bits(0x3f808001u)) == 0x3f81, "bf16 just above tie");
    CHECK(rt_f32_to_bf16(3.4028235e38f) == 0x7f80, "bf16 FLT_MAX overflows to inf");
    CHECK(rt_f32_to_bf16(-3.4028235e38f) == 0xff80, "bf16 -FLT_MAX overflows to -inf");
    CHECK(rt_f32_to_bf16(from_bits(0x7f7f7fffu)) == 0x7f7f, "bf16 max finite stays");
    CHECK(rt_f32_to_bf16(from_bits(0x00000001u)) == 0x0000, "bf16 tiny subnormal -> 0");
    CHECK(rt_f32_to_bf16(from_bits(0x00018000u)) == 0x0002, "bf16 subnormal tie -> even");
    uint16_t n = rt_f32_to_bf16(from_bits(0x7f800001u));
    CHECK((n & 0x7f80) == 0x7f80 && (n & 0x7f), "bf16 sNaN -> %04x, want NaN", n);
}

int main(void)
{
    test_f16_exhaustive();
    test_f16_midpoints();
    test_f16_known();
    test_bf16();
    if (failures) {
        printf("test_half: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_half: ok\n");
    return 0;
}
