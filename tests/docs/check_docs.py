#!/usr/bin/env python3
"""tests/docs/check_docs.py: every rlf example in the documentation compiles.

    check_docs.py --rlfc PATH [--work DIR] [-v] FILE.md...

Fenced blocks are taken from each Markdown file by their info string:

  ```rlf           a complete program: `rlfc check` must exit 0 and print
                   no diagnostics.
  ```rlf-error     a program rlfc must reject: `rlfc check` must exit 1.
                   A trailing comment `# error: TEXT` on a line says that an
                   error whose message contains TEXT is reported on that
                   line; every annotated error must be reported and every
                   reported error must be annotated (as in tests/errors/).
  ```rlf-fragment  part of a program (not checked).

Each block is written to its own file, named after the document and the
line where the block starts (language.md-L120.rlf), so a failure points
back at the example. `import std.x` in an example resolves through rlfc's
usual search (next to the rlfc binary, or --stdlib / RLF_STDLIB).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from proc import error_lines, match_errors  # noqa: E402

FENCE = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
ANN = re.compile(r"#\s*error:\s*(?P<text>.+?)\s*$")
KINDS = ("rlf", "rlf-error", "rlf-fragment")


def blocks(path):
    """(kind, first line of the body, body) for every rlf* fenced block"""
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
        if info in KINDS:
            out.append((info, start + 1, "\n".join(lines[start:j]) + "\n"))
        elif info.startswith("rlf"):
            out.append(("unknown:" + info, start, ""))
        i = j + 1
    return out


def check_one(rlfc, kind, path, text):
    p = subprocess.run([rlfc, "check", path], capture_output=True, text=True, errors="replace", timeout=60)
    problems = []
    if p.returncode not in (0, 1):
        return [f"rlfc crashed or exited {p.returncode}:\n{p.stderr}"]
    if "internal error" in p.stderr:
        problems.append("internal error")
    if kind == "rlf":
        if p.returncode != 0 or p.stderr.strip():
            problems.append(f"expected the program to compile; rlfc check exited {p.returncode}")
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
    counts = {"rlf": 0, "rlf-error": 0, "rlf-fragment": 0}
    failed = []
    for doc in a.docs:
        for kind, line, text in blocks(doc):
            where = f"{doc}:{line}"
            if kind.startswith("unknown:"):
                failed.append((where, [f"unknown block kind '{kind[8:]}' (use rlf, rlf-error or rlf-fragment)"]))
                continue
            counts[kind] += 1
            if kind == "rlf-fragment":
                continue
            path = os.path.join(work, f"{os.path.basename(doc)}-L{line}.rlf")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            problems = check_one(a.rlfc, kind, path, text)
            if problems:
                failed.append((where, problems))
            elif a.verbose:
                print(f"ok   {where} ({kind})")
    for where, problems in failed:
        print(f"FAIL {where}")
        for p in problems:
            print("     " + p.rstrip().replace("\n", "\n     "))
    print(f"{counts['rlf']} programs, {counts['rlf-error']} rejected programs, "
          f"{counts['rlf-fragment']} fragments; {len(failed)} failed")
    if failed:
        print(f"extracted examples kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
