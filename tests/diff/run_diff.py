#!/usr/bin/env python3
"""run_diff.py: differential testing of rlfc's targets on random programs.

    run_diff.py --rlfc build/bin/rlfc [--seed S] [--count K] [-j N] [--work DIR]
                [--keep] [--exact] [--timeout SEC] [--avoid WHAT ...] [-v]
    run_diff.py --rlfc build/bin/rlfc --rerun WORK/seed-N ...
    run_diff.py ... --results FILE.json   (counts and seeds by kind, for scripts)
    run_diff.py ... --check-only          (generate and compile to kernels only)

For each of the K seeds S, S+1, ..., S+K-1: tests/diff/gen.py writes a random
well-typed program and its inputs into WORK/seed-N/, and rlfc runs it three
times:

    interp     rlfc run prog.rlf --target interp     (the reference: the semantics)
    cpu-O0     rlfc run prog.rlf --target cpu -O0
    cpu        rlfc run prog.rlf --target cpu        (-O2; RLF_NUM_THREADS varies by seed)

Every output of cpu-O0 and cpu must match the interpreter's: same dtype and
shape (and those the signature declares); integers and bools exactly; floats
within rtol 1e-5 / atol 1e-6, NaN equal to NaN, infinities only to themselves
(--exact: bit for bit, any NaN equal to any NaN). A case whose inputs have an
empty axis (case.json "expect_error") must fail on every target instead:
exit status 1, the expected message, the interpreter's stderr exactly, and no
outputs written. The worst distance in ulps
is reported, and the summary lists the seeds that passed without agreeing bit
for bit. A mismatch, a crash (signal), a sanitizer report, an internal error,
a timeout or a failed run is a failure. A program rlfc rejects with a
diagnostic is a generator bug (gen.py must only write valid programs): it is
reported separately and fails the run too.

A failure prints the program, what differed, and the commands to re-run it by
hand; its folder is kept (with repro.sh). Folders of passing seeds are removed
unless --keep. One seed alone: --seed N --count 1. --rerun runs kept case
folders again as they are (after a fix, or after shrinking prog.rlf by hand).
--avoid (repeatable) has gen.py leave out a construct, to look past a known
bug; the programs then differ from those of the same seeds without it.
--check-only compiles each program through the passes to kernels (`rlfc emit
--kernels`) instead of the three runs: a cheap sweep for generator bugs, and
with the debug build for sanitizer reports and IR verifier failures in the
frontend and the passes (programs are compiled CHECK_BATCH to a file, with their
top-level names renamed apart, and one by one only when that fails). --results writes the counts and the seeds of each kind of
failure (mismatch, crash, error, reject: see kind_of) as JSON
(scripts/diff_at_scale.sh sums them over chunks). Exit status 0 only if every
program passed.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from proc import SANITIZER, describe_rc, tail, worst_index  # noqa: E402

DIAG = re.compile(r"prog\.rlf:\d+:\d+: error: ")
RTOL, ATOL = 1e-5, 1e-6
THREADS = [None, "1", "3"]       # RLF_NUM_THREADS of the cpu (-O2) run, by seed






# ---- comparison ----------------------------------------------------------------

def ordered_bits(a):
    """float array -> int64 keys whose difference is the distance in ulps"""
    it = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]
    b = a.view(it).astype(np.int64)
    mag = b & np.int64(np.iinfo(it).max)
    return np.where(b < 0, -mag, mag)


def compare(got, ref, exact):
    """None if got matches ref, else a description. Also returns (ulps, bit_identical)."""
    if got.dtype != ref.dtype:
        return "dtype %s, interp gave %s" % (got.dtype, ref.dtype), None, False
    if got.shape != ref.shape:
        return "shape %s, interp gave %s" % (got.shape, ref.shape), None, False
    if got.size == 0:
        return None, 0, True
    if ref.dtype.kind in "biu":
        bad = got != ref
        if not bad.any():
            return None, 0, True
        flat = int(np.flatnonzero(bad.ravel())[0])
        idx = np.unravel_index(flat, ref.shape)
        return ("%d/%d values differ; first at %s: got %s, interp %s" % (
            int(bad.sum()), bad.size, list(map(int, idx)), got.ravel()[flat], ref.ravel()[flat])), None, False
    shape = ref.shape
    got = np.ascontiguousarray(got).reshape(-1)
    ref = np.ascontiguousarray(ref).reshape(-1)
    g = got.astype(np.float64)
    e = ref.astype(np.float64)
    gnan, enan = np.isnan(g), np.isnan(e)
    same_bits = got.view(np.uint8).reshape(-1, got.itemsize) == ref.view(np.uint8).reshape(-1, ref.itemsize)
    same_bits = same_bits.all(-1)
    identical = bool(((gnan & enan) | same_bits).all())
    with np.errstate(invalid="ignore", over="ignore"):
        finite = np.isfinite(g) & np.isfinite(e)
        diff = np.where(finite, np.abs(g - e), 0.0)
        tol = ATOL + RTOL * np.abs(np.where(finite, e, 0.0))
        if exact:
            ok = (gnan & enan) | same_bits
        else:
            ok = (g == e) | (gnan & enan) | (finite & (diff <= tol))
        ob_g, ob_e = ordered_bits(got), ordered_bits(ref)
        ulps = np.where(gnan | enan, np.where(gnan & enan, 0, -1), np.abs(ob_g - ob_e))
    maxulp = int(ulps.max()) if (ulps >= 0).all() else -1
    if ok.all():
        return None, maxulp, identical
    bad = ~ok
    flat = worst_index(bad, finite, diff, tol)
    idx = np.unravel_index(flat, shape)
    u = int(ulps.ravel()[flat])
    return ("%d/%d values differ (%s); worst at %s: got %r, interp %r (%s ulp)" % (
        int(bad.sum()), bad.size, "bitwise" if exact else "rtol %g, atol %g" % (RTOL, ATOL),
        list(map(int, idx)), float(g.ravel()[flat]), float(e.ravel()[flat]),
        "NaN vs number" if u < 0 else u)), maxulp, identical


# ---- one program ---------------------------------------------------------------

class Result:
    def __init__(self, seed, folder):
        self.seed, self.folder = seed, folder
        self.status = "pass"         # pass | fail | reject
        self.problems = []
        self.cmds = {}
        self.stderr = {}
        self.maxulp = 0
        self.identical = True
        self.src = ""
        self.seconds = 0.0


def run_rlfc(cmd, env, timeout):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return None, "", ""
    except OSError as ex:
        return 127, "", "cannot start rlfc: %s" % ex


def kind_of(res):
    """pass | reject (a generator bug) | crash (signal, sanitizer report,
    internal error, timeout) | mismatch (outputs differ from interp's or
    are missing) | error (any other failed run)"""
    if res.status in ("pass", "reject"):
        return res.status
    text = "\n".join(res.problems)
    if re.search(r"killed by signal|sanitizer|internal error|timed out", text):
        return "crash"
    if re.search(r"values differ|dtype|shape|not written|cannot be loaded|the signature says", text):
        return "mismatch"
    return "error"


def run_check(args, res, folder, meta):
    """--check-only: the program must compile, through the passes (rlfc emit --kernels)"""
    cmd = [args.rlfc, "emit", os.path.join(folder, "prog.rlf"), "--kernels"]
    res.cmds["check"] = shlex.join(cmd)
    rc, so, se = run_rlfc(cmd, dict(os.environ), args.timeout)
    res.stderr["check"] = se
    if rc == 1 and DIAG.search(se) and "internal error" not in se and not SANITIZER.search(se):
        res.status = "reject"
        res.problems.append("rlfc rejects the program:\n" + tail(se, 20))
    elif rc != 0 or SANITIZER.search(se) or "internal error" in se:
        res.status = "fail"
        res.problems.append("check: rlfc failed (%s)%s" % (
            describe_rc(rc), "; internal error or sanitizer report" if rc is not None and rc >= 0 else ""))
    return res


CHECK_BATCH = 100


def check_batch(args, seeds):
    """--check-only: the programs of seeds compiled together in one file
    (one rlfc process for many); when that fails, each one alone"""
    results, srcs = [], []
    for seed in seeds:
        res = Result(seed, os.path.join(args.work, "seed-%d" % seed))
        try:
            res.src = gen.ProgGen(seed, args.avoid).program()
        except Exception as ex:  # a generator crash is a generator bug
            res.status = "reject"
            res.problems.append("gen.py failed: %s: %s" % (type(ex).__name__, ex))
        results.append(res)
        srcs.append(gen.renamed(res.src, seed) if res.status == "pass" else "")
    path = os.path.join(args.work, "batch-%d.rlf" % seeds[0])
    with open(path, "w") as f:
        f.write("\n".join(srcs))
    rc, so, se = run_rlfc([args.rlfc, "emit", path, "--kernels"], dict(os.environ), args.timeout)
    os.unlink(path)
    if rc == 0 and not SANITIZER.search(se) and "internal error" not in se:
        return results
    return [run_one(args, r.seed) if r.status == "pass" else r for r in results]


def run_one(args, seed, rerun=None):
    """generate seed's case into WORK/seed-N and run it; or, with rerun=FOLDER,
    run the case already in FOLDER again (its program may have been edited)"""
    folder = rerun or os.path.join(args.work, "seed-%d" % seed)
    res = Result(seed, folder)
    t0 = time.time()
    if rerun:
        try:
            with open(os.path.join(folder, "case.json")) as f:
                meta = json.load(f)
            with open(os.path.join(folder, "prog.rlf")) as f:
                res.src = f.read()
        except (OSError, ValueError) as ex:
            res.status = "fail"
            res.problems.append("cannot read the case in %s: %s" % (folder, ex))
            return res
        res.seed = meta.get("seed", seed)
        for d in os.listdir(folder):
            if d.startswith("out-"):
                shutil.rmtree(os.path.join(folder, d))
    else:
        if os.path.exists(folder):
            if not os.path.isfile(os.path.join(folder, "case.json")):
                res.status = "fail"
                res.problems.append("%s exists and is not a case folder of this script" % folder)
                return res
            shutil.rmtree(folder)
        try:
            res.src, meta = gen.write_case(folder, seed, args.avoid)
        except Exception as ex:  # a generator crash is a generator bug
            res.status = "reject"
            res.problems.append("gen.py failed: %s: %s" % (type(ex).__name__, ex))
            return res
    if args.check_only:
        run_check(args, res, folder, meta)
        res.seconds = time.time() - t0
        return res
    prog = os.path.join(folder, "prog.rlf")
    base = [args.rlfc, "run", prog, "--entry", meta["entry"]]
    for k in meta["inputs"]:
        base += ["--in", "%s=%s" % (k, os.path.join(folder, "in", k + ".npy"))]
    for k, v in meta["params"].items():
        base += ["--param", "%s=%s" % (k, v)]
    threads = THREADS[seed % len(THREADS)]
    runs = [("interp", ["--target", "interp"], None),
            ("cpu-O0", ["--target", "cpu", "-O0"], None),
            ("cpu", ["--target", "cpu"], threads)]
    outs = {}
    for name, extra, th in runs:
        out = os.path.join(folder, "out-" + name)
        os.makedirs(out)
        cmd = base + extra + ["--out", out]
        env = dict(os.environ)
        env.pop("RLF_NUM_THREADS", None)
        if th:
            env["RLF_NUM_THREADS"] = th
        res.cmds[name] = ("RLF_NUM_THREADS=%s " % th if th else "") + shlex.join(cmd)
        rc, so, se = run_rlfc(cmd, env, args.timeout)
        res.stderr[name] = se
        if meta.get("expect_error"):
            # inputs every target must reject, with the same message
            bad = []
            if rc != 1:
                bad.append("%s: %s, expected exit status 1 (%s)" % (
                    name, describe_rc(rc), meta["expect_error"]))
            elif meta["expect_error"] not in se:
                bad.append("%s: the error does not say %r" % (name, meta["expect_error"]))
            elif se != res.stderr["interp"]:
                bad.append("%s: a different error than interp's" % name)
            if SANITIZER.search(se) or "internal error" in se:
                bad.append("%s: sanitizer report or internal error" % name)
            if os.listdir(out):
                bad.append("%s: outputs written despite the error" % name)
            if bad:
                res.status = "fail"
                res.problems += bad
            continue
        if name == "interp" and rc == 1 and DIAG.search(se) and "internal error" not in se:
            res.status = "reject"
            res.problems.append("rlfc rejects the program:\n" + tail(se, 20))
            break
        bad = []
        if rc is None:
            bad.append("%s: rlfc timed out after %g s" % (name, args.timeout))
        elif rc != 0:
            bad.append("%s: rlfc failed (%s)" % (name, describe_rc(rc)))
        if SANITIZER.search(se):
            bad.append("%s: sanitizer report on stderr" % name)
        if "internal error" in se:
            bad.append("%s: internal error" % name)
        if bad:
            res.status = "fail"
            res.problems += bad
            continue
        outs[name] = out
    res.seconds = time.time() - t0
    if res.status == "reject" or "interp" not in outs or meta.get("expect_error"):
        return res
    # the interpreter's outputs against the signature, then every target against the interpreter
    ref = {}
    for o in meta["outputs"]:
        path = os.path.join(outs["interp"], o + ".npy")
        if not os.path.isfile(path):
            res.status = "fail"
            res.problems.append("interp: output %s not written" % o)
            continue
        a = np.load(path, allow_pickle=False)
        ty, shape = meta["output_types"][o]
        want = np.dtype({"f16": "float16", "f32": "float32", "f64": "float64", "i32": "int32",
                         "i64": "int64", "u8": "uint8", "bool": "bool"}[ty])
        if a.dtype != want or list(a.shape) != shape:
            res.status = "fail"
            res.problems.append("interp: output %s is %s%s, the signature says %s%s" % (
                o, a.dtype, list(a.shape), want, shape))
        ref[o] = a
    for name in ("cpu-O0", "cpu"):
        if name not in outs:
            continue
        for o, r in ref.items():
            path = os.path.join(outs[name], o + ".npy")
            if not os.path.isfile(path):
                res.status = "fail"
                res.problems.append("%s: output %s not written" % (name, o))
                continue
            try:
                g = np.load(path, allow_pickle=False)
            except Exception as ex:
                res.status = "fail"
                res.problems.append("%s: output %s cannot be loaded: %s" % (name, o, ex))
                continue
            msg, ulps, ident = compare(g, r, args.exact)
            if ulps is not None and ulps > res.maxulp:
                res.maxulp = ulps
            res.identical = res.identical and ident
            if msg:
                res.status = "fail"
                res.problems.append("%s: output %s: %s" % (name, o, msg))
    return res


def report(args, res, log):
    label = "seed %d" % res.seed if not args.rerun else "case %s" % res.folder
    if res.status == "pass":
        if args.verbose:
            log("PASS %s (%.1f s%s)" % (label, res.seconds,
                                       "" if res.identical else ", not bit-identical: max %d ulp" % res.maxulp))
        if not args.keep:
            shutil.rmtree(res.folder, ignore_errors=True)
        return
    what = "GENERATOR BUG" if res.status == "reject" else "FAIL"
    lines = ["%s %s: %s" % (what, label, res.problems[0] if res.problems else "")]
    lines += ["    " + p for p in res.problems[1:]]
    if res.src:
        lines.append("    program (%s):" % os.path.join(res.folder, "prog.rlf"))
        lines += ["    %3d  %s" % (i + 1, l) for i, l in enumerate(res.src.rstrip("\n").splitlines())]
    for name, se in res.stderr.items():
        if se.strip() and res.status != "reject":
            lines.append("    stderr of %s:\n%s" % (name, tail(se)))
    lines.append("    repro:")
    avoid = sum((["--avoid", a] for a in args.avoid), [])
    lines.append("    $ %s" % shlex.join([sys.executable, os.path.join(HERE, "gen.py"), "--seed", str(res.seed),
                                        "--out", res.folder] + avoid))
    for name, c in res.cmds.items():
        lines.append("    $ %s" % c)
    lines.append("    $ %s" % shlex.join([sys.executable, os.path.abspath(__file__), "--rlfc", args.rlfc,
                                        "--rerun", res.folder]))
    log("\n".join(lines))
    if os.path.isdir(res.folder):
        with open(os.path.join(res.folder, "repro.sh"), "w") as f:
            f.write("#!/bin/sh\n# seed %d: %s\n" % (res.seed, what))
            for p in res.problems:
                f.write("#   %s\n" % p.splitlines()[0])
            for c in res.cmds.values():
                f.write(c + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rlfc", required=True, help="path of the rlfc binary")
    ap.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    ap.add_argument("--count", type=int, default=20, help="how many programs (default 20)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="programs run at once")
    ap.add_argument("--work", help="case folders go here (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the folders of passing seeds too")
    ap.add_argument("--exact", action="store_true", help="floats must agree bit for bit")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds allowed to one rlfc run")
    ap.add_argument("--avoid", action="append", default=[], metavar="WHAT",
                    help="have gen.py leave out a construct, to look past a known bug (gen.py --help lists them)")
    ap.add_argument("--rerun", nargs="+", metavar="CASEDIR",
                    help="run kept case folders (WORK/seed-N) again as they are, e.g. after a fix "
                         "or after shrinking prog.rlf by hand; nothing is generated or removed")
    ap.add_argument("--check-only", action="store_true",
                    help="only compile each program to kernels (a sweep for generator bugs)")
    ap.add_argument("--results", metavar="FILE", help="write counts and seeds by kind of failure as JSON")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per passing seed too")
    args = ap.parse_args()
    args.rlfc = os.path.abspath(args.rlfc) if os.sep in args.rlfc else args.rlfc
    tmp = args.work is None and not args.rerun
    args.work = os.path.abspath(args.work or (tempfile.mkdtemp(prefix="rlf-diff-") if tmp else "."))
    os.makedirs(args.work, exist_ok=True)

    lock = threading.Lock()

    def log(text):
        with lock:
            print(text, flush=True)

    t0 = time.time()
    if args.rerun:
        jobs = [(k, os.path.abspath(d)) for k, d in enumerate(args.rerun)]
        args.keep = True
    else:
        jobs = [(s, None) for s in range(args.seed, args.seed + args.count)]
    seeds = [s for s, _ in jobs] or [0]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        if args.check_only and not args.rerun:
            futs = [ex.submit(check_batch, args, seeds[k:k + CHECK_BATCH]) for k in range(0, len(seeds), CHECK_BATCH)]
        else:
            futs = [ex.submit(lambda s, d: [run_one(args, s, d)], s, d) for s, d in jobs]
        for f in concurrent.futures.as_completed(futs):
            for r in f.result():
                report(args, r, log)
                results.append(r)
    results.sort(key=lambda r: r.seed)
    fails = [r.seed for r in results if r.status == "fail"]
    rejects = [r.seed for r in results if r.status == "reject"]
    inexact = [r for r in results if r.status == "pass" and not r.identical]
    log("run_diff: %d programs (%s) in %.1f s: %d passed, %d failed, %d generator bugs" % (
        len(results), "seeds %d..%d" % (seeds[0], seeds[-1]) if not args.rerun else "kept cases",
        time.time() - t0, len(results) - len(fails) - len(rejects),
        len(fails), len(rejects)))
    if inexact:
        log("    passed but not bit-identical to interp: %s" % ", ".join(
            "%d (%d ulp)" % (r.seed, r.maxulp) for r in inexact[:20]))
    if fails:
        log("    failing seeds: %s" % " ".join(map(str, fails)))
    if rejects:
        log("    generator bugs (rejected programs): %s" % " ".join(map(str, rejects)))
    if args.results:
        kinds = {}
        for r in results:
            kinds.setdefault(kind_of(r), []).append(r.seed)
        with open(args.results, "w") as f:
            json.dump({"count": len(results), "seconds": time.time() - t0,
                       "counts": {k: len(v) for k, v in kinds.items()},
                       "seeds": {k: v for k, v in kinds.items() if k != "pass"}}, f)
            f.write("\n")
    if (fails or rejects) and not args.rerun:
        log("    work folder kept: %s" % args.work)
    elif tmp and not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
    return 1 if fails or rejects else 0


if __name__ == "__main__":
    sys.exit(main())
