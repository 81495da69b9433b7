#!/usr/bin/env python3
"""bench/report.py: turns the raw JSON lines of bench/run.sh into
bench/results/<date>.json and the Markdown tables of docs/performance.md.

  python3 bench/report.py RAW.jsonl [--json-out FILE] [--command TEXT]
  python3 bench/report.py bench/results/<date>.json      (re-print a saved run)

The floor of a case is its compulsory bytes (every input read once, every output
written once) divided by the best copy bandwidth the C probe measured (memcpy and
a read+write loop, one thread and all threads, 256 MiB, read + written bytes; the
probe runs at the start and at the end of the run). Shapes that fit in the caches
can beat this floor, which is a main-memory one.
Standard library only: runs under any python3.
"""
import argparse
import datetime
import json
import statistics
import sys

TB = ["T=128, B=8", "T=2048, B=64", "T=1024, B=1024", "T=8192, B=256"]
GK = ["G=1024, K=8", "G=65536, K=16"]
LOOP_PEERS = ["numpy-loop", "torch-loop"]
JIT_PEERS = ["numba", "numba-par", "rlax-jit"]
GROUP_PEERS = ["numpy-vec", "torch-vec"]
BIG = ["T=1024, B=1024", "T=8192, B=256"]


def load(path):
    with open(path) as f:
        text = f.read()
    if text.lstrip().startswith("{") and '"records"' in text[:2000]:
        return json.loads(text)
    recs = [json.loads(l) for l in text.splitlines() if l.strip()]
    doc = {"records": [], "machine": {}, "copy_probe": {}}
    for r in recs:
        if "machine" in r:
            doc["machine"] = r["machine"]
        elif "loadavg_end" in r:
            doc["machine"]["loadavg_end"] = r["loadavg_end"]
        elif r.get("probe") == "copy":
            # probes at the start and the end of the run: keep both, use the best of each
            doc.setdefault("copy_probes", []).append(r)
            best = doc["copy_probe"]
            for k, v in r.items():
                best[k] = max(best[k], v) if k.endswith("_gbps") and k in best else best.get(k, v)
        else:
            doc["records"].append(r)
    return doc


def fmt_t(s):
    if s is None:
        return "—"
    return f"{s * 1e6:.3g} µs" if s < 1e-3 else f"{s * 1e3:.3g} ms"


def fmt_x(x, digits=3):
    return "—" if x is None else f"{x:.{digits}g}x"


def short(dims):
    return "×".join(p.split("=")[1] for p in dims.split(", "))


class Run:
    def __init__(self, doc):
        self.doc = doc
        p = doc["copy_probe"]
        keys = ["memcpy_1t_gbps", "memcpy_gbps", "loop_1t_gbps", "loop_gbps"]
        self.bw = max((p[k] for k in keys if p.get(k)), default=None)
        doc["floor_gbps"] = self.bw
        self.threads = doc["machine"].get("threads_used")
        self.timed = {}
        for r in doc["records"]:
            if "median_s" in r:
                key = (r["impl"], r["pipeline"], r["dims"], r.get("layout", "time-major"), r.get("threads"))
                self.timed[key] = r

    def get(self, impl, pipe, dims, layout="time-major", threads=None):
        threads = self.threads if threads is None else threads
        r = self.timed.get((impl, pipe, dims, layout, threads))
        if r is None and impl not in ("rlf", "c"):           # single-threaded peers
            r = self.timed.get((impl, pipe, dims, layout, 1))
        return r

    def t(self, *a, **k):
        r = self.get(*a, **k)
        return r["median_s"] if r else None

    def floor(self, pipe, dims, layout="time-major"):
        r = self.get("rlf", pipe, dims, layout) or self.get("c", pipe, dims, layout)
        return r["bytes"] / (self.bw * 1e9) if r and self.bw else None


def ratio(a, b):
    return a / b if a is not None and b else None


def tables(run):
    out = []
    m = run.doc["machine"]
    head = f"Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores ({run.threads} threads used), {m.get('mem_mib', 0) // 1024} GiB"
    if m.get("l3_bytes"):
        head += f", L2 {int(m['l2_bytes']) >> 10} KiB per core, L3 {int(m['l3_bytes']) >> 20} MiB" if m.get("l2_bytes") else \
            f", L3 {int(m['l3_bytes']) >> 20} MiB"
    if m.get("rlf_commit"):
        head += f"; rlf at {m['rlf_commit']}"
    out.append(head + ". ")
    p = run.doc["copy_probe"]
    if p:
        out[-1] += (f"copy bandwidth (256 MiB, read + written bytes): memcpy {p['memcpy_1t_gbps']:.1f} GB/s on one thread, "
                    f"{p['memcpy_gbps']:.1f} on {p['threads']}; read+write loop {p['loop_1t_gbps']:.1f} / {p['loop_gbps']:.1f}. "
                    f"Floor bandwidth (the best of these): {run.bw:.1f} GB/s.")
    la, lb = m.get("loadavg_start"), m.get("loadavg_end")
    if la is not None:
        out[-1] += f" Load average at start / end: {la:.2f} / {lb if lb is not None else float('nan'):.2f}."
    out.append("")
    n = run.threads
    out += gae_table(run, n, peers=True)
    out += group_table(run, n, peers=True)
    if n and n > 1 and any(k[4] == 1 and k[0] in ("rlf", "c") for k in run.timed):
        out += gae_table(run, 1, peers=False)
        out += group_table(run, 1, peers=False)
        out.append("")
        out.append(f"### Thread scaling: time on 1 thread / time on {n} (medians)")
        out.append("")
        hdr = ["pipeline", "shape", "layout", "rlf", "C"]
        out.append("| " + " | ".join(hdr) + " |")
        out.append("|" + "---|" * len(hdr))
        for pipe, shapes, layouts in (("gae", TB, LAYOUTS), ("gae_whiten", TB, LAYOUTS), ("grpo", GK, ("time-major",)),
                                      ("rloo", GK, ("time-major",))):
            for dims in shapes:
                for layout in layouts:
                    cl = layout if pipe.startswith("gae") else "row-major"
                    rs = ratio(run.t("rlf", pipe, dims, layout, threads=1), run.t("rlf", pipe, dims, layout))
                    cs = ratio(run.t("c", pipe, dims, cl, threads=1), run.t("c", pipe, dims, cl))
                    if rs is None and cs is None:
                        continue
                    out.append("| " + " | ".join([pipe, short(dims), layout if pipe.startswith("gae") else "",
                                                  fmt_x(rs), fmt_x(cs)]) + " |")
    ab = [r for r in run.doc["records"] if r.get("impl") == "ab" and "ratio_median" in r]
    if ab:
        out.append("")
        out.append("### rlf / C in one process (rlfc build output and the C reference called alternately)")
        out.append("")
        hdr = ["pipeline", "shape", "layout", "threads", "rlf", "C", "rlf / C", "rlf / C (best)"]
        out.append("| " + " | ".join(hdr) + " |")
        out.append("|" + "---|" * len(hdr))
        for r in ab:
            out.append("| " + " | ".join([r["pipeline"], short(r["dims"]), r["layout"] if r["layout"] != "row-major" else "",
                                          str(r["threads"]), fmt_t(r["rlf_median_s"]), fmt_t(r["c_median_s"]),
                                          fmt_x(r["ratio_median"]), fmt_x(r["ratio_best"])]) + " |")
    jit = {}
    for r in run.doc["records"]:
        if r.get("kind") == "jit":
            jit.setdefault(r["entry"], []).append(r["ms"])
    builds = [r["ms"] for r in run.doc["records"] if r.get("kind") == "build"]
    if jit or builds:
        out.append("")
        out.append("### Compile latency (stdlib/advantages.rlf, median of 5)")
        out.append("")
        out.append("| what | ms |")
        out.append("|---|---|")
        for e, v in jit.items():
            out.append(f"| JIT of `{e}` (rlfc run --time) | {statistics.median(v):.0f} |")
        if jit:
            out.append(f"| JIT of all {len(jit)} pipelines, summed | {sum(statistics.median(v) for v in jit.values()):.0f} |")
        if builds:
            out.append(f"| rlfc build of the file (.so, .o, header; wall) | {statistics.median(builds):.0f} |")
    return out


LAYOUTS = ("time-major", "batch-major")


def gae_table(run, threads, peers):
    out = [f"### GAE (T×B, f32), {threads} thread{'s' if threads != 1 else ''}" +
           (": time, and in brackets how many times faster rlf is than each peer" if peers else ""), ""]
    hdr = ["pipeline", "T×B", "layout", "rlf", "rlf GB/s", "rlf / floor", "C", "C / floor", "rlf / C", "rlf / C (best)"]
    if peers:
        hdr += LOOP_PEERS + JIT_PEERS
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + "---|" * len(hdr))
    for pipe in ("gae", "gae_whiten"):
        for dims in TB:
            for layout in LAYOUTS:
                r, c = run.get("rlf", pipe, dims, layout, threads=threads), run.get("c", pipe, dims, layout, threads=threads)
                if r is None and c is None:
                    continue
                tr, tc = (r or {}).get("median_s"), (c or {}).get("median_s")
                fl = run.floor(pipe, dims, layout)
                row = [pipe, short(dims), layout, fmt_t(tr), f"{r['gbps']:.3g}" if r else "—",
                       fmt_x(ratio(tr, fl)), fmt_t(tc), fmt_x(ratio(tc, fl)), fmt_x(ratio(tr, tc)),
                       fmt_x(ratio((r or {}).get("best_s"), (c or {}).get("best_s")))]
                if peers:
                    for peer in LOOP_PEERS + JIT_PEERS:
                        tp = run.t(peer, pipe, dims, layout) if layout == "time-major" else None
                        row.append(f"{fmt_t(tp)} ({fmt_x(ratio(tp, tr))})" if tp else "—")
                out.append("| " + " | ".join(row) + " |")
    out.append("")
    return out if len(out) > 5 else []


def group_table(run, threads, peers):
    out = [f"### GRPO and RLOO (G×K, f32), {threads} thread{'s' if threads != 1 else ''}", ""]
    hdr = ["pipeline", "G×K", "rlf", "rlf GB/s", "rlf / floor", "C", "C / floor", "rlf / C", "rlf / C (best)"]
    if peers:
        hdr += GROUP_PEERS
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + "---|" * len(hdr))
    for pipe in ("grpo", "rloo"):
        for dims in GK:
            r, c = run.get("rlf", pipe, dims, "time-major", threads=threads), run.get("c", pipe, dims, "row-major", threads=threads)
            if r is None and c is None:
                continue
            tr, tc = (r or {}).get("median_s"), (c or {}).get("median_s")
            fl = run.floor(pipe, dims, "time-major") or run.floor(pipe, dims, "row-major")
            row = [pipe, short(dims), fmt_t(tr), f"{r['gbps']:.3g}" if r else "—", fmt_x(ratio(tr, fl)),
                   fmt_t(tc), fmt_x(ratio(tc, fl)), fmt_x(ratio(tr, tc)),
                   fmt_x(ratio((r or {}).get("best_s"), (c or {}).get("best_s")))]
            if peers:
                for peer in GROUP_PEERS:
                    tp = run.t(peer, pipe, dims, "row-major")
                    row.append(f"{fmt_t(tp)} ({fmt_x(ratio(tp, tr))})" if tp else "—")
            out.append("| " + " | ".join(row) + " |")
    out.append("")
    return out if len(out) > 5 else []


def targets(run):
    """the performance targets, each met or missed and by how much"""
    res = []

    def add(name, ok, detail):
        if detail in ("no results", "no peer results"):
            ok = None
        res.append({"target": name, "met": ok, "detail": detail})

    # within 1.1x of C everywhere
    worst = []
    for pipe, dl, layouts in (("gae", TB, ("time-major", "batch-major")), ("gae_whiten", TB, ("time-major", "batch-major")),
                              ("grpo", GK, ("time-major",)), ("rloo", GK, ("time-major",))):
        for dims in dl:
            for layout in layouts:
                tr = run.t("rlf", pipe, dims, layout)
                tc = run.t("c", pipe, dims, layout if pipe.startswith("gae") else "row-major")
                x = ratio(tr, tc)
                if x is not None:
                    worst.append((x, f"{pipe} {short(dims)} {layout if pipe.startswith('gae') else ''}".strip()))
    miss = sorted([w for w in worst if w[0] > 1.1], reverse=True)
    ab = [r for r in run.doc["records"] if r.get("impl") == "ab" and "ratio_median" in r and r.get("threads") == run.threads]
    ab_miss = sorted([(r["ratio_median"], f"{r['pipeline']} {short(r['dims'])} {r['layout'] if r['layout'] != 'row-major' else ''}".strip())
                      for r in ab if r["ratio_median"] > 1.1], reverse=True)
    detail = ("met at all %d cases" % len(worst) if not miss else
              "missed at %d of %d: " % (len(miss), len(worst)) + "; ".join(f"{n} {x:.2f}x" for x, n in miss))
    if ab:
        detail += (". In one process (A/B, %d threads): " % run.threads +
                   ("met at all %d cases" % len(ab) if not ab_miss else
                    "missed at %d of %d: " % (len(ab_miss), len(ab)) + "; ".join(f"{n} {x:.2f}x" for x, n in ab_miss)))
    add("rlf within 1.1x of the C reference at every shape", bool(worst) and not miss and not ab_miss, detail)
    fast = []
    for pipe in ("gae", "gae_whiten"):
        for dims in BIG:
            for layout in ("time-major", "batch-major"):
                x = ratio(run.t("rlf", pipe, dims, layout), run.t("c", pipe, dims, layout))
                if x is not None:
                    fast.append((x, f"{pipe} {short(dims)} {layout}"))
    slow = [f for f in fast if f[0] >= 1.0]
    add("rlf faster than C at 1024x1024 and 8192x256", bool(fast) and not slow,
        "; ".join(f"{n} {x:.2f}x" for x, n in fast) or "no results")
    for pipe, lim in (("gae", 1.3), ("gae_whiten", 1.6)):
        rows = []
        for dims in TB:
            for layout in ("time-major", "batch-major"):
                x = ratio(run.t("rlf", pipe, dims, layout), run.floor(pipe, dims, layout))
                if x is not None:
                    rows.append((x, f"{short(dims)} {layout}"))
        bad = [r for r in rows if r[0] > lim]
        cref = [(ratio(run.t("c", pipe, dims, layout), run.floor(pipe, dims, layout)), f"{short(dims)} {layout}")
                for dims in TB for layout in ("time-major", "batch-major")]
        cref = [c for c in cref if c[0] is not None]
        add(f"{pipe} within {lim}x of the floor", bool(rows) and not bad,
            "; ".join(f"{n} {x:.2f}x" for x, n in rows) +
            (" (the C reference: " + "; ".join(f"{n} {x:.2f}x" for x, n in cref) + ")" if cref else ""))
    for label, peers, lim in (("the best Python-loop peer", LOOP_PEERS, 20), ("numba (best of serial and parallel)", ["numba", "numba-par"], 2),
                              ("jitted rlax", ["rlax-jit"], 2)):
        rows, cref = [], []
        for pipe in ("gae", "gae_whiten"):
            for dims in TB:
                tr = run.t("rlf", pipe, dims, "time-major")
                tc = run.t("c", pipe, dims, "time-major")
                tp = [t for t in (run.t(p, pipe, dims, "time-major") for p in peers) if t]
                if tr and tp:
                    rows.append((min(tp) / tr, f"{pipe} {short(dims)}"))
                if tc and tp:
                    cref.append((min(tp) / tc, f"{pipe} {short(dims)}"))
        bad = [r for r in rows if r[0] < lim]
        add(f"at least {lim}x faster than {label}", bool(rows) and not bad,
            "no peer results" if not rows else "; ".join(f"{n} {x:.3g}x" for x, n in rows) +
            (" (the C reference: " + "; ".join(f"{n} {x:.3g}x" for x, n in cref) + ")" if cref else ""))
    per = {}
    for r in run.doc["records"]:
        if r.get("kind") == "jit":
            per.setdefault(r["entry"], []).append(r["ms"])
    if per:
        med = {e: statistics.median(v) for e, v in per.items()}
        worst = max(med, key=med.get)
        # rlfc JITs the pipeline it runs: the target is read per pipeline; the sum
        # (each run paying LLVM's set-up again) is given beside it
        add("JIT of stdlib/advantages.rlf under 150 ms (each pipeline)", med[worst] < 150,
            ", ".join(f"{e} {m:.0f} ms" for e, m in med.items()) +
            f"; all {len(med)} one after another {sum(med.values()):.0f} ms")
    return res


def checks(run):
    ok, bad, skipped = 0, [], []
    for r in run.doc["records"]:
        if "error" in r:
            bad.append(f"{r['impl']} {r.get('pipeline', '')} {r.get('dims', '')} {r.get('layout', '')}: {r['error']}")
        elif "skipped" in r:
            skipped.append(f"{r['impl']}: {r['skipped']}")
        elif "check" in r:
            ok += 1
    return ok, bad, skipped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--json-out")
    ap.add_argument("--command")
    a = ap.parse_args()
    doc = load(a.raw)
    if a.command:
        doc["command"] = a.command
    doc.setdefault("date", datetime.date.today().isoformat())
    run = Run(doc)
    doc["targets"] = targets(run)
    ok, bad, skipped = checks(run)
    doc["checks"] = {"passed": ok, "failed": bad, "skipped": skipped}
    lines = tables(run)
    lines.append("")
    lines.append(f"Correctness against the C reference before timing: {ok} checks passed, {len(bad)} failed.")
    lines += [f"- FAILED {b}" for b in bad] + [f"- skipped {s}" for s in skipped]
    lines.append("")
    lines.append("### Targets")
    lines.append("")
    for t in doc["targets"]:
        state = "not measured" if t["met"] is None else "met" if t["met"] else "MISSED"
        lines.append(f"- {state}: {t['target']} — {t['detail']}")
    print("\n".join(lines))
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
