/* runtime/rt_half.c: bit-exact f16/bf16 <-> f32 conversion (see rt_half.h).
 * Works on the bit patterns so the result does not depend on the compiler's
 * floating-point mode or on hardware half support. Tests: tests/unit/test_half.c. */
#include "rt_half.h"
#include <string.h>

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

float rt_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1f) {
        /* Signalling NaNs are quietened so that a NaN never turns into
         * something else (or traps) further down the line. */
        return bits_f32(sign | 0x7f800000u | (mant << 13) | (mant ? 0x00400000u : 0));
    }
    if (exp == 0) {
        if (mant == 0) return bits_f32(sign);
        /* Subnormal half: every one is a normal f32, so renormalise. */
        uint32_t e = 127 - 15 + 1;
        while (!(mant & 0x400u)) {
            mant <<= 1;
            e--;
        }
        return bits_f32(sign | (e << 23) | ((mant & 0x3ffu) << 13));
    }
    return bits_f32(sign | ((exp + 127 - 15) << 23) | (mant << 13));
}

uint16_t rt_f32_to_f16(float f)
{
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) {
        /* Keep the top payload bits but force the quiet bit: truncating the
         * payload could otherwise leave zero and produce infinity. */
        return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu));
    }
    /* 65520 is the midpoint between 65504 (odd mantissa) and the next step,
     * which no longer exists: ties-to-even and everything above go to inf. */
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);
    if (a >= 0x38800000u) {
        /* Normal result. Rebias the exponent in place; a rounding carry out of
         * the mantissa correctly bumps the exponent. */
        uint32_t r = a - ((uint32_t)(127 - 15) << 23);
        uint32_t h = r >> 13, rem = r & 0x1fffu;
        if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
        return (uint16_t)(sign | h);
    }
    /* 2^-25 is the tie between 0 and the smallest subnormal; even wins. */
    if (a <= 0x33000000u) return sign;
    uint32_t e = a >> 23;                      /* 102..112 here */
    uint32_t m = (a & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - e;                  /* 14..24 */
    uint32_t h = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) h++;  /* may become the smallest normal: still correct */
    return (uint16_t)(sign | h);
}

float rt_bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    if ((u & 0x7fffffffu) > 0x7f800000u) u |= 0x00400000u;
    return bits_f32(u);
}

uint16_t rt_f32_to_bf16(float f)
{
    uint32_t x = f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x0040u);
    /* bf16 is the top half of f32, so rounding is one add: ties go to the
     * even upper half, and a carry into the exponent (up to inf) is exact. */
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}
