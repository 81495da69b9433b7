/* runtime/rt_half.h: software conversions between f32 and the 16-bit float
 * formats (IEEE binary16 and bfloat16), for hosts and code paths without
 * hardware conversion: loading/saving tensors, constant folding, reference
 * kernels. Round-to-nearest-even, subnormals kept, overflow goes to infinity,
 * NaN stays a (quiet) NaN. Tests: tests/unit/test_half.c. */
#ifndef RLF_RT_HALF_H
#define RLF_RT_HALF_H
#include <stdint.h>

float rt_f16_to_f32(uint16_t h);
uint16_t rt_f32_to_f16(float f);
float rt_bf16_to_f32(uint16_t h);
uint16_t rt_f32_to_bf16(float f);

#endif
