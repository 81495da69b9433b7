/* ir/opsem.c: scalar op semantics (see opsem.h and the contract in ir.h). */
#include "opsem.h"
#include <math.h>
#include "rt_half.h"

double opsem_round(IrType ty, double x)
{
    switch (ty) {
    case TY_F32: return (double)(float)x;
    case TY_F16: return (double)rt_f16_to_f32(rt_f32_to_f16((float)x));
    case TY_BF16: return (double)rt_bf16_to_f32(rt_f32_to_bf16((float)x));
    default: return x;
    }
}

int64_t opsem_wrap(IrType ty, int64_t x)
{
    switch (ty) {
    case TY_BOOL: return x != 0;
    case TY_U8: return (int64_t)(uint8_t)(uint64_t)x;
    case TY_I32: return (int64_t)(int32_t)(uint32_t)(uint64_t)x;
    default: return x;
    }
}

static int64_t sat_i64(double x, double lo, double hi)
{
    if (isnan(x)) return 0;
    if (x <= lo) return (int64_t)lo;
    if (x >= hi) return (int64_t)hi;
    return (int64_t)x;               /* truncates toward zero */
}

RtVal opsem_cast(IrType from, IrType to, RtVal v)
{
    RtVal r;
    if (ty_is_float(to)) {
        r.f = ty_is_float(from) ? opsem_round(to, v.f) : opsem_round(to, (double)v.i);
        return r;
    }
    if (to == TY_BOOL) { r.i = ty_is_float(from) ? (v.f != 0.0) : (v.i != 0); return r; }
    if (ty_is_float(from)) {
        switch (to) {
        case TY_U8: r.i = sat_i64(v.f, 0, 255); break;
        case TY_I32: r.i = sat_i64(v.f, -2147483648.0, 2147483647.0); break;
        default: r.i = isnan(v.f) ? 0 : v.f >= 9223372036854775807.0 ? INT64_MAX
                     : v.f <= -9223372036854775808.0 ? INT64_MIN : (int64_t)v.f; break;
        }
        return r;
    }
    r.i = opsem_wrap(to, v.i);
    return r;
}

static double sigmoid(double x)
{
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

static double fsign(double x) { return isnan(x) ? x : x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }

RtVal opsem_unary(IrOp op, IrType ty, RtVal a)
{
    RtVal r;
    if (ty_is_float(ty)) {
        double x = a.f, y;
        switch (op) {
        case IR_NEG: y = -x; break;
        case IR_EXP: y = exp(x); break;
        case IR_LOG: y = log(x); break;
        case IR_LOG1P: y = log1p(x); break;
        case IR_EXPM1: y = expm1(x); break;
        case IR_SQRT: y = sqrt(x); break;
        case IR_RSQRT: y = 1.0 / sqrt(x); break;
        case IR_TANH: y = tanh(x); break;
        case IR_SIGMOID: y = sigmoid(x); break;
        case IR_ERF: y = erf(x); break;
        case IR_FLOOR: y = floor(x); break;
        case IR_CEIL: y = ceil(x); break;
        case IR_ABS: y = fabs(x); break;
        case IR_SIGN: y = fsign(x); break;
        default: RLF_ICE("opsem_unary: not a float unary op");
        }
        r.f = opsem_round(ty, y);
        return r;
    }
    uint64_t u = (uint64_t)a.i;
    switch (op) {
    case IR_NEG: r.i = (int64_t)(0 - u); break;
    case IR_NOT: r.i = !a.i; break;
    case IR_ABS: r.i = a.i < 0 ? (int64_t)(0 - u) : a.i; break;
    case IR_SIGN: r.i = (a.i > 0) - (a.i < 0); break;
    default: RLF_ICE("opsem_unary: not an integer unary op");
    }
    r.i = opsem_wrap(ty, r.i);
    return r;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    if (b == 0) return 0;
    if (b == -1) return (int64_t)(0 - (uint64_t)a);          /* INT64_MIN // -1 wraps */
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static int64_t floormod(int64_t a, int64_t b)
{
    if (b == 0 || b == -1) return 0;
    int64_t m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) m += b;
    return m;
}

RtVal opsem_binary(IrOp op, IrType ty, RtVal a, RtVal b)
{
    RtVal r;
    if (ty_is_float(ty)) {
        double x = a.f, y = b.f, z;
        switch (op) {
        case IR_ADD: z = x + y; break;
        case IR_SUB: z = x - y; break;
        case IR_MUL: z = x * y; break;
        case IR_DIV: z = x / y; break;
        case IR_POW: z = pow(x, y); break;
        case IR_MIN: z = (isnan(x) || isnan(y)) ? NAN : (x < y ? x : y); break;
        case IR_MAX: z = (isnan(x) || isnan(y)) ? NAN : (x > y ? x : y); break;
        case IR_EQ: r.i = x == y; return r;
        case IR_NE: r.i = x != y; return r;
        case IR_LT: r.i = x < y; return r;
        case IR_LE: r.i = x <= y; return r;
        case IR_GT: r.i = x > y; return r;
        case IR_GE: r.i = x >= y; return r;
        default: RLF_ICE("opsem_binary: not a float binary op");
        }
        r.f = opsem_round(ty, z);
        return r;
    }
    int64_t x = a.i, y = b.i;
    uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
    switch (op) {
    case IR_ADD: r.i = (int64_t)(ux + uy); break;
    case IR_SUB: r.i = (int64_t)(ux - uy); break;
    case IR_MUL: r.i = (int64_t)(ux * uy); break;
    case IR_FLOORDIV: r.i = floordiv(x, y); break;
    case IR_MOD: r.i = floormod(x, y); break;
    case IR_MIN: r.i = x < y ? x : y; break;
    case IR_MAX: r.i = x > y ? x : y; break;
    case IR_AND: r.i = x && y; return r;
    case IR_OR: r.i = x || y; return r;
    case IR_EQ: r.i = x == y; return r;
    case IR_NE: r.i = x != y; return r;
    case IR_LT: r.i = x < y; return r;
    case IR_LE: r.i = x <= y; return r;
    case IR_GT: r.i = x > y; return r;
    case IR_GE: r.i = x >= y; return r;
    default: RLF_ICE("opsem_binary: not an integer binary op");
    }
    r.i = opsem_wrap(ty, r.i);
    return r;
}

RtVal opsem_clamp(IrType ty, RtVal x, RtVal lo, RtVal hi)
{
    return opsem_binary(IR_MIN, ty, opsem_binary(IR_MAX, ty, x, lo), hi);
}

RtVal opsem_type_max(IrType ty)
{
    RtVal r;
    switch (ty) {
    case TY_BOOL: r.i = 1; break;
    case TY_U8: r.i = 255; break;
    case TY_I32: r.i = INT32_MAX; break;
    case TY_I64: r.i = INT64_MAX; break;
    default: r.f = INFINITY; break;
    }
    return r;
}

RtVal opsem_type_min(IrType ty)
{
    RtVal r;
    switch (ty) {
    case TY_BOOL: case TY_U8: r.i = 0; break;
    case TY_I32: r.i = INT32_MIN; break;
    case TY_I64: r.i = INT64_MIN; break;
    default: r.f = -INFINITY; break;
    }
    return r;
}
