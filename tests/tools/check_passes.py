#!/usr/bin/env python3
"""tests/tools/check_passes.py: golden IR after a pass.

Each tests/passes/PASS/NAME.rlf has a golden NAME.ir next to it: the output of

    rlfc emit NAME.rlf --ir --after PASS

where PASS is the name of the folder (or --pass). The check runs that command
and compares its output with the golden; rlfc must exit 0 and print nothing
alarming on stderr (internal errors, sanitizer reports). With --regen the
goldens are rewritten instead; review the diff like code.

usage: check_passes.py --rlfc PATH [--pass PASS] [--regen] [-v] DIR_OR_FILES...
"""
import argparse
import difflib
import os
import re
import subprocess
import sys

ALARM = re.compile(r"internal error|runtime error|AddressSanitizer|LeakSanitizer")


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".rlf"))
        else:
            files.append(p)
    return files


def emit(rlfc, path, pass_name):
    cmd = [rlfc, "emit", path, "--ir", "--after", pass_name]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    problems = []
    if p.returncode != 0:
        problems.append(f"rlfc exited {p.returncode}")
    if ALARM.search(p.stderr):
        problems.append("internal error or sanitizer report")
    if problems and p.stderr:
        problems.append("rlfc said:\n" + p.stderr.rstrip())
    return p.stdout, problems, " ".join(cmd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rlfc", required=True)
    ap.add_argument("--pass", dest="pass_name", help="the pass (default: the file's folder name)")
    ap.add_argument("--regen", action="store_true", help="rewrite the goldens from rlfc's output")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()

    files = collect(args.paths)
    if not files:
        print("check_passes: no .rlf files given", file=sys.stderr)
        return 1
    failed = 0
    for path in files:
        pass_name = args.pass_name or os.path.basename(os.path.dirname(os.path.abspath(path)))
        golden = os.path.splitext(path)[0] + ".ir"
        out, problems, cmd = emit(args.rlfc, path, pass_name)
        if not problems and args.regen:
            with open(golden, "w", encoding="utf-8") as f:
                f.write(out)
            print(f"wrote {golden}")
            continue
        if not problems:
            if not os.path.exists(golden):
                problems.append(f"no golden {golden} (create it with --regen)")
            else:
                with open(golden, encoding="utf-8") as f:
                    want = f.read()
                if want != out:
                    diff = difflib.unified_diff(want.splitlines(True), out.splitlines(True),
                                                golden, f"after {pass_name}")
                    problems.append("output differs from the golden:\n" + "".join(diff).rstrip())
        if problems:
            failed += 1
            print(f"FAIL {path}")
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
            print(f"    re-run: {cmd}")
        elif args.verbose:
            print(f"PASS {path}")
    n = len(files)
    if not args.regen:
        print(f"{'ok' if not failed else 'FAIL'}: {n - failed}/{n} goldens match")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
