#!/usr/bin/env python3
"""tests/tools/check_scaling.py: compile time grows linearly with program size.

Generates programs of N and 4N declarations and times `rlfc check` on each
(the best of three runs, so that a busy machine does not decide): a linear
checker takes about 4 times as long on the larger one, a quadratic one 16
times. The bound (8 times, plus half a second for process start-up and
noise) holds on a slow shared machine and fails on a quadratic one.

  chain:  fn g0 .. g{N-1}, each calling the one before, used by a pipeline;
          each fn body is checked once (not by inlining what it calls). A
          chain of 1000 compiles; inlining a chain of 4000 is past the
          documented depth limit (5000 levels) and must say so, once
  many:   N independent fns (name lookup is a hash table)

usage: check_scaling.py --rlfc PATH [--work DIR]
"""
import argparse, os, subprocess, sys, tempfile, time


def chain(n):
    out = ["fn g0(x: f32) -> f32 = x + 1.0"]
    out += [f"fn g{i}(x: f32) -> f32 = g{i - 1}(x) + 1.0" for i in range(1, n)]
    out.append(f"pipeline p(a: f32[T]) -> (r: f32[T])\n{{\n    r[t] = g{n - 1}(a[t])\n}}\n")
    return "\n".join(out)


def many(n):
    out = [f"fn g{i}(x: f32) -> f32 = x * {i}.0" for i in range(n)]
    out.append(f"pipeline p(a: f32[T]) -> (r: f32[T])\n{{\n    r[t] = g0(a[t]) + g{n - 1}(a[t])\n}}\n")
    return "\n".join(out)


def timed_check(rlfc, path):
    best, last = None, None
    for _ in range(3):
        t0 = time.monotonic()
        last = subprocess.run([rlfc, "check", path], capture_output=True, text=True, timeout=600)
        dt = time.monotonic() - t0
        best = dt if best is None else min(best, dt)
    return best, last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rlfc", required=True)
    ap.add_argument("--work")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="rlf_scaling_")
    os.makedirs(work, exist_ok=True)
    failed = 0
    for name, gen, n in (("chain", chain, 1000), ("many", many, 20000)):
        times = []
        for size in (n, 4 * n):
            path = os.path.join(work, f"{name}_{size}.rlf")
            with open(path, "w") as f:
                f.write(gen(size))
            dt, p = timed_check(a.rlfc, path)
            times.append(dt)
            too_deep = name == "chain" and size > 2500
            want = "1 error: the fn calls here nest too deeply" if too_deep else "exit 0"
            got_ok = (p.returncode == 1 and p.stderr.count("error:") == 1 and "nest too deeply" in p.stderr) if too_deep \
                else p.returncode == 0
            if not got_ok:
                failed += 1
                print(f"FAIL {name} of {size}: wanted {want}; rlfc check exited {p.returncode}:\n{p.stderr[:2000]}")
        t1, t4 = times
        ok = t4 <= 8 * t1 + 0.5
        print(f"{'PASS' if ok else 'FAIL'} {name}: {n} in {t1:.2f} s, {4 * n} in {t4:.2f} s (ratio {t4 / max(t1, 1e-9):.1f}; quadratic is 16)")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
