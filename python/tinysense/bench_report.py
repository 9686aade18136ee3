"""Benchmark report: bench/results/*.json -> REPORT.md (markdown tables) + bench.png.

Inputs (each optional; a missing file drops its section with a note):
  host.json         Google Benchmark JSON written by bench_host (wall clock).
  host_icount.json  x86-64 instruction counts from callgrind (see `icount` below).
  target.json       Cortex-M4F instruction counts under QEMU, written by
                    scripts/bench-target: a list of records (or {"records": [...]})
                    with the keys kernel, param, instructions, per_sample,
                    reference_name, reference_instructions, text_bytes,
                    stack_bytes, ram_bytes (missing keys print as "-").

Usage:
  python3 -m tinysense.bench_report [--results DIR] [--host-command CMD] [--target-command CMD]
  python3 -m tinysense.bench_report icount --out FILE DUMP...   # callgrind dumps -> JSON

Ratios are always "reference time (or instructions) / tinysense", so a value
above 1 means tinysense is faster. Pure Python + matplotlib (Agg backend); does
not need the compiled tinysense module.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections import OrderedDict

# Goal stated in the FFT issue: tinysense rfft >= 4x faster than KissFFT on the host.
KISSFFT_GOAL = 4.0

IMPL_LABELS = {
    "tinysense": "tinysense",
    "kissfft": "KissFFT",
    "fftw_measure": "FFTW (MEASURE)",
    "fftw_estimate": "FFTW (ESTIMATE)",
    "naive_df2t": "plain TDF-II loop",
    "naive_loop": "plain loop",
}
QEMU_NOTE = "QEMU counts instructions, not cycles"

_TIME_SCALE_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


# ---- Loading ------------------------------------------------------------------

def split_name(name):
    """'rfft_f32/kissfft/1024' -> ('rfft_f32', 'kissfft', '1024')."""
    parts = name.split("/")
    if len(parts) < 3:
        return name, "", ""
    return parts[0], parts[1], "/".join(parts[2:])


def load_host(path):
    """Google Benchmark JSON -> (context, rows) with one row per benchmark.

    Row keys: name, kernel, impl, param, time_ns (median CPU time per call),
    mean_ns, cv (coefficient of variation of the repetitions, or None),
    samples (per call), repetitions, error (str or None).
    Accepts files written with or without --benchmark_report_aggregates_only.
    """
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    rows = OrderedDict()
    iterations = {}
    for b in data.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        kernel, impl, param = split_name(name)
        row = rows.setdefault(name, {
            "name": name, "kernel": kernel, "impl": impl, "param": param,
            "time_ns": None, "mean_ns": None, "cv": None, "samples": None,
            "repetitions": b.get("repetitions", 1), "error": None,
        })
        if b.get("error_occurred"):
            row["error"] = b.get("error_message", "error")
            continue
        scale = _TIME_SCALE_NS[b.get("time_unit", "ns")]
        agg = b.get("aggregate_name")
        if "samples_per_call" in b and agg in (None, "mean", "median"):  # stddev/cv of a constant are 0
            row["samples"] = int(round(b["samples_per_call"]))
        if b.get("run_type") == "aggregate":
            if agg == "median":
                row["time_ns"] = b["cpu_time"] * scale
            elif agg == "mean":
                row["mean_ns"] = b["cpu_time"] * scale
            elif agg == "cv":
                row["cv"] = b["cpu_time"]  # a fraction, not a time
        else:
            iterations.setdefault(name, []).append(b["cpu_time"] * scale)
    for name, times in iterations.items():  # no aggregates: compute them here
        row = rows[name]
        times.sort()
        if row["time_ns"] is None:
            mid = len(times) // 2
            row["time_ns"] = times[mid] if len(times) % 2 else 0.5 * (times[mid - 1] + times[mid])
        if row["mean_ns"] is None:
            row["mean_ns"] = sum(times) / len(times)
        if row["cv"] is None and len(times) > 1:
            m = row["mean_ns"]
            sd = math.sqrt(sum((t - m) ** 2 for t in times) / (len(times) - 1))
            row["cv"] = sd / m if m else None
    return data.get("context", {}), sort_rows(rows.values())


def _load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_records(path):
    """target.json / host_icount.json -> (meta dict, list of record dicts)."""
    data = _load_json(path)
    if isinstance(data, list):
        return {}, data
    meta = {k: v for k, v in data.items() if k not in ("records", "results")}
    return meta, list(data.get("records", data.get("results", [])))


# Table order: kernels in this order first, then the others alphabetically.
KERNEL_ORDER = ["rfft_f32", "rfft_q15", "biquad_f32", "biquad_q15", "rms_f32", "rms_i16",
                "features_f32", "features_i16"]


def sort_rows(rows):
    """Kernel (KERNEL_ORDER), then size, then tinysense before the references."""
    def key(r):
        k = r["kernel"]
        return (KERNEL_ORDER.index(k) if k in KERNEL_ORDER else len(KERNEL_ORDER), k,
                _param_key(r["param"]), r["impl"] != "tinysense", r["impl"])
    return sorted(rows, key=key)


# ---- callgrind -> host_icount.json ---------------------------------------------

_LABEL_RE = re.compile(r"^(?P<name>\S+) reps=(?P<reps>\d+)$")


def parse_callgrind_dump(path):
    """One callgrind dump -> (label, total Ir) or None if it is not a client-request dump."""
    label = None
    total = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("desc: Trigger: Client Request: "):
                label = line[len("desc: Trigger: Client Request: "):].strip()
            elif line.startswith("summary:") or line.startswith("totals:"):
                total = int(line.split()[1])
    if label is None or total is None:
        return None
    return label, total


def icount_records(dumps, samples=None):
    """Callgrind dumps named '<kernel>/<impl>/<param> reps=<n>' -> records sorted by name."""
    records = []
    for path in dumps:
        parsed = parse_callgrind_dump(path)
        if parsed is None:
            continue
        label, total = parsed
        m = _LABEL_RE.match(label)
        if not m:
            continue
        name, reps = m.group("name"), int(m.group("reps"))
        kernel, impl, param = split_name(name)
        rec = {"name": name, "kernel": kernel, "impl": impl, "param": param, "reps": reps,
               "instructions_total": total, "instructions": total / reps}
        if samples and name in samples:
            rec["samples"] = samples[name]
            rec["per_sample"] = rec["instructions"] / samples[name]
        records.append(rec)
    return sort_rows(records)


# ---- Formatting -------------------------------------------------------------------

def _param_key(p):
    nums = [int(x) for x in re.findall(r"\d+", str(p))]
    return (nums, str(p))


def fmt_time(ns):
    if ns is None:
        return "-"
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def fmt_num(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) >= 1000):
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def fmt_bytes(x):
    return "-" if x is None else f"{int(x):,}"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return out


def impl_label(impl):
    return IMPL_LABELS.get(impl, impl)


def ratio(ref, ours):
    if ref is None or ours is None or ours <= 0:
        return None
    return ref / ours


def _index(rows):
    """rows -> {(kernel, param): {impl: row}} in first-seen order."""
    groups = OrderedDict()
    for r in rows:
        groups.setdefault((r["kernel"], r["param"]), OrderedDict())[r["impl"]] = r
    return groups


# ---- Sections -------------------------------------------------------------------------

def host_section(context, rows, command):
    lines = ["## Host (x86-64): wall clock", ""]
    caches = ", ".join(f"L{c.get('level')} {'' if c.get('type') == 'Unified' else c.get('type', '') + ' '}"
                       f"{c.get('size', 0) // 1024} KiB" for c in context.get("caches", []))
    lines += [
        f"- Command: `{command}`",
        f"- Machine: {context.get('cpu_model', 'x86-64')}, {context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz"
        + (f"; caches {caches}" if caches else "")
        + (f"; load average {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))}" if context.get("load_avg") else ""),
        f"- tinysense compiled with {context.get('tinysense_compiler', '?')}, flags `{context.get('tinysense_cxx_flags', '?')}` "
        "(no -march: the x86-64 baseline, SSE2). KissFFT and FFTW are Debian's shared libraries "
        "(FFTW picks SSE/AVX code at run time).",
        f"- Date: {context.get('date', '?')}. Time per call is the median CPU time over "
        f"{max((r['repetitions'] for r in rows), default=1)} repetitions; CV is the coefficient of variation "
        "of those repetitions (the machine is shared, so treat differences under ~10% as noise).",
        "",
    ]
    groups = _index(rows)
    fft = [(k, v) for k, v in groups.items() if k[0] == "rfft_f32"]
    if fft:
        lines += ["### Real FFT forward, float32 (numpy.fft.rfft), time per call", ""]
        body = []
        for (kernel, param), impls in sorted(fft, key=lambda kv: _param_key(kv[0][1])):
            ts = impls.get("tinysense", {}).get("time_ns")
            kiss = impls.get("kissfft", {}).get("time_ns")
            fftw = impls.get("fftw_measure", {}).get("time_ns")
            r_kiss = ratio(kiss, ts)
            goal = "-" if r_kiss is None else ("met" if r_kiss >= KISSFFT_GOAL else f"not met ({r_kiss:.2f}x of {KISSFFT_GOAL:g}x)")
            body.append([param, fmt_time(ts), fmt_time(kiss), fmt_time(fftw),
                         fmt_ratio(r_kiss), fmt_ratio(ratio(fftw, ts)), goal])
        lines += table(["N", "tinysense", "KissFFT", "FFTW (MEASURE)", "KissFFT / tinysense",
                        "FFTW / tinysense", f"goal >= {KISSFFT_GOAL:g}x vs KissFFT"], body)
        lines += ["", "A ratio above 1 means tinysense is faster.", ""]
    lines += ["### All host benchmarks", ""]
    body = []
    for (kernel, param), impls in groups.items():
        ts = impls.get("tinysense", {}).get("time_ns")
        for impl, r in impls.items():
            if r["error"]:
                body.append([kernel, param, impl_label(impl), "error: " + r["error"], "-", "-", "-", "-"])
                continue
            per = r["time_ns"] / r["samples"] if r["time_ns"] and r["samples"] else None
            msps = 1e3 / per if per else None
            rel = "-" if impl == "tinysense" else fmt_ratio(ratio(r["time_ns"], ts))
            cv = "-" if r["cv"] is None else f"{100 * r['cv']:.1f}%"
            body.append([kernel, param, impl_label(impl), fmt_time(r["time_ns"]),
                         fmt_num(per), fmt_num(msps), cv, rel])
    lines += table(["kernel", "size", "implementation", "time per call", "ns per sample",
                    "Msamples/s", "CV", "time / tinysense time (>1: tinysense faster)"], body)
    lines.append("")
    return lines


def icount_section(meta, records, command):
    lines = ["## Host (x86-64): instruction counts (callgrind)", ""]
    lines += [
        f"- Command: `{command}`",
        "- Exact and repeatable (valgrind callgrind `Ir`), unlike wall clock on a shared machine. "
        "Counts ignore SIMD width, latency and cache misses: FFTW's AVX code does more work per "
        "instruction than the SSE2 baseline tinysense is compiled for. FFTW is planned with "
        "FFTW_ESTIMATE here because FFTW_MEASURE would time valgrind.",
        "",
    ]
    body = []
    for (kernel, param), impls in _index(records).items():
        ts = impls.get("tinysense", {}).get("instructions")
        for impl, r in impls.items():
            rel = "-" if impl == "tinysense" else fmt_ratio(ratio(r.get("instructions"), ts))
            body.append([kernel, param, impl_label(impl), fmt_num(r.get("instructions")),
                         fmt_num(r.get("per_sample")), rel])
    lines += table(["kernel", "size", "implementation", "instructions per call",
                    "per sample", "instructions / tinysense instructions"], body)
    lines.append("")
    return lines


def normalize_target(records):
    """target.json records (either format) -> dicts with per_unit and a references list.

    scripts/bench-target writes {instructions, unit, units, per_unit, references:
    [{name, per_unit}], ...}; the flat format has per_sample, reference_name and
    reference_instructions (per call) instead.
    """
    out = []
    for r in records:
        r = dict(r)
        if "per_unit" not in r:
            if r.get("per_sample") is not None:
                r["per_unit"] = r["per_sample"]
                r.setdefault("unit", "sample")
            else:
                r["per_unit"] = r.get("instructions")
                r.setdefault("unit", "call")
        if "references" not in r:
            refs = []
            if r.get("reference_name") or r.get("reference_instructions") is not None:
                ref_call = r.get("reference_instructions")
                ours_call = r.get("instructions")
                ref_unit = (ref_call * r["per_unit"] / ours_call
                            if ref_call is not None and ours_call and r.get("per_unit") is not None else ref_call)
                refs.append({"name": r.get("reference_name") or "reference", "per_unit": ref_unit})
            r["references"] = refs
        out.append(r)
    return out


def target_section(meta, records, command):
    cmd = meta.get("command", command)
    records = normalize_target(records)
    lines = ["## Cortex-M4F (QEMU mps2-an386): instruction counts and memory", ""]
    lines += [
        f"- Command: `{cmd}`",
        f"- **{QEMU_NOTE}**: every count in this section is executed instructions from a QEMU TCG "
        "plugin, with no pipeline, flash wait-state, FPU/multiply latency or branch timing. "
        "Compare instruction counts only with instruction counts.",
    ]
    for key, label in (("compiler", "Compiler"), ("flags", "Flags"), ("emulator", "Emulator"),
                       ("git_commit", "Commit"), ("date", "Date"), ("notes", "Notes")):
        if meta.get(key):
            lines.append(f"- {label}: `{meta[key]}`" if key in ("flags", "emulator") else f"- {label}: {meta[key]}")
    calib = meta.get("calibration") or []
    if calib:
        exact = sum(1 for c in calib if c.get("expected") == c.get("instructions"))
        lines.append(f"- Counter calibration: {exact} of {len(calib)} known-count snippets counted exactly "
                     f"(start/stop overhead {meta.get('overhead_instructions', '?')} instructions, subtracted).")
    lines += ["- Reference figures are not measured by this run: they come from "
              "`bench/target/references.json` (QEMU instruction counts, same compiler, -O3; "
              "see bench/target/README.md for their provenance).", ""]
    body = []
    for r in records:
        ours = r.get("per_unit")
        refs = r.get("references") or [None]
        for i, ref in enumerate(refs):
            first = i == 0
            body.append([
                r.get("kernel", "-") if first else "", r.get("param", "-") if first else "",
                fmt_num(r.get("instructions")) if first else "", r.get("unit", "-") if first else "",
                fmt_num(ours) if first else "",
                ref.get("name", "-") if ref else "-", fmt_num(ref.get("per_unit")) if ref else "-",
                fmt_ratio(ratio(ref.get("per_unit"), ours)) if ref else "-"])
    lines += table(["kernel", "size", f"tinysense instructions per call ({QEMU_NOTE})", "unit",
                    "tinysense instructions per unit", "reference",
                    f"reference instructions per unit ({QEMU_NOTE})",
                    "reference / tinysense (>1: tinysense executes fewer)"], body)
    lines += ["", "### Flash, RAM and stack per kernel (Cortex-M4F build)", "",
              "flash: what a firmware using only this kernel grows by (init + process, libm and "
              "runtime helpers included; `tinysense` = the library's own symbols); RAM: the object plus "
              "caller-provided twiddles/state (not the signal buffers); stack: measured high-water "
              "mark of one call (static worst case from GCC's call graph in brackets).", ""]
    body = []
    seen = set()
    for r in records:
        key = (r.get("kernel"), r.get("param"))
        if key in seen:
            continue
        seen.add(key)
        stack = fmt_bytes(r.get("stack_bytes"))
        if r.get("stack_static_bytes") is not None:
            stack += f" ({fmt_bytes(r.get('stack_static_bytes'))})"
        body.append([r.get("kernel", "-"), r.get("param", "-"), fmt_bytes(r.get("text_bytes")),
                     fmt_bytes(r.get("text_tinysense_bytes")), fmt_bytes(r.get("rodata_bytes")),
                     fmt_bytes(r.get("ram_bytes")), stack])
    lines += table(["kernel", "size", "flash code bytes", "of which tinysense", "flash const bytes",
                    "RAM bytes", "stack bytes"], body)
    lines.append("")
    return lines


# ---- Plot -------------------------------------------------------------------------------

def plot(path, host_rows, target_records):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(14, 9), dpi=80)
    groups = _index(host_rows)

    ax = axes[0][0]
    fft = sorted(((k[1], v) for k, v in groups.items() if k[0] == "rfft_f32"), key=lambda kv: _param_key(kv[0]))
    impls = ["tinysense", "kissfft", "fftw_measure"]
    if fft:
        width = 0.8 / len(impls)
        for i, impl in enumerate(impls):
            ys = [(v.get(impl) or {}).get("time_ns") or 0.0 for _, v in fft]
            ax.bar([j + (i - 1) * width for j in range(len(fft))], [y / 1e3 for y in ys], width, label=impl_label(impl))
        ax.set_xticks(range(len(fft)), [f"N={p}" for p, _ in fft])
        ax.set_yscale("log")
        ax.set_ylabel("µs per call (lower is better)")
        ax.legend(fontsize=8)
    ax.set_title("Host rfft float32: time per call")

    ax = axes[0][1]
    if fft:
        ps = [p for p, _ in fft]
        for impl, marker in (("kissfft", "o"), ("fftw_measure", "s")):
            ys = [ratio((v.get(impl) or {}).get("time_ns"), (v.get("tinysense") or {}).get("time_ns")) or 0.0
                  for _, v in fft]
            ax.plot(range(len(ps)), ys, marker=marker, label=f"{impl_label(impl)} / tinysense")
        ax.axhline(KISSFFT_GOAL, color="red", linestyle="--", linewidth=1, label=f"goal {KISSFFT_GOAL:g}x vs KissFFT")
        ax.axhline(1.0, color="gray", linewidth=0.8)
        ax.set_xticks(range(len(ps)), [f"N={p}" for p in ps])
        ax.set_ylabel("speed-up of tinysense (higher is better)")
        ax.legend(fontsize=8)
    ax.set_title("Host rfft float32: time ratio")

    ax = axes[1][0]
    other = [r for r in host_rows if r["kernel"] != "rfft_f32" and r["time_ns"] and r["samples"]]
    if other:
        ax.barh(range(len(other)), [r["time_ns"] / r["samples"] for r in other],
                color=["C0" if r["impl"] == "tinysense" else "C7" for r in other])
        ax.set_yticks(range(len(other)), [f"{r['kernel']} {r['param']} {impl_label(r['impl'])}" for r in other],
                      fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("ns per sample (lower is better; grey: baseline loop)")
    ax.set_title("Host: other kernels")

    ax = axes[1][1]
    bars = [(f"{r.get('kernel')} {r.get('param')}\nvs {ref.get('name')}", ratio(ref.get("per_unit"), r.get("per_unit")))
            for r in normalize_target(target_records) for ref in r.get("references") or []]
    bars = [(label, v) for label, v in bars if v is not None]
    if bars:
        ax.barh(range(len(bars)), [v for _, v in bars], color=["C2" if v >= 1 else "C3" for _, v in bars])
        ax.set_yticks(range(len(bars)), [label for label, _ in bars], fontsize=7)
        ax.invert_yaxis()
        ax.axvline(1.0, color="gray", linewidth=0.8)
        ax.set_xlabel("reference / tinysense instructions (>1: tinysense executes fewer)")
    else:
        ax.text(0.5, 0.5, "no Cortex-M4F results with references\n(scripts/bench-target)", ha="center", va="center")
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(f"Cortex-M4F under QEMU ({QEMU_NOTE})", fontsize=10)

    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)


# ---- Entry points ------------------------------------------------------------------------

def build_report(results, host_command, icount_command, target_command, png_name="bench.png"):
    """Reads the JSON files in `results`; returns (markdown text, host rows, target records)."""
    lines = ["# tinysense benchmark report", "",
             "Generated by `scripts/bench` (python/tinysense/bench_report.py); do not edit by hand. "
             f"Plots: [{png_name}]({png_name}).", ""]
    host_rows = []
    host_json = os.path.join(results, "host.json")
    if os.path.exists(host_json):
        context, host_rows = load_host(host_json)
        lines += host_section(context, host_rows, host_command)
    else:
        lines += ["## Host (x86-64): wall clock", "", "No host.json: run `scripts/bench`.", ""]
    icount_json = os.path.join(results, "host_icount.json")
    if os.path.exists(icount_json):
        meta, recs = load_records(icount_json)
        lines += icount_section(meta, recs, meta.get("command", icount_command))
    target_records = []
    target_json = os.path.join(results, "target.json")
    if os.path.exists(target_json):
        meta, target_records = load_records(target_json)
        lines += target_section(meta, target_records, target_command)
    else:
        lines += ["## Cortex-M4F (QEMU mps2-an386)", "",
                  f"No target.json yet: `{target_command}` writes it ({QEMU_NOTE}).", ""]
    return "\n".join(lines).rstrip() + "\n", host_rows, target_records


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "icount":
        p = argparse.ArgumentParser(prog="tinysense.bench_report icount",
                                    description="callgrind dumps -> host_icount.json")
        p.add_argument("--out", required=True)
        p.add_argument("--command", default="scripts/bench", help="recorded in the JSON")
        p.add_argument("--samples", help="file of 'name samples=N' lines printed by bench_host_icount")
        p.add_argument("dumps", nargs="+")
        a = p.parse_args(argv[1:])
        samples = {}
        if a.samples:
            with open(a.samples, encoding="utf-8") as f:
                for line in f:
                    m = re.match(r"^(\S+) reps=\d+ samples=(\d+)$", line.strip())
                    if m:
                        samples[m.group(1)] = int(m.group(2))
        recs = icount_records(a.dumps, samples)
        if not recs:
            print("bench_report icount: no client-request dumps found", file=sys.stderr)
            return 1
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump({"command": a.command, "tool": "valgrind --tool=callgrind", "records": recs}, f, indent=1)
            f.write("\n")
        return 0

    p = argparse.ArgumentParser(prog="tinysense.bench_report", description=__doc__.split("\n")[0])
    p.add_argument("--results", default="bench/results", help="directory with host.json / target.json")
    p.add_argument("--host-command", default="scripts/bench")
    p.add_argument("--icount-command", default="scripts/bench")
    p.add_argument("--target-command", default="scripts/bench-target")
    p.add_argument("--no-plot", action="store_true")
    a = p.parse_args(argv)
    text, host_rows, target_records = build_report(a.results, a.host_command, a.icount_command, a.target_command)
    with open(os.path.join(a.results, "REPORT.md"), "w", encoding="utf-8") as f:
        f.write(text)
    if not a.no_plot:
        plot(os.path.join(a.results, "bench.png"), host_rows, target_records)
    print(f"wrote {os.path.join(a.results, 'REPORT.md')}" + ("" if a.no_plot else " and bench.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
