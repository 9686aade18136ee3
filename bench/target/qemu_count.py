#!/usr/bin/python3
"""Runs a benchmark ELF on QEMU (mps2-an386) with the insncount plugin and
returns the instruction count of every measurement.

The guest prints one "@bench key=value ..." line per measurement (bench.hpp);
the plugin logs one "insncount: pair <seq> <n>" line per start/stop pair. The
k-th pair belongs to the k-th "@bench" line. The first measurements are
"_empty" pairs (markers around nothing): their count is the overhead,
subtracted from every other count. Counts are executed instructions, not
cycles.

As a command (used by the ctest `bench_calibration`):
  qemu_count.py --plugin libinsncount.so [--nm NM] [--runner scripts/qemu-m4f]
                [--expect-offset K] ELF
prints every measurement and exits 1 when a run is inconsistent or a
measurement with expect=N does not read exactly N (+K when given).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RUNNER = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "qemu-m4f"))

PAIR_RE = re.compile(r"^insncount: pair (\d+) (\d+)$")
DONE_RE = re.compile(r"^insncount: done pairs=(\d+) errors=(\d+) total=(\d+)")
INT_FIELDS = ("units", "ram", "stack", "stack_probe", "expect", "expect_stack")


class CountError(RuntimeError):
    """The run cannot be trusted (mismatched pairs, plugin errors, crash)."""


def symbol_address(nm, elf, name):
    out = subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16) & ~1
    raise CountError(f"{elf}: symbol {name} not found")


def parse_bench_line(line):
    fields = {}
    for tok in line.split()[1:]:
        key, _, value = tok.partition("=")
        fields[key] = int(value) if key in INT_FIELDS else value
    return fields


def run(elf, plugin, nm="arm-none-eabi-nm", runner=DEFAULT_RUNNER, timeout=600):
    """Runs elf and returns {"overhead": int, "measurements": [dict], "stdout": str}.

    Each measurement dict has the "@bench" fields plus "raw" (pair count) and
    "instructions" (raw - overhead). Raises CountError on any inconsistency.
    """
    start = symbol_address(nm, elf, "ts_bench_start")
    stop = symbol_address(nm, elf, "ts_bench_stop")
    with tempfile.TemporaryDirectory(prefix="ts-bench-") as tmp:
        log = os.path.join(tmp, "plugin.log")
        cmd = [runner, elf, "-plugin", f"{plugin},start={start:#x},stop={stop:#x}", "-d", "plugin", "-D", log]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        plugin_lines = open(log).read().splitlines() if os.path.exists(log) else []
    # Semihosting console output arrives on QEMU's stderr (7.2), on stdout in
    # other versions: read both.
    stdout = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise CountError(f"{elf} exited with {proc.returncode}\n{stdout[-3000:]}")
    benches = [parse_bench_line(l) for l in stdout.splitlines() if l.startswith("@bench ")]
    if "@bench-end" not in stdout:
        raise CountError(f"{elf}: no @bench-end line (firmware stopped early)\n{stdout[-2000:]}")
    pairs = []
    done = None
    for line in plugin_lines:
        m = PAIR_RE.match(line)
        if m:
            if int(m.group(1)) != len(pairs):
                raise CountError(f"plugin pair numbering broken at: {line}")
            pairs.append(int(m.group(2)))
        elif line.startswith("insncount: error"):
            raise CountError(f"plugin: {line}")
        elif DONE_RE.match(line):
            done = DONE_RE.match(line)
    if done is None:
        raise CountError("plugin summary line missing (plugin not loaded?)\n" + "\n".join(plugin_lines[-20:])
                         + stdout[-2000:])
    if int(done.group(2)) != 0:
        raise CountError(f"plugin reported {done.group(2)} marker errors")
    if len(pairs) != len(benches):
        raise CountError(f"{len(benches)} @bench lines but {len(pairs)} counted pairs")
    empties = [p for p, b in zip(pairs, benches) if b["kernel"] == "_empty"]
    if not empties:
        raise CountError("no _empty measurement to take the overhead from")
    if len(set(empties)) != 1:
        raise CountError(f"empty-pair overhead is not constant: {empties}")
    overhead = empties[0]
    measurements = []
    for raw, b in zip(pairs, benches):
        if b["kernel"] == "_empty":
            continue
        m = dict(b)
        m["raw"] = raw
        m["instructions"] = raw - overhead
        if m["instructions"] < 0:
            raise CountError(f"negative count for {b['kernel']} {b['param']}")
        if m.get("stack", 0) >= m.get("stack_probe", 1 << 30):
            raise CountError(f"{b['kernel']} {b['param']}: stack use reached the probe size; raise kStackProbe")
        measurements.append(m)
    return {"overhead": overhead, "measurements": measurements, "stdout": stdout,
            "total_instructions": int(done.group(3))}


def check_expectations(measurements, offset=0, out=sys.stdout):
    """Checks every expect / expect_stack >= 0 (plus offset); returns (passed, failed)."""
    passed = failed = 0
    for m in measurements:
        for got_key, want_key, what in (("instructions", "expect", "instructions"),
                                        ("stack", "expect_stack", "stack bytes")):
            if m.get(want_key, -1) < 0:
                continue
            want = m[want_key] + offset
            if m[got_key] == want:
                passed += 1
            else:
                failed += 1
                print(f"MISMATCH {m['kernel']} {m['param']}: {m[got_key]} {what}, expected {want}", file=out)
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("elf")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--nm", default="arm-none-eabi-nm")
    ap.add_argument("--runner", default=DEFAULT_RUNNER)
    ap.add_argument("--expect-offset", type=int, default=0,
                    help="add K to every expectation (self-test: the check must then fail)")
    args = ap.parse_args()
    try:
        res = run(args.elf, args.plugin, args.nm, args.runner)
    except (CountError, subprocess.TimeoutExpired) as e:
        print(f"error: {e}")
        return 1
    print(f"overhead of an empty start/stop pair: {res['overhead']} instructions (subtracted)")
    print(f"{'kernel':<16} {'param':<20} {'instructions':>12} {'expect':>8} {'stack':>6}")
    for m in res["measurements"]:
        exp = str(m["expect"] + args.expect_offset) if m["expect"] >= 0 else "-"
        print(f"{m['kernel']:<16} {m['param']:<20} {m['instructions']:>12} {exp:>8} {m['stack']:>6}")
    passed, failed = check_expectations(res["measurements"], args.expect_offset)
    print(f"expectations: {passed} passed, {failed} failed (QEMU instruction counts, not cycles)")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
