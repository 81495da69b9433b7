/* ir/interp.h: the reference interpreter and call binding.
 * The interpreter executes the IR directly and is the semantic truth every
 * backend is compared against (tests/run/, differential tests). Binding turns
 * named host arguments into dims and parameter values, checking every dtype,
 * shape and declared value range before anything runs. */
#ifndef RLF_INTERP_H
#define RLF_INTERP_H
#include "ir.h"
#include "opsem.h"
#include "rt_npy.h"

RtDtype ir_type_to_dtype(IrType t);
IrType ir_dtype_to_type(RtDtype d);

/* an extern implementation supplied by the host: called once per call site
 * with whole tensors (C order); it fills out[k].data (malloc'd) with the
 * declared dtype and shape, which the interpreter has set in out[k]. */
typedef int (*IrExternFn)(void *user, const IrExternDecl *decl, const RtArray *in, RtArray *out, char *err, size_t errlen);

typedef struct {
    int64_t *dims;             /* p->dims.n values */
    RtVal *params;             /* p->params.n values */
} IrBinding;

/* Parses TEXT, the whole of it, as a value of type TY: floats as C strtod
 * (so `inf`, `-inf` and `nan` are accepted for every float type), integers
 * in decimal, bool as true, false, 1 or 0. A float is rounded to TY; one that
 * underflows becomes the nearest subnormal or zero, but a finite one that
 * rounds to infinity (1e40 as f32, 1e5 as f16) is out of range, as is an
 * integer that does not fit TY. Used by ir_bind and for every integer on the
 * rlfc command line. */
typedef enum { IR_PARSE_OK, IR_PARSE_SYNTAX, IR_PARSE_RANGE } IrParse;
IrParse ir_parse_scalar(const char *text, IrType ty, RtVal *out);

/* inputs[k] is the array for p->inputs.v[k]; param_text[k] the text given for
 * p->params.v[k] (NULL: its default); dim_text[k] for p->dims.v[k] when it is
 * a dim parameter. Returns 0, or -1 with a message naming the argument. */
int ir_bind(Arena *a, const IrPipeline *p, const RtArray *inputs, const char *const *param_text,
            const char *const *dim_text, IrBinding *out, char *err, size_t errlen);
/* the shape an output will have under a binding */
void ir_output_shape(const IrPipeline *p, int out_index, const IrBinding *b, RtArray *shape_only);

/* Run p. outputs[k] receives the k-th output (malloc'd data, caller frees
 * with rt_array_free). Returns 0, or -1 with a message; then no output is set. */
int ir_interp_run(const IrModule *m, const IrPipeline *p, const IrBinding *b, const RtArray *inputs,
                  RtArray *outputs, IrExternFn ext, void *ext_user, char *err, size_t errlen);

#endif
