#!/usr/bin/env python3
"""run_e2e.py: runs end-to-end tests (tests/run/NAME.rlf + NAME.py) through rlfc.

    run_e2e.py --rlfc build/bin/rlfc --target interp tests/run/gae.rlf [more.rlf ...]
               [--layout c|fortran] [--work DIR] [--keep] [--case K] [--timeout S] [-v]

For each NAME.rlf: runs NAME.py (with this Python) into a work folder, then for each
case it wrote runs

    rlfc run NAME.rlf --entry E --in ARG=PATH.npy ... --param P=V ... --target T --out DIR

(with --layout fortran, every input of rank 2 or more is first stored again in
Fortran order, so the compiled code sees transposed strides: for [T, B]
inputs the scan axis becomes the contiguous one) and compares every expected
output: same dtype, same shape; floats as np.allclose
(rtol, atol from the case), NaN equal to NaN at the same positions, infinities equal
only to themselves; bool and integers exactly. A case with expect_error passes when
rlfc exits 1, prints that text on stderr and writes no output.

Prints one PASS/FAIL line per case (a failure adds the errors and the rlfc command
line, to re-run it by hand) and a summary per file. Exit status 0 only if every case
of every file passes. The work folder is a temporary one, removed when everything
passed and kept (its path is printed) otherwise; --work DIR uses DIR/NAME instead
and keeps it.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proc import SANITIZER, describe_rc, tail, worst_index  # noqa: E402

MARKER = ".rlf-e2e-work"






def fmt_param(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def fmt_index(idx, shape):
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def compare(got, exp, rtol, atol):
    """None if got matches exp, else a one-line description of the mismatch."""
    if got.dtype != exp.dtype:
        return "dtype %s, expected %s" % (got.dtype, exp.dtype)
    if got.shape != exp.shape:
        return "shape %s, expected %s" % (got.shape, exp.shape)
    if got.size == 0:
        return None
    kind = exp.dtype.kind
    if kind in "biu":
        bad = got != exp
        if not bad.any():
            return None
        flat = int(np.flatnonzero(bad.ravel())[0])
        idx = np.unravel_index(flat, exp.shape)
        g, e = got.ravel()[flat], exp.ravel()[flat]
        # Exact integer differences (float64 would round large i64 values).
        diff = max(abs(int(a) - int(b)) for a, b in zip(got[bad].tolist(), exp[bad].tolist()))
        return ("%d/%d values differ (exact compare); first at %s: got %s, expected %s; "
                "max abs err %d" % (int(bad.sum()), bad.size, fmt_index(idx, exp.shape),
                                    g, e, diff))
    g = got.astype(np.float64)
    e = exp.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        gnan, enan = np.isnan(g), np.isnan(e)
        finite = np.isfinite(g) & np.isfinite(e)
        diff = np.where(finite, np.abs(g - e), 0.0)
        tol = atol + rtol * np.abs(np.where(finite, e, 0.0))
        ok = (g == e) | (gnan & enan) | (finite & (diff <= tol))
    if ok.all():
        return None
    bad = ~ok
    flat = worst_index(bad, finite, diff, tol)
    idx = np.unravel_index(flat, exp.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(finite & (e != 0), diff / np.abs(e), np.where(finite & (diff > 0), np.inf, 0.0))
    nonfinite_bad = int((bad & ~finite).sum())
    nonfinite = "%d of them NaN/inf mismatches; " % nonfinite_bad if nonfinite_bad else ""
    return ("%d/%d values differ (rtol %g, atol %g); %smax abs err %.6g, max rel err %.6g "
            "(finite values); worst at %s: got %r, expected %r" % (
                int(bad.sum()), bad.size, rtol, atol, nonfinite, float(diff.max()),
                float(rel.max()), fmt_index(idx, exp.shape), float(g.ravel()[flat]),
                float(e.ravel()[flat])))


def npy_files(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(f for f in os.listdir(folder) if f.endswith(".npy"))


def run_case(args, rlf, name, cdir, log):
    """Runs one case; returns True if it passed. Prints its lines via log()."""
    label = "%s/%s [%s%s]" % (name, os.path.basename(cdir), args.target,
                             "" if args.layout == "c" else ", " + args.layout)
    try:
        with open(os.path.join(cdir, "case.json")) as f:
            meta = json.load(f)
    except (OSError, ValueError) as ex:
        log("FAIL %s: cannot read case.json: %s" % (label, ex))
        return False
    entry = meta["entry"]
    note = (" (%s)" % meta["note"]) if meta.get("note") else ""
    outdir = os.path.join(cdir, "got-" + args.target + ("" if args.layout == "c" else "-" + args.layout))
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    indir = os.path.join(cdir, "in")
    if args.layout == "fortran":
        indir = os.path.join(cdir, "in-fortran")
        os.makedirs(indir, exist_ok=True)
        for arg in meta["inputs"]:
            x = np.load(os.path.join(cdir, "in", arg + ".npy"), allow_pickle=False)
            np.save(os.path.join(indir, arg + ".npy"), np.asfortranarray(x) if x.ndim >= 2 else x)

    cmd = [args.rlfc, "run", rlf, "--entry", entry]
    for arg in meta["inputs"]:
        cmd += ["--in", "%s=%s" % (arg, os.path.join(indir, arg + ".npy"))]
    for p, v in meta["params"].items():
        cmd += ["--param", "%s=%s" % (p, fmt_param(v))]
    cmd += ["--target", args.target, "--out", outdir]
    cmdline = "    $ " + shlex.join(cmd)

    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        log("FAIL %s%s: rlfc timed out after %g s" % (label, note, args.timeout))
        log(cmdline)
        return False
    except OSError as ex:
        log("FAIL %s%s: cannot start rlfc: %s" % (label, note, ex))
        log(cmdline)
        return False
    rc = proc.returncode
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")

    problems = []
    if rc < 0:
        problems.append("rlfc crashed: %s" % describe_rc(rc))
    if SANITIZER.search(err):
        problems.append("sanitizer report on stderr")
    written = npy_files(outdir)

    expect_error = meta.get("expect_error")
    if not problems and expect_error is not None:
        if rc == 0:
            problems.append("expected an error containing %r, but rlfc exited 0" % expect_error)
        elif rc != 1:
            problems.append("expected exit status 1, got %s" % describe_rc(rc))
        if rc != 0 and expect_error not in err:
            problems.append("stderr does not contain %r" % expect_error)
        if written:
            problems.append("outputs written despite the error: %s" % ", ".join(written))
    elif not problems:
        if rc != 0:
            problems.append("rlfc failed: %s" % describe_rc(rc))
        else:
            for o in meta["outputs"]:
                path = os.path.join(outdir, o + ".npy")
                if not os.path.isfile(path):
                    problems.append("output %s: %s.npy not written" % (o, o))
                    continue
                try:
                    got = np.load(path, allow_pickle=False)
                except Exception as ex:  # a malformed .npy is a failure, not a harness crash
                    problems.append("output %s: cannot load: %s" % (o, ex))
                    continue
                exp = np.load(os.path.join(cdir, "expect", o + ".npy"), allow_pickle=False)
                msg = compare(got, exp, meta["rtol"], meta["atol"])
                if msg:
                    problems.append("output %s: %s" % (o, msg))
            extra = [f for f in written if f[:-4] not in meta["outputs"]]
            if extra and args.verbose:
                log("note %s: unexpected output files %s" % (label, ", ".join(extra)))

    if not problems:
        log("PASS %s%s" % (label, note))
        if args.verbose:
            log(cmdline)
        return True
    log("FAIL %s%s: %s" % (label, note, problems[0]))
    for p in problems[1:]:
        log("    " + p)
    log(cmdline)
    if err.strip():
        log("    stderr:\n" + tail(err))
    if out.strip() and args.verbose:
        log("    stdout:\n" + tail(out))
    return False


def run_file(args, rlf, log):
    """Runs every case of one .rlf; returns True if all passed."""
    rlf = os.path.abspath(rlf)
    name = os.path.splitext(os.path.basename(rlf))[0]
    ref = os.path.splitext(rlf)[0] + ".py"
    for path, what in ((rlf, "test"), (ref, "reference script")):
        if not os.path.isfile(path):
            log("FAIL %s: %s %s not found" % (name, what, path))
            return False

    if args.work:
        work = os.path.join(os.path.abspath(args.work), name)
        if os.path.exists(work):
            if not os.path.exists(os.path.join(work, MARKER)):
                log("FAIL %s: %s exists and is not a work folder of this script" % (name, work))
                return False
            shutil.rmtree(work)
        os.makedirs(work)
        open(os.path.join(work, MARKER), "w").close()
    else:
        work = tempfile.mkdtemp(prefix="rlf-e2e-%s-" % name)

    refdir = os.path.join(work, "cases")
    try:
        proc = subprocess.run([args.python, ref, refdir], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=args.timeout)
        rc, err = proc.returncode, proc.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, err = None, "timed out after %g s" % args.timeout
    if rc != 0:
        log("FAIL %s: reference script %s failed (%s)" % (
            name, ref, describe_rc(rc) if rc is not None else err))
        if err.strip():
            log("    stderr:\n" + tail(err))
        log("    work folder kept: %s" % work)
        return False

    cases = [d for d in os.listdir(refdir) if re.fullmatch(r"case\d+", d)]
    cases.sort(key=lambda d: int(d[4:]))
    if args.case is not None:
        cases = [d for d in cases if int(d[4:]) in args.case]
    if not cases:
        log("FAIL %s: no cases to run" % name)
        return False

    passed = sum(run_case(args, rlf, name, os.path.join(refdir, d), log) for d in cases)
    ok = passed == len(cases)
    log("%s %s [%s]: %d/%d cases passed" % ("ok  " if ok else "FAILED", name, args.target,
                                           passed, len(cases)))
    if args.work or args.keep or not ok:
        log("    work folder: %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rlfc", required=True, help="path of the rlfc binary")
    ap.add_argument("--target", default="interp", help="interp, cpu or cuda (default interp)")
    ap.add_argument("--layout", choices=("c", "fortran"), default="c",
                    help="store the inputs as written (c) or in Fortran order")
    ap.add_argument("--work", help="keep work files under DIR/NAME")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    ap.add_argument("--case", type=int, action="append",
                    help="run only case K (repeatable)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds allowed to one rlfc run or reference script (default 300)")
    ap.add_argument("--python", default=sys.executable,
                    help="Python (with NumPy) that runs the reference scripts")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also print command lines of passing cases and rlfc's stdout")
    ap.add_argument("tests", nargs="+", metavar="NAME.rlf")
    args = ap.parse_args()
    args.rlfc = os.path.abspath(args.rlfc) if os.sep in args.rlfc else args.rlfc

    def log(line):
        print(line, flush=True)

    results = [run_file(args, t, log) for t in args.tests]
    if len(results) > 1:
        log("%d/%d test files passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
