/* driver/driver.h: the rlfc command line, split by command: rlfc.c parses
 * options and dispatches; cmd_run.c runs a pipeline on .npy files (interp or
 * cpu); the contract is docs/cli.md. Tests: tests/cli/, tests/run/. */
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
int drv_mkdirs(const char *path);
const IrPipeline *drv_entry(Args *a, RlfCompilation *c);
/* cmd_run.c: shared by run and bench */
int drv_compile_cpu(Args *a, RlfCompilation *c, const IrPipeline *p, LlvmJit **out);
void drv_pack_params(const IrPipeline *p, const BePlan *bp, const IrBinding *b, unsigned char *params);
extern const DLDataType drv_dl_dtype[RT_DTYPE_COUNT];

#endif
