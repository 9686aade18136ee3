#!/usr/bin/python3
"""MicroPython benchmark report: unix.json (bench_unix.py), microbit.json
(microbit.py) and m0.json (m0_count.py) -> mpy.json, mpy.md, mpy.png.

Ratios are "pure MicroPython / tinysense", so above 1 means tinysense is
faster. Unix port: computed from CPU time per call (see README.md); micro:bit
vs Cortex-M0: from exact instruction counts.

Usage: report.py WORK_DIR RESULTS_DIR [--command CMD]
A missing input drops its section with a note saying why.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOAL = 300.0  # issue "MicroPython front": >= 300x over the best pure MicroPython variant, FFT and IIR
KERNEL_NAMES = {"rfft": "real FFT", "rms": "RMS", "iir": "IIR, biquad cascade",
                "forest": "random forest predict (one vector)", "cnn": "CNN inference"}
FLOAT_TYPES = ("f32",)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fmt_us(v):
    if v is None:
        return "-"
    if v >= 1000:
        return "%.2f ms" % (v / 1000)
    if v >= 10:
        return "%.1f µs" % v
    return "%.2f µs" % v


def fmt_x(v):
    if v is None:
        return "-"
    return "%.0fx" % v if v >= 100 else ("%.1fx" % v if v >= 10 else "%.2fx" % v)


def md(text):
    """Text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|")


def fmt_int(v):
    return "-" if v is None else "{:,}".format(v)


def cost(r):
    """CPU time per call when measured, else the wall-clock median."""
    return r.get("cpu_us") or r.get("time_us")


def unix_summary(unix):
    """One row per (kernel, param): the best pure variants and tinysense."""
    groups = {}
    for r in unix["results"]:
        groups.setdefault((r["kernel"], r["param"]), []).append(r)
    rows = []
    for (kernel, param), rs in groups.items():
        pure = [r for r in rs if r["variant"] != "tinysense" and r.get("ok")]
        ts = {r["dtype"]: r for r in rs if r["variant"] == "tinysense"}
        best_any = min(pure, key=cost) if pure else None
        best_float = min((r for r in pure if r["dtype"] in FLOAT_TYPES), key=cost, default=None)
        best_int = min((r for r in pure if r["dtype"] not in FLOAT_TYPES), key=cost, default=None)
        for dtype, t in sorted(ts.items()):
            same = best_float if dtype in FLOAT_TYPES else best_int
            row = {"kernel": kernel, "param": param, "dtype": dtype}
            if not t.get("ok"):
                row["tinysense"] = None
                row["pending"] = t.get("pending") or t.get("check")
            else:
                row["tinysense"] = cost(t)
            for key, b in (("best_same", same), ("best_any", best_any)):
                row[key] = None if b is None else {"variant": b["variant"], "dtype": b["dtype"], "us": cost(b)}
                row["ratio_" + key[5:]] = (cost(b) / row["tinysense"]) if (b and row["tinysense"]) else None
            rows.append(row)
    return rows


def microbit_summary(mb, m0):
    ts = {(r["kernel"], r["param"]): r["instructions"] for r in (m0 or {}).get("results", [])}
    rows = []
    for r in (mb or {}).get("results", []):
        key = ("%s_%s" % (r["kernel"], r["dtype"]), r["param"])
        row = {"case": r["case"], "kernel": r["kernel"], "dtype": r["dtype"], "param": r["param"],
               "ok": r.get("ok"), "pure_instructions": r.get("instructions") if r.get("ok") else None,
               "pure_instructions_all": r.get("instructions_all"),
               "ticks_instructions": r.get("ticks_instructions"), "error": r.get("error"),
               "check": r.get("check"), "mem_free_after_setup": r.get("mem_free"),
               "tinysense_instructions": ts.get(key)}
        if row["pure_instructions"] and row["tinysense_instructions"]:
            row["ratio"] = row["pure_instructions"] / row["tinysense_instructions"]
        rows.append(row)
    # Best pure variant of any number format for the same kernel and size.
    for row in rows:
        pure = [r["pure_instructions"] for r in rows if (r["kernel"], r["param"]) == (row["kernel"], row["param"])
                and r["pure_instructions"]]
        row["best_pure_any"] = min(pure) if pure else None
        if row["best_pure_any"] and row["tinysense_instructions"]:
            row["ratio_any"] = row["best_pure_any"] / row["tinysense_instructions"]
    return rows


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip() or None
    except OSError:
        return None


def write_md(path, out, command):
    unix, rows, mbrows = out.get("unix"), out.get("unix_summary", []), out.get("microbit_summary", [])
    L = ["# MicroPython: pure MicroPython vs the tinysense native modules", "",
         "Generated by `%s` (bench/micropython/report.py); do not edit by hand. Plot: [mpy.png](mpy.png). "
         "Method and caveats: [bench/micropython/README.md](../micropython/README.md)." % command, "",
         "Ratios are pure MicroPython / tinysense: above 1, tinysense is faster. "
         "Goal of the issue: >= %dx over the best pure MicroPython variant for FFT and IIR." % GOAL, ""]
    L += ["## Unix port (x86-64): time per call", ""]
    if not unix:
        L += ["Not measured: %s" % out.get("unix_skipped", "no unix.json"), ""]
    else:
        L += ["- %s; heap %s; date %s; git %s; load average before the run: %s." % (
            unix["micropython"], out.get("heap", "?"), out["date"], out.get("git_commit"), out.get("loadavg")),
              "- tinysense modules: %s." % out.get("mpy_note", "build/mpy/x64"),
              "- CPU = CPU time per call (process CPU time over all repetitions / calls), used for the ratios; "
              "wall = median of the wall-clock samples (time.ticks_us); both over >= %d samples of >= %d ms. "
              "The machine is shared (2 cores): wall times include time the process was not running." % (
                  unix.get("min_samples", 7), unix["min_sample_us"] // 1000),
              "- alloc = heap bytes allocated by one call (gc.mem_alloc() delta, GC disabled).",
              "- viper compiles the float kernels unchanged (boxed floats: little gain); the integer kernels "
              "have hand-written viper versions with ptr8/ptr16/ptr32 (`kernels_viper.py`).", ""]
        L += ["### Summary", "",
              "| kernel | size | format | tinysense per call (CPU) | best pure, same number format | ratio | "
              "best pure, any format | ratio | goal >= %dx |" % GOAL,
              "|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            goal = "-"
            if r["kernel"] in ("rfft", "iir") and r.get("ratio_any"):
                goal = "%s vs any format; %s vs the same format" % (
                    "met" if r["ratio_any"] >= GOAL else "not met",
                    "met" if (r.get("ratio_same") or 0) >= GOAL else "not met")
            bs, ba = r.get("best_same"), r.get("best_any")
            ts = fmt_us(r["tinysense"]) if r["tinysense"] else "pending: %s" % md(r.get("pending"))
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r["kernel"], r["param"], r["dtype"], ts,
                "%s %s, %s" % (bs["dtype"], bs["variant"], fmt_us(bs["us"])) if bs else "-", fmt_x(r.get("ratio_same")),
                "%s %s, %s" % (ba["dtype"], ba["variant"], fmt_us(ba["us"])) if ba else "-", fmt_x(r.get("ratio_any")),
                goal))
        L += ["", "### Every variant", "",
              "| kernel | size | format | variant | CPU per call | wall median (min-max) | alloc per call | "
              "tinysense (same format) faster by | check |", "|---|---|---|---|---|---|---|---|---|"]
        ts_cost = {(r["kernel"], r["param"], r["dtype"]): cost(r) for r in unix["results"]
                   if r["variant"] == "tinysense" and r.get("ok")}
        same_fmt = {"f32": "f32", "q15": "q15", "i16": "i16"}
        for r in unix["results"]:
            if r.get("pending"):
                L.append("| %s | %s | %s | %s | pending: %s | | | | |" % (
                    r["kernel"], r["param"], r["dtype"], r["variant"], md(r["pending"])))
                continue
            if not r.get("ok"):
                L.append("| %s | %s | %s | %s | CHECK FAILED | | | | %s |" % (
                    r["kernel"], r["param"], r["dtype"], r["variant"], md(r["check"])))
                continue
            t = ts_cost.get((r["kernel"], r["param"], same_fmt.get(r["dtype"], r["dtype"])))
            ratio = "-" if r["variant"] == "tinysense" or not t else fmt_x(cost(r) / t)
            L.append("| %s | %s | %s | %s | %s | %s (%s-%s) | %s | %s | %s |" % (
                r["kernel"], r["param"], r["dtype"], r["variant"], fmt_us(r.get("cpu_us")), fmt_us(r["time_us"]),
                fmt_us(r["time_us_min"]), fmt_us(r["time_us_max"]),
                "-" if r.get("alloc_bytes") is None else "{:,} B".format(r["alloc_bytes"]), ratio,
                md(r["check"] + ((" (" + r["note"] + ")") if r.get("note") else ""))))
        L.append("")
    L += ["## micro:bit (Cortex-M0, MicroPython 1.9.2) vs tinysense on Cortex-M0: instructions per call", ""]
    mb, m0 = out.get("microbit"), out.get("m0")
    if not mb:
        L += ["micro:bit not measured: %s" % out.get("microbit_skipped", "no microbit.json"), ""]
    if not m0:
        L += ["Cortex-M0 tinysense not measured: %s" % out.get("m0_skipped", "no m0.json"), ""]
    if mb or m0:
        L += ["- Pure MicroPython: %s, firmware %s, in `%s`; instructions counted exactly by the insncount "
              "plugin between two marker calls (median of %s calls; the spread comes from the firmware's timer "
              "interrupts and GC); `ticks_us` = the same call timed with utime.ticks_us() x 1000 "
              "(1 µs = 1000 instructions with -icount shift=0), as a cross-check." % (
                  (mb or {}).get("firmware_version", "?"), (mb or {}).get("firmware", "?"),
                  (mb or {}).get("machine", "?"), (mb or {}).get("reps", "?")),
              "- tinysense: %s, %s; %s. %s." % ((m0 or {}).get("compiler", "?"), (m0 or {}).get("flags", "?"),
                                                (m0 or {}).get("emulator", "?"), (m0 or {}).get("calibration", "")),
              "- Instructions, not cycles (QEMU models no pipeline or flash wait states); at the micro:bit's "
              "16 MHz, 1 M instructions take at least 62 ms. Both sides are soft float (Cortex-M0 has no FPU); "
              "MicroPython 1.9 on the micro:bit stores floats unboxed in 30 bits.", "",
              "| kernel | size | format | pure MicroPython | ticks_us x 1000 | tinysense (C++, M0), same format | "
              "ratio | ratio vs best pure of any format |",
              "|---|---|---|---|---|---|---|---|"]
        for r in mbrows:
            label = r["kernel"] + (" (float accumulator)" if r["case"] == "rms_i16f" else "")
            if r["pure_instructions"] is None:
                pure = "does not run: %s" % md(r.get("error") or r.get("check"))
            else:
                pure = fmt_int(r["pure_instructions"])
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, r["param"], r["dtype"], pure, fmt_int(r.get("ticks_instructions")),
                fmt_int(r.get("tinysense_instructions")), fmt_x(r.get("ratio")), fmt_x(r.get("ratio_any"))))
        L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


def write_png(path, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    unix = out.get("unix")
    mbrows = [r for r in out.get("microbit_summary", []) if r.get("pure_instructions") and r.get("tinysense_instructions")]
    fig, axes = plt.subplots(1, 2, figsize=(15, 6.5), gridspec_kw={"width_ratios": [2.2, 1]})
    ax = axes[0]
    if unix:
        groups = []
        for r in unix["results"]:
            key = (r["kernel"], r["param"])
            if key not in groups:
                groups.append(key)
        colors = {"plain": "#9e9e9e", "native": "#64b5f6", "viper": "#ffb74d", "tinysense": "#2e7d32"}
        x = 0
        ticks, labels = [], []
        for g in groups:
            rs = [r for r in unix["results"] if (r["kernel"], r["param"]) == g and r.get("ok")]
            start = x
            for r in rs:
                fam = r["variant"].split()[0].rstrip(",")
                hatch = "//" if r["dtype"] != "f32" else None
                ax.bar(x, cost(r), color=colors.get(fam, "#ccc"), hatch=hatch, edgecolor="black", linewidth=0.3)
                x += 1
            if rs:
                ticks.append((start + x - 1) / 2)
                labels.append("%s\n%s" % g)
                x += 1.2
        ax.set_yscale("log")
        ax.set_xticks(ticks)
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_ylabel("CPU time per call (µs, log)")
        ax.set_title("unix port x86-64: pure MicroPython vs tinysense module")
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color=c, label=k) for k, c in colors.items()] +
                  [Patch(facecolor="white", edgecolor="black", hatch="//", label="integer / Q15")],
                  fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=5)
    else:
        ax.text(0.5, 0.5, "unix port not measured", ha="center")
    ax = axes[1]
    if mbrows:
        import numpy as np
        pos = np.arange(len(mbrows))
        ax.bar(pos - 0.2, [r["pure_instructions"] for r in mbrows], 0.4, color="#9e9e9e",
               label="pure MicroPython 1.9 (micro:bit)")
        ax.bar(pos + 0.2, [r["tinysense_instructions"] for r in mbrows], 0.4, color="#2e7d32",
               label="tinysense C++ (Cortex-M0)")
        for p, r in zip(pos, mbrows):
            ax.text(p, r["pure_instructions"] * 1.3, fmt_x(r["ratio"]), ha="center", fontsize=8)
        ax.set_xticks(pos)
        ax.set_xticklabels(["%s %s\n%s%s" % (r["kernel"], r["dtype"], r["param"],
                                             "\n(float acc.)" if r["case"] == "rms_i16f" else "")
                            for r in mbrows], fontsize=7)
        ax.set_yscale("log")
        ax.set_ylim(top=max(r["pure_instructions"] for r in mbrows) * 6)
        ax.set_ylabel("instructions per call (QEMU, log)")
        ax.set_title("Cortex-M0: micro:bit MicroPython vs tinysense\n(ratio above each pair)")
        ax.legend(fontsize=8, loc="upper left", ncol=1)
    else:
        ax.text(0.5, 0.5, "micro:bit / Cortex-M0 not measured", ha="center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work_dir")
    ap.add_argument("results_dir")
    ap.add_argument("--command", default="scripts/bench-mpy")
    args = ap.parse_args()
    w = args.work_dir
    out = {"schema": "tinysense-bench-mpy/1", "command": args.command,
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "git_commit": git_commit()}
    meta = load(os.path.join(w, "meta.json")) or {}
    out.update(meta)
    unix = load(os.path.join(w, "unix.json"))
    if unix:
        out["unix"] = unix
        out["unix_summary"] = unix_summary(unix)
    mb = load(os.path.join(w, "microbit.json"))
    m0 = load(os.path.join(w, "m0.json"))
    if mb:
        out["microbit"] = mb
    if m0:
        out["m0"] = m0
    if mb or m0:
        out["microbit_summary"] = microbit_summary(mb, m0)
    os.makedirs(args.results_dir, exist_ok=True)
    with open(os.path.join(args.results_dir, "mpy.json"), "w") as f:
        json.dump(out, f, indent=1)
    write_md(os.path.join(args.results_dir, "mpy.md"), out, args.command)
    write_png(os.path.join(args.results_dir, "mpy.png"), out)
    print("report: wrote %s/mpy.json, mpy.md, mpy.png" % args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
