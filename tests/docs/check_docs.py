#!/usr/bin/env python3
"""tests/docs/check_docs.py: every rlf example in the documentation compiles,
and the example runs the documentation shows give the values it states.

    check_docs.py --rlfc PATH [--work DIR] [-v] FILE.md...

Fenced blocks are taken from each Markdown file by their info string:

  ```rlf           a complete program: `rlfc check` must exit 0 and print
                   no diagnostics.
  ```rlf-error     a program rlfc must reject: `rlfc check` must exit 1.
                   A trailing comment `# error: TEXT` on a line says that an
                   error whose message contains TEXT is reported on that
                   line; every annotated error must be reported and every
                   reported error must be annotated (as in tests/errors/).
  ```rlf-fragment  a syntax template or part of a program: not compiled, and
                   it must not be a complete program (that would be ```rlf,
                   which is checked).
  ```rlf-run       a run of the nearest ```rlf block above it:

                       --entry NAME          (optional; without it rlfc
                                              picks the only pipeline)
                       reward = [[1, 2], [3, 4]]
                       gamma = 0.5
                       ->
                       ret = [[2.5, 3], [3, 4]]

                   Before `->`: a value for every tensor input (a nested
                   list, typed by the pipeline's signature) and any scalar or
                   `dim` parameter; after it: values of outputs. The program
                   runs with `rlfc run` on the interp and the cpu targets;
                   each stated output must have the stated shape and values.
                   Instead of outputs, a line `rlfc: MESSAGE` says that the
                   run fails: it must exit 1, write nothing, and print that
                   line on stderr.
                   A number with a decimal point or an exponent is compared
                   to half a unit of its last digit (0.333 means
                   0.3325..0.3335); one without is compared to 1e-6
                   (relative) for float outputs and exactly otherwise. `nan`,
                   `inf`, `-inf`, `true`, `false` are values too; `#` starts
                   a comment. Values are read as doubles (integers are exact
                   up to 2^53).

Any other info string starting with `rlf` is an error, and so is a block with
another (or no) info string that holds an rlf program (a line starting
`pipeline NAME(`): every program in the docs is checked.

Each block is written to its own file, named after the document and the
line where the block starts (language.md-L120.rlf), so a failure points
back at the example. `import std.x` in an example resolves through rlfc's
usual search (next to the rlfc binary, or --stdlib / RLF_STDLIB). Needs
NumPy (for the runs).
"""
import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from proc import error_lines, match_errors  # noqa: E402

FENCE = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
ANN = re.compile(r"#\s*error:\s*(?P<text>.+?)\s*$")
PROGRAM = re.compile(r"^\s*pipeline\s+\w+\s*\(", re.M)
KINDS = ("rlf", "rlf-error", "rlf-fragment", "rlf-run")
TARGETS = ("interp", "cpu")
DTYPES = {"bool": np.bool_, "u8": np.uint8, "i32": np.int32, "i64": np.int64,
          "f16": np.float16, "f32": np.float32, "f64": np.float64}
NUMBER = re.compile(r"-?(?:nan|inf|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|true|false")


def blocks(path):
    """(kind, first line of the body, body) for every fenced block"""
    out = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info")
        start = i + 1
        j = start
        while j < len(lines):
            c = FENCE.match(lines[j])
            if c and c.group("fence")[0] == fence[0] and len(c.group("fence")) >= len(fence) and not c.group("info"):
                break
            j += 1
        body = "\n".join(lines[start:j]) + "\n"
        if info in KINDS:
            out.append((info, start + 1, body))
        elif info.startswith("rlf"):
            out.append(("unknown:" + info, start + 1, body))
        else:
            out.append(("other:" + info, start + 1, body))
        i = j + 1
    return out


def rlfc_check(rlfc, path):
    return subprocess.run([rlfc, "check", path], capture_output=True, text=True, errors="replace", timeout=60)


def check_one(rlfc, kind, path, text):
    p = rlfc_check(rlfc, path)
    problems = []
    if p.returncode not in (0, 1):
        return [f"rlfc crashed or exited {p.returncode}:\n{p.stderr}"]
    if "internal error" in p.stderr:
        problems.append("internal error")
    if kind == "rlf":
        if p.returncode != 0 or p.stderr.strip():
            problems.append(f"expected the program to compile; rlfc check exited {p.returncode}")
    elif kind == "rlf-fragment":
        if p.returncode == 0 and PROGRAM.search(text):
            problems.append("this fragment is a complete program: mark it ```rlf so that it is checked")
        return problems
    else:
        want = []
        for no, line in enumerate(text.split("\n"), 1):
            m = ANN.search(line)
            if m:
                want.append((no, m.group("text")))
        if p.returncode != 1:
            problems.append("expected rlfc check to reject the program (exit 1); it exited 0")
        problems += match_errors(error_lines(p.stderr, path), want, label="block line")
    if problems:
        problems.append("rlfc said:\n" + (p.stderr or "(nothing)\n"))
    return problems


# --- ```rlf-run blocks ---

def split_top(s, sep=","):
    """split s at the separators outside () and []"""
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [x.strip() for x in parts if x.strip()]


def signature(program, entry):
    """{argument name: ('tensor', dtype) | ('param', None)} of pipeline entry
    (or of the only pipeline of the program when entry is None)"""
    names = re.findall(r"^\s*pipeline\s+(\w+)\s*\(", program, re.M)
    if entry is None:
        if len(names) != 1:
            raise ValueError(f"the program defines {len(names)} pipelines: name one with --entry")
        entry = names[0]
    m = re.search(r"^\s*pipeline\s+" + re.escape(entry) + r"\s*\(", program, re.M)
    if not m:
        raise ValueError(f"no pipeline '{entry}' in the program above")
    depth, i = 1, m.end()
    while depth:
        depth += {"(": 1, ")": -1}.get(program[i], 0)
        i += 1
    args = {}
    for a in split_top(re.sub(r"#[^\n]*", "", program[m.end():i - 1])):
        name, ty = (x.strip() for x in a.split(":", 1))
        base = re.match(r"\w+", ty).group(0)
        if "[" in ty:
            args[name] = ("tensor", DTYPES[base])
        else:
            args[name] = ("param", None)
    return args


def parse_value(text):
    """(array of the values as floats, per-element tolerance or None for
    exact) from a nested-list literal with nan/inf/true/false"""
    toks = list(NUMBER.finditer(text))
    skeleton = NUMBER.sub("0", text)
    if re.search(r"[^\s\d\[\],]", skeleton):
        raise ValueError(f"cannot read the value {text!r}")
    shape = np.array(ast.literal_eval(skeleton)).shape
    vals, tols = [], []
    for t in toks:
        s = t.group(0)
        if s in ("true", "false"):
            vals.append(1.0 if s == "true" else 0.0)
            tols.append(None)
            continue
        vals.append(float(s))
        m = re.fullmatch(r"-?\d+\.(\d*)(?:[eE]([-+]?\d+))?|-?\d+[eE]([-+]?\d+)", s)
        if m:
            exp = int(m.group(2) or m.group(3) or 0)
            tols.append(0.5 * 10.0 ** (exp - len(m.group(1) or "")))
        else:
            tols.append(None)
    return np.array(vals).reshape(shape), np.array(tols, dtype=object).reshape(shape)


def parse_run(text):
    entry, args, outs, after = None, [], [], False
    for raw in text.split("\n"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line == "->":
            after = True
        elif line.startswith("--entry"):
            entry = line.split()[1]
        elif after and line.startswith("rlfc:"):
            outs.append((None, line))
        elif "=" in line:
            name, value = (x.strip() for x in line.split("=", 1))
            (outs if after else args).append((name, value))
        else:
            raise ValueError(f"cannot read the line {raw!r}: write NAME = VALUE, --entry NAME or ->")
    if not after or not outs:
        raise ValueError("a run states its outputs (or its rlfc: message) after a line '->'")
    if any(n is None for n, _ in outs) and len(outs) > 1:
        raise ValueError("a run that fails states its one rlfc: message and no outputs")
    return entry, args, outs


def compare(name, got, want_text):
    want, tol = parse_value(want_text)
    if got.shape != want.shape:
        return [f"output '{name}' has shape {got.shape}, the doc says {want.shape}"]
    g = got.astype(np.float64).ravel()
    w, t = want.ravel(), tol.ravel()
    bad = []
    for k in range(w.size):
        if np.isnan(w[k]) or np.isinf(w[k]):
            ok = (np.isnan(g[k]) if np.isnan(w[k]) else g[k] == w[k])
        elif t[k] is not None:
            ok = abs(g[k] - w[k]) <= t[k] * (1 + 1e-9) + 1e-12
        elif got.dtype.kind == "f":
            ok = abs(g[k] - w[k]) <= 1e-6 * max(1.0, abs(w[k]))
        else:
            ok = g[k] == w[k]
        if not ok:
            bad.append(k)
    if not bad:
        return []
    k = bad[0]
    idx = np.unravel_index(k, got.shape) if got.shape else ()
    return [f"output '{name}' at {[int(i) for i in idx]} is {str(got.ravel()[k])}, the doc says {w[k]:g} "
            f"({len(bad)} of {w.size} values differ)\n  got {np.array2string(got, precision=6)}"]


def run_one(rlfc, prog_path, program, text):
    try:
        entry, args, outs = parse_run(text)
        sig = signature(program, entry)
    except (ValueError, KeyError, IndexError) as e:
        return [f"bad rlf-run block: {e}"]
    cmd = [rlfc, "run", prog_path] + (["--entry", entry] if entry else [])
    base = os.path.splitext(prog_path)[0]
    for name, value in args:
        if name not in sig:
            return [f"bad rlf-run block: the pipeline has no argument '{name}'"]
        kind, dtype = sig[name]
        if kind == "param":
            cmd += ["--param", f"{name}={value}"]
            continue
        try:
            arr, _ = parse_value(value)
        except ValueError as e:
            return [f"bad rlf-run block: {e}"]
        path = f"{base}.{name}.npy"
        np.save(path, arr.astype(dtype))
        cmd += ["--in", f"{name}={path}"]
    problems = []
    for target in TARGETS:
        out = f"{base}.out-{target}"
        shutil.rmtree(out, ignore_errors=True)
        p = subprocess.run(cmd + ["--target", target, "--out", out], capture_output=True, text=True,
                           errors="replace", timeout=120)
        if outs[0][0] is None:
            written = os.listdir(out) if os.path.isdir(out) else []
            if p.returncode != 1 or outs[0][1] not in p.stderr.splitlines() or written:
                problems.append(f"--target {target}: expected the run to fail (exit 1, nothing written) with\n"
                                f"  {outs[0][1]}\nit exited {p.returncode}, wrote {written} and said:\n{p.stderr}")
            continue
        if p.returncode != 0:
            problems.append(f"rlfc run --target {target} exited {p.returncode}:\n{p.stderr}")
            continue
        for name, value in outs:
            f = os.path.join(out, name + ".npy")
            if not os.path.exists(f):
                problems.append(f"--target {target}: the pipeline has no output '{name}'")
                continue
            problems += [f"--target {target}: {x}" for x in compare(name, np.load(f), value)]
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rlfc", required=True)
    ap.add_argument("--work", help="folder for the extracted examples (default: a temporary one)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("docs", nargs="+")
    a = ap.parse_args()
    if a.work:
        os.makedirs(a.work, exist_ok=True)
        work = tempfile.mkdtemp(prefix="docs-", dir=a.work)
    else:
        work = tempfile.mkdtemp(prefix="rlf-docs-")
    counts = {k: 0 for k in KINDS}
    failed = []
    for doc in a.docs:
        last = None   # (path, text, compiled) of the latest ```rlf program of this doc
        for kind, line, text in blocks(doc):
            where = f"{doc}:{line}"
            if kind.startswith("other:"):
                if PROGRAM.search(text):
                    failed.append((where, ["an rlf program in a block that is not marked ```rlf, ```rlf-error "
                                           "or ```rlf-fragment: mark it so that it is checked"]))
                continue
            if kind.startswith("unknown:"):
                failed.append((where, [f"unknown block kind '{kind[8:]}' (use {', '.join(KINDS)})"]))
                continue
            counts[kind] += 1
            path = os.path.join(work, f"{os.path.basename(doc)}-L{line}.rlf")
            if kind == "rlf-run":
                if not last:
                    problems = ["an rlf-run block needs an ```rlf program above it"]
                elif not last[2]:
                    problems = ["not run: the program above does not compile"]
                else:
                    problems = run_one(a.rlfc, last[0], last[1], text)
            else:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                problems = check_one(a.rlfc, kind, path, text)
                if kind == "rlf":
                    last = (path, text, not problems)
            if problems:
                failed.append((where, problems))
            elif a.verbose:
                print(f"ok   {where} ({kind})")
    for where, problems in failed:
        print(f"FAIL {where}")
        for p in problems:
            print("     " + p.rstrip().replace("\n", "\n     "))
    print(f"{counts['rlf']} programs, {counts['rlf-error']} rejected programs, "
          f"{counts['rlf-fragment']} fragments, {counts['rlf-run']} runs; {len(failed)} failed")
    if failed:
        print(f"extracted examples kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
