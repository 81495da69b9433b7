#!/usr/bin/env python3
"""tests/cli/cli_test.py: command-line robustness of rlfc.

    cli_test.py --rlfc PATH --group usage|source|run|npy|bench|internal [--work DIR] [-v]

Bad input never crashes rlfc: every failing case must exit with status 1 (not
a signal, not 0, not a sanitizer's status), print a message on stderr that
contains the case's expected text, print nothing on stdout, report no
sanitizer finding or internal error, and, for `rlfc run`, write nothing to
--out (the folder is either not created or left empty). A few positive cases
check the happy paths the failing ones are measured against.

Inputs (.rlf sources, .npy arrays) are made at test time, deterministically,
in a temporary folder under --work (default: the system's temporary folder);
it is removed when the group passes and kept (its path printed) otherwise.

Cases listed in PENDING are known problems of rlfc: they run and their result
is printed, but they do not fail the group. When one starts passing, the
output says so; move it out of PENDING once it passes in both builds.

Groups:
  usage   --help, emit --ir, check on a valid file, bad command lines
  source  bad .rlf input: empty, binary garbage, NUL bytes, deep nesting,
          a 10 MB line, unterminated comments, huge literals, missing file
  run     bad `rlfc run` arguments: --in, --param, --entry, --out
  npy     bad .npy inputs: truncated, bad magic, wrong dtype, rank, shape,
          out-of-range values, malformed headers
  bench   bad `rlfc bench --dims`: not integers, sizes that overflow or
          exceed the machine's memory
  internal  the exit-status contract of docs/cli.md: an internal error
          (forced through the RLF_TEST_INTERP_OOB hook) aborts with
          "rlf: internal error at FILE:LINE: ..."; a user error exits 1
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from proc import describe_rc, tail as _tail  # noqa: E402


def tail(text, n=12):
    return _tail(text, n, keep="start", width=300)

HERE = os.path.dirname(os.path.abspath(__file__))
SMALL = os.path.join(HERE, "small.rlf")

SANITIZER = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer|ThreadSanitizer)"
                       r"|runtime error: |internal error|Segmentation fault|stack-overflow")

# known problems of rlfc: case name -> what is wrong
PENDING = {
}


class Ctx:
    def __init__(self, rlfc, tmp, verbose):
        self.rlfc = rlfc
        self.tmp = tmp
        self.verbose = verbose
        self.failed = []
        self.pending = []
        self.passed = 0
        self.count = 0

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)






def run_rlfc(ctx, args, timeout=120, env=None):
    try:
        p = subprocess.run([ctx.rlfc] + args, capture_output=True, timeout=timeout, cwd=ctx.tmp,
                           env=dict(os.environ, **env) if env else None)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def report(ctx, name, problems, rc, out, err, args):
    ctx.count += 1
    if name in PENDING:
        if problems:
            ctx.pending.append(name)
            print("PENDING %s: %s" % (name, PENDING[name]))
            if ctx.verbose:
                print("    (still fails: %s)" % "; ".join(problems))
        else:
            ctx.pending.append(name)
            print("PENDING %s now passes in this build; once it passes in the debug (sanitizer) "
                  "build too, remove it from PENDING in tests/cli/cli_test.py" % name)
        return
    if problems:
        ctx.failed.append(name)
        print("FAIL %s" % name)
        for pr in problems:
            print("    " + pr)
        print("    command: rlfc %s" % " ".join(a if len(a) < 200 else a[:60] + "..." for a in args))
        if rc is not None:
            print("    %s; stdout:\n%s\n    stderr:\n%s" % (describe_rc(rc), tail(out), tail(err)))
    else:
        ctx.passed += 1
        print("PASS %s" % name)


def out_problems(out_dir, existed):
    """--out must not receive anything from a failing run"""
    if out_dir is None:
        return []
    if not os.path.exists(out_dir):
        return ["rlfc created --out %s" % out_dir] if existed else []
    if not os.path.isdir(out_dir):
        return []
    left = sorted(os.listdir(out_dir))
    if left:
        return ["a failing run wrote to --out: %s" % ", ".join(left)]
    return []


def expect_fail(ctx, name, args, want=(), out_dir=None, out_exists=False, reject=(), env=None, check=None):
    """rlfc ARGS must exit 1 with every text of WANT and none of REJECT on
    stderr, and nothing else wrong; CHECK, if given, returns more problems"""
    if out_dir is not None:
        if out_exists:
            os.makedirs(out_dir, exist_ok=True)
        args = args + ["--out", out_dir]
    rc, out, err = run_rlfc(ctx, args, env=env)
    problems = []
    if rc is None:
        problems.append("timed out")
    else:
        if rc != 1:
            problems.append("expected exit status 1, got %s" % describe_rc(rc))
        if SANITIZER.search(err):
            problems.append("sanitizer report, crash or internal error on stderr")
        if not err.strip():
            problems.append("no message on stderr")
        if out.strip():
            problems.append("a failing command printed on stdout")
        for w in want:
            if w not in err:
                problems.append("stderr lacks %r" % w)
        for w in reject:
            if w in err:
                problems.append("stderr has %r" % w)
    problems += out_problems(out_dir, out_exists)
    if check:
        problems += check()
    report(ctx, name, problems, rc, out, err, args)


def expect_ok(ctx, name, args, stdout_has=None, quiet=False, check=None):
    rc, out, err = run_rlfc(ctx, args)
    problems = []
    if rc is None:
        problems.append("timed out")
    else:
        if rc != 0:
            problems.append("expected exit status 0, got %s" % describe_rc(rc))
        if SANITIZER.search(err):
            problems.append("sanitizer report, crash or internal error on stderr")
        if stdout_has is not None and not re.search(stdout_has, out, re.M):
            problems.append("stdout does not match %r" % stdout_has)
        if quiet and (out or err):
            problems.append("expected no output at all")
        if check and rc == 0:
            problems += check()
    report(ctx, name, problems, rc, out, err, args)


def write(ctx, name, data):
    p = ctx.path(name)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return name


# ---- .npy helpers --------------------------------------------------------

def npy_bytes(arr):
    import io
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


def npy_raw(header, payload):
    """a version-1 .npy file with HEADER as its dict text, padded as NumPy does"""
    h = header.encode()
    pad = (64 - (10 + len(h) + 1) % 64) % 64
    h = h + b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h + payload


T, B, A = 4, 3, 5


def make_inputs(ctx):
    rng = np.random.default_rng(7)
    arrs = {
        "reward": rng.standard_normal((T, B)).astype(np.float32),
        "value": rng.standard_normal((T, B)).astype(np.float32),
        "action": np.array([0, 4, 2], np.int32),
        "q": rng.standard_normal((B, A)).astype(np.float32),
    }
    for k, v in arrs.items():
        np.save(ctx.path(k + ".npy"), v)
    return arrs


def good_in(skip=(), **repl):
    args = []
    for k in ("reward", "value", "action", "q"):
        if k in skip:
            continue
        args += ["--in", "%s=%s" % (k, repl.get(k, k + ".npy"))]
    return args


def reference(arrs, scale, gamma=np.float32(0.99)):
    r, v = arrs["reward"], arrs["value"]
    nxt = np.zeros_like(v)
    nxt[:-1] = gamma * v[1:]
    delta = scale * (r + nxt - v)
    q_act = arrs["q"][np.arange(B), arrs["action"]]
    return delta, q_act


def check_outputs(ctx, out_dir, arrs, scale):
    def check():
        problems = []
        want_delta, want_q = reference(arrs, np.float32(scale))
        for name, want in (("delta", want_delta), ("q_act", want_q)):
            p = os.path.join(out_dir, name + ".npy")
            if not os.path.exists(p):
                problems.append("missing output %s" % p)
                continue
            got = np.load(p)
            if got.dtype != np.float32 or got.shape != want.shape:
                problems.append("%s: got %s%s, expected float32%s" % (name, got.dtype, got.shape, want.shape))
            elif not np.allclose(got, want, rtol=1e-5, atol=1e-6):
                problems.append("%s: wrong values" % name)
        return problems
    return check


# ---- groups --------------------------------------------------------------

def group_usage(ctx):
    rc, out, err = run_rlfc(ctx, ["--help"])
    problems = []
    if rc != 0:
        problems.append("expected exit status 0, got %s" % describe_rc(rc))
    if "usage" not in out:
        problems.append("no usage text on stdout")
    report(ctx, "usage.help", problems, rc, out, err, ["--help"])
    expect_ok(ctx, "usage.emit_ir", ["emit", SMALL, "--ir"], stdout_has=r"^pipeline td\(")
    expect_ok(ctx, "usage.emit_ir_entry", ["emit", SMALL, "--ir", "--entry", "td"], stdout_has=r"^pipeline td\(")
    expect_ok(ctx, "usage.check_valid_is_silent", ["check", SMALL], quiet=True)
    expect_fail(ctx, "usage.no_arguments", [], ["usage"])
    expect_fail(ctx, "usage.unknown_command", ["compile", SMALL], ["unknown command 'compile'"])
    expect_fail(ctx, "usage.unknown_option", ["check", SMALL, "--frobnicate"], ["unknown option '--frobnicate'"])
    expect_fail(ctx, "usage.missing_file", ["check"], ["missing FILE.rlf"])
    expect_fail(ctx, "usage.two_files", ["check", SMALL, SMALL], ["one FILE.rlf per call"])
    expect_fail(ctx, "usage.option_without_value", ["run", SMALL, "--in"], ["'--in' needs a value"])
    expect_fail(ctx, "usage.emit_without_form", ["emit", SMALL], ["--ir"])
    expect_fail(ctx, "usage.emit_unknown_entry", ["emit", SMALL, "--ir", "--entry", "gae"], ["'gae'"])
    # every integer on the command line is read whole and range checked
    for name, val, want in (("repeat_float_text", "1e3", "'1e3' is not an integer"),
                            ("repeat_trailing_junk", "12abc", "'12abc' is not an integer"),
                            ("repeat_empty", "", "'' is not an integer"),
                            ("repeat_zero", "0", "'0' is outside 1..1000000"),
                            ("repeat_beyond_i64", "99999999999999999999", "is outside 1..1000000")):
        expect_fail(ctx, "usage." + name, ["bench", SMALL, "--repeat", val], ["--repeat", want])


def group_source(ctx):
    def bad(name, data, want=("error",)):
        f = write(ctx, name + ".rlf", data)
        expect_fail(ctx, "source." + name, ["check", f], want)
        if name in ("random_64k", "nul_bytes_only", "deep_parens_100k"):
            # the same input through `run` never gets as far as --out
            expect_fail(ctx, "source.run_" + name, ["run", f, "--entry", "td"], want,
                        out_dir=ctx.path("out-" + name))

    valid = ("pipeline p(x: f32[T]) -> (r: f32[T])\n"
             "{\n"
             "    r[t] = x[t] * 2\n"
             "}\n")
    bad("empty_file", b"", ("no pipeline",))
    bad("comment_only", "# nothing but a comment\n", ("no pipeline",))

    rng = random.Random(20240611)
    for size, label in ((64, "64"), (4096, "4k"), (65536, "64k")):
        bad("random_" + label, bytes(rng.randrange(256) for _ in range(size)))
    bad("random_printable", "".join(rng.choice("()[]{}+-*/=<>,:;.#\n \tabcxyzT0123456789") for _ in range(20000)))
    bad("nul_bytes_only", b"\0" * 4096, ("unexpected byte 0x00",))
    bad("nul_inside_statement", valid.replace("x[t] * 2", "x[t]\0 * 2").encode(), ("unexpected byte 0x00",))
    bad("nul_at_end", valid.encode() + b"\0", ("unexpected byte 0x00",))

    n = 100000
    bad("deep_parens_100k", "const K = " + "(" * n + "1" + ")" * n + "\n", ("nested too deeply",))
    bad("deep_parens_in_pipeline_100k", valid.replace("x[t] * 2", "(" * n + "x[t]" + ")" * n), ("nested too deeply",))
    bad("deep_unary_minus_100k", "const K = " + "-" * n + "1\n", ("nested too deeply",))
    bad("deep_not_100k", "const K = " + "not " * n + "true\n", ("nested too deeply",))
    bad("deep_calls_100k", valid.replace("x[t] * 2", "exp(" * n + "x[t]" + ")" * n), ("nested too deeply",))
    bad("deep_brackets_100k", valid.replace("x[t] * 2", "x[" * n + "t" + "]" * n), ("nested too deeply",))

    # flat (not nested) but very long expressions
    terms = 100000
    bad("flat_sum_100k", valid.replace("r[t] = x[t] * 2", "y[t] = " + " + ".join(["x[t]"] * terms) + "\n    r[t] = y[t]"))
    bad("flat_sum_in_reduction_100k",
        "pipeline p(x: f32[T, K]) -> (r: f32[T])\n{\n    r[t] = sum(" + " + ".join(["x[t, k]"] * terms) + " for k)\n}\n")
    bad("flat_shape_sum_100k",
        "pipeline p(x: f32[T]) -> (r: f32[" + "+".join(["T"] * terms) + "])\n{\n    r[t] = x[0]\n}\n")
    bad("flat_range_sum_100k",
        "pipeline p(q: f32[A], a: i32[B] in 0.." + "+".join(["A"] + ["0"] * terms) + ") -> (r: f32[B])\n"
        "{\n    r[b] = q[a[b]]\n}\n")

    mb10 = 10 << 20
    bad("line_10mb_name", "const K = " + "x" * mb10 + "\n", ("name is too long",))
    bad("line_10mb_integer", "const K = " + "9" * mb10, ("integer literal", "too large"))
    bad("line_10mb_float", "const K = 1." + "9" * mb10 + "e999", ("float literal", "too large"))

    bad("unterminated_comment_alone", "/*", ("unterminated comment",))
    bad("unterminated_comment_after_program", valid + "/* the next pipeline", ("unterminated comment",))
    bad("unterminated_comment_in_statement", valid.replace("x[t] * 2\n}\n", "x[t] /* twice"), ("unterminated comment",))
    bad("unterminated_nested_comment", valid + "/* outer /* inner */ still open", ("unexpected",))

    bad("integer_too_large", valid.replace("* 2", "* 99999999999999999999"), ("integer literal", "too large"))
    bad("integer_just_too_large", valid.replace("* 2", "* 9223372036854775808"), ("integer literal", "too large"))
    bad("float_too_large", valid.replace("* 2", "* 1e309"), ("float literal", "too large"))
    bad("float_too_large_long", valid.replace("* 2", "* 1" + "0" * 400 + ".0"), ("float literal", "too large"))

    expect_fail(ctx, "source.missing_file", ["check", "no-such-file.rlf"], ["cannot open", "no-such-file.rlf"])
    os.makedirs(ctx.path("a_directory.rlf"), exist_ok=True)
    expect_fail(ctx, "source.directory", ["check", "a_directory.rlf"], ["is a directory"])
    expect_fail(ctx, "source.run_missing_file", ["run", "no-such-file.rlf", "--entry", "td"], ["cannot open"],
                out_dir=ctx.path("out-missing"))


def group_run(ctx):
    arrs = make_inputs(ctx)
    shutil.copy(SMALL, ctx.path("small.rlf"))
    base = ["run", "small.rlf", "--entry", "td"]
    ok = ctx.path("out-ok")
    expect_ok(ctx, "run.valid", base + good_in() + ["--param", "scale=2", "--out", ok],
              check=check_outputs(ctx, ok, arrs, 2.0))
    ok2 = ctx.path("out-ok-default-entry", "nested")
    expect_ok(ctx, "run.valid_without_entry_nested_out", ["run", "small.rlf"] + good_in() + ["--param", "scale=0.5", "--out", ok2],
              check=check_outputs(ctx, ok2, arrs, 0.5))

    cases = [
        ("missing_in", good_in(skip=("value",)) + ["--param", "scale=2"], ["missing input 'value'"]),
        ("unknown_in", good_in() + ["--in", "valeu=value.npy", "--param", "scale=2"], ["no tensor input 'valeu'"]),
        ("in_given_twice", good_in() + ["--in", "value=value.npy", "--param", "scale=2"], ["'value' is given twice"]),
        ("in_without_equals", good_in() + ["--in", "value.npy", "--param", "scale=2"], ["--in expects ARG=PATH.npy"]),
        ("in_missing_npy", good_in(value="no-such.npy") + ["--param", "scale=2"], ["argument 'value'", "no-such.npy"]),
        ("in_npy_is_directory", good_in(value="adir.npy") + ["--param", "scale=2"], ["argument 'value'"]),
        ("unknown_param", good_in() + ["--param", "scale=2", "--param", "lamda=0.9"], ["no parameter 'lamda'"]),
        ("param_not_numeric", good_in() + ["--param", "scale=two"], ["parameter 'scale'", "'two'"]),
        ("param_empty_value", good_in() + ["--param", "scale="], ["parameter 'scale'"]),
        ("param_trailing_junk", good_in() + ["--param", "scale=2x"], ["parameter 'scale'", "'2x'"]),
        ("param_float_overflow", good_in() + ["--param", "scale=1e999"], ["parameter 'scale'"]),
        ("param_without_equals", good_in() + ["--param", "scale"], ["--param expects NAME=VALUE"]),
        ("param_is_a_dim", good_in() + ["--param", "scale=2", "--param", "T=4"], ["'T' is a dimension"]),
        ("missing_required_param", good_in(), ["parameter 'scale'", "no default"]),
        ("unknown_entry", ["--entry", "gae"] + good_in() + ["--param", "scale=2"], ["no pipeline 'gae'", "td"]),
        ("unknown_target", good_in() + ["--param", "scale=2", "--target", "tpu"], ["target 'tpu'"]),
    ]
    os.makedirs(ctx.path("adir.npy"), exist_ok=True)
    for i, (name, args, want) in enumerate(cases):
        a = base + args
        if name == "unknown_entry":
            a = ["run", "small.rlf"] + args
        expect_fail(ctx, "run." + name, a, want, out_dir=ctx.path("out-" + name), out_exists=i % 2 == 1)

    # --out is required, and must be creatable as a folder
    expect_fail(ctx, "run.missing_out", base + good_in() + ["--param", "scale=2"], ["--out DIR is required"])
    write(ctx, "regular_file", "not a folder\n")
    for name, out in (("out_under_regular_file", "regular_file/out"), ("out_is_regular_file", "regular_file")):
        expect_fail(ctx, "run." + name, base + good_in() + ["--param", "scale=2", "--out", out],
                    ["cannot create output directory"])
        with open(ctx.path("regular_file")) as f:
            if f.read() != "not a folder\n":
                report(ctx, "run.%s_left_file_alone" % name, ["the regular file was changed"], None, "", "", [])
    params_cases(ctx)
    output_cases(ctx)


# scalar parameters of every width: the text given must be a value of the type
PARAMS = """\
pipeline p(x: f64[T], s32: f32 = 1, s16: f16 = 1, s64: f64 = 1, n: i32 = 1, u: u8 = 0)
          -> (y: f64[T], z: f32[T])
{
    y[t] = x[t] * s64
    z[t] = f32(x[t]) * s32 * f32(s16) + f32(n) + f32(u)
}
"""


def check_arrays(out_dir, **want):
    """each NAME=array must be what out_dir/NAME.npy holds, bit for bit (NaN = NaN)"""
    def check():
        problems = []
        for name, w in want.items():
            p = os.path.join(out_dir, name + ".npy")
            if not os.path.exists(p):
                problems.append("missing output %s" % p)
                continue
            got = np.load(p)
            if got.dtype != w.dtype or not np.array_equal(got, w, equal_nan=True):
                problems.append("%s: got %r, expected %r" % (name, got, w))
        return problems
    return check


def params_cases(ctx):
    write(ctx, "params.rlf", PARAMS)
    x = np.array([1.0, 2.0, 3.0])
    np.save(ctx.path("x.npy"), x)
    base = ["run", "params.rlf", "--in", "x=x.npy"]
    bad = [
        ("f32_overflow", "s32=1e40", "'1e40' is outside the range of f32"),
        ("f32_overflow_negative", "s32=-1e39", "'-1e39' is outside the range of f32"),
        ("f16_overflow", "s16=1e5", "'1e5' is outside the range of f16"),
        ("f16_rounds_to_inf", "s16=65520", "'65520' is outside the range of f16"),
        ("f64_overflow", "s64=1e309", "'1e309' is outside the range of f64"),
        ("i32_overflow", "n=1099511627776", "'1099511627776' is outside the range of i32"),
        ("i32_below_range", "n=-2147483649", "is outside the range of i32"),
        ("i32_trailing_junk", "n=12abc", "'12abc' is not a valid i32"),
        ("i32_float_text", "n=1e3", "'1e3' is not a valid i32"),
        ("i32_leading_space", "n= 12", "' 12' is not a valid i32"),
        ("u8_overflow", "u=256", "'256' is outside the range of u8"),
    ]
    for i, (name, prm, want) in enumerate(bad):
        expect_fail(ctx, "run.param_" + name, base + ["--param", prm], [want],
                    out_dir=ctx.path("out-param-" + name), out_exists=i % 2 == 0)
    one = np.ones(3, np.float32)
    good = [
        # underflow rounds to the nearest subnormal: strtod's ERANGE is not an error then
        ("f64_subnormal", "s64=4e-320", "interp", dict(y=x * np.float64("4e-320"))),
        ("f64_subnormal_cpu", "s64=4e-320", "cpu", dict(y=x * np.float64("4e-320"))),
        ("f32_underflow_to_zero", "s32=1e-50", "cpu", dict(z=one)),
        ("f16_largest", "s16=65504", "cpu", dict(z=(x * 65504 + 1).astype(np.float32))),
        ("i32_smallest", "n=-2147483648", "cpu", dict(z=(x - 2147483648.0).astype(np.float32))),
        # `inf` and `nan` are values of every float type, accepted as written
        ("f32_inf", "s32=inf", "cpu", dict(z=np.full(3, np.inf, np.float32))),
        ("f16_minus_inf", "s16=-inf", "cpu", dict(z=np.full(3, -np.inf, np.float32))),
        ("f32_nan", "s32=nan", "cpu", dict(z=np.full(3, np.nan, np.float32))),
    ]
    for name, prm, target, want in good:
        out = ctx.path("out-param-" + name)
        expect_ok(ctx, "run.param_" + name, base + ["--param", prm, "--target", target, "--out", out],
                  check=check_arrays(out, **want))


def output_cases(ctx):
    x = np.load(ctx.path("x.npy"))
    # "<name>.npy" is 255 bytes, the usual limit of a file name: the temporary
    # a write goes through must not need more
    long = "o" * 251
    write(ctx, "long_name.rlf", "pipeline p(x: f64[T]) -> (a: f64[T], %s: f64[T])\n{\n    a[t] = x[t]\n    %s[t] = x[t] * 2\n}\n"
          % (long, long))
    out = ctx.path("out-long-name")
    expect_ok(ctx, "run.output_name_near_limit", ["run", "long_name.rlf", "--in", "x=x.npy", "--out", out],
              check=check_arrays(out, **{"a": x, long: x * 2}))

    # the second output cannot be written (a folder is in its way): the first
    # must not be written either, and the file it would replace must survive
    write(ctx, "two.rlf", "pipeline p(x: f64[T]) -> (a: f64[T], b: f64[T])\n{\n    a[t] = x[t]\n    b[t] = x[t] * 2\n}\n")
    out = ctx.path("out-late-failure")
    os.makedirs(os.path.join(out, "b.npy"))
    with open(os.path.join(out, "a.npy"), "w") as f:
        f.write("the previous a\n")

    def untouched():
        problems = []
        left = sorted(os.listdir(out))
        if left != ["a.npy", "b.npy"]:
            problems.append("--out holds %s, expected only a.npy and b.npy (no temporaries)" % left)
        with open(os.path.join(out, "a.npy"), "rb") as f:
            if f.read() != b"the previous a\n":
                problems.append("a failing run replaced the existing a.npy")
        if not os.path.isdir(os.path.join(out, "b.npy")):
            problems.append("b.npy is no longer a folder")
        return problems
    expect_fail(ctx, "run.late_write_failure_changes_nothing", ["run", "two.rlf", "--in", "x=x.npy", "--out", out],
                ["b.npy"], check=untouched)

    # an output .npy cannot hold: refused before anything is written
    write(ctx, "bf16_out.rlf", "pipeline p(x: f64[T]) -> (a: f64[T], b: bf16[T])\n{\n    a[t] = x[t]\n    b[t] = bf16(x[t])\n}\n")
    expect_fail(ctx, "run.bf16_output_writes_nothing", ["run", "bf16_out.rlf", "--in", "x=x.npy"], ["'b' is bf16"],
                out_dir=ctx.path("out-bf16"), out_exists=True)

    # the reason given is the failing call's, never a stale errno ("Success")
    for name, out, want in (("out_empty", "", "No such file or directory"),
                            ("out_path_too_long", "d/" * 2100, "File name too long")):
        expect_fail(ctx, "run." + name, ["run", "two.rlf", "--in", "x=x.npy", "--out", out],
                    ["cannot create output directory", want], reject=("Success",))


def group_npy(ctx):
    arrs = make_inputs(ctx)
    shutil.copy(SMALL, ctx.path("small.rlf"))
    base = ["run", "small.rlf", "--entry", "td", "--param", "scale=2"]
    good = npy_bytes(arrs["value"])
    hdr_end = 10 + int.from_bytes(good[8:10], "little")
    counter = [0]

    def bad_value(name, data, want, arg="value"):
        f = write(ctx, name + ".npy", data)
        counter[0] += 1
        expect_fail(ctx, "npy." + name, base + good_in(**{arg: f}), ["argument '%s'" % arg] + list(want),
                    out_dir=ctx.path("out-" + name), out_exists=counter[0] % 2 == 0)

    for cut in (0, 1, 6, 9, 10, 11, 40, hdr_end - 1, hdr_end, hdr_end + 1, hdr_end + 20, len(good) - 1):
        bad_value("truncated_at_%d" % cut, good[:cut], ())
    bad_value("bad_magic", b"\x93NUMPX" + good[6:], ("bad magic",))
    bad_value("zip_magic", b"PK\x03\x04" + good[4:], ("bad magic",))
    bad_value("text_file", b"reward,value\n1,2\n", ())
    bad_value("header_length_too_big", good[:8] + b"\xff\xff" + good[10:], ())
    bad_value("complex64", npy_bytes(arrs["value"].astype(np.complex64)), ("complex64",))
    bad_value("object_dtype", npy_raw("{'descr': '|O', 'fortran_order': False, 'shape': (4, 3), }", b"\0" * 96), ("object",))
    bad_value("structured_dtype", npy_raw("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4, 3), }", b"\0" * 48), ("structured",))
    bad_value("f64_for_f32", npy_bytes(arrs["value"].astype(np.float64)), ("f32[T, B]", "f64"))
    bad_value("f16_for_f32", npy_bytes(arrs["value"].astype(np.float16)), ("f32[T, B]", "f16"))
    bad_value("bool_for_f32", npy_bytes(arrs["value"] > 0), ("f32[T, B]", "bool"))
    bad_value("i64_for_i32", npy_bytes(arrs["action"].astype(np.int64)), ("i32[B]", "i64"), arg="action")
    bad_value("f32_for_i32", npy_bytes(arrs["action"].astype(np.float32)), ("i32[B]", "f32"), arg="action")
    bad_value("rank_1_for_rank_2", npy_bytes(arrs["value"][0]), ("f32[T, B]", "f32[3]"))
    bad_value("rank_3_for_rank_2", npy_bytes(arrs["value"][None]), ("f32[T, B]", "f32[1, 4, 3]"))
    bad_value("rank_0_for_rank_2", npy_bytes(np.float32(1.0)), ("f32[T, B]", "f32[]"))
    # shapes that disagree between arguments: the message names both sides
    bad_value("shape_mismatch_value", npy_bytes(np.zeros((T + 1, B), np.float32)), ("[5, 3]", "T = 4", "'reward'"))
    bad_value("shape_mismatch_q", npy_bytes(np.zeros((B - 1, A), np.float32)), ("[2, 5]", "B = 3", "'reward'"), arg="q")
    bad_value("shape_mismatch_action", npy_bytes(np.zeros((B + 2,), np.int32)), ("[5]", "B = 3", "'reward'"), arg="action")
    bad_value("zero_extent", npy_bytes(np.zeros((0, B), np.float32)), ("[0, 3]",))
    # values outside the declared range `action: i32[B] in 0..A`
    bad_value("action_equal_to_A", npy_bytes(np.array([0, A, 1], np.int32)), ("value 5", "0..5"), arg="action")
    bad_value("action_negative", npy_bytes(np.array([0, 1, -1], np.int32)), ("value -1",), arg="action")
    bad_value("action_huge", npy_bytes(np.array([2**31 - 1, 0, 0], np.int32)), ("value 2147483647",), arg="action")
    # malformed headers
    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }"
    bad_value("negative_extent", npy_raw(hdr % "(-4, 3)", b"\0" * 48), ("negative",))
    bad_value("shape_product_overflows", npy_raw(hdr % "(4611686018427387904, 4611686018427387904)", b"\0" * 48), ("too large",))
    bad_value("shape_entry_too_large", npy_raw(hdr % "(99999999999999999999999, 3)", b"\0" * 48), ())
    bad_value("shape_larger_than_data", npy_raw(hdr % "(4, 3000000000000)", b"\0" * 48), ("truncated",))
    bad_value("rank_40", npy_raw(hdr % ("(" + "1, " * 40 + ")"), b"\0" * 4), ("rank 40",))
    bad_value("missing_key", npy_raw("{'descr': '<f4', 'shape': (4, 3), }", b"\0" * 48), ("fortran_order",))
    bad_value("bad_fortran_order", npy_raw("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (4, 3), }", b"\0" * 48), ("fortran_order",))
    bad_value("header_not_a_dict", npy_raw("hello", b"\0" * 48), ("not a dict",))
    bad_value("header_unterminated", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3", b""), ())
    bad_value("unknown_descr", npy_raw(hdr.replace("<f4", "<f3") % "(4, 3)", b"\0" * 48), ("'<f3'",))
    rng = random.Random(99)
    for i in range(3):
        junk = bytearray(good)
        for _ in range(8):
            junk[rng.randrange(10, hdr_end)] = rng.randrange(256)
        bad_value("header_scrambled_%d" % i, bytes(junk), ())


def group_bench(ctx):
    write(ctx, "bench.rlf", "pipeline p(x: f32[T, B]) -> (y: f32[T, B])\n{\n    y[t, b] = x[t, b] * 2\n}\n")
    base = ["bench", "bench.rlf", "--repeat", "3", "--dims"]
    expect_ok(ctx, "bench.valid", base + ["T=64,B=8"], stdout_has=r"^p \[T=64, B=8\] .*median .*3 runs")
    cases = [
        ("dims_float_text", "T=1e3,B=2", ["--dims T", "'1e3' is not an integer"]),
        ("dims_trailing_junk", "T=12abc,B=2", ["--dims T", "'12abc' is not an integer"]),
        ("dims_empty_value", "T=4,B=", ["--dims B", "'' is not an integer"]),
        ("dims_leading_space", "T= 4,B=2", ["--dims T", "' 4' is not an integer"]),
        ("dims_zero", "T=0,B=2", ["--dims T", "must be at least 1"]),
        ("dims_negative", "T=4,B=-2", ["--dims B", "must be at least 1"]),
        ("dims_beyond_i64", "T=99999999999999999999,B=2", ["--dims T", "too large"]),
        ("dims_product_overflows", "T=4611686018427387904,B=64", ["tensor 'x'", "too large"]),
        ("dims_beyond_memory", "T=1099511627776,B=2", ["bench: the inputs and outputs need", "GB of memory"]),
        ("dims_given_twice", "T=4,T=5,B=1", ["--dims gives T twice"]),
        ("dims_without_value", "T,B=2", ["--dims expects NAME=VALUE"]),
        ("dims_unknown", "T=4,B=2,C=3", ["'C' is not a dimension"]),
        ("dims_missing", "T=4", ["--dims must give B"]),
    ]
    for name, dims, want in cases:
        expect_fail(ctx, "bench." + name, base + [dims], want)


def group_internal(ctx):
    make_inputs(ctx)
    shutil.copy(SMALL, ctx.path("small.rlf"))
    hook = {"RLF_TEST_INTERP_OOB": "1"}
    args = ["run", "small.rlf", "--entry", "td", "--param", "scale=2", "--target", "interp"]
    out_dir = ctx.path("out-internal")
    a = args + good_in() + ["--out", out_dir]
    rc, out, err = run_rlfc(ctx, a, env=hook)
    problems = []
    if rc != -signal.SIGABRT:
        problems.append("expected to be killed by SIGABRT, got %s" % describe_rc(rc))
    if not re.search(r"^rlf: internal error at \S*interp\.c:\d+: out-of-bounds read of '", err, re.M):
        problems.append("stderr lacks 'rlf: internal error at .../interp.c:LINE: out-of-bounds read of ...'")
    problems += out_problems(out_dir, False)
    report(ctx, "internal.interp_out_of_bounds_aborts", problems, rc, out, err, a)
    # a user error exits 1, hook or not: it is reported before anything runs
    expect_fail(ctx, "internal.user_error_exits_1", args + good_in(skip=("value",)), ["missing input 'value'"],
                out_dir=ctx.path("out-user-error"), env=hook)


GROUPS = {"usage": group_usage, "source": group_source, "run": group_run, "npy": group_npy,
          "bench": group_bench, "internal": group_internal}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rlfc", required=True)
    ap.add_argument("--group", required=True, choices=sorted(GROUPS))
    ap.add_argument("--work", default=None, help="parent of the temporary folder")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    rlfc = os.path.abspath(a.rlfc)
    if not os.access(rlfc, os.X_OK):
        print("rlfc not found: %s" % rlfc)
        return 1
    if a.work:
        os.makedirs(a.work, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="cli-%s-" % a.group, dir=a.work)
    ctx = Ctx(rlfc, tmp, a.verbose)
    GROUPS[a.group](ctx)
    print("%s: %d passed, %d failed, %d pending (known problems, not counted)"
          % (a.group, ctx.passed, len(ctx.failed), len(ctx.pending)))
    if ctx.failed:
        print("inputs kept in %s" % tmp)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
