/* driver/driver.h: the rlfc command line, split by command: rlfc.c parses
 * options and dispatches; cmd_run.c runs a pipeline on .npy files (interp or
 * cpu), cmd_build.c compiles ahead of time, cmd_bench.c times; limits.c holds
 * the checks on numbers and sizes the user gives. The contract is
 * docs/cli.md. Tests: tests/cli/, tests/run/. */
#ifndef RLF_DRIVER_H
#define RLF_DRIVER_H
#include <stdbool.h>
#include <stdio.h>
#include "compile.h"
#include "interp.h"
#include "pass.h"
#include "llvm.h"
#include "rt_dtype.h"

typedef struct { char name[128]; const char *value; } KV;

typedef struct {
    const char *cmd, *file, *entry, *out, *target, *stdlib, *after, *dims, *layout;
    int repeat;
    bool json;
    bool emit_ir, emit_kernels, emit_llvm, timing, time_passes;
    int opt;
    KV in[256]; int nin;
    KV prm[256]; int nprm;
    const char *libs[16]; int nlibs;
} Args;


double drv_now(void);
int drv_die(const char *fmt, const char *a);
int drv_cmd_run(Args *a, RlfCompilation *c);
int drv_cmd_bench(Args *a, RlfCompilation *c);
int drv_cmd_build(Args *a, RlfCompilation *c);
int drv_mkdirs(const char *path);                /* 0, or the errno of the failure */
/* limits.c: parse TEXT, the value of option WHAT, as an integer in lo..hi;
 * false after a message naming WHAT and TEXT */
bool drv_parse_int(const char *what, const char *text, int64_t lo, int64_t hi, int64_t *out);
/* sets a's dtype and shape for tensor t at dims and adds its bytes to *total;
 * false after a message when its size overflows */
bool drv_tensor_shape(const IrPipeline *p, const IrTensor *t, const int64_t *dims, RtArray *a, uint64_t *total);
/* false after a message ("rlfc: WHAT need N GB, more than ...") when total
 * bytes exceed this machine's memory */
bool drv_fits_memory(const char *what, uint64_t total);
const IrPipeline *drv_entry(Args *a, RlfCompilation *c);
/* cmd_run.c: shared by run and bench */
int drv_compile_cpu(Args *a, RlfCompilation *c, const IrPipeline *p, LlvmJit **out);
void drv_pack_params(const IrPipeline *p, const BePlan *bp, const IrBinding *b, unsigned char *params);
extern const DLDataType drv_dl_dtype[RT_DTYPE_COUNT];

#endif
