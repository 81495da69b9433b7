#!/usr/bin/env python3
"""gen.py: random well-typed rlf programs with random inputs, for differential testing.

    gen.py --seed S --out DIR        writes DIR/prog.rlf, DIR/in/*.npy, DIR/case.json
    gen.py --seed S                  prints the program only
    gen.py ... --avoid WHAT          leaves out a construct (to look past a known bug)

One seed gives one program and one set of inputs, always the same (Python's
random.Random and NumPy's default_rng, both seeded with S; nothing else is
consulted). tests/diff/run_diff.py runs the program on every target and
compares the results.

A program is one pipeline `p` over the dims of a layout of rank 1 to 4 ([T, B],
[N] with an optional group dim `G: dim`, [G, K], [B, L, A] or [B, L, A, H];
sizes such as 1, 7, 13, 33, now and then 64 or 100, at most 7 in rank 3 and 5
in rank 4) with 1-4 tensor inputs (f32, f64, i32, bool, now and then u8, i64,
f16, an i32 index input with a declared range `in 0..D`, group ids), scalar
parameters with defaults, sometimes a const, a fn, and a helper pipeline that
p calls, then a list of definitions, some of them outputs. A program is an f32
or an f64 one: its inputs, parameters, casts and recurrences are mostly of
that float type.

- elementwise expressions: + - * / // %, comparisons, and/or/not, if-then-else
  and select, exp/log/log1p/expm1/sqrt/rsqrt/tanh/sigmoid/erf/floor/ceil/pow,
  abs/sign/min/max/clamp, casts (also to f16 and bf16), index variables and
  dims as values, fn calls, the same subexpression used again;
- reads: plain subscripts, shifted ones guarded by an `if` or `select` on
  either branch (t + 1 < T, t >= 2, t != 0), or by the left side of and/or,
  reversed (T - 1 - t), modular ((t + 3) % T), constant (0, T - 1), gathers
  through a ranged input, clamp(...) or % D, and reads of a recurrence's
  boundary cells (acc[t+1, b] where acc[T, b] is defined);
- reductions (sum prod mean var std min max argmin argmax logsumexp count any
  all) over one to three index variables, with or without a where mask, ddof
  0/1/2, nested, windows `for j in 0..C where t + j < T` (or t - j >= 0),
  ranges that depend on an outer variable (`j in 0..t+1`, `j in t..T`) or on
  a parameter (maybe empty), and segmented ones (`mu[g] = mean(x[n] for n
  where gid[n] == g)`);
- recurrences, reverse (x[t+1]) and forward (x[t-1]), one or two steps, along
  every axis alike (the last of rank 3 and 4 too), linear or not, of
  f32/f64/i32/i64/bool type, with boundaries that read inputs or earlier
  definitions, or guarded by an `if` instead;
- pipeline calls `c0, _, o2 = helper(x0, v1, q0 = ...)` with renamed dims,
  positional or named arguments, results used later or as outputs;
- intermediates read several times; outputs of every rank including scalars.

The typing rules mirror frontend/sema_expr.c (literals are weak, bool and u8
arithmetic promotes to i32, int with float gives the float, `/` gives a float,
...), and every read is built so that the bounds prover accepts it. A program
rlfc rejects is a bug of this generator (run_diff.py reports it as such).
Inputs: floats with a few NaN, +-inf, -0.0, huge and subnormal values; masks
of several densities with all-false and all-true rows; some arrays stored in
Fortran order (the cpu target reads them as transposed views: its strided
kernels) or in the other byte order. A .npy file holds a C-order or a
Fortran-order array only, so other strided views cannot reach `rlfc run`.
Dimensions are at least 1 (docs/language.md): now and then (ZERO_DIM_P) the
inputs give one dim extent 0 instead, and case.json says which error every
target must report (`expect_error`); run_diff.py checks that they all fail
alike.
"""

import argparse
import json
import os
import random
import re
import sys

# ---- types ------------------------------------------------------------------

ORDER = {"bool": 0, "u8": 1, "i32": 2, "i64": 3, "f16": 4, "bf16": 5, "f32": 6, "f64": 7}
FLOATS = ("f16", "bf16", "f32", "f64", "wf")
INTS = ("u8", "i32", "i64", "wi")


def is_float(t):
    return t in FLOATS


def is_int(t):
    return t in INTS


def kind(t):
    return "bool" if t == "bool" else "float" if is_float(t) else "int"


def comp(t):
    """the type a value computes in (f16 and bf16 compute in f32)"""
    return "f32" if t in ("f16", "bf16") else t


def finish(t):
    """the type a definition gets from its body's type (weak literals settle)"""
    return {"wf": "f32", "wi": "i32"}.get(t, t)


def promote(a, b):
    """the type two operands meet in: sema_expr.c promote(). a, b: V."""
    if a.weak and b.weak:
        return "wf" if is_float(a.ty) or is_float(b.ty) else "wi"
    if a.weak or b.weak:
        w, t = (a, b.ty) if a.weak else (b, a.ty)
        if is_float(w.ty):
            return comp(t) if is_float(t) else "f32"
        if t in ("bool", "u8"):
            return "i32"
        return comp(t)
    if is_float(a.ty) or is_float(b.ty):
        fa = comp(a.ty) if is_float(a.ty) else "f32"
        fb = comp(b.ty) if is_float(b.ty) else "f32"
        return fa if ORDER[fa] > ORDER[fb] else fb
    t = a.ty if ORDER[a.ty] > ORDER[b.ty] else b.ty
    return "i32" if ORDER[t] < ORDER["i32"] else t


def convertible(v, to):
    """may v be stored into (or passed as) a value of type `to` without a cast"""
    f = v.ty
    if v.weak:
        if is_float(f):
            return is_float(to)
        return to != "bool"
    if f == to or f == "bool":
        return True
    if is_int(f):
        return to != "bool"
    return is_float(to)


def red_type(op, bt):
    """the result type of reduction op over a body of type bt (None: not allowed)"""
    if op in ("any", "all", "count"):
        return None if bt != "bool" else "i64" if op == "count" else "bool"
    if bt == "bool" and op != "sum":
        return None
    if op == "sum":
        return "i32" if bt in ("bool", "u8") else comp(bt)
    if op == "prod":
        return "i32" if bt == "u8" else comp(bt)
    if op in ("mean", "var", "std", "logsumexp"):
        return comp(bt) if is_float(bt) else "f32"
    if op in ("min", "max"):
        return bt if bt == "u8" else comp(bt)
    return "i64"                      # argmin, argmax


class V:
    """a generated expression: source text (self-delimiting), type, weak flag,
    and the index variables it uses directly as subscripts"""
    __slots__ = ("s", "ty", "weak", "vars")

    def __init__(self, s, ty, weak=False, vars=frozenset()):
        self.s, self.ty, self.weak, self.vars = s, ty, weak, frozenset(vars)


def uvars(*vs):
    out = set()
    for v in vs:
        out |= v.vars
    return out


# ---- program pieces ------------------------------------------------------------

class Tensor:
    def __init__(self, name, ty, dims, kind, vrange=None):
        self.name, self.ty, self.dims, self.kind = name, ty, list(dims), kind
        self.vrange = vrange          # index inputs: values in 0..vrange (a dim name)
        self.lo_pad = [0] * len(dims)  # boundary cells before 0 / after the end
        self.hi_pad = [0] * len(dims)


class Scope:
    """what an expression may refer to at one point"""

    def __init__(self, vars, cost):
        self.vars = list(vars)      # (name, dim) index variables usable as plain subscripts
        self.wins = []              # window variables (explicit ranges; values only)
        self.shifted = []           # (dim, subscript text) proven in range by an enclosing where
        self.cost = cost            # body evaluations per run at this nesting
        self.red_depth = 0
        self.pool = []              # expressions generated here, to use again (common subexpressions)

    def child(self):
        c = Scope(self.vars, self.cost)
        c.wins = list(self.wins)
        c.shifted = list(self.shifted)
        c.red_depth = self.red_depth
        c.pool = list(self.pool)    # what is valid outside is valid inside, not the other way
        return c


LAYOUTS = [(("T", "B"), 5), (("N",), 3), (("N", "G"), 1), (("G", "K"), 3), (("B", "L", "A"), 2),
           (("B", "L", "A", "H"), 2)]
MAX_SIZE = {3: 7, 4: 5}              # the largest extent of a dim of a rank-3 or rank-4 layout
ZERO_DIM_P = 0.03                    # how often the inputs make one dim 0 (an error on every target)
ZERO_DIM_ERROR = "every dimension must be at least 1"      # an input's empty axis (the runtime)
ZERO_PARAM_ERROR = "dimension '%s': '0' is"                # a `G: dim` parameter of 0 (rlfc run)
SIZES = [1, 2, 3, 5, 7, 13, 33, 64, 100]
SIZE_W = [3, 2, 2, 2, 4, 3, 2, 0.5, 0.5]
FLOAT_LITS = ["0.5", "0.9", "2.0", "1.5", "0.25", "0.001", "3.0", "0.0", "100.0", "1e30", "0.1", "10.0"]
FMATH = ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "tanh", "sigmoid", "erf", "floor", "ceil"]
COST_BUDGET = 60000
RANGED_READ = re.compile(r"^[\s(]*(?:(?:bool|u8|i32|i64|f16|bf16|f32|f64)\(\s*)*(\w+)\[")


AVOID = {
    "bound-defs": "boundary values read only inputs and parameters, not other definitions",
    "calls": "no helper pipeline and no pipeline calls",
    "call-arg-reduce": "no reductions in the scalar arguments of a pipeline call",
    "segment-cast": "a segmented reduction is stored as it is (no cast, no conversion to another type)",
}


class ProgGen:
    def __init__(self, seed, avoid=()):
        for a in avoid:
            if a not in AVOID:
                raise ValueError("unknown --avoid %r (known: %s)" % (a, ", ".join(sorted(AVOID))))
        self.avoid = set(avoid)
        self.seed = seed
        self.r = random.Random(seed)
        self.tensors = []           # readable tensors: inputs, then definitions so far
        self.params = []            # (name, ty, default text)
        self.consts = []            # (name, is_float, text)
        self.fns = []               # (name, [(pname, ty)], ret)
        self.stmts = []
        self.outputs = []           # (name, ty, dims)
        self.ctr = 0                # fresh loop variable names
        self.self_t = None          # the recurrence being defined: (Tensor, axis, dir, dist)
        self.in_fn = None           # while generating a fn body: [(pname, ty)]
        self.partial = set()        # loop variables whose range is not a whole axis
        self.fallbacks = 0
        # the program's float type: f64 programs use f64 inputs, parameters,
        # casts and recurrences mostly (f32 ones mostly f32)
        self.fty = self.pick(["f32", "f64"], [3, 2])

    # ---- helpers ----
    def chance(self, p):
        return self.r.random() < p

    def pick(self, items, weights=None):
        if weights is None:
            return self.r.choice(items)
        return self.r.choices(items, weights=weights)[0]

    def fw(self, w32, w64):
        """weights of f32 and f64 (w32, w64 in an f32 program; swapped in an f64 one)"""
        return [w32, w64] if self.fty == "f32" else [w64, w32]

    def fresh(self, prefix):
        self.ctr += 1
        return "%s%d" % (prefix, self.ctr)

    def lit(self, want):
        if want == "float" or (want == "num" and self.chance(0.5)):
            if self.consts and self.chance(0.15):
                c = [c for c in self.consts if c[1]]
                if c:
                    return V(c[0][0], "wf", True)
            s = self.pick(FLOAT_LITS)
            if self.chance(0.3) and s != "0.0":
                s = "(-%s)" % s
            return V(s, "wf", True)
        if self.consts and self.chance(0.15):
            c = [c for c in self.consts if not c[1]]
            if c:
                return V(c[0][0], "wi", True)
        n = self.pick([0, 1, 2, 3, 5, 7, 10, 100, 255, 1000000], [2, 4, 3, 3, 2, 2, 1, 1, 1, 1])
        if self.chance(0.25) and n:
            return V("(-%d)" % n, "wi", True)
        return V(str(n), "wi", True)

    # ---- expressions ----
    def gen(self, sc, want, d, weak_ok=False):
        """an expression of kind want ('bool', 'int', 'float' or 'num': int or float)"""
        if sc is not None and self.in_fn is None and sc.pool and self.chance(0.1):
            same = [v for v in sc.pool if kind(v.ty) == want or (want == "num" and kind(v.ty) != "bool")]
            if same:
                return self.pick(same)
        for _ in range(20):
            v = self._gen(sc, want, d, weak_ok)
            if v is None:
                continue
            if v.weak and not weak_ok:
                continue
            if want == "num" and v.ty == "bool":
                continue
            if want in ("int", "float", "bool") and kind(v.ty) != want:
                continue
            if sc is not None and self.in_fn is None and not v.weak and len(v.s) > 12 and len(sc.pool) < 40:
                sc.pool.append(v)
            return v
        # fallbacks that always work
        self.fallbacks += 1
        if sc is None:
            sc = Scope([], 1)
        if want == "bool":
            return V("true" if self.chance(0.5) else "false", "bool")
        if want == "int" or (want == "num" and self.chance(0.5)):
            if sc.vars:
                n, _ = self.pick(sc.vars)
                return V(n, "i64")
            return V("i32(%s)" % self.lit("int").s, "i32")
        if sc.vars:
            n, _ = self.pick(sc.vars)
            return V("f32(%s)" % n, "f32")
        return V("f32(%s)" % self.lit("float").s, "f32")

    def _gen(self, sc, want, d, weak_ok):
        if self.in_fn is not None:
            return self._gen_fn(want, d, weak_ok)
        if d <= 0 or self.chance(0.12):
            return self.leaf(sc, want, weak_ok)
        if want == "bool":
            prods = [("cmp", 6), ("logic", 3), ("not", 1), ("read", 3), ("boolred", 2 if sc.cost < COST_BUDGET else 0),
                     ("if", 1), ("castb", 1), ("nan", 1), ("idxcmp", 1), ("self", 2 if self.self_ok("bool") else 0),
                     ("guardand", 1), ("fncall", 1 if self.fns else 0)]
        else:
            prods = [("arith", 8), ("div", 2), ("intop", 2 if want != "float" else 0), ("minmax", 2), ("clamp", 1),
                     ("fmath", 4 if want != "int" else 0), ("pow", 1 if want != "int" else 0), ("unary", 2),
                     ("if", 3), ("select", 1), ("cast", 2), ("red", 4 if sc.cost < COST_BUDGET else 0),
                     ("read", 6), ("leaf", 3), ("self", 4 if self.self_ok(want) else 0),
                     ("fncall", 1 if self.fns else 0)]
        names = [p for p, w in prods if w > 0]
        weights = [w for p, w in prods if w > 0]
        p = self.pick(names, weights)
        return getattr(self, "p_" + p)(sc, want, d - 1, weak_ok)

    def leaf(self, sc, want, weak_ok):
        opts = [("read", 6), ("lit", 2 if weak_ok else 0), ("param", 1), ("ivar", 2 if want != "bool" else 0),
                ("self", 3 if self.self_ok(want) else 0)]
        names = [p for p, w in opts if w > 0]
        weights = [w for p, w in opts if w > 0]
        p = self.pick(names, weights)
        if want == "bool" and p in ("read", "param") and not self.chance(0.3):
            bools = self.tensors_for("bool") + [q for q in self.params if q[1] == "bool"]
            if not bools or self.chance(0.3):
                # a comparison of a numeric leaf with a literal
                a = self.gen(sc, "num", 0)
                return V("(%s %s %s)" % (a.s, self.pick(["<", ">", "<=", ">=", "==", "!="]), self.lit("num").s),
                         "bool", False, a.vars)
        if p == "lit":
            if want == "bool":
                return V(self.pick(["true", "false"]), "bool")
            return self.lit(want)
        if p == "param":
            ps = [q for q in self.params if kind(q[1]) == want or (want == "num" and q[1] != "bool")]
            if not ps:
                return self.leaf_read(sc, want)
            q = self.pick(ps)
            return V(q[0], q[1])
        if p == "ivar":
            return self.p_ivar(sc, want, 0, weak_ok)
        if p == "self":
            return self.p_self(sc, want, 0, weak_ok)
        return self.leaf_read(sc, want)

    def leaf_read(self, sc, want):
        return self.p_read(sc, want, 0, False)

    def p_leaf(self, sc, want, d, weak_ok):
        return self.leaf(sc, want, weak_ok)

    def p_ivar(self, sc, want, d, weak_ok):
        cands = [n for n, _ in sc.vars] + list(sc.wins)
        if not cands or self.chance(0.15):
            dims = self.dims_in_scope(sc)
            if not dims:
                return None
            s = self.pick(dims)
        else:
            s = self.pick(cands)
        if want == "float":
            ty = self.pick(["f32", "f64"], self.fw(4, 1))
            return V("%s(%s)" % (ty, s), ty)
        return V(s, "i64")     # a value, not a subscript: no help for range inference

    def dims_in_scope(self, sc):
        return sorted({dm for _, dm in sc.vars})

    # arithmetic
    def operand(self, sc, want, d, weak_ok):
        """an operand of an arithmetic op producing `want`"""
        if want == "int":
            if self.chance(0.1):
                return self.gen(sc, "bool", d)
            return self.gen(sc, "int", d, weak_ok)
        if want == "float":
            return self.gen(sc, "float", d, weak_ok)
        if self.chance(0.07):
            return self.gen(sc, "bool", d)
        return self.gen(sc, "num", d, weak_ok)

    def two(self, sc, want, d):
        a = self.operand(sc, want, d, True)
        b = self.operand(sc, want if not (want == "float" and self.chance(0.4)) else "num", d, not a.weak)
        if self.chance(0.5):
            a, b = b, a
        return a, b

    def p_arith(self, sc, want, d, weak_ok):
        a, b = self.two(sc, want, d)
        op = self.pick(["+", "-", "*"], [4, 3, 3])
        return V("(%s %s %s)" % (a.s, op, b.s), promote(a, b), False, uvars(a, b))

    def p_div(self, sc, want, d, weak_ok):
        a, b = self.two(sc, "num" if want == "num" else "float" if want == "float" else "int", d)
        t = promote(a, b)
        if want == "int":
            # int division: //
            if is_float(t):
                return None
            return V("(%s // %s)" % (a.s, b.s), t, False, uvars(a, b))
        if not is_float(t):
            t = "f32"
        return V("(%s / %s)" % (a.s, b.s), t, False, uvars(a, b))

    def p_intop(self, sc, want, d, weak_ok):
        a = self.operand(sc, "int", d, True)
        b = self.operand(sc, "int", d, not a.weak)
        t = promote(a, b)
        if is_float(t):
            return None
        return V("(%s %s %s)" % (a.s, self.pick(["//", "%"]), b.s), t, False, uvars(a, b))

    def p_minmax(self, sc, want, d, weak_ok):
        a, b = self.two(sc, want, d)
        return V("%s(%s, %s)" % (self.pick(["min", "max"]), a.s, b.s), promote(a, b), False, uvars(a, b))

    def p_clamp(self, sc, want, d, weak_ok):
        x = self.operand(sc, want, d, False)
        lo = self.operand(sc, want, d - 1, True)
        hi = self.operand(sc, want, d - 1, True)
        acc = x
        t = x.ty
        for a in (lo, hi):
            t = promote(acc, a)
            acc = V("", t, acc.weak and a.weak)
        if not acc.weak and not is_float(t) and ORDER[t] < ORDER["i32"]:
            t = "i32"
        return V("clamp(%s, %s, %s)" % (x.s, lo.s, hi.s), t, False, uvars(x, lo, hi))

    def p_fmath(self, sc, want, d, weak_ok):
        f = self.pick(FMATH)
        a = self.operand(sc, "num" if self.chance(0.3) else "float", d, False)
        if f in ("log", "sqrt", "rsqrt") and self.chance(0.6):
            a = V("abs(%s)" % a.s, "i32" if ORDER.get(a.ty, 9) < ORDER["i32"] else comp(a.ty), False, a.vars)
        if f in ("exp", "expm1") and self.chance(0.5):
            a = V("tanh(%s)" % a.s, comp(a.ty) if is_float(a.ty) else "f32", False, a.vars)
        t = comp(a.ty) if is_float(a.ty) else "f32"
        return V("%s(%s)" % (f, a.s), t, False, a.vars)

    def p_pow(self, sc, want, d, weak_ok):
        a = self.operand(sc, "float", d, False)
        if self.chance(0.5):
            b = V(self.pick(["2", "3", "0.5", "2.0", "(-1)", "0"]), "wi", True)
            if "." in b.s:
                b.ty = "wf"
        else:
            b = self.operand(sc, "num", d, False)
        t = promote(a, b)
        if not is_float(t):
            t = "f32"
        return V("pow(%s, %s)" % (a.s, b.s), t, False, uvars(a, b))

    def p_unary(self, sc, want, d, weak_ok):
        a = self.operand(sc, want, d, False)
        op = self.pick(["-", "abs", "sign"], [3, 2, 1])
        t = comp(a.ty)
        if ORDER[t] < ORDER["i32"]:
            t = "i32"
        if op == "-":
            return V("(-%s)" % a.s, t, False, a.vars)
        return V("%s(%s)" % (op, a.s), t, False, a.vars)

    def choice(self, sc, want, d, fmt, weak_float, weak_int):
        """if-then-else or select: two weak literals give weak_float or weak_int"""
        c = self.gen(sc, "bool", d)
        a = self.gen(sc, want, d, True)
        b = self.gen(sc, want, d, True)
        if a.ty == "bool" and b.ty == "bool":
            t = "bool"
        elif a.weak and b.weak:
            t = weak_float if is_float(a.ty) or is_float(b.ty) else weak_int
        else:
            t = promote(a, b)
        return V(fmt % (c.s, a.s, b.s), t, False, uvars(c, a, b))

    def p_if(self, sc, want, d, weak_ok):
        return self.choice(sc, want, d, "(if %s then %s else %s)", "f32", "i32")

    def p_select(self, sc, want, d, weak_ok):
        return self.choice(sc, want, d, "select(%s, %s, %s)", "f64", "i64")

    def p_cast(self, sc, want, d, weak_ok):
        if want == "int":
            to = self.pick(["i32", "i64", "u8"], [4, 3, 1])
        elif want == "float":
            to = self.pick(["f32", "f64", "f16", "bf16"], self.fw(6, 4) + [1, 1])
        else:
            to = self.pick(["i32", "i64", "f32", "f64", "u8"], [3, 2] + self.fw(3, 2) + [1])
        src = self.gen(sc, self.pick(["num", "bool", "float", "int"], [3, 1, 2, 2]), d, True)
        if src.ty == "wi" and to == "u8" and (src.s.startswith("(-") or len(src.s) > 3):
            src = V("7", "wi", True)          # a literal that does not fit its type is an error
        return V("%s(%s)" % (to, src.s), to, False, src.vars)

    # bools
    def eq_ok(self, sc, a, b):
        """`v == x[...]` with x declared `in 0..D` proposes D as v's extent (a
        segmented reduction's group id): only allow it when v ranges over D"""
        for v, x in ((a, b), (b, a)):
            dm = [y for n, y in sc.vars if n == v.s.strip()]
            if not dm:
                continue
            m = RANGED_READ.match(x.s)
            if m:
                t = [t for t in self.tensors if t.name == m.group(1)]
                if t and t[0].vrange and t[0].vrange != dm[0]:
                    return False
                # an integer definition may have a proven range (0..B+1, say) that binds too
                if t and t[0].kind != "input" and is_int(t[0].ty):
                    return False
        return True

    def p_cmp(self, sc, want, d, weak_ok):
        op = self.pick(["<", "<=", ">", ">=", "==", "!="])
        if self.chance(0.1):
            a, b = self.gen(sc, "bool", d), self.gen(sc, "bool", d)
        else:
            a = self.gen(sc, "num", d, True)
            b = self.gen(sc, "num", d, not a.weak)
        if op == "==" and not self.eq_ok(sc, a, b):
            op = "<="
        return V("(%s %s %s)" % (a.s, op, b.s), "bool", False, uvars(a, b))

    def p_logic(self, sc, want, d, weak_ok):
        a, b = self.gen(sc, "bool", d), self.gen(sc, "bool", d)
        return V("(%s %s %s)" % (a.s, self.pick(["and", "or"]), b.s), "bool", False, uvars(a, b))

    def p_not(self, sc, want, d, weak_ok):
        a = self.gen(sc, "bool", d)
        return V("(not %s)" % a.s, "bool", False, a.vars)

    def p_castb(self, sc, want, d, weak_ok):
        a = self.gen(sc, "num", d)
        return V("bool(%s)" % a.s, "bool", False, a.vars)

    def p_nan(self, sc, want, d, weak_ok):
        a = self.gen(sc, "float", d)
        return V("(%s %s %s)" % (a.s, self.pick(["!=", "=="]), a.s), "bool", False, a.vars)

    def p_idxcmp(self, sc, want, d, weak_ok):
        """an int value against an index variable: the segmented-reduction mask"""
        if not sc.vars:
            return None
        v, _ = self.pick(sc.vars)
        a = self.gen(sc, "int", d)
        op = self.pick(["==", "==", "<", ">=", "!="])
        if op == "==" and not self.eq_ok(sc, a, V(v, "i64")):
            op = ">="
        return V("(%s %s %s)" % (a.s, op, v), "bool", False, a.vars)

    def p_guardand(self, sc, want, d, weak_ok):
        """`t + 1 < T and x[t+1, b] > 0`: the left side of and guards the right"""
        cands = [(n, dm) for n, dm in sc.vars]
        if not cands:
            return None
        n, dm = self.pick(cands)
        ts = [t for t in self.tensors if dm in t.dims and all(any(x == y for _, x in sc.vars) for y in t.dims)]
        if not ts:
            return None
        t = self.pick(ts)
        c = self.pick([1, 2])
        fwd = self.chance(0.5)
        sub = "%s + %d" % (n, c) if fwd else "%s - %d" % (n, c)
        guard = "%s + %d < %s" % (n, c, dm) if fwd else "%s >= %d" % (n, c)
        subs, vs = [], set()
        used_shift = False
        for ax in t.dims:
            if ax == dm and not used_shift:
                subs.append(sub)
                used_shift = True
            else:
                vn = self.pick([x for x, y in sc.vars if y == ax])
                subs.append(vn)
                vs.add(vn)
        rd = V("%s[%s]" % (t.name, ", ".join(subs)), t.ty, False, vs)
        if t.ty == "bool":
            body = rd
        else:
            o = self.gen(sc, "num", d, True)
            op = self.pick(["<", ">", "=="])
            if op == "==" and not self.eq_ok(sc, rd, o):
                op = "<"
            body = V("(%s %s %s)" % (rd.s, op, o.s), "bool", False, uvars(rd, o))
        if self.chance(0.5):
            return V("(%s and %s)" % (guard, body.s), "bool", False, body.vars)
        ng = "%s + %d >= %s" % (n, c, dm) if fwd else "%s < %d" % (n, c)
        return V("(%s or %s)" % (ng, body.s), "bool", False, body.vars)

    def p_fncall(self, sc, want, d, weak_ok):
        fs = [f for f in self.fns if kind(f[2]) == want or (want == "num" and f[2] != "bool")]
        if not fs:
            return None
        name, ps, ret = self.pick(fs)
        args, vs = [], set()
        for pn, pt in ps:
            if pt == "bool":
                a = self.gen(sc, "bool", d)
            elif is_float(pt):
                a = self.gen(sc, self.pick(["num", "float", "bool"], [4, 2, 1]), d, True)
            else:
                a = self.gen(sc, self.pick(["int", "bool"], [5, 1]), d, True)
            if not convertible(a, pt):
                a = V("%s(%s)" % (pt, a.s), pt, False, a.vars)
            args.append(a.s)
            vs |= a.vars
        return V("%s(%s)" % (name, ", ".join(args)), ret, False, vs)

    def _gen_fn(self, want, d, weak_ok):
        """a fn body: its parameters, literals, consts and scalar math only"""
        ps = self.in_fn
        if d <= 0 or self.chance(0.2):
            cands = [p for p in ps if kind(p[1]) == want or (want == "num" and p[1] != "bool")]
            if cands and (not weak_ok or self.chance(0.7)):
                p = self.pick(cands)
                return V(p[0], p[1])
            if want == "bool":
                p = [q for q in ps if q[1] != "bool"]
                if p:
                    q = self.pick(p)
                    return V("(%s > %s)" % (q[0], self.lit("num").s), "bool")
                return V("true", "bool")
            if weak_ok:
                return self.lit(want)
            p = self.pick(ps)
            return V("%s(%s)" % ("f32" if want != "int" else "i32", p[0]), "f32" if want != "int" else "i32")
        sc = Scope([], 1)
        if want == "bool":
            p = self.pick(["cmp", "logic", "not", "if"])
        else:
            p = self.pick(["arith", "arith", "div", "minmax", "clamp", "fmath", "unary", "if", "select", "cast", "pow"]
                          + (["intop"] if want != "float" else []))
        return getattr(self, "p_" + p)(sc, want, d - 1, weak_ok)

    # ---- reads ----
    def tensors_for(self, want):
        out = []
        for t in self.tensors:
            k = kind(t.ty)
            if want == "num" and k != "bool" or k == want:
                out.append(t)
        return out

    def p_read(self, sc, want, d, weak_ok):
        ts = self.tensors_for(want)
        if not ts:
            return None
        # prefer tensors whose dims are all in scope, and intermediates (reuse)
        def w(t):
            inscope = all(any(dm == x for _, x in sc.vars) for dm in t.dims)
            return (4 if inscope else 1) * (2 if t.kind != "input" else 1)
        t = self.r.choices(ts, weights=[w(t) for t in ts])[0]
        return self.read(sc, t, d, want)

    def read(self, sc, t, d, want, force=()):
        """a read of t; `force` lists variables that must appear as plain subscripts"""
        if not t.dims:
            return V(t.name, t.ty)
        subs, guards, vs = [], [], set()
        used = set()
        for ax, dm in enumerate(t.dims):
            cands = [n for n, x in sc.vars if x == dm and n not in used]
            forced = [n for n in force if n in cands]
            if forced:
                subs.append(forced[0])
                used.add(forced[0])
                vs.add(forced[0])
                continue
            modes = []
            if cands:
                modes += [("plain", 14), ("shift", 2), ("rev", 1), ("mod", 1)]
                if t.lo_pad[ax] or t.hi_pad[ax]:
                    modes.append(("pad", 4))
            if any(x == dm for x, _ in sc.shifted):
                modes.append(("ctx", 6))
            modes += [("const", 2 if cands else 6), ("clamp", 1 if d > 0 else 0), ("modexpr", 1 if d > 0 else 0)]
            rng = [r for r in self.tensors if r.vrange == dm and all(any(y == x for _, y in sc.vars) for x in r.dims)]
            if rng:
                modes.append(("gather", 3))
            names = [m for m, wt in modes if wt > 0]
            mode = self.pick(names, [wt for m, wt in modes if wt > 0])
            if mode == "plain":
                n = self.pick(cands)
                used.add(n)
                subs.append(n)
                vs.add(n)
            elif mode == "shift":
                n = self.pick(cands)
                c = self.pick([1, 1, 2, 3])
                if self.chance(0.5):
                    subs.append("%s + %d" % (n, c))
                    g = [("%s + %d < %s" % (n, c, dm), "%s + %d >= %s" % (n, c, dm)),
                         ("%s < %s - %d" % (n, dm, c), "%s >= %s - %d" % (n, dm, c)),
                         ("%s <= %s - %d" % (n, dm, c + 1), "%s > %s - %d" % (n, dm, c + 1))]
                    if c == 1 and n not in self.partial:
                        g.append(("%s != %s - 1" % (n, dm), "%s == %s - 1" % (n, dm)))
                else:
                    subs.append("%s - %d" % (n, c))
                    g = [("%s >= %d" % (n, c), "%s < %d" % (n, c)),
                         ("%s - %d >= 0" % (n, c), "%s - %d < 0" % (n, c)),
                         ("%s > %d" % (n, c - 1), "%s <= %d" % (n, c - 1))]
                    if c == 1 and n not in self.partial:
                        g.append(("%s != 0" % n, "%s == 0" % n))
                guards.append(self.pick(g))
            elif mode == "pad":
                n = self.pick(cands)
                opts = ["%s + %d" % (n, c) for c in range(1, t.hi_pad[ax] + 1)] + \
                       ["%s - %d" % (n, c) for c in range(1, t.lo_pad[ax] + 1)]
                subs.append(self.pick(opts))
            elif mode == "ctx":
                subs.append(self.pick([s for x, s in sc.shifted if x == dm]))
            elif mode == "rev":
                subs.append("%s - 1 - %s" % (dm, self.pick(cands)))
            elif mode == "mod":
                subs.append("(%s + %d) %% %s" % (self.pick(cands), self.pick([1, 2, 3, 5, 40]), dm))
            elif mode == "const":
                opts = ["0", "%s - 1" % dm]
                if t.hi_pad[ax]:
                    opts.append(dm if t.hi_pad[ax] == 1 or self.chance(0.5) else "%s + 1" % dm)
                if t.lo_pad[ax]:
                    opts.append("-1")
                subs.append(self.pick(opts))
            elif mode == "clamp":
                e = self.gen(sc, "int", min(d, 2))
                vs |= e.vars
                subs.append("clamp(%s, 0, %s - 1)" % (e.s, dm))
            elif mode == "modexpr":
                e = self.gen(sc, "int", min(d, 2))
                vs |= e.vars
                subs.append("(%s) %% %s" % (e.s, dm))
            elif mode == "gather":
                r = self.pick(rng)
                g = self.read(sc, r, 0, "int", force=[n for n, y in sc.vars if y in r.dims])
                # only plain subscripts inside the gather keep its range simple
                vs |= g.vars
                subs.append(g.s)
        rd = V("%s[%s]" % (t.name, ", ".join(subs)), t.ty, False, vs)
        if not guards:
            return rd
        cond = " and ".join(g for g, _ in guards)
        if kind(t.ty) == "bool":
            alt = self.gen(sc, "bool", max(d - 1, 0))
            if self.chance(0.4):
                return V("(%s and %s)" % (cond, rd.s), "bool", False, vs)
            if len(guards) == 1 and self.chance(0.3):
                return V("(%s or %s)" % (guards[0][1], rd.s), "bool", False, vs)
            return V("(if %s then %s else %s)" % (cond, rd.s, alt.s), "bool", False, vs | alt.vars)
        alt = self.gen(sc, want if want != "bool" else kind(t.ty), max(d - 1, 0), True)
        ty = promote(rd, alt)
        if len(guards) == 1 and self.chance(0.35):
            # the else branch knows the negation
            return V("(if %s then %s else %s)" % (guards[0][1], alt.s, rd.s), ty, False, vs | alt.vars)
        if self.chance(0.15):
            return V("select(%s, %s, %s)" % (cond, rd.s, alt.s), ty, False, vs | alt.vars)
        return V("(if %s then %s else %s)" % (cond, rd.s, alt.s), ty, False, vs | alt.vars)

    # ---- recurrences ----
    def self_ok(self, want):
        if not self.self_t:
            return False
        k = kind(self.self_t[0].ty)
        return k == want or (want == "num" and k != "bool") or (want == "float" and k == "int" and False)

    def p_self(self, sc, want, d, weak_ok):
        if not self.self_ok(want):
            return None
        t, axis, direction, dist = self.self_t
        subs = []
        for ax, dm in enumerate(t.dims):
            n = self.def_vars[ax]
            if ax == axis:
                c = self.r.randint(1, dist)
                subs.append("%s %s %d" % (n, "+" if direction < 0 else "-", c))
            else:
                subs.append(n)
        # the variables must be the definition's own (not shadowed, in scope)
        return V("%s[%s]" % (t.name, ", ".join(subs)), t.ty)

    # ---- reductions ----
    def p_boolred(self, sc, want, d, weak_ok):
        return self.reduction(sc, self.pick(["any", "all"]), d)

    def p_red(self, sc, want, d, weak_ok):
        if want == "int":
            op = self.pick(["count", "argmax", "argmin", "sum", "min", "max", "prod"], [3, 2, 1, 2, 1, 1, 1])
        elif want == "float":
            op = self.pick(["sum", "mean", "var", "std", "logsumexp", "min", "max", "prod"], [4, 3, 1, 2, 2, 1, 1, 1])
        else:
            op = self.pick(["sum", "mean", "var", "std", "logsumexp", "min", "max", "count", "argmax", "argmin", "prod"],
                           [4, 3, 1, 2, 2, 2, 2, 2, 1, 1, 1])
        return self.reduction(sc, op, d, want)

    def reduction(self, sc, op, d, want=None):
        dims = sorted(self.covered())
        body_sc = sc.child()
        body_sc.red_depth += 1
        if body_sc.red_depth > 2:
            return None
        window = sc.vars and self.chance(0.25)
        rvars, parts, guard = [], [], None
        wkind = self.pick(["fixed", "vary", "param"], [5, 3, 1 if any(q[1] == "i32" for q in self.params) else 0]) \
            if window else None
        if wkind == "fixed":
            n, dm = self.pick(sc.vars)
            j = self.fresh("j")
            C = self.pick(["2", "3", "4"] + ([c[0] for c in self.consts if not c[1]]))
            cval = int(C) if C.isdigit() else [c for c in self.consts if c[0] == C][0][2]
            if sc.cost * int(cval) > COST_BUDGET:
                return None
            body_sc.cost *= int(cval)
            body_sc.wins.append(j)
            if self.chance(0.5):
                guard = self.pick(["%s + %s < %s" % (n, j, dm), "%s < %s - %s" % (j, dm, n)])
                body_sc.shifted.append((dm, "%s + %s" % (n, j)))
            else:
                guard = self.pick(["%s - %s >= 0" % (n, j), "%s >= %s" % (n, j), "%s <= %s" % (j, n)])
                body_sc.shifted.append((dm, "%s - %s" % (n, j)))
            parts.append("%s in 0..%s" % (j, C))
        elif wkind == "vary":
            # a range that depends on an outer variable: a prefix or a suffix (maybe empty)
            n, dm = self.pick(sc.vars)
            j = self.fresh("j")
            if sc.cost * self.sizes[dm] > COST_BUDGET:
                return None
            body_sc.cost *= self.sizes[dm]
            body_sc.vars.append((j, dm))       # j stays inside 0..dm-1: a plain subscript
            self.partial.add(j)                # but `j != 0` says nothing about it
            rng = self.pick(["0..%s + 1" % n, "0..%s" % n, "%s..%s" % (n, dm), "%s + 1..%s" % (n, dm)])
            parts.append("%s in %s" % (j, rng))
            window = False
        elif wkind == "param":
            j = self.fresh("j")
            q = self.pick([q for q in self.params if q[1] == "i32"])
            if sc.cost * 8 > COST_BUDGET:
                return None
            body_sc.cost *= 8
            body_sc.wins.append(j)
            parts.append("%s in 0..min(%s, 8)" % (j, q[0]) if self.chance(0.8) else "%s in %s..3" % (j, q[0]))
            window = False
        else:
            nv = 1 if op in ("argmax", "argmin") or self.chance(0.6) else 2 if self.chance(0.85) else 3
            rd = self.r.sample(dims, min(nv, len(dims)))
            cost = sc.cost
            for dm in rd:
                cost *= self.sizes[dm]
            if cost > COST_BUDGET:
                return None
            body_sc.cost = cost
            for dm in rd:
                v = self.fresh("r")
                rvars.append(v)
                body_sc.vars.append((v, dm))
                parts.append(v)
        # the body
        bd = max(d, 1)
        if not rvars and not window and wkind is None:
            return None
        if op in ("any", "all", "count"):
            body = self.gen(body_sc, "bool", bd)
        elif op == "sum":
            body = self.gen(body_sc, want if want in ("int", "float") else
                            self.pick(["num", "float", "int", "bool"], [4, 3, 1, 1]), bd)
        elif op in ("min", "max", "prod") and want in ("int", "float"):
            body = self.gen(body_sc, want, bd)
        else:
            body = self.gen(body_sc, "num" if op not in ("logsumexp",) or self.chance(0.3) else "float", bd)
        mask = None
        if wkind in ("vary", "param"):
            if self.chance(0.3):
                mask = self.gen(body_sc, "bool", 1)
        elif window:
            mask = V(guard, "bool")
            if self.chance(0.3):
                m = self.gen(body_sc, "bool", 1)
                mask = V("%s and %s" % (guard, m.s), "bool", False, m.vars)
        elif sc.vars and self.chance(0.15):
            # a segmented mask: data compared with an outer index (mean(x[n] for n where gid[n] == g))
            ints = [t for t in self.tensors if is_int(t.ty) and t.dims and
                    all(any(y == x for _, y in body_sc.vars) for x in t.dims)]
            if ints:
                it = self.pick(ints)
                rd = self.read(body_sc, it, 0, "int", force=rvars)
                v, _ = self.pick(sc.vars)
                cop = "==" if self.eq_ok(body_sc, rd, V(v, "i64")) else "<="
                mask = V("%s %s %s" % (rd.s, cop, v), "bool", False, rd.vars)
        elif self.chance(0.45):
            mask = self.gen(body_sc, "bool", self.pick([0, 1, 2]))
        missing = [v for v in rvars if v not in body.vars and (mask is None or v not in mask.vars)]
        if missing:
            extra = self.cond_using(body_sc, missing)
            mask = extra if mask is None else V("(%s) and %s" % (mask.s, extra.s), "bool", False, mask.vars | extra.vars)
        rt = red_type(op, body.ty)
        if rt is None:
            return None
        s = "%s(%s for %s" % (op, body.s, ", ".join(parts))
        if mask is not None:
            s += " where %s" % mask.s
        if op in ("var", "std") and self.chance(0.6):
            s += ", ddof = %d" % self.pick([0, 1, 1, 2])
        s += ")"
        vs = (body.vars | (mask.vars if mask else frozenset())) - set(rvars)
        return V(s, rt, False, vs)

    def cond_using(self, sc, names):
        """a bool expression reading plain subscripts `names` (all in sc.vars)"""
        parts = []
        for n in names:
            if any(n in p.vars for p in parts):
                continue
            dm = [x for m, x in sc.vars if m == n][0]
            ts = [t for t in self.tensors if dm in t.dims]
            best = [t for t in ts if all(any(y == x for _, y in sc.vars) for x in t.dims)]
            t = self.pick(best or ts)
            rd = self.read(sc, t, 1, kind(t.ty), force=[m for m in names if m not in uvars(*parts)])
            if t.ty == "bool":
                parts.append(rd)
            else:
                o = self.gen(sc, "num", 1, True)
                op = self.pick(["<", ">", "<=", ">=", "!=", "=="])
                if op == "==" and not self.eq_ok(sc, rd, o):
                    op = "!="
                parts.append(V("(%s %s %s)" % (rd.s, op, o.s),
                               "bool", False, rd.vars | o.vars))
        return V(" and ".join(p.s for p in parts) if len(parts) == 1 else "(%s)" % " and ".join(p.s for p in parts),
                 "bool", False, uvars(*parts))

    def use_vars(self, sc, v, names):
        """make sure v uses each of `names` as a plain subscript (for extent inference)"""
        missing = [n for n in names if n not in v.vars]
        while missing:
            dm = [x for m, x in sc.vars if m == missing[0]][0]
            ts = [t for t in self.tensors if dm in t.dims]
            t = self.pick(ts)
            rd = self.read(sc, t, 1, kind(t.ty), force=missing)
            v = self.combine(sc, v, rd, t)
            missing = [n for n in names if n not in v.vars]
        return v

    def combine(self, sc, v, rd, t):
        if v.ty == "bool":
            c = rd if t.ty == "bool" else V("(%s > %s)" % (rd.s, self.lit("num").s), "bool", False, rd.vars)
            op = self.pick(["and", "or"])
            return V("(%s %s %s)" % (v.s, op, c.s), "bool", False, v.vars | c.vars)
        form = self.pick(["add", "max", "if"])
        if form == "if":
            c = rd if t.ty == "bool" else V("(%s >= %s)" % (rd.s, self.lit("num").s), "bool", False, rd.vars)
            alt = self.gen(sc, kind(v.ty), 1, True)
            ty = promote(v, alt)
            return V("(if %s then %s else %s)" % (c.s, v.s, alt.s), ty, False, v.vars | c.vars | alt.vars)
        if form == "max" and rd.ty != "bool":
            return V("max(%s, %s)" % (v.s, rd.s), promote(v, rd), False, v.vars | rd.vars)
        return V("(%s + %s)" % (v.s, rd.s), promote(v, rd), False, v.vars | rd.vars)

    # ---- definitions ----
    def covered(self):
        """dims some readable tensor has (a loop variable needs one to get its range)"""
        return {dm for t in self.tensors for dm in t.dims}

    def def_dims(self, is_output):
        dims = list(self.layout)
        r = self.pick(list(range(len(dims) + 1)), [1] + [1] * (len(dims) - 1) + [4])
        if r < len(dims):
            keep = sorted(self.r.sample(range(len(dims)), r))
            dims = [dims[k] for k in keep]
        if not is_output:
            cov = self.covered()
            dims = [dm for dm in dims if dm in cov]
        return dims

    def gen_segment(self, is_output):
        """mu[g] = op(body(n) for n where key(n) == g [and rest(n)]): a segmented
        reduction (run in one pass over n into per-group accumulators)"""
        ints = [t for t in self.tensors if is_int(t.ty) and t.dims]
        if not ints:
            return False
        kt = self.pick(ints)
        if is_output:
            D = self.pick(list(self.layout))
        elif kt.vrange and kt.kind == "input":
            D = kt.vrange             # `key[n] == g` with key in 0..G gives g its extent
        else:
            return False
        E = self.pick(kt.dims)
        name = ("o%d" % len(self.outputs)) if is_output else ("v%d" % self.nint)
        if not is_output:
            self.nint += 1
        self.ctr = 0
        d = D.lower()
        r = self.fresh("r")
        sc = Scope([(r, E)], self.sizes[E])       # the body and the rest may not use d
        self.def_vars = [d]
        key = self.read(sc, kt, 0, "int", force=[r])
        if not is_output:
            pass                                  # the key stays a plain read: it gives d its range
        elif self.chance(0.3):
            form = self.pick(["i64(%s)", "(%s %% " + D + ")", "abs(%s)"])
            key = V(form % key.s, "i64", False, key.vars)
        mask = "%s == %s" % (key.s, d) if self.chance(0.7) else "%s == %s" % (d, key.s)
        if self.chance(0.35):
            rest = self.gen(sc, "bool", 1)
            mask = "%s and %s" % (mask, rest.s) if self.chance(0.5) else "%s and %s" % (rest.s, mask)
        op = self.pick(["sum", "mean", "count", "max", "min", "prod", "var", "std", "any", "all", "argmax", "logsumexp"],
                       [5, 5, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1])
        body = self.gen(sc, "bool" if op in ("any", "all", "count") else "num", self.pick([0, 1, 2]))
        rt = red_type(op, body.ty)
        if rt is None:
            return False
        text = "%s(%s for %s where %s%s)" % (op, body.s, r, mask,
                                              ", ddof = 1" if op in ("var", "std") and self.chance(0.5) else "")
        ty = rt
        if is_output and self.chance(0.2) and "segment-cast" not in self.avoid:
            ty = self.pick([t for t in ("f32", "f64", "i32", "i64") if convertible(V("", rt), t)] or [rt])
        self.stmts.append("%s[%s] = %s" % (name, d, text))
        t = Tensor(name, ty, [D], "output" if is_output else "def")
        self.tensors.append(t)
        if is_output:
            self.outputs.append(t)
        return True

    def gen_def(self, is_output):
        if self.chance(0.08) and self.gen_segment(is_output):
            return
        dims = self.def_dims(is_output)
        name = ("o%d" if is_output else "v%d") % (len(self.outputs) if is_output else self.nint)
        if not is_output:
            self.nint += 1
        self.ctr = 0
        dvars = [dm.lower() for dm in dims]
        self.def_vars = dvars
        cost = 1
        for dm in dims:
            cost *= self.sizes[dm]
        sc = Scope(zip(dvars, dims), cost)
        depth = self.pick([1, 2, 3, 4], [1, 3, 3, 2])
        rec = dims and self.chance(0.35)
        if rec:
            return self.gen_rec(name, dims, dvars, sc, depth, is_output)
        want = self.pick(["num", "float", "int", "bool"], [3, 4, 2, 2])
        body = self.gen(sc, want, depth)
        for _ in range(5):
            # --avoid segment-cast: no rank-1 definition that is a cast of a masked reduction
            if "segment-cast" not in self.avoid or len(dims) != 1 or not re.match(r"^(bool|u8|i32|i64|f16|bf16|f32|f64)\(\w+\(.* where ", body.s):
                break
            body = self.gen(sc, want, depth)
        if not is_output:
            body = self.use_vars(sc, body, dvars)
            ty = finish(body.ty)
        else:
            ty = finish(body.ty)
            if ty == "bf16":            # NumPy cannot hold bf16 outputs
                ty = "f32"
            if self.chance(0.2) and not ("segment-cast" in self.avoid and " where " in body.s):
                alts = [t for t in ("f32", "f64", "i32", "i64", "bool", "f16", "u8") if convertible(body, t)]
                ty = self.pick(alts)
        lhs = "%s[%s]" % (name, ", ".join(dvars)) if dims else name
        self.stmts.append("%s = %s" % (lhs, body.s))
        t = Tensor(name, ty, dims, "output" if is_output else "def")
        self.tensors.append(t)
        if is_output:
            self.outputs.append(t)

    def gen_rec(self, name, dims, dvars, sc, depth, is_output):
        axis = self.r.randrange(len(dims))    # every axis, the last of rank 3 and 4 too
        direction = self.pick([-1, 1])      # -1: reads x[t+1] (a reverse scan); +1: reads x[t-1]
        dist = self.pick([1, 2], [4, 1])
        ty = self.pick(["f32", "f64", "i32", "i64", "bool"], self.fw(8, 3) + [2, 1, 1])
        if not is_output and ty not in ("f32", "f64"):
            # sema types an intermediate recurrence by a trial with its self-reads
            # as f32, so an int or bool one that uses them as such is rejected
            # (`alive[t] = alive[t-1] and ...`): int and bool scans are outputs
            ty = "f32"
        t = Tensor(name, ty, dims, "output" if is_output else "def")
        self.self_t = (t, axis, direction, dist)
        want = kind(ty) if ty != "f32" or self.chance(0.7) else "num"
        form = self.pick(["linear", "max", "reset", "free", "guarded"], [3, 2, 2, 3, 2 if dist == 1 else 0]) \
            if want != "bool" else "free"
        if want == "num":
            want = "float"
        if form == "guarded":
            # `if t > 0 then f(x[t-1]) else g`: a guard instead of a boundary
            v, dm = dvars[axis], dims[axis]
            g = self.pick([("%s > 0" % v, "%s == 0" % v), ("%s >= 1" % v, "%s < 1" % v), ("%s != 0" % v, "%s == 0" % v)]) \
                if direction > 0 else \
                self.pick([("%s + 1 < %s" % (v, dm), "%s + 1 >= %s" % (v, dm)), ("%s != %s - 1" % (v, dm), "%s == %s - 1" % (v, dm))])
            a = self.gen(sc, want, max(depth - 1, 0), True)
            s_ = self.p_self(sc, want, 0, False)
            a = V("(%s + %s)" % (a.s, s_.s), promote(a, s_), False, a.vars) if self.chance(0.5) else \
                V("(%s * %s)" % (s_.s, a.s), promote(a, s_), False, a.vars)
            self.self_t = None                   # the other side may not read it
            sc.pool = [v for v in sc.pool if not re.search(r"\b%s\[" % name, v.s)]
            b = self.gen(sc, want, max(depth - 1, 0), True)
            ty2 = promote(a, b) if not (a.ty == "bool" and b.ty == "bool") else "bool"
            if self.chance(0.5):
                body = V("(if %s then %s else %s)" % (g[0], a.s, b.s), ty2, False, uvars(a, b))
            else:
                body = V("(if %s then %s else %s)" % (g[1], b.s, a.s), ty2, False, uvars(a, b))
            dist = 0
        elif form == "linear":
            a = self.gen(sc, want, max(depth - 2, 0), True)
            b = self.gen(sc, want, max(depth - 1, 0), True)
            s_ = self.p_self(sc, want, 0, False)
            body = V("(%s * %s + %s)" % (a.s, s_.s, b.s), promote(V("", promote(a, s_)), b), False, uvars(a, b))
        elif form == "max":
            s_ = self.p_self(sc, want, 0, False)
            k = self.lit("float" if want == "float" else "int")
            x = self.gen(sc, want, max(depth - 1, 0))
            inner = V("(%s * %s)" % (s_.s, k.s), promote(s_, k))
            body = V("%s(%s, %s)" % (self.pick(["max", "min"]), inner.s, x.s), promote(inner, x), False, x.vars)
        elif form == "reset":
            c = self.gen(sc, "bool", max(depth - 2, 0))
            x = self.gen(sc, want, max(depth - 2, 0), True)
            s_ = self.p_self(sc, want, 0, False)
            y = self.gen(sc, want, max(depth - 2, 0), True)
            inner = V("(%s + %s)" % (s_.s, y.s), promote(s_, y))
            ty2 = promote(x, inner) if not (x.weak and inner.weak) else inner.ty
            body = V("(if %s then %s else %s)" % (c.s, x.s, inner.s), ty2, False, uvars(c, x, y))
        else:
            body = self.gen(sc, want, depth)
            if not re.search(r"\b%s\[" % name, body.s):     # (a self-read generated and dropped does not count)
                s_ = self.p_self(sc, want, 0, False)
                if want == "bool":
                    body = V("(%s %s %s)" % (body.s, self.pick(["and", "or"]), s_.s), "bool", False, body.vars)
                else:
                    body = V("(%s + %s)" % (body.s, s_.s), promote(body, s_), False, body.vars)
        if not is_output:
            body = self.use_vars(sc, body, dvars)
        self.self_t = None
        # the body must have exactly the tensor's type (intermediates: sema
        # types them by a trial with the self read as f32) or convert to it
        if (not is_output and (ty != "f32" or body.weak or body.ty != ty)) or (is_output and not convertible(body, ty)):
            body = V("%s(%s)" % (ty, body.s), ty, False, body.vars)
        self.stmts.append("%s[%s] = %s" % (name, ", ".join(dvars), body.s))
        # boundaries: cells T, T+1 (reverse) or -1, -2 (forward) on the scan axis
        bsc = Scope([(n, dm) for k, (n, dm) in enumerate(zip(dvars, dims)) if k != axis], sc.cost // self.sizes[dims[axis]] or 1)
        saved = self.tensors
        if "bound-defs" in self.avoid:
            self.tensors = [t for t in self.tensors if t.kind == "input"]
        for c in range(dist):             # dist 0: a guarded recurrence, no boundary
            cell = (dims[axis] if c == 0 else "%s+%d" % (dims[axis], c)) if direction < 0 else str(-1 - c)
            subs = [cell if k == axis else n for k, n in enumerate(dvars)]
            self.ctr = 100 + 10 * c
            if ty == "bool":
                bv = self.gen(bsc, "bool", self.pick([0, 1, 2]))
            else:
                bv = self.gen(bsc, kind(ty), self.pick([0, 0, 1, 2]), True)
                if not convertible(bv, ty):
                    bv = V("%s(%s)" % (ty, bv.s), ty, False, bv.vars)
            self.stmts.append("%s[%s] = %s" % (name, ", ".join(subs), bv.s))
        self.tensors = saved
        if direction < 0:
            t.hi_pad[axis] = dist
        else:
            t.lo_pad[axis] = dist
        self.tensors.append(t)
        if is_output:
            self.outputs.append(t)

    def gen_fn(self, idx):
        np_ = self.pick([1, 2, 3])
        ps = [("u%d" % k, self.pick(["f32", "f64", "i32", "bool"], self.fw(5, 1) + [2, 1])) for k in range(np_)]
        ret = self.pick(["f32", "f64", "i32", "bool"], self.fw(5, 1) + [2, 1])
        self.in_fn = ps
        body = self.gen(None, kind(ret), self.pick([1, 2, 3]))
        self.in_fn = None
        if not convertible(body, ret):
            body = V("%s(%s)" % (ret, body.s), ret)
        name = "f%d" % idx
        self.fns.append((name, ps, ret))
        return "fn %s(%s) -> %s = %s" % (name, ", ".join("%s: %s" % p for p in ps), ret, body.s)

    # ---- the whole program ----
    def program(self):
        self.layout = self.pick([l for l, _ in LAYOUTS], [w for _, w in LAYOUTS])
        self.sizes = {}
        for dm in self.layout:
            self.sizes[dm] = self.pick(SIZES, SIZE_W)
        if len(self.layout) in MAX_SIZE:
            for dm in self.layout:
                self.sizes[dm] = min(self.sizes[dm], MAX_SIZE[len(self.layout)])
        # the group dim of [N, G] is a `G: dim` parameter
        self.dim_params = ["G"] if self.layout == ("N", "G") else []
        bound = [dm for dm in self.layout if dm not in self.dim_params]
        # inputs
        self.inputs = []
        nin = self.pick([1, 2, 3, 4], [2, 3, 3, 2])
        for k in range(nin):
            ty = self.pick(["f32", "f64", "i32", "bool", "u8", "i64", "f16"], self.fw(8, 3) + [3, 4, 1, 1, 1])
            if k == 0:
                dims = bound
                if ty == "bool" and self.chance(0.7):
                    ty = self.fty
            else:
                dims = [dm for dm in bound if self.chance(0.7)] or [self.pick(bound)]
            t = Tensor("x%d" % k, ty, dims, "input")
            self.inputs.append(t)
        if self.chance(0.3):
            rdim = self.pick(list(self.layout))
            dims = [dm for dm in bound if self.chance(0.6)] or [self.pick(bound)]
            self.inputs.append(Tensor("ix0", "i32", dims, "input", vrange=rdim))
        if self.dim_params:
            # group ids: declared in 0..G (then `gid[n] == g` binds g), or not (ids outside belong to no group)
            self.inputs.append(Tensor("gid", "i32", ["N"], "input", vrange="G" if self.chance(0.5) else None))
        self.tensors = list(self.inputs)
        # params, consts, fns
        for k in range(self.pick([0, 1, 2, 3], [2, 3, 2, 1])):
            ty = self.pick(["f32", "f64", "i32", "bool"], self.fw(5, 1) + [2, 1])
            dflt = {"f32": self.pick(["0.9", "0.5", "-1.5", "2"]), "f64": self.pick(["0.99", "1e-05", "-3"]),
                    "i32": self.pick(["2", "-1", "7"]), "bool": self.pick(["true", "false"])}[ty]
            self.params.append(("p%d" % k, ty, dflt))
        head = []
        if self.chance(0.3):
            self.consts.append(("C0", False, self.pick([1, 2, 3, 5])))
            head.append("const C0 = %d" % self.consts[-1][2])
        if self.chance(0.2):
            self.consts.append(("F0", True, self.pick(["0.5", "0.95", "1e-3"])))
            head.append("const F0 = %s" % self.consts[-1][2])
        if self.chance(0.25):
            for k in range(self.pick([1, 2])):
                head.append(self.gen_fn(k))
        # definitions, and now and then a call of a helper pipeline
        self.nint = 0
        self.ncall = 0
        helper = None
        if "calls" not in self.avoid and self.chance(0.2):
            helper = self.gen_helper()
        ndefs = self.pick([1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 3, 2, 2, 1])
        nout = self.pick([1, 2, 3, 4], [3, 3, 2, 1])
        self.gen_body(ndefs, nout, helper)
        lines = ["# generated by tests/diff/gen.py --seed %d" % self.seed] + head
        if helper:
            lines += [""] + helper[0].pipeline_text("helper") + [""]
        lines += self.pipeline_text("p")
        return "\n".join(lines) + "\n"

    def gen_body(self, ndefs, nout, helper=None):
        nout = min(nout, ndefs)
        kinds = [True] * nout + [False] * (ndefs - nout)
        self.r.shuffle(kinds)
        if not kinds[-1]:                 # the last definition is an output (nothing dead at the end)
            kinds[kinds.index(True)], kinds[-1] = False, True
        call_at = self.r.randrange(len(kinds)) if helper else -1
        for k, is_out in enumerate(kinds):
            if k == call_at:
                self.gen_call(*helper)
            self.gen_def(is_out)
        if self.chance(0.3):
            self.r.shuffle(self.outputs)  # the order of the outputs in the signature

    def pipeline_text(self, name):
        sig = []
        for dm in self.dim_params:
            sig.append("%s: dim" % dm)
        for t in self.inputs:
            s = "%s: %s[%s]" % (t.name, t.ty, ", ".join(t.dims))
            if t.vrange:
                s += " in 0..%s" % t.vrange
            sig.append(s)
        for n, ty, dflt in self.params:
            sig.append("%s: %s = %s" % (n, ty, dflt))
        outs = self.outputs
        osig = ["%s: %s%s" % (t.name, t.ty, "[%s]" % ", ".join(t.dims) if t.dims else "") for t in outs]
        lines = ["pipeline %s(%s)" % (name, ", ".join(sig)), "        -> (%s)" % ", ".join(osig), "{"]
        lines += ["    " + s for s in self.stmts]
        lines.append("}")
        return lines

    # ---- pipeline calls ----
    HELPER_DIMS = {"T": "M", "B": "Q", "N": "S", "G": "W", "K": "Z", "L": "U", "A": "V", "H": "Y"}

    def gen_helper(self):
        """a pipeline `helper` over renamed dims whose inputs mirror some of p's tensors
        (chosen when the call is made: here, the inputs only)"""
        cands = [t for t in self.tensors if t.dims and not t.vrange and t.name != "gid"]
        if not cands:
            return None
        args = self.r.sample(cands, min(len(cands), self.pick([1, 2, 3])))
        m = self.HELPER_DIMS
        h = ProgGen(self.r.randrange(1 << 30), self.avoid)
        used = [dm for dm in self.layout if any(dm in t.dims for t in args)]
        h.layout = tuple(m[dm] for dm in used)
        h.sizes = {m[dm]: self.sizes[dm] for dm in used}
        h.dim_params = []
        h.inputs = [Tensor("a%d" % k, t.ty, [m[dm] for dm in t.dims], "input") for k, t in enumerate(args)]
        h.tensors = list(h.inputs)
        h.consts, h.fns = self.consts, self.fns
        if self.chance(0.5):
            h.params.append(("q0", "f32", self.pick(["0.5", "2"])))
        h.nint = 0
        h.ncall = 0
        h.gen_body(self.pick([1, 2, 3, 4]), self.pick([1, 2, 3]))
        # p passes these tensors (a later call could pass others of the same type and dims)
        return (h, args)

    def gen_call(self, h, args):
        """`c0, _, c2 = helper(x0, v1, q0 = ...)`: results are tensors of p"""
        inv = {v: k for k, v in self.HELPER_DIMS.items()}
        pass_ = []
        for a in args:
            same = [t for t in self.tensors if t.ty == a.ty and t.dims == a.dims and not t.vrange]
            pass_.append(self.pick(same) if same and self.chance(0.5) else a)
        if self.chance(0.3):
            argtxt = ["a%d = %s" % (k, t.name) for k, t in enumerate(pass_)]
            self.r.shuffle(argtxt)
        else:
            argtxt = [t.name for t in pass_]
        if h.params and self.chance(0.6):
            sc = Scope([], COST_BUDGET if "call-arg-reduce" in self.avoid else 1)
            v = self.gen(sc, "num", 1, True)
            argtxt.append("q0 = %s" % v.s)
        lhs = []
        for o in h.outputs:
            if lhs and self.chance(0.2):
                lhs.append("_")
                continue
            dims = [inv[dm] for dm in o.dims]
            if self.chance(0.25):
                name = "o%d" % len(self.outputs)
                t = Tensor(name, o.ty, dims, "output")
                self.outputs.append(t)
            else:
                name = "c%d" % self.ncall
                self.ncall += 1
                t = Tensor(name, o.ty, dims, "def")
            self.tensors.append(t)
            lhs.append(name)
        self.stmts.append("%s = helper(%s)" % (", ".join(lhs), ", ".join(argtxt)))


    # ---- inputs ----
    def inputs_data(self):
        """({input: array}, {param: value text}); self.zero_dim: the dim the
        inputs give extent 0 (now and then), which every target must reject
        with the same message (dimensions are at least 1), or None"""
        import numpy as np
        rng = np.random.default_rng(self.seed)
        sizes = dict(self.sizes)
        self.zero_dim = None
        if self.r.random() < ZERO_DIM_P:
            self.zero_dim = self.pick(list(self.layout))
            sizes[self.zero_dim] = 0
        arrays = {}
        for t in self.inputs:
            shape = tuple(sizes[dm] for dm in t.dims)
            n = int(np.prod(shape)) if shape else 1
            if t.vrange:
                a = rng.integers(0, self.sizes[t.vrange], size=shape).astype(np.int32)
            elif t.name == "gid":
                a = rng.integers(-1, self.sizes["G"] + 1, size=shape).astype(np.int32)
            elif t.ty == "bool":
                dens = rng.choice([0.0, 0.1, 0.5, 0.5, 0.9, 1.0])
                a = rng.random(shape) < dens
                if a.ndim >= 1 and a.shape[-1] > 0 and rng.random() < 0.6:
                    flat = a.reshape(-1, a.shape[-1])
                    rows = rng.random(flat.shape[0])
                    flat[rows < 0.25] = False
                    flat[rows > 0.85] = True
                    a = flat.reshape(shape)
                if a.ndim >= 2 and a.shape[1] > 0 and rng.random() < 0.3:
                    a[:, 0] = False            # an all-false column too
            elif t.ty in ("i32", "i64", "u8"):
                mode = rng.choice(["small", "small", "mid", "wide"])
                if t.ty == "u8":
                    a = rng.integers(0, 256 if mode == "wide" else 8, size=shape)
                elif mode == "small":
                    a = rng.integers(-4, 5, size=shape)
                elif mode == "mid":
                    a = rng.integers(-1000, 1001, size=shape)
                else:
                    info = np.iinfo(np.int32 if t.ty == "i32" else np.int64)
                    a = rng.integers(info.min, info.max, size=shape, endpoint=True)
                a = a.astype({"i32": np.int32, "i64": np.int64, "u8": np.uint8}[t.ty])
            else:
                dt = {"f32": np.float32, "f64": np.float64, "f16": np.float16}[t.ty]
                mode = rng.choice(["normal", "normal", "scaled", "ints", "tiny"])
                if mode == "normal":
                    a = rng.standard_normal(shape)
                elif mode == "scaled":
                    a = rng.standard_normal(shape) * rng.choice([10.0, 1000.0])
                elif mode == "ints":
                    a = rng.integers(-3, 4, size=shape).astype(np.float64)    # ties for argmax and ==
                else:
                    a = rng.standard_normal(shape) * 1e-3
                a = np.asarray(a, dtype=np.float64)
                p = rng.choice([0.0, 0.0, 0.03, 0.1])
                if p > 0 and n > 0:
                    sp = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e30, -1e30, 1e-40, 3.4e38], dtype=np.float64)
                    if t.ty == "f64":
                        sp = np.concatenate([sp, [1e300, -1e300, 5e-324]])
                    hit = rng.random(shape) < p
                    a = np.where(hit, rng.choice(sp, size=shape), a)
                with np.errstate(over="ignore"):
                    a = a.astype(dt)     # 1e30 in f16 is inf: intended
            a = np.asarray(a)
            if a.ndim >= 2 and rng.random() < 0.25:
                a = np.asfortranarray(a)       # a transposed layout: .npy with fortran_order
            if a.dtype.itemsize > 1 and rng.random() < 0.1:
                a = a.astype(a.dtype.newbyteorder(">" if a.dtype.byteorder in "=<|" else "<"))
            arrays[t.name] = a
        params = {}
        for n, ty, dflt in self.params:
            if self.r.random() < 0.3:
                params[n] = {"f32": self.pick(["0.0", "-0.0", "0.75", "1e-07", "-2.5", "1e20"]),
                             "f64": self.pick(["0.5", "-1e-10", "123.25"]),
                             "i32": self.pick(["0", "-3", "4", "2147483647"]),
                             "bool": self.pick(["true", "false"])}[ty]
        for dm in self.dim_params:
            params[dm] = str(sizes[dm])
        return arrays, params


# the names a program declares at the top level: pipelines, fns (gen_fn) and consts
TOP_NAMES = re.compile(r"\b(p|helper|f0|f1|C0|F0)\b")


def renamed(src, suffix):
    """src with its top-level names suffixed, so that many programs can share
    one file (run_diff.py --check-only compiles them together)"""
    return TOP_NAMES.sub(lambda m: "%s_%s" % (m.group(1), suffix), src)


def generate(seed, avoid=()):
    """(program text, {input name: array}, {param: value text}, meta) for one seed"""
    g = ProgGen(seed, avoid)
    src = g.program()
    arrays, params = g.inputs_data()
    meta = {"seed": seed, "entry": "p", "layout": list(g.layout), "sizes": g.sizes,
            "inputs": [t.name for t in g.inputs], "outputs": [t.name for t in g.outputs],
            "output_types": {t.name: [t.ty, [g.sizes[dm] for dm in t.dims]] for t in g.outputs},
            "params": params}
    if g.zero_dim:
        meta["expect_error"] = ZERO_PARAM_ERROR % g.zero_dim if g.zero_dim in g.dim_params else ZERO_DIM_ERROR
        meta["zero_dim"] = g.zero_dim
    return src, arrays, params, meta


def write_case(folder, seed, avoid=()):
    import numpy as np
    src, arrays, params, meta = generate(seed, avoid)
    os.makedirs(os.path.join(folder, "in"), exist_ok=True)
    with open(os.path.join(folder, "prog.rlf"), "w") as f:
        f.write(src)
    for k, a in arrays.items():
        np.save(os.path.join(folder, "in", k + ".npy"), a, allow_pickle=False)
    with open(os.path.join(folder, "case.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    return src, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", help="write prog.rlf, in/*.npy and case.json into this folder")
    ap.add_argument("--avoid", action="append", default=[], metavar="WHAT",
                    help="leave out a construct (to look past a known bug): " +
                         "; ".join("%s: %s" % kv for kv in sorted(AVOID.items())))
    args = ap.parse_args()
    if args.out:
        src, meta = write_case(args.out, args.seed, args.avoid)
        sys.stdout.write(src)
    else:
        g = ProgGen(args.seed, args.avoid)
        sys.stdout.write(g.program())


if __name__ == "__main__":
    main()
