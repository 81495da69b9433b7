#!/usr/bin/env python3
"""check_llvm.py: facts about the code rlfc generates, written in the programs.

    check_llvm.py --rlfc build/bin/rlfc tests/llvm/*.rlf

Each FILE.rlf carries annotations in comments:

    # calls: NAME <= K       every kernel function calls @NAME at most K times
    # quiet                  `rlfc emit --llvm` prints nothing on stderr

and is compiled with `rlfc emit FILE.rlf --llvm --entry E` for every pipeline E
it defines (the optimised module: contiguous, strided and inner variants).
A kernel function is a `define` whose name starts with `rlf_`. Exit 0 only if
every annotation holds for every entry.
"""
import argparse
import re
import subprocess
import sys

CALLS = re.compile(r"#\s*calls:\s*(\w+)\s*<=\s*(\d+)")
PIPE = re.compile(r"^\s*pipeline\s+(\w+)", re.M)
DEFINE = re.compile(r"^define [^@]*@(rlf_[\w.]+)\(", re.M)


def functions(ir):
    """name -> body text, for every kernel function of the module"""
    out = {}
    for m in DEFINE.finditer(ir):
        end = ir.find("\n}\n", m.end())
        out[m.group(1)] = ir[m.end():end if end >= 0 else len(ir)]
    return out


def check(rlfc, path):
    src = open(path).read()
    calls = [(n, int(k)) for n, k in CALLS.findall(src)]
    quiet = re.search(r"#\s*quiet\b", src) is not None
    if not calls and not quiet:
        return ["%s: no annotations (# calls: NAME <= K, # quiet)" % path]
    errors = []
    for entry in PIPE.findall(src):
        p = subprocess.run([rlfc, "emit", path, "--llvm", "--entry", entry],
                           capture_output=True, text=True)
        if p.returncode != 0:
            errors.append("%s [%s]: rlfc exited %d: %s" % (path, entry, p.returncode, p.stderr.strip()))
            continue
        if quiet and p.stderr:
            errors.append("%s [%s]: stderr is not empty: %s" % (path, entry, p.stderr.strip()[:300]))
        fns = functions(p.stdout)
        if not fns:
            errors.append("%s [%s]: no kernel functions in the module" % (path, entry))
        for fn, body in fns.items():
            for name, most in calls:
                n = len(re.findall(r"call [^@\n]*@%s\(" % re.escape(name), body))
                if n > most:
                    errors.append("%s [%s]: %s calls @%s %d times (at most %d)" % (path, entry, fn, name, n, most))
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rlfc", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    failed = 0
    for f in args.files:
        errors = check(args.rlfc, f)
        for e in errors:
            print(e)
        failed += bool(errors)
    print("%d passed, %d failed" % (len(args.files) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
