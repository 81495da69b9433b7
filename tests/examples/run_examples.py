#!/usr/bin/env python3
"""tests/examples/run_examples.py: every `build/bin/rlfc run ...` command in
examples/README.md runs as written (with this build's rlfc and a scratch
output folder), exits 0 and writes finite outputs.

usage: run_examples.py --rlfc PATH --src SOURCE_DIR --work DIR"""
import argparse, glob, os, re, shlex, shutil, subprocess, sys
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--rlfc", required=True)
ap.add_argument("--src", required=True)
ap.add_argument("--work", required=True)
a = ap.parse_args()
text = open(os.path.join(a.src, "examples", "README.md")).read()
cmds = [c.replace("\\\n", " ") for c in re.findall(r"^build/bin/rlfc run (?:[^\n]*\\\n)*[^\n]*", text, re.M)]
if not cmds:
    print("no commands found"); sys.exit(1)
shutil.rmtree(a.work, ignore_errors=True)
os.makedirs(a.work)
failed = 0
for i, c in enumerate(cmds):
    argv = shlex.split(c)[1:]
    out = os.path.join(a.work, "out%d" % i)
    argv = [x if not x.startswith("out/") else out for x in argv]
    p = subprocess.run([a.rlfc] + argv, cwd=a.src, capture_output=True, text=True, timeout=300)
    files = glob.glob(os.path.join(out, "*.npy"))
    bad = [f for f in files if np.load(f).dtype.kind == "f" and not np.isfinite(np.load(f)).all()]
    ok = p.returncode == 0 and files and not bad
    print(("PASS " if ok else "FAIL ") + c.split("--entry")[0].strip())
    if not ok:
        failed += 1
        print(p.stderr, bad)
print("%d passed, %d failed" % (len(cmds) - failed, failed))
sys.exit(1 if failed else 0)
